package datasets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cockroachdb/datadriven"
)

// testTable is the table of the data-driven loader cases.
func testTable() *catalog.Table {
	return &catalog.Table{
		Name: "t",
		Columns: []catalog.Column{
			{Name: "id", Type: catalog.TypeInt},
			{Name: "name", Type: catalog.TypeString, Nullable: true},
			{Name: "price", Type: catalog.TypeFloat, Nullable: true},
			{Name: "d", Type: catalog.TypeDate, Nullable: true},
			{Name: "ts", Type: catalog.TypeDateTime},
		},
		PrimaryKey: []string{"id"},
	}
}

func testDB() *DB {
	return NewDB(&catalog.Schema{Tables: []*catalog.Table{testTable()}})
}

// sentinels lists the package's sentinel errors for rendering.
var sentinels = []struct {
	name string
	err  error
}{
	{"ErrMalformed", ErrMalformed}, {"ErrType", ErrType}, {"ErrNullViolation", ErrNullViolation},
	{"ErrArity", ErrArity}, {"ErrMissingTable", ErrMissingTable}, {"ErrHeader", ErrHeader},
	{"ErrUnknownColumn", ErrUnknownColumn}, {"ErrDuplicateColumn", ErrDuplicateColumn},
	{"ErrSchema", ErrSchema}, {"ErrOptions", ErrOptions},
}

// renderResult renders a load's outcome: the rows, or the error with its
// sentinels and position. A failed load must leave the table empty.
func renderResult(t *testing.T, tb *Table, err error) string {
	t.Helper()
	var b strings.Builder
	if err != nil {
		var names []string
		for _, s := range sentinels {
			if errors.Is(err, s.err) {
				names = append(names, s.name)
			}
		}
		var le *LoadError
		if !errors.As(err, &le) {
			t.Errorf("error %v is not a *LoadError", err)
			le = &LoadError{Index: -1}
		}
		fmt.Fprintf(&b, "error: %v\nis: %s\nat: line %d, element %d, column %q", err, strings.Join(names, ", "),
			le.Line, le.Index, le.Column)
		for i, c := range tb.Cols {
			if tb.Rows != 0 || c.Len() != 0 || len(c.Dict) != 0 {
				t.Errorf("failed load left %d rows, column %d has %d values, %d strings", tb.Rows, i, c.Len(), len(c.Dict))
			}
		}
		return b.String()
	}
	fmt.Fprintf(&b, "rows: %d", tb.Rows)
	var row []catalog.Datum
	for i := 0; i < tb.Rows; i++ {
		row = tb.Row(i, row)
		b.WriteString("\n")
		for j, d := range row {
			if j > 0 {
				b.WriteString(" | ")
			}
			if d.Kind == catalog.KindString {
				b.WriteString(d.String())
			} else {
				b.WriteString(d.Format(tb.Def.Columns[j].Type))
			}
		}
	}
	return b.String()
}

// runCases runs a data-driven file of loader cases: the command is the
// loader ("csv" or "json"), the input the file it reads, the output the
// rows or the error.
func runCases(t *testing.T, path string, load func(tb *Table, input string) error) {
	datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
		if td.Cmd != "csv" && td.Cmd != "json" {
			t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
		}
		input := td.Input
		if input != "" {
			input += "\n"
		}
		db := testDB()
		tb := db.Tables[0]
		return renderResult(t, tb, load(tb, input))
	})
}

func TestCSVCases(t *testing.T) {
	runCases(t, filepath.Join("testdata", "csv.txt"), func(tb *Table, input string) error {
		return loadCSVTable(context.Background(), tb, strings.NewReader(input), "t.csv", nil, 0)
	})
}

func TestJSONCases(t *testing.T) {
	runCases(t, filepath.Join("testdata", "json.txt"), func(tb *Table, input string) error {
		db := &DB{Schema: &catalog.Schema{Tables: []*catalog.Table{tb.Def}}, Tables: []*Table{tb}}
		return LoadJSON(context.Background(), db, "t", strings.NewReader(input))
	})
}

// TestCSVLineEnds checks input the text files cannot hold: CRLF line ends,
// a byte order mark, no final newline.
func TestCSVLineEnds(t *testing.T) {
	for _, tc := range []struct{ input, first string }{
		{"\xef\xbb\xbfid,name,price,d,ts\r\n1,\"a\r\nb\",,,2001-01-01\r\n2,c,,,2001-01-01", "a\r\nb"},
		{"id,name,price,d,ts\n1,\"a\nb\",,,2001-01-01\n2,c,,,2001-01-01\n", "a\nb"},
	} {
		input := tc.input
		tb := testDB().Tables[0]
		if err := loadCSVTable(context.Background(), tb, strings.NewReader(input), "t.csv", nil, 0); err != nil {
			t.Fatalf("%q: %v", input, err)
		}
		if tb.Rows != 2 || tb.Cols[1].Datum(0).S != tc.first || tb.Cols[1].Datum(1).S != "c" || !tb.Cols[2].IsNull(1) {
			t.Errorf("%q: loaded %v / %v", input, tb.Row(0, nil), tb.Row(1, nil))
		}
	}
}

// TestCSVLongLine checks a field longer than the reader's buffer.
func TestCSVLongLine(t *testing.T) {
	long := strings.Repeat("x", 3*csvBufferSize)
	input := "id,name,price,d,ts\n1," + long + ",,,2001-01-01\n2,\"" + long + "\",,,2001-01-01\n"
	tb := testDB().Tables[0]
	if err := loadCSVTable(context.Background(), tb, strings.NewReader(input), "t.csv", nil, 0); err != nil {
		t.Fatal(err)
	}
	if tb.Rows != 2 || tb.Cols[1].Datum(0).S != long || len(tb.Cols[1].Dict) != 1 {
		t.Errorf("long field lost: %d rows, %d strings", tb.Rows, len(tb.Cols[1].Dict))
	}
}

// TestLoadCSVDirErrors checks the directory-level errors and their files.
func TestLoadCSVDirErrors(t *testing.T) {
	ctx := context.Background()
	const schema = "CREATE TABLE a (x INT NOT NULL);\nCREATE TABLE b (y VARCHAR(10));\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  error
		file  string
		line  int
	}{
		{"no schema file", map[string]string{"a.csv": "x\n1\n"}, ErrSchema, SchemaFile, 0},
		{"bad schema", map[string]string{SchemaFile: "CREATE TABLE a (x INT);\nCREATE TABLE b (y BLOB);\n"}, ErrSchema, SchemaFile, 2},
		{"missing table file", map[string]string{SchemaFile: schema, "a.csv": "x\n1\n"}, ErrMissingTable, "b.csv", 0},
		{"file of no table", map[string]string{SchemaFile: schema, "a.csv": "x\n1\n", "b.csv": "y\nq\n", "c.csv": "z\n"}, ErrMissingTable, "c.csv", 0},
		{"error inside a table file", map[string]string{SchemaFile: schema, "a.csv": "x\n1\n\n", "b.csv": "y\n"}, ErrNullViolation, "a.csv", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := LoadCSVDir(ctx, dir)
			var le *LoadError
			if !errors.Is(err, tc.want) || !errors.As(err, &le) {
				t.Fatalf("err = %v, want %v in a *LoadError", err, tc.want)
			}
			if filepath.Base(le.File) != tc.file || le.Line != tc.line {
				t.Errorf("error at %s:%d, want %s:%d (%v)", filepath.Base(le.File), le.Line, tc.file, tc.line, err)
			}
		})
	}
	if _, err := LoadCSV(ctx, &catalog.Schema{}, t.TempDir()); !errors.Is(err, ErrSchema) {
		t.Errorf("empty schema: %v, want ErrSchema", err)
	}
	if err := LoadJSON(ctx, testDB(), "nope", strings.NewReader("[]")); !errors.Is(err, ErrMissingTable) {
		t.Errorf("LoadJSON of unknown table: %v, want ErrMissingTable", err)
	}
}

// TestLoadCanceled checks that a canceled context stops a load.
func TestLoadCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tb := testDB().Tables[0]
	err := loadCSVTable(ctx, tb, strings.NewReader("id,name,price,d,ts\n1,,,,2001-01-01\n"), "t.csv", nil, 0)
	if !errors.Is(err, context.Canceled) || tb.Rows != 0 {
		t.Errorf("CSV: err %v, %d rows", err, tb.Rows)
	}
	if err := LoadJSON(ctx, testDB(), "t", strings.NewReader(`[{"id":1,"ts":0}]`)); !errors.Is(err, context.Canceled) {
		t.Errorf("JSON: err %v", err)
	}
	if _, err := Ecommerce(ctx, EcommerceOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Ecommerce: err %v", err)
	}
}

// TestAppendRow checks type checking, NULL handling and interning.
func TestAppendRow(t *testing.T) {
	tb := NewTable(testTable())
	ok := [][]catalog.Datum{
		{catalog.Int(1), catalog.String("a"), catalog.Float(1.5), catalog.Int(0), catalog.Int(86400)},
		{catalog.Int(2), catalog.Null, catalog.Int(3), catalog.Null, catalog.Int(0)},
		{catalog.Int(3), catalog.String("a"), catalog.Null, catalog.Int(86400), catalog.Int(1)},
	}
	for _, r := range ok {
		if err := tb.AppendRow(r); err != nil {
			t.Fatal(err)
		}
	}
	bad := []struct {
		row  []catalog.Datum
		want error
	}{
		{[]catalog.Datum{catalog.Int(1)}, ErrArity},
		{[]catalog.Datum{catalog.Null, catalog.Null, catalog.Null, catalog.Null, catalog.Int(0)}, ErrNullViolation},
		{[]catalog.Datum{catalog.Float(1), catalog.Null, catalog.Null, catalog.Null, catalog.Int(0)}, ErrType},
		{[]catalog.Datum{catalog.Int(1), catalog.Int(1), catalog.Null, catalog.Null, catalog.Int(0)}, ErrType},
		{[]catalog.Datum{catalog.Int(1), catalog.Null, catalog.String("1"), catalog.Null, catalog.Int(0)}, ErrType},
		{[]catalog.Datum{catalog.Int(1), catalog.Null, catalog.Null, catalog.Null, catalog.String("2001-01-01")}, ErrType},
	}
	for _, b := range bad {
		if err := tb.AppendRow(b.row); !errors.Is(err, b.want) {
			t.Errorf("AppendRow(%v) = %v, want %v", b.row, err, b.want)
		}
	}
	if tb.Rows != 3 {
		t.Fatalf("%d rows after failed appends, want 3", tb.Rows)
	}
	for i, c := range tb.Cols {
		if c.Len() != 3 || (c.Null != nil && len(c.Null) != 3) {
			t.Errorf("column %d: %d values, %d null flags", i, c.Len(), len(c.Null))
		}
	}
	name := tb.Cols[1]
	if len(name.Dict) != 1 || name.Codes[0] != name.Codes[2] || !name.IsNull(1) || name.IsNull(2) {
		t.Errorf("name column: dict %q codes %v null %v", name.Dict, name.Codes, name.Null)
	}
	if got := tb.Cols[2].Datum(1); got != catalog.Float(3) {
		t.Errorf("int into float column stored as %v", got)
	}
	if tb.Cols[0].Null != nil {
		t.Errorf("column without NULL has a Null slice")
	}
	// Interning into a hand-built column with a pre-filled Dict.
	c := &Column{Type: catalog.TypeString, Dict: []string{"x", "y"}}
	if c.Intern("y") != 1 || c.Intern("z") != 2 || c.Intern("x") != 0 || len(c.Dict) != 3 {
		t.Errorf("Intern on a hand-built column: %q", c.Dict)
	}
}

// TestRowsAreConsistent checks each built-in table's columns against its
// definition: lengths, NULL only in nullable columns, codes in range.
func TestRowsAreConsistent(t *testing.T) {
	fl, err := Flights()
	if err != nil {
		t.Fatal(err)
	}
	eco, err := Ecommerce(context.Background(), EcommerceOptions{Scale: 0.2, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, db := range []*DB{fl, eco} {
		for _, tb := range db.Tables {
			checkTable(t, tb)
		}
	}
}

func checkTable(t *testing.T, tb *Table) {
	t.Helper()
	for i, c := range tb.Cols {
		def := tb.Def.Columns[i]
		if c.Len() != tb.Rows || c.Type != def.Type {
			t.Errorf("%s.%s: %d values of %v, want %d of %v", tb.Def.Name, def.Name, c.Len(), c.Type, tb.Rows, def.Type)
		}
		if c.Null != nil && (len(c.Null) != tb.Rows || !def.Nullable) {
			t.Errorf("%s.%s: %d NULL flags, nullable %v", tb.Def.Name, def.Name, len(c.Null), def.Nullable)
		}
		for r, code := range c.Codes {
			if int(code) >= len(c.Dict) && !c.IsNull(r) {
				t.Fatalf("%s.%s: code %d out of dictionary of %d", tb.Def.Name, def.Name, code, len(c.Dict))
			}
		}
	}
}

// TestWriteCSVQuoting checks that strings needing quotes survive.
func TestWriteCSVQuoting(t *testing.T) {
	tb := NewTable(testTable())
	for i, s := range []string{"", `\N`, "a,b", `"`, "x\ny", "x\r\ny", " sp ", "é"} {
		if err := tb.AppendRow([]catalog.Datum{catalog.Int(int64(i)), catalog.String(s), catalog.Null, catalog.Null, catalog.Int(0)}); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := tb.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	back := testDB().Tables[0]
	if err := loadCSVTable(context.Background(), back, &buf, "t.csv", nil, 0); err != nil {
		t.Fatal(err)
	}
	a := &DB{Tables: []*Table{tb}}
	if err := a.Diff(&DB{Tables: []*Table{back}}); err != nil {
		t.Error(err)
	}
}
