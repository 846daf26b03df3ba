// Package golden is the test side of Cardinal's one data-driven harness:
// text cases live in testdata files in the format of
// github.com/cockroachdb/datadriven (a directive line, the input, "----",
// the expected output), run with datadriven.RunTest, and whole-file
// goldens (binary catalogs and models, rendered logs) are checked with
// File. Both obey the one -rewrite flag, which datadriven registers:
//
//	go test ./catalog -rewrite          # regenerate every expected output
//
// Tests only: nothing outside _test.go files imports this package.
package golden

import (
	"bytes"
	"flag"
	"os"
	"strconv"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// Rewrite reports whether the test binary runs with -rewrite.
func Rewrite() bool {
	f := flag.Lookup("rewrite")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	v, _ := g.Get().(bool)
	return v
}

// File compares got with the golden file at path; under -rewrite it
// writes got there first.
func File(t testing.TB, path string, got []byte) {
	t.Helper()
	if Rewrite() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -rewrite to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (%d vs %d bytes); run with -rewrite if the change is deliberate\n%s",
			path, len(got), len(want), firstDiff(got, want))
	}
}

// firstDiff describes where got and want first differ.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	line := 1 + bytes.Count(want[:i], []byte("\n"))
	clip := func(b []byte) []byte {
		b = b[i:]
		if j := bytes.IndexByte(b, '\n'); j >= 0 {
			b = b[:j]
		}
		if len(b) > 120 {
			b = b[:120]
		}
		return b
	}
	return "first difference at byte " + strconv.Itoa(i) + " (line " + strconv.Itoa(line) + "):\n got: " +
		string(clip(got)) + "\nwant: " + string(clip(want))
}

// Case is one case of a data-driven file.
type Case struct {
	Pos      string // file:line
	Cmd      string
	Input    string
	Expected string
}

// Cases reads the cases of a data-driven file without running them (to
// seed a fuzzer, or to find one query).
func Cases(tb testing.TB, path string) []Case {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var out []Case
	datadriven.RunTestFromStringAny(tb, string(b), func(_ testing.TB, td *datadriven.TestData) string {
		out = append(out, Case{Pos: path + td.Pos[len("<string>"):], Cmd: td.Cmd, Input: td.Input, Expected: td.Expected})
		return td.Expected
	})
	return out
}
