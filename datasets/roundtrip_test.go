package datasets

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
)

func TestRoundTripFlights(t *testing.T) {
	db, err := Flights()
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, db)
}

func TestRoundTripEcommerce(t *testing.T) {
	db, err := Ecommerce(context.Background(), EcommerceOptions{Scale: 0.1, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, db)
}

// roundTrip checks LoadCSVDir(WriteCSVDir(db)) == db, schema included.
func roundTrip(t *testing.T, db *DB) {
	t.Helper()
	dir := t.TempDir()
	if err := db.WriteCSVDir(dir); err != nil {
		t.Fatal(err)
	}
	back, err := LoadCSVDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Diff(back); err != nil {
		t.Fatal(err)
	}
	if got, want := back.Schema.SQL(), db.Schema.SQL(); got != want {
		t.Errorf("schema after round trip:\n%s\nwant:\n%s", got, want)
	}
}

// TestWriteCSVDirBadName checks that a table name cannot escape the
// directory.
func TestWriteCSVDirBadName(t *testing.T) {
	db := NewDB(&catalog.Schema{Tables: []*catalog.Table{{Name: "../evil", Columns: []catalog.Column{{Name: "x", Type: catalog.TypeInt}}}}})
	dir := t.TempDir()
	if err := db.WriteCSVDir(filepath.Join(dir, "out")); !errors.Is(err, ErrSchema) {
		t.Fatalf("err = %v, want ErrSchema", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "evil.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file was written outside the directory: %v", err)
	}
}
