package estimator

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/features"
)

// synopsisFixture returns a small ecommerce database, generated queries of
// up to three joins and their true sub-plan counts.
func synopsisFixture(t *testing.T, scale float64) (*datasets.DB, []*features.Query, [][]engine.SubPlanCount) {
	t.Helper()
	ctx := context.Background()
	db, err := datasets.Ecommerce(ctx, datasets.EcommerceOptions{Scale: scale, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	qs, err := workload.Generate(ctx, db, workload.JoinGraphFromSchema(db.Schema),
		workload.Options{Queries: 300, MinJoins: 1, MaxJoins: 3}, rand.New(rand.NewPCG(5, 1)))
	if err != nil {
		t.Fatal(err)
	}
	counts := make([][]engine.SubPlanCount, len(qs))
	for i, q := range qs {
		if counts[i], err = engine.CountSubPlans(ctx, db, q); err != nil {
			t.Fatal(err)
		}
	}
	return db, qs, counts
}

// synopsisEstimates runs synopsisRows on every multi-table sub-plan.
func synopsisEstimates(t *testing.T, s *sampleSet, qs []*features.Query, counts [][]engine.SubPlanCount, f func(est float64, support int, exact bool, truth int64)) (covered, plans int) {
	for i, q := range qs {
		sc := s.pool.Get().(*scratch)
		probes := s.probe(q, sc, nil)
		edges := groupEdges(q)
		var memo joinMemo
		memo.reset(len(edges))
		for _, c := range counts[i] {
			if c.Mask&(c.Mask-1) == 0 {
				continue
			}
			plans++
			rows, _, support, exact, ok := s.synopsisRows(q, probes, edges, c.Mask, sc, &memo)
			// The per-query memo (matched keys, filters on synopses)
			// changes nothing.
			r2, _, s2, e2, ok2 := s.synopsisRows(q, probes, edges, c.Mask, sc, nil)
			if rows != r2 || support != s2 || exact != e2 || ok != ok2 {
				t.Fatalf("memoised synopsis estimate %v/%d differs from %v/%d", rows, support, r2, s2)
			}
			if ok {
				covered++
				f(rows, support, exact, c.Rows)
			}
		}
		sc.reset()
		s.pool.Put(sc)
	}
	return covered, plans
}

// With every table sampled whole, a foreign-key sub-plan over join
// synopses is its exact count.
func TestSynopsisExactOnCompleteSamples(t *testing.T) {
	db, qs, counts := synopsisFixture(t, 0.02)
	cat, err := db.Catalog(catalog.StatsOptions{SampleSize: 1 << 20}, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := newSampleSet(cat)
	covered, plans := synopsisEstimates(t, s, qs, counts, func(est float64, _ int, exact bool, truth int64) {
		if !exact || est != float64(truth) {
			t.Fatalf("synopsis estimate %v (exact %v), true count %d", est, exact, truth)
		}
	})
	// Every join of the ecommerce workload follows a foreign key; only
	// sub-plans where one table is referenced by two occurrences (a
	// many-to-many shape through it) have no synopsis.
	if covered < plans*3/4 {
		t.Errorf("synopses cover %d of %d join sub-plans", covered, plans)
	}
	t.Logf("synopses cover %d of %d join sub-plans", covered, plans)
	// Shapes without a synopsis: two occurrences referencing one row, a
	// join on columns no foreign key links, a key followed backwards
	// from a root that references nothing.
	for _, sql := range []string{
		"SELECT COUNT(*) FROM order_items a JOIN orders o ON a.order_id = o.id JOIN order_items b ON b.order_id = o.id",
		"SELECT COUNT(*) FROM orders o JOIN customers c ON o.id = c.id",
		"SELECT COUNT(*) FROM orders o JOIN order_items i ON o.id = i.order_id AND o.customer_id = i.product_id",
	} {
		q, err := features.Parse(db.Schema, sql)
		if err != nil {
			t.Fatal(err)
		}
		sc := s.pool.Get().(*scratch)
		if _, _, _, _, ok := s.synopsisRows(q, s.probe(q, sc, nil), groupEdges(q), q.FullMask(), sc, nil); ok {
			t.Errorf("%s: synopsis used", sql)
		}
		sc.reset()
		s.pool.Put(sc)
	}
}

// On sampled tables the synopsis estimate of joins is far closer to the
// truth than independent samples joined (joinSampleRows) at the same
// sample size: order items and orders meet on every sampled item.
func TestSynopsisBeatsIndependentSamples(t *testing.T) {
	db, qs, counts := synopsisFixture(t, 0.3)
	cat, err := db.Catalog(catalog.StatsOptions{SampleSize: 2000}, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := newSampleSet(cat)
	hist := NewHistogram(cat)
	var syn, ind []float64
	for i, q := range qs {
		sc := s.pool.Get().(*scratch)
		probes := s.probe(q, sc, nil)
		edges := groupEdges(q)
		for _, c := range counts[i] {
			if c.Mask&(c.Mask-1) == 0 {
				continue
			}
			rows, _, _, _, ok := s.synopsisRows(q, probes, edges, c.Mask, sc, nil)
			if !ok {
				continue
			}
			r2, _ := s.joinSampleRows(q, probes, edges, hist, c.Mask, sc, nil)
			truth := float64(c.Rows)
			syn = append(syn, QError(rows, truth))
			ind = append(ind, QError(r2, truth))
		}
		sc.reset()
		s.pool.Put(sc)
	}
	sort.Float64s(syn)
	sort.Float64s(ind)
	q := func(xs []float64, p float64) float64 {
		return xs[int(math.Min(float64(len(xs)-1), p*float64(len(xs))))]
	}
	t.Logf("%d join sub-plans: synopsis q-error median %.2f p90 %.2f, independent samples %.2f / %.2f",
		len(syn), q(syn, 0.5), q(syn, 0.9), q(ind, 0.5), q(ind, 0.9))
	if len(syn) < 300 {
		t.Fatalf("only %d join sub-plans with synopses", len(syn))
	}
	if q(syn, 0.5) > 1.5 || q(syn, 0.9) >= q(ind, 0.9) {
		t.Errorf("synopsis median %.2f p90 %.2f, independent p90 %.2f", q(syn, 0.5), q(syn, 0.9), q(ind, 0.9))
	}
}

// A filter that is never TRUE is estimated at zero rows, exactly, alone
// and inside a join, by every learned model.
func TestUnsatisfiableFilterIsZero(t *testing.T) {
	db := flightsDB(t)
	g, err := Load(bytesReader(t, goldenModel), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cat := g.(*GBDT).cat
	train := examples(t, db.Schema, labelled(t, db, 200, 2, 17, false))
	sn, err := TrainSetNet(context.Background(), cat, train, SetNetOptions{Seed: 1, Epochs: 2})
	if err != nil {
		t.Fatal(err)
	}
	lin, err := TrainLinear(context.Background(), cat, train, LinearOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []Estimator{g, sn, lin} {
		for _, sql := range []string{
			"SELECT COUNT(*) FROM flights WHERE delay > 5 AND delay < 3",
			"SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata WHERE a.state IN ('CA', 'TX') AND a.state NOT IN ('CA', 'TX', 'NY')",
		} {
			e, err := EstimateSQL(m, sql)
			if err != nil {
				t.Fatal(err)
			}
			if e.Rows != 0 || e.Low != 0 || e.High != 0 {
				t.Errorf("%s: %s: %+v, want 0 rows", m.Name(), sql, e)
			}
		}
	}
}
