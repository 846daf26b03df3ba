package datasets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
)

// csvCheckEvery is how many records the CSV loader reads between checks of
// its context.
const csvCheckEvery = 1 << 16

// LoadCSV loads one CSV file per table of schema from dir: <table>.csv
// (the name compared case-insensitively), with a header row naming the
// columns in any order. A table without a file, or a .csv file that names no
// table, is an ErrMissingTable error. Field syntax:
//
//	empty unquoted field, \N  -> NULL
//	""                        -> empty string
//	DATE                      -> YYYY-MM-DD or YYYY/MM/DD
//	DATETIME                  -> date [' '|'T'] HH:MM[:SS] [Z], or a date
//
// Errors are *LoadError values naming file, line and column.
func LoadCSV(ctx context.Context, schema *catalog.Schema, dir string) (*DB, error) {
	if err := validateSchema(schema); err != nil {
		return nil, err
	}
	files, err := csvFiles(schema, dir)
	if err != nil {
		return nil, err
	}
	db := NewDB(schema)
	for i, t := range db.Tables {
		if err := loadCSVFile(ctx, t, files[i]); err != nil {
			return nil, err
		}
	}
	return db, nil
}

// csvFiles finds the data file of every table of schema in dir.
func csvFiles(schema *catalog.Schema, dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	byName := map[string]string{} // lower-cased table name -> file
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.EqualFold(filepath.Ext(name), ".csv") {
			continue
		}
		table := strings.ToLower(strings.TrimSuffix(name, filepath.Ext(name)))
		if prev, ok := byName[table]; ok {
			return nil, &LoadError{File: filepath.Join(dir, name), Index: -1,
				Err: fmt.Errorf("%w: table %s is ambiguous: both %s and %s", ErrMissingTable, table, prev, name)}
		}
		byName[table] = name
	}
	files := make([]string, len(schema.Tables))
	for i, t := range schema.Tables {
		name, ok := byName[strings.ToLower(t.Name)]
		if !ok {
			return nil, &LoadError{File: filepath.Join(dir, t.Name+".csv"), Index: -1,
				Err: fmt.Errorf("%w: no data file for table %s", ErrMissingTable, t.Name)}
		}
		delete(byName, strings.ToLower(t.Name))
		files[i] = filepath.Join(dir, name)
	}
	for _, e := range entries { // in name order
		if _, extra := byName[strings.ToLower(strings.TrimSuffix(e.Name(), filepath.Ext(e.Name())))]; extra && !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".csv") {
			return nil, &LoadError{File: filepath.Join(dir, e.Name()), Index: -1,
				Err: fmt.Errorf("%w: file %s names no table of the schema", ErrMissingTable, e.Name())}
		}
	}
	return files, nil
}

func loadCSVFile(ctx context.Context, t *Table, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return &LoadError{File: path, Index: -1, Err: fmt.Errorf("%w: %w", ErrMissingTable, err)}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil {
		return loadCSVTable(ctx, t, f, path, nil, st.Size())
	}
	return loadCSVTable(ctx, t, f, path, nil, 0)
}

// validateSchema rejects schemas the loaders cannot fill.
func validateSchema(s *catalog.Schema) error {
	if s == nil || len(s.Tables) == 0 {
		return fmt.Errorf("datasets: %w: no tables", ErrSchema)
	}
	seen := map[string]bool{}
	for _, t := range s.Tables {
		if t == nil || t.Name == "" || len(t.Columns) == 0 {
			return fmt.Errorf("datasets: %w: table without name or columns", ErrSchema)
		}
		if seen[strings.ToLower(t.Name)] {
			return fmt.Errorf("datasets: %w: duplicate table %s", ErrSchema, t.Name)
		}
		seen[strings.ToLower(t.Name)] = true
		cols := map[string]bool{}
		for _, c := range t.Columns {
			if c.Type < catalog.TypeInt || c.Type > catalog.TypeDateTime {
				return fmt.Errorf("datasets: %w: column %s.%s has %v", ErrSchema, t.Name, c.Name, c.Type)
			}
			if cols[strings.ToLower(c.Name)] {
				return fmt.Errorf("datasets: %w: duplicate column %s.%s", ErrSchema, t.Name, c.Name)
			}
			cols[strings.ToLower(c.Name)] = true
		}
	}
	return nil
}

// loadCSVTable appends the records of one CSV document to t. rename maps
// header names (lower case) to column names; size, when known (> 0), is
// the input size in bytes: it preallocates the columns, and inputs of at
// least csvParallelMin bytes are parsed in parallel (loadCSVParallel). On
// error t is left unchanged.
func loadCSVTable(ctx context.Context, t *Table, r io.Reader, file string, rename map[string]string, size int64) error {
	cr := newCSVReader(r)
	perm, err := readCSVHeader(cr, t, file, rename)
	if err != nil {
		return err
	}
	m := t.mark()
	if workers := runtime.GOMAXPROCS(0); size >= csvParallelMin && workers > 1 {
		err = loadCSVParallel(ctx, cr, t, perm, file, csvParallel{chunk: csvChunkSize, workers: workers, size: size})
	} else {
		err = loadCSVRecords(ctx, cr, t, perm, file, size, nil)
	}
	if err != nil {
		t.rollback(m)
	}
	return err
}

// readCSVHeader reads the header row and maps its fields to columns of t.
func readCSVHeader(cr *csvReader, t *Table, file string, rename map[string]string) ([]int, error) {
	loadErr := func(line int, col string, err error) error {
		return &LoadError{File: file, Line: line, Column: col, Index: -1, Err: err}
	}
	if err := cr.read(); err != nil {
		if err == io.EOF {
			return nil, loadErr(1, "", fmt.Errorf("%w: no header row", ErrHeader))
		}
		return nil, csvErr(file, err)
	}
	perm := make([]int, cr.nfields()) // header field -> column index
	seen := make([]bool, len(t.Cols))
	for i := range perm {
		b, _ := cr.field(i)
		name := string(b)
		if rn, ok := rename[strings.ToLower(name)]; ok {
			name = rn
		}
		c := t.Def.ColumnIndex(name)
		switch {
		case c < 0:
			return nil, loadErr(cr.recLine, string(b), fmt.Errorf("%w: %w in table %s", ErrHeader, ErrUnknownColumn, t.Def.Name))
		case seen[c]:
			return nil, loadErr(cr.recLine, string(b), fmt.Errorf("%w: %w", ErrHeader, ErrDuplicateColumn))
		}
		seen[c] = true
		perm[i] = c
	}
	for c, ok := range seen {
		if !ok {
			return nil, loadErr(cr.recLine, t.Def.Columns[c].Name, fmt.Errorf("%w: column missing from header", ErrHeader))
		}
	}
	return perm, nil
}

// loadCSVRecords appends the records of cr to t (perm maps fields to
// columns); on error t may hold part of the input (the caller rolls back).
// size is as for loadCSVTable. With strs non-nil, non-NULL strings are not
// interned but collected in strs (and their codes left 0) for the caller
// to intern in document order.
func loadCSVRecords(ctx context.Context, cr *csvReader, t *Table, perm []int, file string, size int64, strs *chunkStrings) error {
	for n := 0; ; n++ {
		if n%csvCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		err := cr.read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return csvErr(file, err)
		}
		if n == csvSizeProbe && size > 0 {
			reserve(t, estimateRows(cr.bytes, n, size)-n)
		}
		if cr.nfields() != len(perm) {
			return &LoadError{File: file, Line: cr.recLine, Index: -1,
				Err: fmt.Errorf("%w: record has %d fields, header has %d", ErrMalformed, cr.nfields(), len(perm))}
		}
		for i, c := range perm {
			b, quoted := cr.field(i)
			col := t.Cols[c]
			if strs != nil && col.Type == catalog.TypeString && !isNullText(b, quoted) {
				strs.add(c, b)
				col.appendCode(0)
				continue
			}
			if err := appendText(col, &t.Def.Columns[c], b, quoted); err != nil {
				return &LoadError{File: file, Line: cr.recLine, Column: t.Def.Columns[c].Name, Index: -1, Err: err}
			}
		}
		t.Rows++
	}
}

// csvErr turns a reader error into a *LoadError.
func csvErr(file string, err error) error {
	var ce *errCSV
	if errors.As(err, &ce) {
		return &LoadError{File: file, Line: ce.line, Index: -1, Err: fmt.Errorf("%w: %s", ErrMalformed, ce.msg)}
	}
	return &LoadError{File: file, Index: -1, Err: err}
}

// appendText parses one text field for column c (definition def) and
// appends it. An unquoted empty field or \N is NULL.
func appendText(c *Column, def *catalog.Column, b []byte, quoted bool) error {
	if isNullText(b, quoted) {
		if !def.Nullable {
			return ErrNullViolation
		}
		c.appendNull()
		return nil
	}
	switch c.Type {
	case catalog.TypeString:
		c.appendCode(c.internBytes(b))
		return nil
	case catalog.TypeInt:
		if v, ok := parseInt(b); ok {
			c.appendInt(v)
			return nil
		}
	case catalog.TypeFloat:
		if v, ok := parseFloat(b); ok {
			c.appendFloat(v)
			return nil
		}
	case catalog.TypeDate:
		if v, ok := parseDate(b); ok {
			c.appendInt(v)
			return nil
		}
	case catalog.TypeDateTime:
		if v, ok := parseDateTime(b); ok {
			c.appendInt(v)
			return nil
		}
	}
	return fmt.Errorf("%w: %q is not a valid %s", ErrType, truncateText(b), c.Type)
}

// isNullText reports whether a CSV field is NULL: empty and unquoted, or
// an unquoted \N.
func isNullText(b []byte, quoted bool) bool {
	return !quoted && (len(b) == 0 || (len(b) == 2 && b[0] == '\\' && b[1] == 'N'))
}

// truncateText shortens long field values quoted in error messages.
func truncateText(b []byte) string {
	const maxShown = 64
	if len(b) > maxShown {
		return string(b[:maxShown]) + "..."
	}
	return string(b)
}

// csvSizeProbe is the number of records read before the loader estimates
// the total row count from the bytes per record.
const csvSizeProbe = 1024

// estimateRows extrapolates the row count of a file of size bytes from the
// bytes consumed by the header and the first records, with 5% slack.
func estimateRows(consumed int64, records int, size int64) int {
	if consumed <= 0 || records <= 0 {
		return 0
	}
	return clampRows(float64(size) / (float64(consumed) / float64(records+1)) * 1.05)
}

// clampRows bounds a row count estimate used for preallocation.
func clampRows(est float64) int {
	const maxReserve = 1 << 31 // do not trust an estimate beyond this
	return int(max(0, min(est, maxReserve)))
}

// reserve grows the capacity of every column of t for extra more rows.
func reserve(t *Table, extra int) {
	if extra <= 0 {
		return
	}
	for _, c := range t.Cols {
		switch c.Type {
		case catalog.TypeFloat:
			c.Floats = slices.Grow(c.Floats, extra)
		case catalog.TypeString:
			c.Codes = slices.Grow(c.Codes, extra)
		default:
			c.Ints = slices.Grow(c.Ints, extra)
		}
		if c.Null != nil {
			c.Null = slices.Grow(c.Null, extra)
		}
	}
}
