package joinbench

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/progress"
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

// TestMaxResultRowsProgress: Prepare's progress line names the rule's
// dropped queries only under the rule (not "0 more drawn had a result
// over 0 rows" without it).
func TestMaxResultRowsProgress(t *testing.T) {
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	for _, bound := range []int64{0, 1} {
		var lines []string
		o := Options{TrainQueries: -1, TestQueries: 3, EstimatesOnly: true, PlanWith: "histogram", MaxResultRows: bound,
			Progress: func(r progress.Report) { lines = append(lines, r.Detail) }}
		s, err := Prepare(context.Background(), db, o)
		if err != nil {
			t.Fatal(err)
		}
		all := strings.Join(lines, "\n")
		if got, want := strings.Contains(all, "had a result over"), bound > 0; got != want {
			t.Errorf("MaxResultRows %d: progress mentions the rule: %v, want %v:\n%s", bound, got, want, all)
		}
		if bound > 0 && !strings.Contains(all, fmt.Sprintf("%d more drawn had a result over %d rows", s.Dropped, bound)) {
			t.Errorf("MaxResultRows %d: progress does not count the %d dropped:\n%s", bound, s.Dropped, all)
		}
	}
}
