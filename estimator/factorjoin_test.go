package estimator

import (
	"context"
	"math"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
)

// Two sampled fact tables meeting at a shared dimension, unfiltered, are
// estimated exactly by the key-stratified join sample (each fact's
// message is its exact key degrees), where the plain join sample of the
// same samples is off; a filter on the dimension keeps it exact; with
// filters on the facts the stratified estimate is closer to the truth
// than the plain one on most queries of a fixed set.
func TestStratifiedSharedDimension(t *testing.T) {
	ctx := context.Background()
	db, err := datasets.Ecommerce(ctx, datasets.EcommerceOptions{Scale: 0.3, Seed: 2, SharedKeys: true})
	if err != nil {
		t.Fatal(err)
	}
	opts := catalog.StatsOptions{SampleSize: 2000}
	cat, err := db.Catalog(opts, 1)
	if err != nil {
		t.Fatal(err)
	}
	opts.NoKeyDegrees = true
	plainCat, err := db.Catalog(opts, 1)
	if err != nil {
		t.Fatal(err)
	}
	strat, plain := newSampleSet(cat), newSampleSet(plainCat)
	if !strat.degrees || plain.degrees {
		t.Fatal("key degrees not where expected")
	}
	hist := NewHistogram(cat)
	estimate := func(s *sampleSet, q *features.Query) float64 {
		sc := s.pool.Get().(*scratch)
		defer func() { sc.reset(); s.pool.Put(sc) }()
		probes := s.probe(q, sc, nil)
		rows, _ := s.joinSampleRows(q, probes, groupEdges(q), hist, q.FullMask(), sc, nil)
		return rows
	}
	const join = "SELECT COUNT(*) FROM order_items oi JOIN products p ON oi.product_id = p.id JOIN reviews r ON r.product_id = p.id"
	for _, c := range []struct {
		where string
		exact bool
	}{
		{"", true},
		{" WHERE p.category = 'books'", true},
		{" WHERE p.price > 100 AND p.category <> 'toys'", true},
		{" WHERE p.id IN (77, 345, 501)", true},
		{" WHERE oi.quantity > 1", false},
		{" WHERE r.rating = 5 AND p.category = 'electronics'", false},
		{" WHERE oi.quantity = 1 AND r.rating < 3", false},
	} {
		q, err := features.Parse(db.Schema, join+c.where)
		if err != nil {
			t.Fatal(err)
		}
		truth, err := engine.Count(ctx, db, q)
		if err != nil {
			t.Fatal(err)
		}
		s, p := estimate(strat, q), estimate(plain, q)
		t.Logf("%s: true %d, stratified %.0f (q-error %.3f), plain %.0f (q-error %.3f)", c.where, truth, s, QError(s, float64(truth)), p, QError(p, float64(truth)))
		if c.exact && math.Abs(s-float64(truth)) > 1e-6*float64(truth) {
			t.Errorf("%s: stratified %v, want exactly %d", c.where, s, truth)
		}
		if c.exact && math.Abs(p-float64(truth)) < 1e-3*float64(truth) {
			t.Errorf("%s: the plain join sample %v is exact too: the test shows nothing", c.where, p)
		}
		if !c.exact && QError(s, float64(truth)) > 1.5 {
			t.Errorf("%s: stratified %v against %d", c.where, s, truth)
		}
	}
}
