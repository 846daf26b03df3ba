package estimator

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/workload"
)

// Sizes of TestOnTimeAccuracyTargets: labels are column scans of 3M rows,
// so the workloads are kept small (about 30 s of CI on 2 cores).
const (
	onTimeTrainQueries = 2000
	onTimeTestQueries  = 800
	onTimeDateWindows  = 0.5
)

// TestOnTimeAccuracyTargets checks issue 12's single-table targets on 3M
// rows with correlated columns (datasets.OnTime: a date and its parts, a
// route and its distance), with half the date predicates narrow windows
// (so date-part filters contradict them in realistic proportions): gbdt
// on never-seen queries has median <= 1.1, p95 <= 2.5, p99 <= 10, at
// least 90% of the queries with no rows estimated at <= 10 rows, and band
// coverage of 88-95%. CARDINAL_ACCURACY=1 runs it (CI does).
func TestOnTimeAccuracyTargets(t *testing.T) {
	if os.Getenv("CARDINAL_ACCURACY") == "" {
		t.Skip("set CARDINAL_ACCURACY=1 for the full accuracy run")
	}
	ctx := context.Background()
	start := time.Now()
	db, err := datasets.OnTime(ctx, datasets.OnTimeOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("3M rows and their catalog in %v", time.Since(start))
	gen := func(n int, seed uint64) []Example {
		qs, err := workload.Generate(ctx, db, workload.JoinGraphFromSchema(db.Schema),
			workload.Options{Queries: n, MaxJoins: -1, DateWindows: onTimeDateWindows}, rand.New(rand.NewPCG(seed, 1)))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := workload.Label(ctx, db, qs, workload.LabelOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return examples(t, db.Schema, recs)
	}
	start = time.Now()
	train, test := gen(onTimeTrainQueries, 21), gen(onTimeTestQueries, 22)
	t.Logf("labelled %d queries in %v", len(train)+len(test), time.Since(start))
	// A quarter of the queries held out (early stopping and the band's
	// calibration): the default tenth is 200 queries here, too few for
	// a steady 90% band.
	m, err := TrainGBDT(ctx, cat, train, GBDTOptions{Seed: 1, ValidationFrac: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	summarize := func(est Estimator) QErrorSummary {
		ests, truths := make([]Estimate, len(test)), make([]float64, len(test))
		for i, ex := range test {
			if ests[i], err = est.Estimate(ex.Query); err != nil {
				t.Fatal(err)
			}
			truths[i] = ex.Rows
		}
		return Summarize(ests, truths)
	}
	g, h := summarize(m), summarize(NewHistogram(cat))
	t.Logf("gbdt      %+v", g)
	t.Logf("histogram %+v", h)
	if g.Median > 1.1 || g.P95 > 2.5 || g.P99 > 10 {
		t.Errorf("single-table targets missed: %+v", g)
	}
	if len(test) < 500 || g.Empty < 20 {
		t.Errorf("%d test queries on ontime, %d of them with no rows", len(test), g.Empty)
	}
	if g.EmptyNear < 0.9 {
		t.Errorf("%.0f%% of the %d empty results estimated at <= %d rows, want >= 90%%", 100*g.EmptyNear, g.Empty, EmptyNearRows)
	}
	if g.Coverage < 0.88 || g.Coverage > 0.95 {
		t.Errorf("band coverage %.3f outside [0.88, 0.95]", g.Coverage)
	}
	// The example: a month that contradicts a date range.
	est, err := EstimateSQL(m, "SELECT COUNT(*) FROM ontime WHERE month > 5 AND fdate BETWEEN '2001-05-30 12:53:00' AND '2001-05-30 21:31:00'")
	if err != nil {
		t.Fatal(err)
	}
	if est.Rows > EmptyNearRows {
		t.Errorf("contradicting month and date range estimated at %.1f rows", est.Rows)
	}
}
