package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing the
// test that uses it, so the harness's own failures can be asserted.
type recorder struct {
	testing.TB
	failed bool
	msgs   []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.msgs = append(r.msgs, format)
}
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }
func (r *recorder) Fatal(args ...any)                 { r.failed = true }

// TestFile: equal bytes pass, different bytes fail with the first
// difference named, a missing file fails and says how to create it.
func TestFile(t *testing.T) {
	if Rewrite() {
		t.Skip("TestFile checks failures, which -rewrite would hide")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "out.golden")
	if err := os.WriteFile(path, []byte("line one\nline two\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := &recorder{TB: t}
	File(ok, path, []byte("line one\nline two\n"))
	if ok.failed {
		t.Errorf("equal bytes failed: %v", ok.msgs)
	}
	bad := &recorder{TB: t}
	File(bad, path, []byte("line one\nline 2\n"))
	if !bad.failed {
		t.Error("different bytes passed")
	}
	if d := firstDiff([]byte("line one\nline 2\n"), []byte("line one\nline two\n")); !strings.Contains(d, "line 2") || !strings.Contains(d, "byte 14") {
		t.Errorf("firstDiff = %q, want the byte offset and line", d)
	}
	missing := &recorder{TB: t}
	File(missing, filepath.Join(dir, "none.golden"), []byte("x"))
	if !missing.failed || !strings.Contains(strings.Join(missing.msgs, " "), "-rewrite") {
		t.Errorf("missing golden: failed=%v %v, want a failure naming -rewrite", missing.failed, missing.msgs)
	}
}

// TestCases reads every case of a data-driven file with its position.
func TestCases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cases.txt")
	text := "parse\nSELECT 1\n----\nok\n\nparse a=1\nSELECT 2\n----\nfine\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cs := Cases(t, path)
	if len(cs) != 2 {
		t.Fatalf("%d cases, want 2: %+v", len(cs), cs)
	}
	if cs[0].Cmd != "parse" || cs[0].Input != "SELECT 1" || cs[0].Expected != "ok\n" || !strings.HasPrefix(cs[0].Pos, path+":") {
		t.Errorf("case 0 = %+v", cs[0])
	}
	if cs[1].Input != "SELECT 2" || cs[1].Expected != "fine\n" {
		t.Errorf("case 1 = %+v", cs[1])
	}
}
