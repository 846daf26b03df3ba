package estimator

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
)

// TestAccuracyTargets is the full accuracy run (minutes; set
// CARDINAL_ACCURACY=1, optionally CARDINAL_TRAIN_QUERIES, default 30000):
// on flights and ecommerce, a model trained on generated queries (0-4
// joins, with sub-plans) is scored on 2,500 fresh-seed queries and must
// meet the product targets: single-table median <= 1.1, p95 <= 2.5,
// p99 <= 10; joins median <= 1.5, p95 <= 10, p99 <= 50, and the joins
// through a shared dimension or a many-to-many key median <= 1.3, p95 <= 10,
// p99 <= 50; better than the
// histogram baseline at every quantile; band coverage between 88% and 95%
// at every join count; and, trained on at most two joins, no worse than
// histogram at p95 on three-join queries, with band coverage >= 80%.
//
//	CARDINAL_ACCURACY=1 go test ./estimator -run AccuracyTargets -v -timeout 2h
//
// bandCoverageByJoins summarises m's estimates of exs by join count, with
// band coverage.
func bandCoverageByJoins(t *testing.T, m Estimator, exs []Example) map[int]QErrorSummary {
	t.Helper()
	ests, truths := map[int][]Estimate{}, map[int][]float64{}
	for _, ex := range exs {
		e, err := m.Estimate(ex.Query)
		if err != nil {
			t.Fatal(err)
		}
		j := len(ex.Query.Tables) - 1
		ests[j], truths[j] = append(ests[j], e), append(truths[j], ex.Rows)
	}
	out := map[int]QErrorSummary{}
	for j := range ests {
		out[j] = Summarize(ests[j], truths[j])
	}
	return out
}

func TestAccuracyTargets(t *testing.T) {
	if os.Getenv("CARDINAL_ACCURACY") == "" {
		t.Skip("set CARDINAL_ACCURACY=1 for the full accuracy run")
	}
	nTrain := 30000
	if s := os.Getenv("CARDINAL_TRAIN_QUERIES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		nTrain = n
	}
	for _, name := range []string{"flights", "ecommerce"} {
		t.Run(name, func(t *testing.T) {
			var db *datasets.DB
			var err error
			if name == "flights" {
				db, err = datasets.Flights()
			} else {
				db, err = datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 1, Seed: 1})
			}
			if err != nil {
				t.Fatal(err)
			}
			cat, err := db.Catalog(catalog.StatsOptions{}, 1)
			if err != nil {
				t.Fatal(err)
			}
			trainRecs := labelled(t, db, nTrain, 4, 11, true)
			test := examples(t, db.Schema, labelled(t, db, 2500, 4, 12, false))
			train := examples(t, db.Schema, trainRecs)
			start := time.Now()
			m, err := TrainGBDT(context.Background(), cat, train, GBDTOptions{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: trained on %d queries (%d examples) in %v, %d trees", name, nTrain, len(train), time.Since(start), m.NumTrees())
			gAll, gBy := qerrors(t, m, test)
			hAll, hBy := qerrors(t, NewHistogram(cat), test)
			var gJoin, hJoin []float64
			for j := 1; j <= 4; j++ {
				gJoin, hJoin = append(gJoin, gBy[j]...), append(hJoin, hBy[j]...)
				t.Logf("joins=%d gbdt %+v", j, Quantiles(gBy[j]))
				t.Logf("joins=%d hist %+v", j, Quantiles(hBy[j]))
			}
			single, joins := Quantiles(gBy[0]), Quantiles(gJoin)
			g, h := Quantiles(gAll), Quantiles(hAll)
			t.Logf("single table gbdt %+v / hist %+v", single, Quantiles(hBy[0]))
			t.Logf("joins        gbdt %+v / hist %+v", joins, Quantiles(hJoin))
			t.Logf("all          gbdt %+v / hist %+v", g, h)
			if single.Median > 1.1 || single.P95 > 2.5 || single.P99 > 10 {
				t.Errorf("single-table targets missed: %+v", single)
			}
			if joins.Median > 1.5 || joins.P95 > 10 || joins.P99 > 50 {
				t.Errorf("join targets missed: %+v", joins)
			}
			// Joins through a shared dimension or a many-to-many key
			// (issue 12): median <= 1.3, p95 <= 10, p99 <= 50.
			shared := Quantiles(gBy[sharedKeyJoins])
			t.Logf("shared-key joins (%d) gbdt %+v / hist %+v", len(gBy[sharedKeyJoins]), shared, Quantiles(hBy[sharedKeyJoins]))
			// The classic ecommerce schema is a snowflake: it has none
			// (TestSharedKeyAccuracy runs ecommerce with SharedKeys).
			if name == "flights" && len(gBy[sharedKeyJoins]) < 100 {
				t.Errorf("only %d joins through a shared dimension or a many-to-many key", len(gBy[sharedKeyJoins]))
			} else if shared.Median > 1.3 || shared.P95 > 10 || shared.P99 > 50 {
				t.Errorf("shared-key join targets missed: %+v", shared)
			}
			if !(g.Median <= h.Median && g.P90 < h.P90 && g.P95 < h.P95 && g.P99 < h.P99 && g.Max < h.Max && g.Mean < h.Mean) {
				t.Errorf("gbdt %+v not better than histogram %+v at every quantile", g, h)
			}
			// Bands: 88-95% coverage at every join count (issue 12),
			// queries answered exactly (tables sampled whole) included.
			for j, s := range bandCoverageByJoins(t, m, test) {
				t.Logf("joins=%d gbdt band coverage %.3f, median width %.2f", j, s.Coverage, s.BandWidth)
				if s.Coverage < 0.88 || s.Coverage > 0.95 {
					t.Errorf("%d joins: band coverage %.3f outside [0.88, 0.95]", j, s.Coverage)
				}
			}

			// Out of distribution: train on at most two joins, test on three.
			var le2, eq3 []Example
			for _, e := range train {
				if len(e.Query.Tables) <= 3 {
					le2 = append(le2, e)
				}
			}
			for _, e := range test {
				if len(e.Query.Tables) == 4 {
					eq3 = append(eq3, e)
				}
			}
			m2, err := TrainGBDT(context.Background(), cat, le2, GBDTOptions{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			o, _ := qerrors(t, m2, eq3)
			oh, _ := qerrors(t, NewHistogram(cat), eq3)
			og, ohs := Quantiles(o), Quantiles(oh)
			t.Logf("out of distribution (3 joins, trained on <= 2): gbdt %+v / hist %+v", og, ohs)
			if og.P95 > ohs.P95 {
				t.Errorf("out-of-distribution p95 %v worse than histogram %v", og.P95, ohs.P95)
			}
			for _, s := range bandCoverageByJoins(t, m2, eq3) {
				t.Logf("out of distribution: gbdt band coverage %.3f, median width %.2f", s.Coverage, s.BandWidth)
				if s.Coverage < 0.8 {
					t.Errorf("out-of-distribution band coverage %.3f below 0.80", s.Coverage)
				}
			}
		})
	}
}
