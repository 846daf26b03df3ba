package live

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
)

// Index is an index that exists on the server (information_schema.STATISTICS).
type Index struct {
	Table   string
	Name    string   // "PRIMARY" for the primary key
	Columns []string // in index order
	// Prefixes are the key parts' prefix lengths (SUB_PART; 0 indexes the
	// whole value), parallel to Columns.
	Prefixes []int
	Unique   bool
}

// SkippedColumn is a server column whose type the catalog cannot hold
// (TIME, BINARY, BLOB, BIT, GEOMETRY, ...): it is left out of the schema, and
// queries that use it fail to parse (reported by Classify).
type SkippedColumn struct {
	Table, Column, Type string
}

// ServerSchema is what LoadSchema reads from information_schema.
type ServerSchema struct {
	Database string
	Schema   *catalog.Schema
	Indexes  []Index
	// TableRows is information_schema.TABLES.TABLE_ROWS, parallel to
	// Schema.Tables: the engine's estimate (exact for MyISAM/Aria, a
	// sampled estimate for InnoDB).
	TableRows []int64
	Skipped   []SkippedColumn
}

// catalogType maps an information_schema DATA_TYPE to a catalog type.
func catalogType(dataType string) (catalog.Type, bool) {
	switch strings.ToLower(dataType) {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year":
		return catalog.TypeInt, true
	case "decimal", "numeric", "float", "double", "real", "double precision":
		return catalog.TypeFloat, true
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "json":
		return catalog.TypeString, true
	case "date":
		return catalog.TypeDate, true
	case "datetime", "timestamp":
		return catalog.TypeDateTime, true
	}
	return 0, false
}

// LoadSchema reads the base tables of database (the connection's current
// database when ""), their columns, primary keys, foreign keys and indexes
// (into ServerSchema.Indexes and, those over schema columns, into each
// catalog.Table's Indexes with their prefix lengths) from information_schema: four SELECTs, bounded by ctx and together by
// DefaultCallTimeout. Tables are in
// name order, columns in ordinal order. Unsigned BIGINT columns map to
// TypeInt; values above 2^63-1 fail to load.
func LoadSchema(ctx context.Context, db *sql.DB, database string) (*ServerSchema, error) {
	ctx, cancel := context.WithTimeout(ctx, DefaultCallTimeout)
	defer cancel()
	if database == "" {
		var cur sql.NullString
		if err := queryRow(ctx, db, "SELECT DATABASE()", nil, &cur); err != nil {
			return nil, fmt.Errorf("live: SELECT DATABASE(): %w", err)
		}
		if !cur.Valid || cur.String == "" {
			return nil, ErrNoDatabase
		}
		database = cur.String
	}
	ss := &ServerSchema{Database: database, Schema: &catalog.Schema{}}
	byName := map[string]*catalog.Table{}

	rows, err := query(ctx, db, "SELECT TABLE_NAME, COALESCE(TABLE_ROWS, 0) FROM information_schema.TABLES "+
		"WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", database)
	if err != nil {
		return nil, fmt.Errorf("live: read tables of %q: %w", database, err)
	}
	err = scanAll(rows, func() error {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return err
		}
		t := &catalog.Table{Name: name}
		ss.Schema.Tables = append(ss.Schema.Tables, t)
		ss.TableRows = append(ss.TableRows, n)
		byName[name] = t
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("live: read tables of %q: %w", database, err)
	}

	rows, err = query(ctx, db, "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, IS_NULLABLE FROM information_schema.COLUMNS "+
		"WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION", database)
	if err != nil {
		return nil, fmt.Errorf("live: read columns of %q: %w", database, err)
	}
	err = scanAll(rows, func() error {
		var tname, cname, dtype, nullable string
		if err := rows.Scan(&tname, &cname, &dtype, &nullable); err != nil {
			return err
		}
		t := byName[tname]
		if t == nil {
			return nil // a view
		}
		typ, ok := catalogType(dtype)
		if !ok {
			ss.Skipped = append(ss.Skipped, SkippedColumn{Table: tname, Column: cname, Type: dtype})
			return nil
		}
		t.Columns = append(t.Columns, catalog.Column{Name: cname, Type: typ, Nullable: nullable == "YES"})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("live: read columns of %q: %w", database, err)
	}

	rows, err = query(ctx, db, "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, COALESCE(SUB_PART, 0) FROM information_schema.STATISTICS "+
		"WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX", database)
	if err != nil {
		return nil, fmt.Errorf("live: read indexes of %q: %w", database, err)
	}
	err = scanAll(rows, func() error {
		var tname, iname, cname string
		var nonUnique, subPart int64
		if err := rows.Scan(&tname, &iname, &nonUnique, &cname, &subPart); err != nil {
			return err
		}
		if byName[tname] == nil {
			return nil
		}
		if n := len(ss.Indexes); n > 0 && ss.Indexes[n-1].Table == tname && ss.Indexes[n-1].Name == iname {
			ss.Indexes[n-1].Columns = append(ss.Indexes[n-1].Columns, cname)
			ss.Indexes[n-1].Prefixes = append(ss.Indexes[n-1].Prefixes, int(subPart))
			return nil
		}
		ss.Indexes = append(ss.Indexes, Index{Table: tname, Name: iname, Columns: []string{cname}, Prefixes: []int{int(subPart)}, Unique: nonUnique == 0})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("live: read indexes of %q: %w", database, err)
	}
	for _, ix := range ss.Indexes {
		t := byName[ix.Table]
		if ix.Name == "PRIMARY" {
			t.PrimaryKey = append([]string(nil), ix.Columns...)
			continue
		}
		if key, ok := catalogIndex(t, ix); ok {
			t.Indexes = append(t.Indexes, key)
		}
	}

	rows, err = query(ctx, db, "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME "+
		"FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_SCHEMA = ? "+
		"AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION", database, database)
	if err != nil {
		return nil, fmt.Errorf("live: read foreign keys of %q: %w", database, err)
	}
	lastKey := ""
	err = scanAll(rows, func() error {
		var tname, cname, col, rtable, rcol string
		if err := rows.Scan(&tname, &cname, &col, &rtable, &rcol); err != nil {
			return err
		}
		key := tname + "\x00" + cname
		fks := &ss.Schema.ForeignKeys
		if key != lastKey {
			*fks = append(*fks, catalog.ForeignKey{Table: tname, RefTable: rtable})
			lastKey = key
		}
		fk := &(*fks)[len(*fks)-1]
		fk.Columns = append(fk.Columns, col)
		fk.RefColumns = append(fk.RefColumns, rcol)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("live: read foreign keys of %q: %w", database, err)
	}
	// Keep only foreign keys whose columns all made it into the schema.
	kept := ss.Schema.ForeignKeys[:0]
	for _, fk := range ss.Schema.ForeignKeys {
		if hasColumns(byName[fk.Table], fk.Columns) && hasColumns(byName[fk.RefTable], fk.RefColumns) {
			kept = append(kept, fk)
		}
	}
	ss.Schema.ForeignKeys = kept
	// A table all of whose columns were skipped cannot be held.
	tables, counts := ss.Schema.Tables[:0], ss.TableRows[:0]
	for i, t := range ss.Schema.Tables {
		if len(t.Columns) > 0 {
			tables = append(tables, t)
			counts = append(counts, ss.TableRows[i])
		}
	}
	ss.Schema.Tables, ss.TableRows = tables, counts
	sort.SliceStable(ss.Indexes, func(i, j int) bool { return ss.Indexes[i].Table < ss.Indexes[j].Table })
	return ss, nil
}

// catalogIndex converts a secondary index for the schema. An index over a
// column left out of the schema (a skipped type, an expression) cannot be
// costed and is left out of Table.Indexes (it stays in ServerSchema.Indexes).
func catalogIndex(t *catalog.Table, ix Index) (catalog.Index, bool) {
	key := catalog.Index{Name: ix.Name, Unique: ix.Unique}
	for i, c := range ix.Columns {
		ci := t.ColumnIndex(c)
		if ci < 0 {
			return catalog.Index{}, false
		}
		p := ix.Prefixes[i]
		if t.Columns[ci].Type != catalog.TypeString {
			p = 0 // SUB_PART of a number column cannot occur; be safe
		}
		key.Columns = append(key.Columns, catalog.IndexColumn{Name: t.Columns[ci].Name, Prefix: p})
	}
	return key, len(key.Columns) > 0
}

func hasColumns(t *catalog.Table, cols []string) bool {
	if t == nil {
		return false
	}
	for _, c := range cols {
		if t.ColumnIndex(c) < 0 {
			return false
		}
	}
	return true
}

// scanAll calls each for every row, then closes rows and returns the first
// error.
func scanAll(rows *sql.Rows, each func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := each(); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}
