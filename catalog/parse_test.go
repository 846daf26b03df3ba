package catalog

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/internal/golden"
	"github.com/cockroachdb/datadriven"
)

func renderParse(in string) string {
	s, err := ParseSchema(in)
	if err != nil {
		return "error: " + err.Error()
	}
	return strings.TrimRight(s.SQL(), "\n")
}

// TestParseData runs testdata/parse.txt: "parse" prints the schema's
// SQL() or the error, and checks the round trip.
func TestParseData(t *testing.T) {
	datadriven.RunTest(t, filepath.Join("testdata", "parse.txt"), func(t *testing.T, td *datadriven.TestData) string {
		if td.Cmd != "parse" {
			t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
		}
		if s, err := ParseSchema(td.Input); err == nil {
			checkRoundTrip(t, s)
		}
		return renderParse(td.Input)
	})
}

// checkRoundTrip asserts ParseSchema(s.SQL()) deep-equals s.
func checkRoundTrip(t *testing.T, s *Schema) {
	t.Helper()
	back, err := ParseSchema(s.SQL())
	if err != nil {
		t.Fatalf("re-parse of\n%s\nfailed: %v", s.SQL(), err)
	}
	if !reflect.DeepEqual(back, s) {
		t.Fatalf("round trip differs:\n%#v\n%#v", back, s)
	}
}

func TestParseSchemaErrors(t *testing.T) {
	for _, tc := range []struct {
		sql       string
		sentinel  error
		line, col int
	}{
		{"CREATE TABLE t (a INT,\n\tb LONGBLOB)", ErrUnsupportedType, 2, 4},
		{"CREATE TABLE t (a INT);\n\nCREATE TABLE `Ä` (x INT, `ö` INT, `Ö` INT)", ErrDuplicate, 3, 35},
		{"CREATE TABLE t (a INT REFERENCES u (b))", ErrUnknownTable, 1, 23},
		{"CREATE TABLE t (a INT, FOREIGN KEY (a) REFERENCES t (c))", ErrUnknownColumn, 1, 40},
		{"CREATE TABLE t (a INT, FOREIGN KEY (a) REFERENCES t (a, a))", ErrInvalidSchema, 1, 40},
		{"DROP TABLE t", ErrUnsupportedStatement, 1, 1},
		{"CREATE TABLE t (a INT,, b INT)", ErrSyntax, 1, 23},
		{"CREATE TABLE t (a GEOMETRY)", ErrUnsupportedType, 1, 19},
		{"", ErrInvalidSchema, 0, 0},
	} {
		_, err := ParseSchema(tc.sql)
		if !errors.Is(err, tc.sentinel) {
			t.Errorf("%q: error %v, want %v", tc.sql, err, tc.sentinel)
			continue
		}
		var se *SchemaError
		if !errors.As(err, &se) || se.Line != tc.line || se.Col != tc.col {
			t.Errorf("%q: error %v, want position %d:%d", tc.sql, err, tc.line, tc.col)
		}
	}
}

func TestValidate(t *testing.T) {
	good := func() *Schema {
		return &Schema{
			Tables: []*Table{
				{Name: "a", Columns: []Column{{Name: "id", Type: TypeInt}, {Name: "b_id", Type: TypeInt, Nullable: true}}, PrimaryKey: []string{"id"}},
				{Name: "b", Columns: []Column{{Name: "id", Type: TypeInt}, {Name: "s", Type: TypeString, Nullable: true}}},
			},
			ForeignKeys: []ForeignKey{{Table: "a", Columns: []string{"b_id"}, RefTable: "b", RefColumns: []string{"id"}}},
		}
	}
	if err := good().Validate(); err != nil {
		t.Fatal(err)
	}
	checkRoundTrip(t, good())
	for name, tc := range map[string]struct {
		mutate   func(s *Schema)
		sentinel error
	}{
		"no tables":       {func(s *Schema) { s.Tables = nil }, ErrInvalidSchema},
		"dup table":       {func(s *Schema) { s.Tables[1].Name = "A" }, ErrDuplicate},
		"bad type":        {func(s *Schema) { s.Tables[1].Columns[1].Type = 0 }, ErrUnsupportedType},
		"nullable pk":     {func(s *Schema) { s.Tables[0].Columns[0].Nullable = true }, ErrInvalidSchema},
		"unknown pk col":  {func(s *Schema) { s.Tables[0].PrimaryKey = []string{"x"} }, ErrUnknownColumn},
		"fk unknown":      {func(s *Schema) { s.ForeignKeys[0].RefTable = "c" }, ErrUnknownTable},
		"fk ref column":   {func(s *Schema) { s.ForeignKeys[0].RefColumns = []string{"x"} }, ErrUnknownColumn},
		"fk type":         {func(s *Schema) { s.ForeignKeys[0].RefColumns = []string{"s"} }, ErrInvalidSchema},
		"fk count":        {func(s *Schema) { s.ForeignKeys[0].RefColumns = nil }, ErrInvalidSchema},
		"no columns":      {func(s *Schema) { s.Tables[1].Columns = nil; s.ForeignKeys = nil }, ErrInvalidSchema},
		"empty col name":  {func(s *Schema) { s.Tables[1].Columns[1].Name = "" }, ErrInvalidSchema},
		"dup column name": {func(s *Schema) { s.Tables[1].Columns[1].Name = "ID" }, ErrDuplicate},
	} {
		s := good()
		tc.mutate(s)
		err := s.Validate()
		var se *SchemaError
		if !errors.Is(err, tc.sentinel) || !errors.As(err, &se) || se.Line != 0 {
			t.Errorf("%s: got %v, want %v without position", name, err, tc.sentinel)
		}
	}
}

func FuzzParseSchema(f *testing.F) {
	for _, c := range golden.Cases(f, filepath.Join("testdata", "parse.txt")) {
		f.Add(c.Input)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		s, err := ParseSchema(sql)
		if err != nil {
			var se *SchemaError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SchemaError", err)
			}
			if lines := strings.Count(sql, "\n") + 1; se.Line > lines || se.Line < 0 || (se.Line > 0 && se.Col < 1) {
				t.Fatalf("error %v: position outside the %d-line input", err, lines)
			}
			return
		}
		checkRoundTrip(t, s)
	})
}
