package features

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/cardinaldb/cardinal/internal/golden"
)

// FuzzParse checks that no input panics, every error is an *Error with a
// sentinel (an unknown table's positioned), and every accepted query
// survives SQL -> Parse unchanged.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/parse/*.txt")
	for _, file := range files {
		for _, c := range golden.Cases(f, file) {
			f.Add(c.Input)
		}
	}
	s := testSchema()
	sentinels := []error{ErrSyntax, ErrUnsupported, ErrUnknownTable, ErrUnknownColumn, ErrAmbiguousColumn, ErrDuplicateAlias, ErrType, ErrTooManyTables, ErrTooComplex}
	f.Fuzz(func(t *testing.T, sql string) {
		q, err := Parse(s, sql)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("%q: %T %v", sql, err, err)
			}
			known := false
			for _, se := range sentinels {
				known = known || errors.Is(err, se)
			}
			if !known || pe.Line < 0 || pe.Col < 0 {
				t.Fatalf("%q: bad error %#v", sql, pe)
			}
			if errors.Is(err, ErrUnknownTable) && pe.Line == 0 {
				t.Fatalf("%q: unknown table without a position: %v", sql, err)
			}
			return
		}
		out := q.SQL()
		back, err := Parse(s, out)
		if err != nil {
			t.Fatalf("%q: re-parse of %q: %v", sql, out, err)
		}
		if !sameCounted(back, q) {
			t.Fatalf("%q: round trip differs:\n%s\n%s", sql, out, back.SQL())
		}
		_ = q.Describe()
		_ = q.Digest()
		if len(q.Tables) <= 12 {
			q.ConnectedSubsets(0)
		}
	})
}
