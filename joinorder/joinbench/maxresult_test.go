package joinbench

import (
	"context"
	"testing"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
)

// TestMaxResultRows: the workload rule keeps exactly the generated
// queries whose engine COUNT(*) is at most the bound, in the order of
// the seeded stream (the unbounded workload's queries within the bound
// come first, in order), counts the ones it left out, and draws the
// same queries twice.
func TestMaxResultRows(t *testing.T) {
	ctx := context.Background()
	db, err := datasets.TPCH(ctx, datasets.TPCHOptions{Scale: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	const bound = 2000
	o := Options{Seed: 4, TrainQueries: -1, TestQueries: 12, MaxTables: 6, Snowflake: true, EstimatesOnly: true, PlanWith: "histogram"}
	all, err := Prepare(ctx, db, o)
	if err != nil {
		t.Fatal(err)
	}
	o.MaxResultRows = bound
	kept, err := Prepare(ctx, db, o)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Prepare(ctx, db, o)
	if err != nil {
		t.Fatal(err)
	}
	ctr := engine.New(db, engine.Options{})
	var within []string
	for _, q := range all.Test {
		n, err := ctr.Count(ctx, q.Est["histogram"].Query())
		if err != nil {
			t.Fatal(err)
		}
		if n <= bound {
			within = append(within, q.Est["histogram"].Query().SQL())
		}
	}
	if len(within) == len(all.Test) {
		t.Fatalf("every query of the unbounded workload has at most %d rows: the test proves nothing", bound)
	}
	if len(kept.Test) != 12 || kept.Dropped < len(all.Test)-len(within) {
		t.Fatalf("%d kept, %d dropped; want 12 and at least %d", len(kept.Test), kept.Dropped, len(all.Test)-len(within))
	}
	for i, q := range kept.Test {
		sql := q.Est["histogram"].Query().SQL()
		n, err := ctr.Count(ctx, q.Est["histogram"].Query())
		if err != nil {
			t.Fatal(err)
		}
		if n > bound {
			t.Errorf("query %d: %d rows > %d", i, n, bound)
		}
		if i < len(within) && sql != within[i] {
			t.Errorf("query %d is not the unbounded workload's %d-th within the bound:\n%s\n%s", i, i, sql, within[i])
		}
		if sql != again.Test[i].Est["histogram"].Query().SQL() {
			t.Errorf("query %d differs between two draws", i)
		}
	}
}
