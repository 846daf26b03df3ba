package datasets

import (
	"github.com/cardinaldb/cardinal/catalog"
)

// Column is one column of an in-memory table, stored by type:
//
//	TypeInt, TypeDate, TypeDateTime -> Ints (dates as Unix seconds, UTC)
//	TypeFloat                       -> Floats
//	TypeString                      -> Codes into Dict (dictionary encoding)
//
// Null, when non-nil, marks NULL rows (the typed slot then holds zero).
type Column struct {
	Type   catalog.Type
	Ints   []int64
	Floats []float64
	Codes  []uint32
	Dict   []string // distinct strings; Codes index into it
	Null   []bool   // nil when the column has no NULL

	// intern maps Dict entries to their codes (see Intern); built lazily,
	// so a Column assembled by hand works too.
	intern *internIndex
}

// Len returns the number of rows.
func (c *Column) Len() int {
	switch c.Type {
	case catalog.TypeFloat:
		return len(c.Floats)
	case catalog.TypeString:
		return len(c.Codes)
	}
	return len(c.Ints)
}

// IsNull reports whether row i is NULL.
func (c *Column) IsNull(i int) bool { return c.Null != nil && c.Null[i] }

// Datum returns row i as a Datum.
func (c *Column) Datum(i int) catalog.Datum {
	if c.IsNull(i) {
		return catalog.Null
	}
	switch c.Type {
	case catalog.TypeFloat:
		return catalog.Float(c.Floats[i])
	case catalog.TypeString:
		return catalog.String(c.Dict[c.Codes[i]])
	}
	return catalog.Int(c.Ints[i])
}

// Table is an in-memory columnar table.
type Table struct {
	Def  *catalog.Table
	Cols []*Column // parallel to Def.Columns
	Rows int
}

// DB is an in-memory columnar database: the embedded default source of data
// and exact labels.
type DB struct {
	Schema *catalog.Schema
	Tables []*Table // parallel to Schema.Tables
}

// Table returns the named table (case-insensitive) or nil.
func (db *DB) Table(name string) *Table {
	i := db.Schema.TableIndex(name)
	if i < 0 {
		return nil
	}
	return db.Tables[i]
}
