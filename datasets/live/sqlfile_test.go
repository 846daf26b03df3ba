package live

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func openTestdata(name string) (*os.File, error) { return os.Open("testdata/" + name) }

func TestParseSQLFileGolden(t *testing.T) {
	f, err := os.Open("testdata/workload.sql")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stmts, err := ParseSQLFile(f, "testdata/workload.sql")
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "testdata/workload.golden", renderStatements(stmts))
}

func TestParseSQLFileSplit(t *testing.T) {
	src := "-- lead\nSELECT 'a;b' FROM t;\n/* c; */ SELECT `x;y` FROM t # tail;\n;\n\nSELECT \"q\\\";\" FROM t;\n" +
		"DELIMITER $$\nSELECT 1; SELECT 2$$\nDELIMITER ;\nSELECT /*!40101 3; */ FROM t"
	stmts, err := ParseSQLFile(strings.NewReader(src), "s.sql")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		sql  string
		line int
	}{
		{"SELECT 'a;b' FROM t", 2},
		{"SELECT `x;y` FROM t", 3}, // comments around a statement are dropped
		{"SELECT \"q\\\";\" FROM t", 6},
		{"SELECT 1; SELECT 2", 8},
		{"SELECT /*!40101 3; */ FROM t", 10},
	}
	if len(stmts) != len(want) {
		t.Fatalf("got %d statements: %q", len(stmts), renderStatements(stmts))
	}
	for i, w := range want {
		if stmts[i].SQL != w.sql || stmts[i].Line != w.line {
			t.Errorf("statement %d = %q line %d, want %q line %d", i, stmts[i].SQL, stmts[i].Line, w.sql, w.line)
		}
	}
}

func TestParseSQLFileErrors(t *testing.T) {
	for _, tc := range []struct {
		src       string
		line, col int
	}{
		{"SELECT 1;\nSELECT 'oops FROM t;", 2, 8},
		{"SELECT 1; /* never closed", 1, 11},
		{"SELECT `ident", 1, 8},
		{"SELECT 'é', \"ü", 1, 13},
		{"SELECT 1;\nDELIMITER\nSELECT 2", 2, 1},
	} {
		_, err := ParseSQLFile(strings.NewReader(tc.src), "e.sql")
		var pe *PosError
		if !errors.Is(err, ErrSQLFile) || !errors.As(err, &pe) || pe.Line != tc.line || pe.Col != tc.col {
			t.Errorf("ParseSQLFile(%q) = %v, want ErrSQLFile at %d:%d", tc.src, err, tc.line, tc.col)
		}
	}
}

func FuzzParseSQLFile(f *testing.F) {
	f.Add("SELECT 1; SELECT 'a;b'")
	f.Add("/* x */ SELECT `a``b` FROM t -- c\n;")
	f.Fuzz(func(t *testing.T, src string) {
		stmts, err := ParseSQLFile(strings.NewReader(src), "f.sql")
		if err != nil {
			if !errors.Is(err, ErrSQLFile) {
				t.Fatalf("error without sentinel: %v", err)
			}
			return
		}
		for _, s := range stmts {
			if strings.TrimSpace(s.SQL) == "" || s.Line < 1 || !strings.Contains(src, s.SQL) {
				t.Fatalf("bad statement %+v", s)
			}
		}
	})
}
