package workload_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// TestAddGroupingFlights checks a grouped flights workload: every kind of
// grouping occurs, the SQL round-trips to the same grouping, and the
// labels carry the engine's rows and groups.
func TestAddGroupingFlights(t *testing.T) {
	ctx := context.Background()
	db := testutil.Flights(t)
	g := workload.JoinGraphFromSchema(db.Schema)
	qs, err := workload.Generate(ctx, db, g, workload.Options{Queries: 300, MaxJoins: 2}, rand.New(rand.NewPCG(3, 3)))
	testutil.Must(t, err)
	testutil.Must(t, workload.AddGrouping(db, qs, workload.GroupingOptions{Fraction: 0.8}, rand.New(rand.NewPCG(4, 4))))
	var grouped, distinct, having, fn, multi int
	for _, q := range qs {
		if !q.Grouped() {
			continue
		}
		grouped++
		if q.Group.Distinct {
			distinct++
		}
		if q.Group.Having != nil {
			having++
		}
		if len(q.Group.Keys) > 1 {
			multi++
		}
		for _, k := range q.Group.Keys {
			if k.Func != features.KeyColumn {
				fn++
			}
		}
		back, err := features.Parse(db.Schema, q.SQL())
		if err != nil {
			t.Fatalf("%s: %v", q.SQL(), err)
		}
		if !reflect.DeepEqual(back.Group, q.Group) {
			t.Errorf("%s: grouping changed in the round trip", q.SQL())
		}
	}
	if grouped < 200 || distinct == 0 || having == 0 || fn == 0 || multi == 0 {
		t.Errorf("grouped %d, distinct %d, having %d, key functions %d, multi-key %d", grouped, distinct, having, fn, multi)
	}
	recs, err := workload.Label(ctx, db, qs[:60], workload.LabelOptions{})
	testutil.Must(t, err)
	c := engine.New(db, engine.Options{})
	for i, r := range recs {
		gc, err := c.CountGroups(ctx, qs[i])
		testutil.Must(t, err)
		if r.Rows != gc.Rows || (qs[i].Grouped() != (r.Groups != nil)) || (r.Groups != nil && *r.Groups != gc.Groups) {
			t.Errorf("%s: record rows %d groups %v, engine %+v", r.SQL, r.Rows, r.Groups, gc)
		}
	}
	if err := workload.AddGrouping(db, qs, workload.GroupingOptions{Having: 2}, rand.New(rand.NewPCG(1, 1))); !errors.Is(err, workload.ErrOptions) {
		t.Errorf("Having 2: %v", err)
	}
}
