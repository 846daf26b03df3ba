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
	"github.com/cardinaldb/cardinal/querylog"
)

// labelledShapes generates n queries over db with a fraction shapes of
// outer, semi and anti joins, and labels them.
func labelledShapes(t testing.TB, db *datasets.DB, n, maxJoins int, shapes float64, seed uint64, subplans bool) []querylog.Record {
	t.Helper()
	ctx := context.Background()
	qs, err := workload.Generate(ctx, db, workload.JoinGraphFromSchema(db.Schema),
		workload.Options{Queries: n, MaxJoins: maxJoins, MinJoins: 1, Shapes: shapes}, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := workload.Label(ctx, db, qs, workload.LabelOptions{SubPlans: subplans})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// shaped keeps the examples whose query has an outer join or a subquery.
func shaped(ex []Example) []Example {
	var out []Example
	for _, e := range ex {
		if e.Query.HasShapes() {
			out = append(out, e)
		}
	}
	return out
}

// TestShapesAccuracyTargets trains the GBDT on generated queries of which 60%
// are outer, semi or anti joins (with sub-plans) and scores it on
// never-seen ones (a fresh seed, shaped queries only) beside the
// histogram baseline: the gbdt median must be at most 1.5 and its p95 at
// most 10 (issue 13), and its p95 and p99 better than the histogram's.
//
// It runs in CI's accuracy step (about 40 s on 2 cores):
//
//	CARDINAL_ACCURACY=1 go test ./estimator -run ShapesAccuracyTargets -v
func TestShapesAccuracyTargets(t *testing.T) {
	if os.Getenv("CARDINAL_ACCURACY") == "" {
		t.Skip("set CARDINAL_ACCURACY=1 for the accuracy run")
	}
	nTrain, nTest := 2500, 600
	for _, name := range []string{"flights", "ecommerce"} {
		t.Run(name, func(t *testing.T) {
			var db *datasets.DB
			if name == "flights" {
				db = flightsDB(t)
			} else {
				var err error
				db, err = datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.2, Seed: 1})
				if err != nil {
					t.Fatal(err)
				}
			}
			start := time.Now()
			cat, err := db.Catalog(catalog.StatsOptions{}, 1)
			if err != nil {
				t.Fatal(err)
			}
			train := examples(t, db.Schema, labelledShapes(t, db, nTrain, 3, 0.6, 11, true))
			test := shaped(examples(t, db.Schema, labelledShapes(t, db, nTest, 3, 1, 12, false)))
			m, err := TrainGBDT(context.Background(), cat, train, GBDTOptions{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string][]Example{}
			for _, e := range test {
				k := "outer"
				if len(e.Query.Subqueries) > 0 {
					k = e.Query.Subqueries[0].Kind.String()
				}
				kinds[k] = append(kinds[k], e)
			}
			gq, _ := qerrors(t, m, test)
			hq, _ := qerrors(t, NewHistogram(cat), test)
			g, h := Quantiles(gq), Quantiles(hq)
			t.Logf("%d shaped test queries, %d training examples, %v", len(test), len(train), time.Since(start).Round(time.Millisecond))
			t.Logf("gbdt      %+v", g)
			t.Logf("histogram %+v", h)
			for k, ex := range kinds {
				gk, _ := qerrors(t, m, ex)
				hk, _ := qerrors(t, NewHistogram(cat), ex)
				t.Logf("%-10s n=%d gbdt %+v", k, len(ex), Quantiles(gk))
				t.Logf("%-10s n=%d hist %+v", k, len(ex), Quantiles(hk))
			}
			if g.Median > 1.5 || g.P95 > 10 {
				t.Errorf("gbdt on shaped queries %+v: want median <= 1.5, p95 <= 10", g)
			}
			if !(g.P95 < h.P95 && g.P99 < h.P99) {
				t.Errorf("gbdt %+v does not beat histogram %+v at p95 and p99", g, h)
			}
		})
	}
}
