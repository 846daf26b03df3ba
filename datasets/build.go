package datasets

import (
	"fmt"

	"github.com/cardinaldb/cardinal/catalog"
)

// NewTable returns an empty table for def, with one typed column per column
// of def. The table keeps def (it is not copied).
func NewTable(def *catalog.Table) *Table {
	t := &Table{Def: def, Cols: make([]*Column, len(def.Columns))}
	for i := range def.Columns {
		t.Cols[i] = &Column{Type: def.Columns[i].Type}
	}
	return t
}

// NewDB returns a database with an empty table for each table of schema.
func NewDB(schema *catalog.Schema) *DB {
	db := &DB{Schema: schema, Tables: make([]*Table, len(schema.Tables))}
	for i, def := range schema.Tables {
		db.Tables[i] = NewTable(def)
	}
	return db
}

// internIndex maps the first n entries of a column's Dict to their codes.
type internIndex struct {
	codes map[string]uint32
	n     int
	// last is the code of the last string interned by internBytes (-1:
	// none): clustered columns skip the map lookup.
	last int64
}

// index returns the interning map of c, rebuilt when Dict was changed by
// someone else (a Column assembled by hand, or a rollback). A Dict with
// duplicates keeps the first code of each string.
func (c *Column) index() map[string]uint32 {
	if c.intern == nil || c.intern.n != len(c.Dict) {
		m := make(map[string]uint32, len(c.Dict))
		for i, s := range c.Dict {
			if _, ok := m[s]; !ok {
				m[s] = uint32(i)
			}
		}
		c.intern = &internIndex{codes: m, n: len(c.Dict), last: -1}
	}
	return c.intern.codes
}

// Intern returns the dictionary code of s in c (a TypeString column),
// adding s to c.Dict when it is new. Codes are assigned in order of first
// appearance.
func (c *Column) Intern(s string) uint32 {
	m := c.index()
	if code, ok := m[s]; ok {
		return code
	}
	code := uint32(len(c.Dict))
	c.Dict = append(c.Dict, s)
	m[s] = code
	c.intern.n++
	return code
}

// internBytes is Intern for a byte slice; it allocates only for new strings.
func (c *Column) internBytes(b []byte) uint32 {
	m := c.index()
	if last := c.intern.last; last >= 0 && c.Dict[last] == string(b) {
		return uint32(last)
	}
	code, ok := m[string(b)]
	if !ok {
		s := string(b)
		code = uint32(len(c.Dict))
		c.Dict = append(c.Dict, s)
		m[s] = code
		c.intern.n++
	}
	c.intern.last = int64(code)
	return code
}

// markNull records whether the row being appended (at index n) is NULL,
// allocating Null on the first NULL.
func (c *Column) markNull(n int, null bool) {
	if c.Null == nil {
		if !null {
			return
		}
		c.Null = make([]bool, n, max(n+1, 2*n))
	}
	c.Null = append(c.Null, null)
}

// appendNull appends a NULL row (zero in the typed slot).
func (c *Column) appendNull() {
	n := c.Len()
	c.markNull(n, true)
	switch c.Type {
	case catalog.TypeFloat:
		c.Floats = append(c.Floats, 0)
	case catalog.TypeString:
		c.Codes = append(c.Codes, 0)
	default:
		c.Ints = append(c.Ints, 0)
	}
}

func (c *Column) appendInt(v int64) {
	c.markNull(len(c.Ints), false)
	c.Ints = append(c.Ints, v)
}

func (c *Column) appendFloat(v float64) {
	c.markNull(len(c.Floats), false)
	c.Floats = append(c.Floats, v)
}

func (c *Column) appendCode(code uint32) {
	c.markNull(len(c.Codes), false)
	c.Codes = append(c.Codes, code)
}

// truncate cuts the column back to n rows and its dictionary back to dict
// entries (used to roll back a failed load).
func (c *Column) truncate(n, dict int) {
	switch c.Type {
	case catalog.TypeFloat:
		c.Floats = c.Floats[:n]
	case catalog.TypeString:
		c.Codes = c.Codes[:n]
		if len(c.Dict) != dict {
			c.Dict = c.Dict[:dict]
			c.intern = nil
		}
	default:
		c.Ints = c.Ints[:n]
	}
	if c.Null != nil {
		c.Null = c.Null[:n]
	}
}

// checkDatum reports whether d can be stored in a column of type t (with
// the given nullability); the error wraps ErrNullViolation or ErrType.
func checkDatum(d catalog.Datum, col *catalog.Column) error {
	switch d.Kind {
	case catalog.KindNull:
		if !col.Nullable {
			return ErrNullViolation
		}
		return nil
	case catalog.KindInt:
		if col.Type != catalog.TypeString {
			return nil // ints, dates, datetimes; converted for floats
		}
	case catalog.KindFloat:
		if col.Type == catalog.TypeFloat {
			return nil
		}
	case catalog.KindString:
		if col.Type == catalog.TypeString {
			return nil
		}
	}
	return fmt.Errorf("%w: %s value %v for %s column", ErrType, kindName(d.Kind), d, col.Type)
}

func kindName(k catalog.Kind) string {
	switch k {
	case catalog.KindInt:
		return "integer"
	case catalog.KindFloat:
		return "float"
	case catalog.KindString:
		return "string"
	}
	return "NULL"
}

// AppendRow appends one row, given in column order. Values are
// type-checked: TypeInt, TypeDate and TypeDateTime columns take KindInt
// datums (dates as Unix seconds, UTC), TypeFloat takes KindFloat or KindInt,
// TypeString takes KindString; a NULL needs a nullable column. On error
// (wrapping ErrArity, ErrType or ErrNullViolation) nothing is appended.
func (t *Table) AppendRow(row []catalog.Datum) error {
	if len(row) != len(t.Cols) {
		return fmt.Errorf("datasets: table %s: %w: got %d, want %d", t.Def.Name, ErrArity, len(row), len(t.Cols))
	}
	for i, d := range row {
		if err := checkDatum(d, &t.Def.Columns[i]); err != nil {
			return fmt.Errorf("datasets: table %s column %s: %w", t.Def.Name, t.Def.Columns[i].Name, err)
		}
	}
	for i, d := range row {
		c := t.Cols[i]
		switch {
		case d.Kind == catalog.KindNull:
			c.appendNull()
		case c.Type == catalog.TypeFloat:
			c.appendFloat(d.Float64())
		case c.Type == catalog.TypeString:
			c.appendCode(c.Intern(d.S))
		default:
			c.appendInt(d.I)
		}
	}
	t.Rows++
	return nil
}

// Row appends the values of row i to dst[:0] and returns it.
func (t *Table) Row(i int, dst []catalog.Datum) []catalog.Datum {
	dst = dst[:0]
	for _, c := range t.Cols {
		dst = append(dst, c.Datum(i))
	}
	return dst
}

// mark remembers the sizes of a table so a failed load can be undone.
type mark struct {
	rows  int
	dicts []int
}

func (t *Table) mark() mark {
	m := mark{rows: t.Rows, dicts: make([]int, len(t.Cols))}
	for i, c := range t.Cols {
		m.dicts[i] = len(c.Dict)
	}
	return m
}

// rollback restores the table to the sizes recorded by mark.
func (t *Table) rollback(m mark) {
	for i, c := range t.Cols {
		c.truncate(m.rows, m.dicts[i])
	}
	t.Rows = m.rows
}
