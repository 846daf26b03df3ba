package datasets

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/internal/golden"
)

// loadCSVParallelForced loads input like loadCSVTable, but always in
// parallel with the given chunk size and workers.
func loadCSVParallelForced(t *Table, input string, p csvParallel) error {
	return loadCSVParallelCtx(context.Background(), t, input, p)
}

func loadCSVParallelCtx(ctx context.Context, t *Table, input string, p csvParallel) error {
	cr := newCSVReader(strings.NewReader(input))
	perm, err := readCSVHeader(cr, t, "t.csv", nil)
	if err != nil {
		return err
	}
	m := t.mark()
	if err := loadCSVParallel(ctx, cr, t, perm, "t.csv", p); err != nil {
		t.rollback(m)
		return err
	}
	return nil
}

// sameLoad checks that two loads of the same input agree exactly: error
// text, rows, dictionaries and codes.
func sameLoad(a *Table, errA error, b *Table, errB error) error {
	if fmt.Sprint(errA) != fmt.Sprint(errB) {
		return fmt.Errorf("errors differ: %v vs %v", errA, errB)
	}
	if a.Rows != b.Rows {
		return fmt.Errorf("%d rows vs %d", a.Rows, b.Rows)
	}
	for i, c := range a.Cols {
		d := b.Cols[i]
		if !slices.Equal(c.Ints, d.Ints) || !slices.Equal(c.Codes, d.Codes) || !slices.Equal(c.Dict, d.Dict) ||
			!slices.Equal(c.Null, d.Null) || len(c.Floats) != len(d.Floats) {
			return fmt.Errorf("column %d differs", i)
		}
		for r := range c.Floats {
			if c.Floats[r] != d.Floats[r] && (c.Floats[r] == c.Floats[r] || d.Floats[r] == d.Floats[r]) {
				return fmt.Errorf("column %d row %d: %v vs %v", i, r, c.Floats[r], d.Floats[r])
			}
		}
	}
	return nil
}

// TestCSVParallelMatchesSequential loads every data-driven case with tiny
// chunks, so records (multi-line ones included) straddle chunk ends, and
// compares with the sequential load.
func TestCSVParallelMatchesSequential(t *testing.T) {
	type testCase struct{ name, input string }
	var cases []testCase
	for _, c := range golden.Cases(t, filepath.Join("testdata", "csv.txt")) {
		if c.Input != "" {
			c.Input += "\n"
		}
		cases = append(cases, testCase{name: c.Pos, input: c.Input})
	}
	cases = append(cases, testCase{name: "many rows", input: manyRowsCSV(500)})
	for _, c := range cases {
		seq := testDB().Tables[0]
		seqErr := loadCSVTable(context.Background(), seq, strings.NewReader(c.input), "t.csv", nil, 0)
		for _, p := range []csvParallel{{chunk: 1, workers: 2}, {chunk: 7, workers: 3}, {chunk: 64, workers: 2}, {chunk: 1 << 20, workers: 2}} {
			par := testDB().Tables[0]
			parErr := loadCSVParallelForced(par, c.input, p)
			if err := sameLoad(seq, seqErr, par, parErr); err != nil {
				t.Errorf("%s, chunk %d: %v", c.name, p.chunk, err)
			}
		}
	}
}

// manyRowsCSV returns a valid input of n rows with quoted, multi-line and
// NULL fields and repeated strings.
func manyRowsCSV(n int) string {
	var b strings.Builder
	b.WriteString("ts,name,id,price,d\n")
	for i := range n {
		name := fmt.Sprintf("n%d", i%17)
		switch i % 5 {
		case 1:
			name = fmt.Sprintf("\"multi\nline %d, \"\"q\"\"\"", i%3)
		case 2:
			name = ""
		}
		fmt.Fprintf(&b, "2001-01-%02d 10:00:%02d,%s,%d,%d.5,\n", 1+i%28, i%60, name, i, i)
	}
	return b.String()
}

// TestLoadCSVParallelPath loads a file large enough for loadCSVTable to
// choose the parallel path and compares with the sequential path.
func TestLoadCSVParallelPath(t *testing.T) {
	input := manyRowsCSV(400000)
	if len(input) < csvParallelMin {
		t.Fatalf("input of %d bytes is below csvParallelMin", len(input))
	}
	par, seq := testDB().Tables[0], testDB().Tables[0]
	errPar := loadCSVTable(context.Background(), par, strings.NewReader(input), "t.csv", nil, int64(len(input)))
	errSeq := loadCSVTable(context.Background(), seq, strings.NewReader(input), "t.csv", nil, 0)
	if errPar != nil || errSeq != nil {
		t.Fatal(errPar, errSeq)
	}
	if err := sameLoad(seq, errSeq, par, errPar); err != nil {
		t.Fatal(err)
	}
	// An error near the end is reported with its line, and nothing stays.
	bad := input + "2001-01-01 00:00:00,x,oops,1,\n"
	par = testDB().Tables[0]
	err := loadCSVTable(context.Background(), par, strings.NewReader(bad), "t.csv", nil, int64(len(bad)))
	wantLine := strings.Count(input, "\n") + 1
	if le, ok := err.(*LoadError); !ok || le.Line != wantLine || le.Column != "id" || par.Rows != 0 {
		t.Errorf("err = %v (want line %d, column id), %d rows left", err, wantLine, par.Rows)
	}
}

// TestCSVParallelCanceled checks that a canceled context stops a parallel
// load and leaves nothing behind.
func TestCSVParallelCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tb := testDB().Tables[0]
	err := loadCSVParallelCtx(ctx, tb, manyRowsCSV(2000), csvParallel{chunk: 100, workers: 2})
	if !errors.Is(err, context.Canceled) || tb.Rows != 0 {
		t.Errorf("err %v, %d rows", err, tb.Rows)
	}
}
