package catalog

import (
	"fmt"
	"strings"
)

// Type is the logical type of a column.
type Type uint8

// Column types. Date and DateTime values are stored as int64 seconds since
// the Unix epoch (UTC); a DATE is its midnight.
const (
	TypeInt Type = iota + 1
	TypeFloat
	TypeString
	TypeDate
	TypeDateTime
)

// String returns the SQL name of t.
func (t Type) String() string {
	switch t {
	case TypeInt:
		return "int"
	case TypeFloat:
		return "float"
	case TypeString:
		return "string"
	case TypeDate:
		return "date"
	case TypeDateTime:
		return "datetime"
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// Numeric reports whether values of t are stored as numbers (int64 or
// float64); only TypeString is not.
func (t Type) Numeric() bool { return t != TypeString }

// Column is one typed column of a table.
type Column struct {
	Name     string
	Type     Type
	Nullable bool
}

// Table is a table definition. Column names are unique within a table,
// compared case-insensitively.
type Table struct {
	Name       string
	Columns    []Column
	PrimaryKey []string // column names; empty when none is declared
	// Indexes are the secondary indexes (KEY, INDEX, UNIQUE) in
	// declaration order; nil when none is declared.
	Indexes []Index
}

// ColumnIndex returns the index of the named column (case-insensitive), or -1.
func (t *Table) ColumnIndex(name string) int {
	for i := range t.Columns {
		if strings.EqualFold(t.Columns[i].Name, name) {
			return i
		}
	}
	return -1
}

// ForeignKey declares that Columns of Table reference RefColumns of RefTable.
// Composite keys list several columns in matching order. The referenced
// columns need not be unique: a ForeignKey here is any declared join path,
// many-to-many ones included (e.g. airports(city, state) to itself).
type ForeignKey struct {
	Table      string
	Columns    []string
	RefTable   string
	RefColumns []string
}

// Schema is a set of tables and the join paths declared between them.
type Schema struct {
	Tables      []*Table
	ForeignKeys []ForeignKey
}

// Table returns the named table (case-insensitive) or nil.
func (s *Schema) Table(name string) *Table {
	for _, t := range s.Tables {
		if strings.EqualFold(t.Name, name) {
			return t
		}
	}
	return nil
}

// TableIndex returns the index of the named table (case-insensitive), or -1.
func (s *Schema) TableIndex(name string) int {
	for i, t := range s.Tables {
		if strings.EqualFold(t.Name, name) {
			return i
		}
	}
	return -1
}

// IndexColumn is one key part of an index: a column, optionally only its
// first Prefix characters (KEY (name(10)); 0 indexes the whole value), in
// ascending or descending order.
type IndexColumn struct {
	Name   string
	Prefix int
	Desc   bool
}

// Index is a secondary B-tree index of a table (KEY, INDEX, UNIQUE). The
// primary key is Table.PrimaryKey, not an Index; Table.Keys lists both.
type Index struct {
	Name    string // as declared, or MySQL's default (the first column's name, then _2, _3 ...)
	Columns []IndexColumn
	Unique  bool
}

// PrimaryIndexName is the name MySQL gives the primary key.
const PrimaryIndexName = "PRIMARY"

// ColumnNames returns the names of the index's columns in key order.
func (ix *Index) ColumnNames() []string {
	out := make([]string, len(ix.Columns))
	for i, c := range ix.Columns {
		out[i] = c.Name
	}
	return out
}

// Keys returns every index of t, the primary key first (named PRIMARY,
// unique) when there is one, then t.Indexes in declaration order.
func (t *Table) Keys() []Index {
	out := make([]Index, 0, len(t.Indexes)+1)
	if len(t.PrimaryKey) > 0 {
		pk := Index{Name: PrimaryIndexName, Unique: true, Columns: make([]IndexColumn, len(t.PrimaryKey))}
		for i, c := range t.PrimaryKey {
			pk.Columns[i] = IndexColumn{Name: c}
		}
		out = append(out, pk)
	}
	return append(out, t.Indexes...)
}
