package datasets

import (
	"context"
	"math/rand/v2"

	"github.com/cardinaldb/cardinal/catalog"
)

// *DB is a catalog.Source: Build reads its columns in place.
var _ catalog.Source = (*DB)(nil)

// NumRows returns the number of rows of table t (index into Schema.Tables).
func (db *DB) NumRows(t int) int { return db.Tables[t].Rows }

// ColumnData exposes column c of table t to catalog.Build without copying.
func (db *DB) ColumnData(t, c int) catalog.ColumnData {
	col := db.Tables[t].Cols[c]
	return catalog.ColumnData{Ints: col.Ints, Floats: col.Floats, Codes: col.Codes, Dict: col.Dict, Null: col.Null}
}

// Catalog builds the statistics catalog of db (catalog.Build) with a
// sample drawn from a PCG generator seeded by seed.
func (db *DB) Catalog(opts catalog.StatsOptions, seed int64) (*catalog.Catalog, error) {
	return db.CatalogContext(context.Background(), opts, seed)
}

// CatalogContext is Catalog, stopping with ctx's error once ctx is done
// (catalog.BuildContext).
func (db *DB) CatalogContext(ctx context.Context, opts catalog.StatsOptions, seed int64) (*catalog.Catalog, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	return catalog.BuildContext(ctx, db.Schema, db, opts, rng)
}
