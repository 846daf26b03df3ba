package estimator

import (
	"context"
	"os"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/tpchqueries"
	"github.com/cardinaldb/cardinal/features"
)

// TestHavingSubqueriesSF1 logs the baselines' estimates of TPC-H Q11 and
// Q18 (go-tpc's text) at scale 1 beside the engine's counts; it checks
// that each is valid. It is a measurement (a catalog of SF1 takes
// minutes), run on demand:
//
//	CARDINAL_SF1_ESTIMATES=1 go test ./estimator -run HavingSubqueriesSF1 -v -timeout 30m
func TestHavingSubqueriesSF1(t *testing.T) {
	if os.Getenv("CARDINAL_SF1_ESTIMATES") == "" {
		t.Skip("set CARDINAL_SF1_ESTIMATES=1 to measure at TPC-H scale 1")
	}
	ctx := context.Background()
	db, err := datasets.TPCH(ctx, datasets.TPCHOptions{Scale: 1, Comments: true})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	c := engine.New(db, engine.Options{})
	for _, name := range []string{"q11", "q18"} {
		q, _ := tpchqueries.ByName(name)
		pq, err := features.Parse(db.Schema, q.SQL)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := c.CountGroups(ctx, pq)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []Estimator{NewHistogram(cat), NewSample(cat)} {
			r, err := m.Estimate(pq)
			if err != nil || !validEstimate(r) {
				t.Fatalf("%s %s: %+v, %v", name, m.Name(), r, err)
			}
			g, err := NewDistinctGroups(cat, m).EstimateGroups(pq)
			if err != nil || !(g.Low <= g.Groups && g.Groups <= g.High) {
				t.Fatalf("%s %s groups: %+v, %v", name, m.Name(), g, err)
			}
			t.Logf("%s %s: rows %.0f [%.0f, %.0f] true %d (q-error %.1f); groups %.0f [%.0f, %.0f] true %d (q-error %.1f)",
				name, m.Name(), r.Rows, r.Low, r.High, tr.Rows, QError(r.Rows, float64(tr.Rows)),
				g.Groups, g.Low, g.High, tr.Groups, QError(g.Groups, float64(tr.Groups)))
		}
	}
}
