package workload_test

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// TestGenerateExpressions: with Options.Expressions the workload holds
// functions of columns and comparisons of two columns, which survive the
// SQL round trip, are counted by the engine, and mostly select rows; with
// the default (0) it holds none.
func TestGenerateExpressions(t *testing.T) {
	db, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.01, Seed: 3})
	testutil.Must(t, err)
	g := workload.JoinGraphFromSchema(db.Schema)
	qs, err := workload.Generate(context.Background(), db, g, workload.Options{Queries: 300, MaxJoins: 2, Expressions: 0.4}, rand.New(rand.NewPCG(7, 8)))
	testutil.Must(t, err)
	kinds := map[features.ExprKind]int{}
	empty := 0
	c := engine.New(db, engine.Options{})
	for i, q := range qs {
		for _, tr := range q.Tables {
			walkExpr(tr.Filter, func(e *features.Expr) { kinds[e.Kind]++ })
		}
		back, err := features.Parse(db.Schema, q.SQL())
		if err != nil {
			t.Fatalf("query %d: %s: %v", i, q.SQL(), err)
		}
		for k := range q.Tables {
			if !reflect.DeepEqual(back.Tables[k].Filter, q.Tables[k].Filter) {
				t.Errorf("query %d: the filter of %s changed in the round trip: %s", i, q.Tables[k].Alias, back.SQL())
			}
		}
		n, err := c.Count(context.Background(), q)
		testutil.Must(t, err)
		if n == 0 {
			empty++
		}
	}
	t.Logf("%d ExprFunc, %d ExprCols, %d plain atoms; %d of %d queries empty", kinds[features.ExprFunc], kinds[features.ExprCols], kinds[features.ExprPred], empty, len(qs))
	if kinds[features.ExprFunc] < 30 || kinds[features.ExprCols] < 10 || 3*empty > len(qs) {
		t.Errorf("weak workload: %v, %d empty", kinds, empty)
	}
	plain, err := workload.Generate(context.Background(), db, g, workload.Options{Queries: 100, MaxJoins: 2}, rand.New(rand.NewPCG(7, 8)))
	testutil.Must(t, err)
	for _, q := range plain {
		for _, tr := range q.Tables {
			walkExpr(tr.Filter, func(e *features.Expr) {
				if e.Kind == features.ExprFunc || e.Kind == features.ExprCols {
					t.Fatalf("expression predicate without Options.Expressions: %s", q.SQL())
				}
			})
		}
	}
}
