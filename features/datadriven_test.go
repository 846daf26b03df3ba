package features

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

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

// TestParseDataDriven runs testdata/parse/*.txt: "parse" prints the
// canonical SQL and the description of its input, or the error (and
// checks the round trip). Regenerate with go test ./features -rewrite.
func TestParseDataDriven(t *testing.T) {
	files, err := filepath.Glob("testdata/parse/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			datadriven.RunTest(t, f, func(t *testing.T, td *datadriven.TestData) string {
				if td.Cmd != "parse" {
					t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
				}
				return parseOutput(t, td.Input)
			})
		})
	}
}

func asError(err error, target **Error) bool { return errors.As(err, target) }
