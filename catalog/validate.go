package catalog

import (
	"fmt"
	"strings"

	"github.com/cardinaldb/cardinal/internal/sqllex"
)

// positions maps schema parts to byte offsets of the SQL text they were
// parsed from; a nil *positions (Validate on a hand-built schema) yields
// errors without positions.
type positions struct {
	src    string
	table  []int   // table name
	column [][]int // column definition start
	pk     []int   // primary key declaration
	fk     []int   // REFERENCES of each Schema.ForeignKeys entry
	index  []int   // each index of each table, in table order
}

func at(s []int, i int) int {
	if i < 0 || i >= len(s) {
		return -1
	}
	return s[i]
}

func at2(s [][]int, i, j int) int {
	if i < 0 || i >= len(s) {
		return -1
	}
	return at(s[i], j)
}

// errorf builds a *SchemaError at byte offset off (-1: no position).
func (p *positions) errorf(off int, sentinel error, format string, args ...any) error {
	e := &SchemaError{Err: sentinel, Msg: fmt.Sprintf(format, args...)}
	if p != nil && off >= 0 {
		e.Line, e.Col = sqllex.LineCol(p.src, off)
	}
	return e
}

func (p *positions) tableOff(t int) int {
	if p == nil {
		return -1
	}
	return at(p.table, t)
}

func (p *positions) columnOff(t, c int) int {
	if p == nil {
		return -1
	}
	return at2(p.column, t, c)
}

func (p *positions) pkOff(t int) int {
	if p == nil {
		return -1
	}
	return at(p.pk, t)
}

func (p *positions) indexOff(k int) int {
	if p == nil {
		return -1
	}
	return at(p.index, k)
}

func (p *positions) fkOff(k int) int {
	if p == nil {
		return -1
	}
	return at(p.fk, k)
}

// Validate checks that s is a usable schema: at least one table; unique
// non-empty table names and column names (case-insensitive); known column
// types; primary key columns that exist, are distinct and NOT NULL; and
// foreign keys whose tables and columns exist, whose column lists have equal
// non-zero length and whose paired columns are both numeric or both strings.
// The error wraps ErrInvalidSchema, ErrDuplicate, ErrUnsupportedType,
// ErrUnknownTable or ErrUnknownColumn.
func (s *Schema) Validate() error {
	return s.validate(nil)
}

// foldKey maps names that strings.EqualFold treats as equal to one key.
func foldKey(name string) string { return strings.ToLower(strings.ToUpper(name)) }

// validate runs in time linear in the size of s (maps, not pairwise
// comparisons), as Load calls it on untrusted input.
func (s *Schema) validate(p *positions) error {
	if s == nil || len(s.Tables) == 0 {
		return p.errorf(-1, ErrInvalidSchema, "schema has no table")
	}
	tables := make(map[string]int, len(s.Tables))
	columns := make([]map[string]int, len(s.Tables))
	nIndex := 0 // indexes of the tables before, for positions
	for ti, t := range s.Tables {
		if t == nil {
			return p.errorf(-1, ErrInvalidSchema, "table %d is nil", ti)
		}
		if t.Name == "" {
			return p.errorf(p.tableOff(ti), ErrInvalidSchema, "table %d has an empty name", ti)
		}
		if _, dup := tables[foldKey(t.Name)]; dup {
			return p.errorf(p.tableOff(ti), ErrDuplicate, "table %q declared twice", t.Name)
		}
		tables[foldKey(t.Name)] = ti
		if len(t.Columns) == 0 {
			return p.errorf(p.tableOff(ti), ErrInvalidSchema, "table %q has no column", t.Name)
		}
		cols := make(map[string]int, len(t.Columns))
		columns[ti] = cols
		for ci, c := range t.Columns {
			if c.Name == "" {
				return p.errorf(p.columnOff(ti, ci), ErrInvalidSchema, "column %d of table %q has an empty name", ci, t.Name)
			}
			if c.Type < TypeInt || c.Type > TypeDateTime {
				return p.errorf(p.columnOff(ti, ci), ErrUnsupportedType, "column %q.%q has %v", t.Name, c.Name, c.Type)
			}
			if _, dup := cols[foldKey(c.Name)]; dup {
				return p.errorf(p.columnOff(ti, ci), ErrDuplicate, "column %q declared twice in table %q", c.Name, t.Name)
			}
			cols[foldKey(c.Name)] = ci
		}
		seen := make(map[int]bool, len(t.PrimaryKey))
		for _, k := range t.PrimaryKey {
			ci, ok := cols[foldKey(k)]
			if !ok {
				return p.errorf(p.pkOff(ti), ErrUnknownColumn, "primary key column %q not in table %q", k, t.Name)
			}
			if seen[ci] {
				return p.errorf(p.pkOff(ti), ErrDuplicate, "column %q twice in the primary key of %q", k, t.Name)
			}
			seen[ci] = true
			if t.Columns[ci].Nullable {
				return p.errorf(p.pkOff(ti), ErrInvalidSchema, "primary key column %q.%q is nullable", t.Name, k)
			}
		}
		if err := t.validateIndexes(p, cols, &nIndex); err != nil {
			return err
		}
	}
	for fi, fk := range s.ForeignKeys {
		off := p.fkOff(fi)
		ti, ok := tables[foldKey(fk.Table)]
		if !ok {
			return p.errorf(off, ErrUnknownTable, "foreign key %d: table %q not in schema", fi, fk.Table)
		}
		ri, ok := tables[foldKey(fk.RefTable)]
		if !ok {
			return p.errorf(off, ErrUnknownTable, "foreign key of %q references unknown table %q", fk.Table, fk.RefTable)
		}
		t, rt := s.Tables[ti], s.Tables[ri]
		if len(fk.Columns) == 0 || len(fk.Columns) != len(fk.RefColumns) {
			return p.errorf(off, ErrInvalidSchema, "foreign key of %q has %d columns referencing %d columns of %q",
				fk.Table, len(fk.Columns), len(fk.RefColumns), fk.RefTable)
		}
		for i := range fk.Columns {
			ci, ok := columns[ti][foldKey(fk.Columns[i])]
			if !ok {
				return p.errorf(off, ErrUnknownColumn, "foreign key column %q not in table %q", fk.Columns[i], t.Name)
			}
			rci, ok := columns[ri][foldKey(fk.RefColumns[i])]
			if !ok {
				return p.errorf(off, ErrUnknownColumn, "referenced column %q not in table %q", fk.RefColumns[i], rt.Name)
			}
			if t.Columns[ci].Type.Numeric() != rt.Columns[rci].Type.Numeric() {
				return p.errorf(off, ErrInvalidSchema, "foreign key %q.%q (%v) references %q.%q (%v): incompatible types",
					t.Name, t.Columns[ci].Name, t.Columns[ci].Type, rt.Name, rt.Columns[rci].Name, rt.Columns[rci].Type)
			}
		}
	}
	return nil
}

// validateIndexes checks t's secondary indexes: non-empty names unique in
// the table (PRIMARY is the primary key's), at most maxKeyColumns existing
// and distinct columns each, prefix lengths only on string columns and not
// negative.
func (t *Table) validateIndexes(p *positions, cols map[string]int, n *int) error {
	names := make(map[string]bool, len(t.Indexes))
	for _, ix := range t.Indexes {
		off := p.indexOff(*n)
		*n++
		switch {
		case ix.Name == "":
			return p.errorf(off, ErrInvalidSchema, "an index of %q has no name", t.Name)
		case foldKey(ix.Name) == foldKey(PrimaryIndexName):
			return p.errorf(off, ErrInvalidSchema, "index name %q of %q is reserved for the primary key", ix.Name, t.Name)
		case names[foldKey(ix.Name)]:
			return p.errorf(off, ErrDuplicate, "index %q declared twice in table %q", ix.Name, t.Name)
		case len(ix.Columns) == 0 || len(ix.Columns) > maxKeyColumns:
			return p.errorf(off, ErrInvalidSchema, "index %q of %q has %d columns", ix.Name, t.Name, len(ix.Columns))
		}
		names[foldKey(ix.Name)] = true
		seen := make(map[int]bool, len(ix.Columns))
		for _, c := range ix.Columns {
			ci, ok := cols[foldKey(c.Name)]
			if !ok {
				return p.errorf(off, ErrUnknownColumn, "index %q column %q not in table %q", ix.Name, c.Name, t.Name)
			}
			if seen[ci] {
				return p.errorf(off, ErrDuplicate, "column %q twice in index %q of %q", c.Name, ix.Name, t.Name)
			}
			seen[ci] = true
			if c.Prefix < 0 || (c.Prefix > 0 && t.Columns[ci].Type != TypeString) {
				return p.errorf(off, ErrInvalidSchema, "index %q of %q: prefix length %d on %v column %q", ix.Name, t.Name, c.Prefix, t.Columns[ci].Type, c.Name)
			}
		}
	}
	return nil
}
