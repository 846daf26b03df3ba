package live

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestResumeOutput(t *testing.T) {
	const a = `{"sql":"SELECT COUNT(*) FROM a","rows":1}` + "\n"
	const b = `{"sql":"SELECT COUNT(*) FROM b","rows":2}` + "\n"
	for _, tc := range []struct {
		name, content, after string
		done                 int
		torn                 bool
		err                  error
	}{
		{"new file", "", "", 0, false, nil},
		{"complete", a + b, a + b, 2, false, nil},
		{"blank lines", a + "\n" + b, a + "\n" + b, 2, false, nil},
		{"torn last line", a + b[:20], a, 1, true, nil},
		{"garbage last line", a + "{\"x\":1}\n", a, 1, true, nil},
		{"bad middle line", a + "nope\n" + b, "", 0, false, ErrCorruptOutput},
		{"torn then more", a + b[:20] + "\n" + b, "", 0, false, ErrCorruptOutput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.jsonl")
			if tc.content != "" {
				if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			f, done, torn, err := resumeOutput(path)
			if tc.err != nil {
				var pe *PosError
				if !errors.Is(err, tc.err) || !errors.As(err, &pe) || pe.Line != 2 {
					t.Fatalf("err = %v, want %v at line 2", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(b); err != nil {
				t.Fatal(err)
			}
			f.Close()
			if len(done) != tc.done || torn != tc.torn {
				t.Errorf("done %v torn %v, want %d %v", done, torn, tc.done, tc.torn)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tc.after+b {
				t.Errorf("file after append = %q, want %q", got, tc.after+b)
			}
		})
	}
}
