package joinorder_test

import (
	"context"
	"testing"

	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/joinorder"
	"github.com/cardinaldb/cardinal/joinorder/exact"
)

// TestImpliedJoins: lineitem ⋈ partsupp ⋈ part implies l_partkey =
// p_partkey; the closed query has that edge (and the plan may use it),
// counts the same as the original, sub-plan {l, p} is counted and
// estimated (without the implied edge a planner sees only a cross
// product there), and a query without implied equalities is returned
// as it is.
func TestImpliedJoins(t *testing.T) {
	ctx := context.Background()
	f := fixtures(t)["tpch"]
	q, err := features.Parse(f.db.Schema, "SELECT COUNT(*) FROM lineitem l JOIN partsupp ps ON l.l_partkey = ps.ps_partkey AND l.l_suppkey = ps.ps_suppkey JOIN part p ON ps.ps_partkey = p.p_partkey JOIN supplier s ON s.s_suppkey = ps.ps_suppkey WHERE p.p_size < 10")
	if err != nil {
		t.Fatal(err)
	}
	c := joinorder.ImpliedJoins(q)
	if c == q || len(c.Joins) != len(q.Joins)+2 {
		t.Fatalf("closure of %d joins has %d, want 2 more (l-p, l-s): %s", len(q.Joins), len(c.Joins), c.SQL())
	}
	if len(q.Joins) != 4 {
		t.Fatal("ImpliedJoins modified its argument")
	}
	if joinorder.ImpliedJoins(c) != c {
		t.Error("closing a closed query added edges")
	}
	lp := uint64(1<<0 | 1<<2)
	if q.Connected(lp) || !c.Connected(lp) {
		t.Fatalf("{l, p} connected: original %v, closed %v", q.Connected(lp), c.Connected(lp))
	}
	counter := engine.New(f.db, engine.Options{})
	want, err := counter.Count(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := exact.New(f.db).Cards(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	lpq, err := features.Parse(f.db.Schema, "SELECT COUNT(*) FROM lineitem l JOIN part p ON l.l_partkey = p.p_partkey WHERE p.p_size < 10")
	if err != nil {
		t.Fatal(err)
	}
	lpWant, err := counter.Count(ctx, lpq)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := tc.Rows(lp); !ok || got != float64(lpWant) {
		t.Errorf("true rows of {l, p}: %g (%v), want %d", got, ok, lpWant)
	}
	for _, est := range []estimator.Estimator{estimator.NewHistogram(f.cat), estimator.NewSample(f.cat)} {
		ec, err := joinorder.Estimated(est).Cards(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if ec.Len() != tc.Len() {
			t.Errorf("%s: %d sub-plans estimated, %d counted", est.Name(), ec.Len(), tc.Len())
		}
		// Estimated on a spanning tree, the 4-table result is what the
		// original query (no redundant edges) estimates.
		orig, err := joinorder.Estimated(est).Cards(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := ec.Rows(c.FullMask())
		b, _ := orig.Rows(q.FullMask())
		if a != b {
			t.Errorf("%s: closed query estimated %g rows, original %g", est.Name(), a, b)
		}
		if r, ok := ec.Rows(lp); !ok || estimator.QError(r, float64(lpWant)) > 3 {
			t.Errorf("%s: {l, p} estimated %g (%v), true %d", est.Name(), r, ok, lpWant)
		}
	}
	for _, model := range []joinorder.CostModel{joinorder.Cout{}, joinorder.NewMySQL(f.cat)} {
		p, err := joinorder.DPccp(tc, model, joinorder.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := joinorder.Validate(p); err != nil {
			t.Fatal(err)
		}
		for _, sql := range []string{p.StraightJoinSQL(), p.HintedSQL()} {
			hq, err := features.Parse(f.db.Schema, sql)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := counter.Count(ctx, hq); err != nil || got != want {
				t.Errorf("%s: %d rows (%v), want %d\n%s", model.Name(), got, err, want, sql)
			}
		}
	}
	plain, err := features.Parse(f.db.Schema, "SELECT COUNT(*) FROM orders o JOIN customer c ON o.o_custkey = c.c_custkey JOIN nation n ON c.c_nationkey = n.n_nationkey")
	if err != nil {
		t.Fatal(err)
	}
	if joinorder.ImpliedJoins(plain) != plain {
		t.Error("a chain of distinct keys implied an edge")
	}
}
