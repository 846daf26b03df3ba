package engine_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// TestRandomQueries compares every count and sub-plan count with brute
// force on random generated queries over small real and synthetic DBs,
// with some queries made cyclic by an extra join edge.
func TestRandomQueries(t *testing.T) {
	eco, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.003, Seed: 7})
	testutil.Must(t, err)
	for _, tc := range []struct {
		name string
		db   *datasets.DB
		n    int
	}{
		{"flights", smallFlights(t, 150), 120},
		{"ecommerce", eco, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := workload.JoinGraphFromSchema(tc.db.Schema)
			qs, err := workload.Generate(context.Background(), tc.db, g, workload.Options{Queries: tc.n, MaxJoins: 3}, rand.New(rand.NewPCG(1, 2)))
			testutil.Must(t, err)
			c := engine.New(tc.db, engine.Options{})
			rng := rand.New(rand.NewPCG(3, 4))
			empty, cyclic := 0, 0
			for i, q := range qs {
				if rng.IntN(4) == 0 && addCycle(q, g, rng) {
					cyclic++
				}
				n, err := c.Count(context.Background(), q)
				testutil.Must(t, err)
				if n == 0 {
					empty++
				}
				checkQuery(t, c, tc.db, q, q.SQL())
				if t.Failed() {
					t.Fatalf("query %d failed", i)
				}
			}
			t.Logf("%d queries, %d empty, %d made cyclic", len(qs), empty, cyclic)
			if (tc.name == "flights" && cyclic == 0) || 2*empty > len(qs) {
				t.Errorf("weak test: %d cyclic, %d/%d empty", cyclic, empty, len(qs))
			}
		})
	}
}

// addCycle adds a join between two occurrences that are not yet joined but
// whose tables have an edge in g, closing a cycle.
func addCycle(q *features.Query, g *workload.JoinGraph, rng *rand.Rand) bool {
	joined := map[[2]int]bool{}
	for _, j := range q.Joins {
		joined[[2]int{j.Left, j.Right}] = true
	}
	type cand struct {
		l, r int
		e    workload.Edge
		flip bool
	}
	var cands []cand
	for l := range q.Tables {
		for r := l + 1; r < len(q.Tables); r++ {
			if joined[[2]int{l, r}] {
				continue
			}
			for _, e := range g.Edges {
				if e.From == q.Tables[l].Table && e.To == q.Tables[r].Table {
					cands = append(cands, cand{l, r, e, false})
				}
				if e.To == q.Tables[l].Table && e.From == q.Tables[r].Table {
					cands = append(cands, cand{l, r, e, true})
				}
			}
		}
	}
	if len(cands) == 0 {
		return false
	}
	c := cands[rng.IntN(len(cands))]
	for i := range c.e.FromCols {
		lc, rc := c.e.FromCols[i], c.e.ToCols[i]
		if c.flip {
			lc, rc = rc, lc
		}
		q.Joins = append(q.Joins, features.Join{Left: c.l, Right: c.r, LeftCol: lc, RightCol: rc})
	}
	return true
}
