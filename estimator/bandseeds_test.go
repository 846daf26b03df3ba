package estimator

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets/workload"
)

// TestBandCoverageFreshSeed holds every kind's band to issue 12's target
// on seeds no other band test uses: the demo's flights workload (5,000
// queries with 0-4 joins and 1,000 with 1-4 joins of which 60% have an
// outer join or a subquery, sub-plans labelled; training seed 5),
// 2,500 fresh queries (seed 6), 400 with 5 joins (seed 7) and 400 with
// outer joins or subqueries (seed 8). About a minute, so it runs with
// CARDINAL_ACCURACY=1 (CI does):
//
//	CARDINAL_ACCURACY=1 go test ./estimator -run BandCoverageFreshSeed -v
//
// Issue 12's target is 88-95% at every join count; the first-seed gates
// (TestAccuracyTargets, TestSetNetLinearDemoAccuracy,
// TestBaselineConformalBands) hold it. Here every join count must be
// within freshSeedCoverage, the target widened by about one sigma of a
// measured cell's spread: ±1.25% binomial at 500 test queries, around a
// level itself within about ±1.8% of 91.5% (250 held-out calibration
// queries per class for gbdt and setnet). Out of distribution and the
// shaped queries at least 80%. What it measured on this seed is logged:
// setnet's 4-join band covered 86.0% (inside this gate, outside the
// target) until gbdt's and setnet's bands were post-stratified
// (poststratify), 89.3% since, and every cell 88.6-93.4%. gbdt and setnet
// train here as `cardinal train` and `cardinal bench` do, with
// DefaultCalibFolds cross-fitted models (crossfit.go): with the split
// alone gbdt's 1-join band covered 87.9% and its cells spread
// 87.9-92.2%, setnet's 90.5-94.6%; cross-fitted gbdt 89.7-93.2%, setnet
// 90.9-93.6%, every kind's cells 88.3-93.6% (about 27 s more CPU, 35 ->
// 62 s user for the whole test).
// freshSeedCoverage is the range TestBandCoverageFreshSeed holds every
// join count's coverage to (see there).
var freshSeedCoverage = [2]float64{0.855, 0.965}

func TestBandCoverageFreshSeed(t *testing.T) {
	if os.Getenv("CARDINAL_ACCURACY") == "" {
		t.Skip("set CARDINAL_ACCURACY=1 for the full accuracy run")
	}
	start := time.Now()
	db := flightsDB(t)
	cat, err := db.Catalog(catalog.StatsOptions{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	recs := labelled(t, db, 5000, 4, 5, true)
	recs = append(recs, labelledShapes(t, db, 1000, 4, 0.6, 5, true)...)
	train := examples(t, db.Schema, recs)
	test := examples(t, db.Schema, labelled(t, db, 2500, 4, 6, false))
	var ood, shaped []Example
	qs, err := workload.Generate(context.Background(), db, workload.JoinGraphFromSchema(db.Schema),
		workload.Options{Queries: 400, MinJoins: 5, MaxJoins: 5}, rand.New(rand.NewPCG(7, 1)))
	if err != nil {
		t.Fatal(err)
	}
	oodRecs, err := workload.Label(context.Background(), db, qs, workload.LabelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range examples(t, db.Schema, oodRecs) {
		if len(ex.Query.Tables) == 6 {
			ood = append(ood, ex)
		}
	}
	for _, ex := range examples(t, db.Schema, labelledShapes(t, db, 400, 4, 1, 8, false)) {
		if ex.Query.HasShapes() {
			shaped = append(shaped, ex)
		}
	}
	t.Logf("labelled %d training examples, %d test, %d out-of-distribution and %d shaped queries in %v",
		len(train), len(test), len(ood), len(shaped), time.Since(start))
	if len(ood) < 100 || len(shaped) < 200 {
		t.Fatalf("%d out-of-distribution and %d shaped test queries", len(ood), len(shaped))
	}
	ctx := context.Background()
	for _, kind := range Kinds() {
		start := time.Now()
		m, err := Train(ctx, kind, cat, train, TrainOptions{
			GBDT:   GBDTOptions{Seed: 5, CalibFolds: DefaultCalibFolds},
			SetNet: SetNetOptions{Seed: 5, CalibFolds: DefaultCalibFolds}})
		if err != nil {
			t.Fatal(err)
		}
		for j, s := range bandCoverageByJoins(t, m, test) {
			t.Logf("%s: %d joins: band coverage %.3f, median width %.2f (n %d)", kind, j, s.Coverage, s.BandWidth, s.N)
			if s.N < 300 || s.Coverage < freshSeedCoverage[0] || s.Coverage > freshSeedCoverage[1] {
				t.Errorf("%s: %d joins: band coverage %.3f of %d queries outside %v", kind, j, s.Coverage, s.N, freshSeedCoverage)
			}
		}
		for name, exs := range map[string][]Example{"out of distribution (5 joins)": ood, "outer joins and subqueries": shaped} {
			ests, truths := make([]Estimate, len(exs)), make([]float64, len(exs))
			for i, ex := range exs {
				if ests[i], err = m.Estimate(ex.Query); err != nil {
					t.Fatal(err)
				}
				truths[i] = ex.Rows
			}
			s := Summarize(ests, truths)
			t.Logf("%s: %s: band coverage %.3f, median width %.2f (n %d)", kind, name, s.Coverage, s.BandWidth, s.N)
			if s.Coverage < 0.8 {
				t.Errorf("%s: %s: band coverage %.3f below 0.80", kind, name, s.Coverage)
			}
		}
		t.Logf("%s: trained and scored in %v", kind, time.Since(start))
	}
}
