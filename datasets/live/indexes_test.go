package live

import (
	"context"
	"reflect"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
)

// TestLiveLoadIndexes creates a table with secondary indexes (composite,
// prefix, unique, a hostile name) on the server and reads them back into
// the catalog schema, in index order with prefix lengths.
func TestLiveLoadIndexes(t *testing.T) {
	dsn := testDSN(t)
	admin := adminDB(t, dsn)
	ctx := context.Background()
	const table = "ixadv_live_keys"
	drop := "DROP TABLE IF EXISTS " + catalog.QuoteIdent(table)
	if _, err := admin.ExecContext(ctx, drop); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.ExecContext(context.Background(), drop) })
	create := "CREATE TABLE " + catalog.QuoteIdent(table) + ` (
	  id INT PRIMARY KEY, a INT NOT NULL, b VARCHAR(100), c DATE, img BLOB,
	  KEY ab (a, b(10)), UNIQUE KEY ` + "`we``ird \"ü\"`" + ` (c, a), KEY bimg (b, img(20)))`
	if _, err := admin.ExecContext(ctx, create); err != nil {
		t.Fatal(err)
	}
	db, _, err := Open(ctx, dsn, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ss, err := LoadSchema(ctx, db, "")
	if err != nil {
		t.Fatal(err)
	}
	got := ss.Schema.Table(table)
	if got == nil {
		t.Fatalf("table %s not loaded", table)
	}
	want := []catalog.Index{
		{Name: "ab", Columns: []catalog.IndexColumn{{Name: "a"}, {Name: "b", Prefix: 10}}},
		{Name: "we`ird \"ü\"", Unique: true, Columns: []catalog.IndexColumn{{Name: "c"}, {Name: "a"}}},
	}
	// bimg covers the skipped BLOB column: kept in ss.Indexes only.
	if !reflect.DeepEqual(got.Indexes, want) {
		t.Errorf("indexes\n got %+v\nwant %+v", got.Indexes, want)
	}
	var sawBimg bool
	for _, ix := range ss.Indexes {
		sawBimg = sawBimg || (ix.Table == table && ix.Name == "bimg" && reflect.DeepEqual(ix.Prefixes, []int{0, 20}))
	}
	if !sawBimg {
		t.Errorf("index bimg with prefixes [0 20] missing from ServerSchema.Indexes: %+v", ss.Indexes)
	}
	if err := (&catalog.Schema{Tables: []*catalog.Table{got}}).Validate(); err != nil {
		t.Errorf("loaded schema does not validate: %v", err)
	}
}
