package datasets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
)

// SchemaFile is the name of the schema file in a CSV directory.
const SchemaFile = "schema.sql"

// LoadCSVDir loads a CSV directory: SchemaFile holds MySQL CREATE TABLE
// statements (parsed by catalog.ParseSchema) and each table has a
// <table>.csv file with a header row, as described at LoadCSV. A bad
// schema is a *LoadError for the schema file wrapping ErrSchema and the
// catalog error (with its line and column).
func LoadCSVDir(ctx context.Context, dir string) (*DB, error) {
	path := filepath.Join(dir, SchemaFile)
	sql, err := os.ReadFile(path)
	if err != nil {
		return nil, &LoadError{File: path, Index: -1, Err: fmt.Errorf("%w: %w", ErrSchema, err)}
	}
	schema, err := catalog.ParseSchema(string(sql))
	if err != nil {
		le := &LoadError{File: path, Index: -1, Err: fmt.Errorf("%w: %w", ErrSchema, err)}
		var se *catalog.SchemaError
		if errors.As(err, &se) {
			le.Line = se.Line
		}
		return nil, le
	}
	return LoadCSV(ctx, schema, dir)
}

// WriteCSVDir writes db as a CSV directory that LoadCSVDir reads back to an
// equal database: SchemaFile (catalog.Schema.SQL) and one <table>.csv per
// table (Table.WriteCSV). dir is created if needed; existing files of the
// same names are replaced, other files are left alone (so a stale .csv
// file of another table would make LoadCSVDir fail).
func (db *DB) WriteCSVDir(dir string) error {
	for _, t := range db.Tables {
		if name := t.Def.Name; name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`+"\x00") {
			return fmt.Errorf("datasets: %w: table name %q is not a file name", ErrSchema, name)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	err := writeFile(filepath.Join(dir, SchemaFile), func(w io.Writer) error {
		_, err := io.WriteString(w, db.Schema.SQL())
		return err
	})
	if err != nil {
		return err
	}
	return db.writeCSVTables(dir)
}

// FlightsSchemaSQL returns FlightsSchema as MySQL CREATE TABLE statements.
func FlightsSchemaSQL() string { return FlightsSchema().SQL() }

// EcommerceSchemaSQL returns EcommerceSchema as MySQL CREATE TABLE
// statements.
func EcommerceSchemaSQL() string { return EcommerceSchema().SQL() }

// Diff reports the first difference between db and other (schema shape,
// row counts, values compared as datums, so dictionary order does not
// matter), or nil when they hold the same data.
func (db *DB) Diff(other *DB) error {
	if len(db.Tables) != len(other.Tables) {
		return fmt.Errorf("%d tables vs %d", len(db.Tables), len(other.Tables))
	}
	for ti, t := range db.Tables {
		u := other.Tables[ti]
		if !strings.EqualFold(t.Def.Name, u.Def.Name) || len(t.Cols) != len(u.Cols) {
			return fmt.Errorf("table %d: %s(%d columns) vs %s(%d columns)", ti, t.Def.Name, len(t.Cols), u.Def.Name, len(u.Cols))
		}
		if t.Rows != u.Rows {
			return fmt.Errorf("table %s: %d rows vs %d", t.Def.Name, t.Rows, u.Rows)
		}
		for ci, c := range t.Cols {
			d := u.Cols[ci]
			if c.Type != d.Type {
				return fmt.Errorf("%s.%s: type %v vs %v", t.Def.Name, t.Def.Columns[ci].Name, c.Type, d.Type)
			}
			for r := 0; r < t.Rows; r++ {
				a, b := c.Datum(r), d.Datum(r)
				if a.Kind != b.Kind || catalog.Compare(a, b) != 0 {
					return fmt.Errorf("%s.%s row %d: %v vs %v", t.Def.Name, t.Def.Columns[ci].Name, r, a, b)
				}
			}
		}
	}
	return nil
}
