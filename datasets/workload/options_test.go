package workload_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// TestOptionsRule: negative, NaN and infinite options of Generate and Label
// are ErrOptions naming the field, before any work (a nil graph or no
// queries would fail otherwise); negative MaxJoins and OutOfRange keep
// their documented meaning; zero means the defaults (a real run).
func TestOptionsRule(t *testing.T) {
	db := testutil.Flights(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, o := range []workload.Options{{Queries: -1}, {MinJoins: -1}, {MaxPreds: -1},
		{OutOfRange: math.NaN()}, {OutOfRange: math.Inf(1)}, {OutOfRange: math.Inf(-1)}, {OutOfRange: 1.5}} {
		_, err := workload.Generate(ctx, db, nil, o, rng)
		if !errors.Is(err, workload.ErrOptions) {
			t.Errorf("%+v: %v", o, err)
		}
	}
	for _, o := range []workload.LabelOptions{{Workers: -1}, {Engine: engine.Options{MaxRows: -1}}} {
		_, err := workload.Label(ctx, db, nil, o)
		if !errors.Is(err, workload.ErrOptions) || !strings.Contains(err.Error(), "LabelOptions.") {
			t.Errorf("%+v: %v", o, err)
		}
	}
	g := workload.JoinGraphFromSchema(db.Schema)
	qs, err := workload.Generate(ctx, db, g, workload.Options{Queries: 20, MaxJoins: -1, OutOfRange: -1}, rng)
	if err != nil || len(qs) != 20 {
		t.Fatalf("documented negatives: %d queries, %v", len(qs), err)
	}
	for _, q := range qs {
		if len(q.Tables) != 1 {
			t.Fatalf("MaxJoins -1 gave %d tables", len(q.Tables))
		}
	}
	qs, err = workload.Generate(ctx, db, g, workload.Options{}, rng)
	if err != nil || len(qs) != workload.DefaultQueries {
		t.Fatalf("zero Options: %d queries, %v", len(qs), err)
	}
	recs, err := workload.Label(ctx, db, qs[:10], workload.LabelOptions{})
	if err != nil || len(recs) != 10 {
		t.Fatalf("zero LabelOptions: %d records, %v", len(recs), err)
	}
}
