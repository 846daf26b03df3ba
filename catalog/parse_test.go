package catalog

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata golden files")

type dataCase struct {
	input, want string
}

// readCases reads a data-driven test file: cases separated by "====" lines,
// each "input\n----\nexpected".
func readCases(t testing.TB, path string) []dataCase {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []dataCase
	for _, chunk := range strings.Split(string(b), "\n====\n") {
		in, want, ok := strings.Cut(chunk, "\n----\n")
		if !ok {
			in, want, ok = strings.Cut(chunk, "\n----")
		}
		if !ok {
			t.Fatalf("%s: case without ----: %q", path, chunk)
		}
		cases = append(cases, dataCase{in, strings.TrimRight(want, "\n")})
	}
	return cases
}

func writeCases(t *testing.T, path string, cases []dataCase) {
	t.Helper()
	parts := make([]string, len(cases))
	for i, c := range cases {
		parts[i] = c.input + "\n----\n" + c.want
	}
	if err := os.WriteFile(path, []byte(strings.Join(parts, "\n====\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// stripComments drops the "# " description lines a case starts with.
func stripComments(in string) string {
	lines := strings.Split(in, "\n")
	for len(lines) > 0 && strings.HasPrefix(lines[0], "# ") {
		lines = lines[1:]
	}
	return strings.Join(lines, "\n")
}

func renderParse(in string) string {
	s, err := ParseSchema(stripComments(in))
	if err != nil {
		return "error: " + err.Error()
	}
	return strings.TrimRight(s.SQL(), "\n")
}

func TestParseData(t *testing.T) {
	path := filepath.Join("testdata", "parse.txt")
	cases := readCases(t, path)
	for i := range cases {
		got := renderParse(cases[i].input)
		if s, err := ParseSchema(stripComments(cases[i].input)); err == nil {
			checkRoundTrip(t, s)
		}
		if *rewrite {
			cases[i].want = got
			continue
		}
		if got != cases[i].want {
			t.Errorf("case %d:\n%s\ngot:\n%s\nwant:\n%s", i, cases[i].input, got, cases[i].want)
		}
	}
	if *rewrite {
		writeCases(t, path, cases)
	}
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
	for _, c := range readCases(f, filepath.Join("testdata", "parse.txt")) {
		f.Add(stripComments(c.input))
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
