package features

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected outputs of testdata/parse/*.txt")

// ddCase is one data-driven case: comment lines, the input, "----", the
// expected output, and a blank line.
type ddCase struct {
	comments []string
	input    string
	expected string
}

func readCases(t testing.TB, path string) []ddCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []ddCase
	var cur ddCase
	var in, out []string
	state := 0 // 0 comments, 1 input, 2 expected
	flush := func() {
		if len(in) > 0 {
			cur.input = strings.Join(in, "\n")
			cur.expected = strings.Join(out, "\n")
			cases = append(cases, cur)
		}
		cur, in, out, state = ddCase{}, nil, nil, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case state == 2 && line == "":
			flush()
		case state == 2:
			out = append(out, line)
		case line == "----":
			state = 2
		case state == 0 && (strings.HasPrefix(line, "#") || line == ""):
			if line != "" {
				cur.comments = append(cur.comments, line)
			}
		default:
			state = 1
			in = append(in, line)
		}
	}
	flush()
	return cases
}

func writeCases(t *testing.T, path string, cases []ddCase) {
	var b strings.Builder
	for i, c := range cases {
		if i > 0 {
			b.WriteByte('\n')
		}
		for _, cm := range c.comments {
			b.WriteString(cm + "\n")
		}
		b.WriteString(c.input + "\n----\n" + c.expected + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func marshalJSON(t testing.TB, v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimRight(b.String(), "\n")
}

// parseOutput is what a case prints: the error, or the canonical SQL and
// the description. It also checks the round trip SQL -> Parse.
func parseOutput(t *testing.T, sql string) string {
	s := testSchema()
	q, err := Parse(s, sql)
	if err != nil {
		var pe *Error
		if !asError(err, &pe) {
			t.Errorf("%q: error %v is not an *Error", sql, err)
		}
		return "error: " + err.Error()
	}
	back, err := Parse(s, q.SQL())
	if err != nil {
		t.Errorf("round trip of %q: %v\nSQL: %s", sql, err, q.SQL())
	} else if !sameCounted(back, q) {
		t.Errorf("round trip of %q differs:\nSQL: %s\nwant %s\ngot  %s", sql, q.SQL(), marshalJSON(t, q.Describe()), marshalJSON(t, back.Describe()))
	} else if back.Digest() != q.Digest() {
		t.Errorf("digest of %q changed in the round trip", sql)
	}
	return "sql: " + q.SQL() + "\n" + marshalJSON(t, q.Describe())
}

func TestParseDataDriven(t *testing.T) {
	files, err := filepath.Glob("testdata/parse/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cases := readCases(t, f)
			if len(cases) == 0 {
				t.Fatalf("%s holds no case", f)
			}
			for i := range cases {
				got := parseOutput(t, cases[i].input)
				if *rewrite {
					cases[i].expected = got
					continue
				}
				if got != cases[i].expected {
					t.Errorf("%s case %d:\n%s\n----\nwant:\n%s\ngot:\n%s", f, i+1, cases[i].input, cases[i].expected, got)
				}
			}
			if *rewrite {
				writeCases(t, f, cases)
			}
		})
	}
}

func asError(err error, target **Error) bool { return errors.As(err, target) }
