package estimator_test

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/bench"
	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/estimator"
)

// TestSetNetLinearDemoAccuracy trains SetNet and Linear with their
// defaults on the demo's workload (flights, 5,000 training queries with
// sub-plans, about 36,000 examples) and checks their q-errors on 2,000
// fresh queries and on queries with one join more than training (where
// SetNet falls back to its join-sample baseline). It takes about 20 s, so
// it runs with CARDINAL_ACCURACY=1, like TestAccuracyTargets.
func TestSetNetLinearDemoAccuracy(t *testing.T) {
	if os.Getenv("CARDINAL_ACCURACY") == "" {
		t.Skip("set CARDINAL_ACCURACY=1 for the full accuracy run")
	}
	ctx := context.Background()
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	g := workload.JoinGraphFromSchema(db.Schema)
	gen := func(n int, seed uint64, sub bool, minJ, maxJ int) []estimator.Example {
		qs, err := workload.Generate(ctx, db, g, workload.Options{Queries: n, MinJoins: minJ, MaxJoins: maxJ, MaxPreds: bench.DefaultMaxPreds},
			rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := workload.Label(ctx, db, qs, workload.LabelOptions{SubPlans: sub})
		if err != nil {
			t.Fatal(err)
		}
		exs, err := estimator.Examples(db.Schema, recs)
		if err != nil {
			t.Fatal(err)
		}
		return exs
	}
	train := gen(5000, 1, true, 0, bench.DefaultMaxJoins)
	test := gen(2000, 99, false, 0, bench.DefaultMaxJoins)
	ood := gen(300, 98, false, bench.DefaultMaxJoins+1, bench.DefaultMaxJoins+1)

	summarise := func(m estimator.Estimator, exs []estimator.Example) (single, joins estimator.QErrorSummary) {
		var s, j []float64
		for _, ex := range exs {
			e, err := m.Estimate(ex.Query)
			if err != nil {
				t.Fatal(err)
			}
			if q := estimator.QError(e.Rows, ex.Rows); len(ex.Query.Joins) == 0 {
				s = append(s, q)
			} else {
				j = append(j, q)
			}
		}
		return estimator.Quantiles(s), estimator.Quantiles(j)
	}
	// Targets: the GBDT's on the same workload (single p95 1.09, joins
	// p95 1.54, out-of-distribution median 1.03), with some slack.
	for _, c := range []struct {
		name                           string
		train                          func() (estimator.Estimator, error)
		singleP95, joinsP95, oodMedian float64
	}{
		{"setnet", func() (estimator.Estimator, error) {
			return estimator.TrainSetNet(ctx, cat, train, estimator.SetNetOptions{Seed: 1})
		}, 1.3, 1.8, 1.3},
		{"linear", func() (estimator.Estimator, error) {
			return estimator.TrainLinear(ctx, cat, train, estimator.LinearOptions{})
		}, 1.5, 2.0, 1.5},
	} {
		start := time.Now()
		m, err := c.train()
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		single, joins := summarise(m, test)
		_, oodJoins := summarise(m, ood)
		t.Logf("%s: trained in %.1fs on %d examples; single median %.2f p95 %.2f p99 %.2f; joins median %.2f p95 %.2f p99 %.2f; ood median %.2f p95 %.2f",
			c.name, took.Seconds(), len(train), single.Median, single.P95, single.P99, joins.Median, joins.P95, joins.P99, oodJoins.Median, oodJoins.P95)
		if single.P95 > c.singleP95 || joins.P95 > c.joinsP95 || oodJoins.Median > c.oodMedian {
			t.Errorf("%s misses its targets: single p95 %.2f (<= %.2f), joins p95 %.2f (<= %.2f), ood median %.2f (<= %.2f)",
				c.name, single.P95, c.singleP95, joins.P95, c.joinsP95, oodJoins.Median, c.oodMedian)
		}
		checkBandCoverage(t, c.name, m, test, ood)
	}
}

// checkBandCoverage holds m's bands to issue 12's targets, at every join
// count of the in-distribution test queries within bandGate (88-95%
// widened by about one sigma of a cell's spread, as
// TestBandCoverageFreshSeed's: about 400 test queries per join count
// spread ±1.4% around the band's level, itself within about ±1.2% of
// 91.5%, so a calibrated band leaves 88-95% on some seed now and then;
// setnet's single-table band covered 94.5% here before its bands were
// post-stratified, 95.2% after, while over 16 bench runs its cells
// outside 88-95% went 4 -> 3), at least 80% out of distribution.
var bandGate = estimator.BandGate

func checkBandCoverage(t *testing.T, name string, m estimator.Estimator, test, ood []estimator.Example) {
	t.Helper()
	byJoins := func(exs []estimator.Example) map[int]estimator.QErrorSummary {
		ests, truths := map[int][]estimator.Estimate{}, map[int][]float64{}
		for _, ex := range exs {
			e, err := m.Estimate(ex.Query)
			if err != nil {
				t.Fatal(err)
			}
			j := len(ex.Query.Tables) - 1
			ests[j], truths[j] = append(ests[j], e), append(truths[j], ex.Rows)
		}
		out := map[int]estimator.QErrorSummary{}
		for j := range ests {
			out[j] = estimator.Summarize(ests[j], truths[j])
		}
		return out
	}
	for j, s := range byJoins(test) {
		t.Logf("%s: %d joins: band coverage %.3f, median width %.2f (n %d)", name, j, s.Coverage, s.BandWidth, s.N)
		if s.Coverage < bandGate[0] || s.Coverage > bandGate[1] {
			t.Errorf("%s: %d joins: band coverage %.3f outside %v", name, j, s.Coverage, bandGate)
		}
	}
	for j, s := range byJoins(ood) {
		t.Logf("%s: out of distribution, %d joins: band coverage %.3f, median width %.2f (n %d)", name, j, s.Coverage, s.BandWidth, s.N)
		if s.Coverage < 0.8 {
			t.Errorf("%s: out of distribution, %d joins: band coverage %.3f below 0.80", name, j, s.Coverage)
		}
	}
}
