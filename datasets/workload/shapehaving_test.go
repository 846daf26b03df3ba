package workload_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/features"
)

// TestShapeHaving: with Options.ShapeHaving the generated semi- and
// anti-joins' subqueries group by their correlated column with HAVING
// COUNT(*) > c, parse back to the same SQL and are labelled with the
// engine's counts; HAVING changes the count of some of them. Without it
// the workload is drawn as before.
func TestShapeHaving(t *testing.T) {
	ctx := context.Background()
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	g := workload.JoinGraphFromSchema(db.Schema)
	opts := workload.Options{Queries: 60, MinJoins: 1, MaxJoins: 2, Shapes: 1, ShapeHaving: 1}
	qs, err := workload.Generate(ctx, db, g, opts, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	c := engine.New(db, engine.Options{})
	grouped, changed := 0, 0
	for _, q := range qs {
		for _, sq := range q.Subqueries {
			if sq.Query.Group == nil || sq.Query.Group.Having == nil {
				t.Errorf("a subquery without HAVING at ShapeHaving 1: %s", q.SQL())
				continue
			}
			grouped++
			back, err := features.Parse(db.Schema, q.SQL())
			if err != nil || back.SQL() != q.SQL() {
				t.Fatalf("round trip: %v\n%s", err, q.SQL())
			}
			n, err := c.Count(ctx, q)
			if err != nil {
				t.Fatalf("%v\n%s", err, q.SQL())
			}
			plain := *q
			plain.Subqueries = append([]features.Subquery(nil), q.Subqueries...)
			s := *sq.Query
			s.Group, s.GroupBy = nil, nil
			plain.Subqueries[0].Query = &s
			m, err := c.Count(ctx, &plain)
			if err != nil {
				t.Fatal(err)
			}
			if m != n {
				changed++
			}
		}
	}
	if grouped < 10 || changed == 0 {
		t.Errorf("%d grouped subqueries, %d whose HAVING changes the count", grouped, changed)
	}
	recs, err := workload.Label(ctx, db, qs, workload.LabelOptions{})
	if err != nil || len(recs) != len(qs) {
		t.Fatalf("label: %d records, %v", len(recs), err)
	}
	// ShapeHaving 0 draws the workload of earlier versions.
	opts.ShapeHaving = 0
	a, err := workload.Generate(ctx, db, g, opts, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range a {
		for _, sq := range q.Subqueries {
			if sq.Query.Group != nil {
				t.Fatalf("ShapeHaving 0 grouped a subquery: %s", q.SQL())
			}
		}
	}
}
