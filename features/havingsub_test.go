package features_test

import (
	"testing"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// TestHavingSubRoundTrip: a HAVING threshold subquery renders as SQL that
// parses back to the same SQL; its literals (the multiplier) leave the
// digest unchanged; ResolveHaving leaves the query it resolves unchanged.
func TestHavingSubRoundTrip(t *testing.T) {
	schema := datasets.TPCHSchema(true)
	q11 := func(scale string) string {
		return `select ps_partkey, sum(ps_supplycost * ps_availqty) as value from partsupp, supplier, nation
		where ps_suppkey = s_suppkey and s_nationkey = n_nationkey and n_name = 'MOZAMBIQUE'
		group by ps_partkey having sum(ps_supplycost * ps_availqty) > (
			select sum(ps_supplycost * ps_availqty) * ` + scale + ` from partsupp, supplier, nation
			where ps_suppkey = s_suppkey and s_nationkey = n_nationkey and n_name = 'MOZAMBIQUE')`
	}
	q, err := features.Parse(schema, q11("0.0001"))
	if err != nil {
		t.Fatal(err)
	}
	subs := q.HavingSubs()
	if len(subs) != 1 || subs[0].Scale != 0.0001 || subs[0].Agg.Func != features.AggSum || len(subs[0].Query.Tables) != 3 {
		t.Fatalf("HavingSubs: %+v", subs)
	}
	back, err := features.Parse(schema, q.SQL())
	if err != nil {
		t.Fatalf("%v\n%s", err, q.SQL())
	}
	if back.SQL() != q.SQL() {
		t.Errorf("round trip:\n%s\n%s", q.SQL(), back.SQL())
	}
	other, err := features.Parse(schema, q11("0.5"))
	if err != nil {
		t.Fatal(err)
	}
	if other.Digest() != q.Digest() || other.SQL() == q.SQL() {
		t.Errorf("digest of a changed multiplier: %s vs %s", other.Digest(), q.Digest())
	}
	before := q.SQL()
	r, err := q.ResolveHaving(func(s *features.ScalarSub) (float64, bool, error) { return 42, true, nil })
	if err != nil {
		t.Fatal(err)
	}
	if q.SQL() != before || len(q.HavingSubs()) != 1 || len(r.HavingSubs()) != 0 || r.Group.Having.Values[0] != 42 {
		t.Errorf("ResolveHaving: original %s, resolved %s", q.SQL(), r.SQL())
	}
	// A NULL value makes the comparison UNKNOWN: no group passes.
	r, _ = q.ResolveHaving(func(s *features.ScalarSub) (float64, bool, error) { return 0, false, nil })
	if got := r.Group.Having.Eval(func(int) (float64, bool) { return 1, true }); got != features.Unknown {
		t.Errorf("NULL threshold: %v, want Unknown", got)
	}
}
