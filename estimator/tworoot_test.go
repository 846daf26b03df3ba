package estimator

import (
	"context"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
)

// Two-root sub-plans (two sampled fact tables meeting at a shared
// dimension) estimated from one root's synopses and the others' messages
// are closer to the engine's true counts than the independent samples'
// message passing, on generated ecommerce queries with reviews and stores.
func TestTwoRootBeatsIndependentSamples(t *testing.T) {
	if testing.Short() {
		t.Skip("labels a workload")
	}
	ctx := context.Background()
	db, err := datasets.Ecommerce(ctx, datasets.EcommerceOptions{Scale: 0.3, Seed: 3, SharedKeys: true})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := db.Catalog(catalog.StatsOptions{SampleSize: 2000}, 1)
	if err != nil {
		t.Fatal(err)
	}
	ex := examples(t, db.Schema, labelled(t, db, 600, 4, 21, false))
	s := newSampleSet(cat)
	b := newSampleBaseline(cat, s)
	var two, indep []float64
	for _, e := range ex {
		q, err := canonicalQuery(cat, e.Query)
		if err != nil {
			t.Fatal(err)
		}
		var w baseProbe
		b.start(q, &w)
		edges := groupEdges(q)
		mask := q.FullMask()
		rows, _, ok := s.twoRootRows(q, w.probes, edges, b.hist, mask, w.sc, nil)
		if ok {
			ind, _ := s.joinSampleRows(q, w.probes, edges, b.hist, mask, w.sc, nil)
			two = append(two, QError(rows, e.Rows))
			indep = append(indep, QError(ind, e.Rows))
		}
		b.finish(&w)
	}
	if len(two) < 30 {
		t.Fatalf("only %d two-root queries", len(two))
	}
	g, h := Quantiles(two), Quantiles(indep)
	t.Logf("%d two-root queries: synopses+messages %+v / independent samples %+v", len(two), g, h)
	if !(g.Median <= h.Median && g.P90 < h.P90) {
		t.Errorf("two-root estimate %+v not better than independent samples %+v", g, h)
	}
}
