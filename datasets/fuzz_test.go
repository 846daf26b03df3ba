package datasets

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/internal/golden"
)

// addCaseSeeds adds the inputs of a data-driven test file to a fuzz corpus.
func addCaseSeeds(f *testing.F, path string) {
	for _, c := range golden.Cases(f, path) {
		if c.Input != "" {
			c.Input += "\n"
		}
		f.Add(c.Input)
	}
}

// checkFailedLoad asserts that a failed load returned a *LoadError and left
// the table empty.
func checkFailedLoad(t *testing.T, tb *Table, err error) {
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("error %v is not a *LoadError", err)
	}
	if tb.Rows != 0 {
		t.Fatalf("failed load left %d rows", tb.Rows)
	}
	for _, c := range tb.Cols {
		if c.Len() != 0 || len(c.Dict) != 0 {
			t.Fatalf("failed load left %d values, %d strings", c.Len(), len(c.Dict))
		}
	}
}

// FuzzLoadCSV loads arbitrary text: it must never panic, must fail with a
// *LoadError leaving the table unchanged, or load consistent columns that
// survive a WriteCSV / load round trip.
func FuzzLoadCSV(f *testing.F) {
	addCaseSeeds(f, filepath.Join("testdata", "csv.txt"))
	f.Add("id,name,price,d,ts\r\n1,\"a\r\nb\",,,2001-01-01\r\n")
	f.Fuzz(func(t *testing.T, input string) {
		tb := testDB().Tables[0]
		err := loadCSVTable(context.Background(), tb, strings.NewReader(input), "t.csv", nil, int64(len(input)))
		par := testDB().Tables[0]
		parErr := loadCSVParallelForced(par, input, csvParallel{chunk: 1 + len(input)%13, workers: 2})
		if d := sameLoad(tb, err, par, parErr); d != nil {
			t.Fatalf("parallel load differs: %v", d)
		}
		if err != nil {
			checkFailedLoad(t, tb, err)
			return
		}
		checkTable(t, tb)
		var buf bytes.Buffer
		if err := tb.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		back := testDB().Tables[0]
		if err := loadCSVTable(context.Background(), back, &buf, "t.csv", nil, 0); err != nil {
			t.Fatalf("reloading written CSV: %v\n%s", err, buf.String())
		}
		if err := (&DB{Tables: []*Table{tb}}).Diff(&DB{Tables: []*Table{back}}); err != nil {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzLoadJSON loads arbitrary text as JSON: no panic, a *LoadError that
// leaves the table unchanged, or consistent columns.
func FuzzLoadJSON(f *testing.F) {
	addCaseSeeds(f, filepath.Join("testdata", "json.txt"))
	f.Fuzz(func(t *testing.T, input string) {
		db := testDB()
		tb := db.Tables[0]
		if err := LoadJSON(context.Background(), db, "t", strings.NewReader(input)); err != nil {
			checkFailedLoad(t, tb, err)
			return
		}
		checkTable(t, tb)
	})
}

// FuzzParseDateTime checks the hand-written date parser against package
// time on the canonical layouts.
func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{"2001-01-02 03:04:05", "1970-01-01 00:00:00", "2000-02-29 23:59:59", "1900-02-29 00:00:00",
		"0001-01-01 00:00:00", "9999-12-31 23:59:59", "2001-1-02 03:04:05", "2001-01-02"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseDateTime([]byte(s))
		// On the strict shape of the layouts (package time is more lenient
		// elsewhere, e.g. space-padded hours) both must agree.
		if strictShape(s, catalog.DateTimeLayout) {
			want, err := time.Parse(catalog.DateTimeLayout, s)
			if (err == nil) != ok || (ok && got != want.Unix()) {
				t.Fatalf("parseDateTime(%q) = %d, %v; time.Parse = %v, %v", s, got, ok, want, err)
			}
		}
		dgot, dok := parseDate([]byte(s))
		if strictShape(s, catalog.DateLayout) {
			want, err := time.Parse(catalog.DateLayout, s)
			if (err == nil) != dok || (dok && dgot != want.Unix()) {
				t.Fatalf("parseDate(%q) = %d, %v; time.Parse = %v, %v", s, dgot, dok, want, err)
			}
		}
		if ok {
			var b []byte
			b = AppendDate(b, got, true)
			if back, ok := parseDateTime(b); !ok || back != got {
				t.Fatalf("AppendDate(%d) = %q does not parse back", got, b)
			}
		}
	})
}

// strictShape reports whether s has a digit wherever layout has one and
// the layout's other bytes elsewhere.
func strictShape(s, layout string) bool {
	if len(s) != len(layout) {
		return false
	}
	for i := range len(s) {
		isDigit := s[i] >= '0' && s[i] <= '9'
		if layout[i] >= '0' && layout[i] <= '9' {
			if !isDigit {
				return false
			}
		} else if s[i] != layout[i] {
			return false
		}
	}
	return true
}
