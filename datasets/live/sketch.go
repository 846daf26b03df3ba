package live

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
)

// Distinct counts of a sampled catalog from HyperLogLog sketches.
//
//	SELECT `c1`, `c2`, ... FROM `t`    one streamed full scan per table
//	   │  rows hashed on the client (catalog.HashDatum), never kept
//	   ├─ one sketch per column (catalog.Sketch, precision
//	   │    stats.SketchPrecision: 4 KiB, 1.6% standard error by default)
//	   └─ Distinct = max(the sample's distinct count, the sketch's estimate)
//
// SampleCatalog's distinct counts come from the sample, a lower bound of
// the table's (a key column of a 1M-row table sampled to 10,000 rows
// shows 10,000 distinct values). Counting them exactly on the server
// (COUNT(DISTINCT c) per column) sorts or hashes every column; the
// sketches read each table once in fixed memory. The cost is the scan:
// SampleOptions.Sketches turns it on.

// AddStreamedSketches scans every table of cat whose catalog rows exceed
// its sample (the tables the sample does not hold whole) on the server,
// attaches a sketch per column to its TableStats and raises each column's
// Distinct to the sketch's estimate (at most the column's non-NULL rows)
// when that is larger. Each scan is bounded by opts.TableTimeout on the
// server and the client.
func AddStreamedSketches(ctx context.Context, db *sql.DB, cat *catalog.Catalog, opts SampleOptions, stats catalog.StatsOptions) error {
	opts = opts.withDefaults()
	p := stats.SketchPrecision
	if p == 0 {
		p = catalog.DefaultSketchPrecision
	}
	if _, err := catalog.NewHLL(p); err != nil {
		return err
	}
	if opts.Flavour == FlavourUnknown {
		f, err := DetectFlavour(ctx, db)
		if err != nil {
			return err
		}
		opts.Flavour = f
	}
	for ti, t := range cat.Schema.Tables {
		ts := &cat.Stats[ti]
		if int64(ts.SampleSize()) >= ts.Rows || len(t.Columns) == 0 {
			continue
		}
		sks := make([]catalog.Sketch, len(t.Columns))
		for ci := range sks {
			h, _ := catalog.NewHLL(p)
			sks[ci] = catalog.Sketch{Cols: []int{ci}, HLL: *h}
		}
		stmt, err := WithTimeLimit(opts.Flavour, selectColumns(t), opts.TableTimeout)
		if err != nil {
			return err
		}
		if err := scanSketches(ctx, db, stmt, t, sks, opts); err != nil {
			return fmt.Errorf("live: sketch table %s: %w", catalog.QuoteIdent(t.Name), err)
		}
		ts.Sketches = sks
		for ci := range ts.Columns {
			// The sketch errs both ways (1.6% at precision 12): a unique
			// column may come out above its non-NULL rows, which no
			// column holds more distinct values than.
			est := math.Min(sks[ci].HLL.Estimate(), math.Round(float64(ts.Rows)*(1-ts.Columns[ci].NullFrac)))
			if est := int64(math.Round(est)); est > ts.Columns[ci].Distinct {
				ts.Columns[ci].Distinct = est
			}
		}
	}
	return nil
}

// scanSketches streams the rows of stmt (the columns of t) into sks.
func scanSketches(ctx context.Context, db *sql.DB, stmt string, t *catalog.Table, sks []catalog.Sketch, opts SampleOptions) error {
	tctx, cancel := context.WithTimeout(ctx, opts.TableTimeout)
	defer cancel()
	rows, err := query(tctx, db, stmt)
	if err != nil {
		return err
	}
	return scanDatums(rows, t, func(_ int, row []catalog.Datum) error {
		for j, d := range row {
			sks[j].HLL.Add(d)
		}
		return nil
	})
}
