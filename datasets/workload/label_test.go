package workload_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
	"github.com/cardinaldb/cardinal/progress"
)

// TestLabel checks that parallel labelling gives, in input order, the
// counts of the engine run one query at a time, with sub-plans named by
// alias.
func TestLabel(t *testing.T) {
	db := testutil.Flights(t)
	g := workload.JoinGraphFromSchema(db.Schema)
	qs, err := workload.Generate(context.Background(), db, g, workload.Options{Queries: 300}, rand.New(rand.NewPCG(2, 3)))
	testutil.Must(t, err)
	calls, last := 0, 0
	recs, err := workload.Label(context.Background(), db, qs, workload.LabelOptions{
		SubPlans: true, Workers: 3,
		Progress: func(r progress.Report) {
			calls++
			if r.Done != last+1 || r.Total != len(qs) || r.Stage != "labelling" {
				t.Errorf("progress %+v after %d", r, last)
			}
			last = r.Done
		},
	})
	testutil.Must(t, err)
	if calls != len(qs) {
		t.Errorf("progress called %d times, want %d", calls, len(qs))
	}
	c := engine.New(db, engine.Options{})
	for i, q := range qs {
		r := recs[i]
		if r.SQL != q.SQL() {
			t.Fatalf("record %d is for another query", i)
		}
		n, err := c.Count(context.Background(), q)
		testutil.Must(t, err)
		if r.Rows != n {
			t.Errorf("record %d: %d rows, engine %d", i, r.Rows, n)
		}
		subs, _ := q.ConnectedSubsets(0)
		if len(r.SubPlans) != len(subs) {
			t.Fatalf("record %d: %d sub-plans, want %d", i, len(r.SubPlans), len(subs))
		}
		for j, m := range subs {
			var names []string
			for k, tr := range q.Tables {
				if m&(1<<uint(k)) != 0 {
					names = append(names, tr.Alias)
				}
			}
			if got := strings.Join(r.SubPlans[j].Aliases, ","); got != strings.Join(names, ",") {
				t.Errorf("record %d sub-plan %d: tables %s, want %s", i, j, got, strings.Join(names, ","))
			}
			if m == q.FullMask() && r.SubPlans[j].Rows != n {
				t.Errorf("record %d: full sub-plan %d rows, want %d", i, r.SubPlans[j].Rows, n)
			}
		}
	}
	// Without sub-plans the counts are the same.
	plain, err := workload.Label(context.Background(), db, qs, workload.LabelOptions{})
	testutil.Must(t, err)
	for i := range plain {
		if plain[i].Rows != recs[i].Rows || plain[i].SubPlans != nil {
			t.Errorf("record %d: plain %+v vs %d", i, plain[i], recs[i].Rows)
		}
	}
}

// TestLabelErrors checks that a bad query fails the run with its index.
func TestLabelErrors(t *testing.T) {
	db := testutil.Flights(t)
	good, err := features.Parse(db.Schema, "SELECT * FROM flights WHERE delay > 0")
	testutil.Must(t, err)
	bad := *good
	bad.Joins = []features.Join{{Left: 0, Right: 3}}
	qs := []*features.Query{good, good, &bad, good}
	_, err = workload.Label(context.Background(), db, qs, workload.LabelOptions{Workers: 2})
	if !errors.Is(err, engine.ErrBadQuery) || !strings.Contains(err.Error(), "query 2") {
		t.Errorf("got %v, want ErrBadQuery at query 2", err)
	}
	if _, err := workload.Label(context.Background(), db, qs, workload.LabelOptions{Workers: -1}); !errors.Is(err, workload.ErrOptions) {
		t.Errorf("negative workers: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := workload.Label(ctx, db, qs[:2], workload.LabelOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
