package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
	"github.com/cockroachdb/datadriven"
)

// havingTuples is refEval's GROUP BY ... HAVING of a subquery for one
// outer row: the tuples that match the row's correlations (all but the IN
// pair, which compares with the output) are grouped by the subquery's
// keys as SQL says, and the tuples of the groups that pass HAVING are
// returned. It shares no code with the engine.
func (e *refEval) havingTuples(sq *features.Subquery, tuples [][]int, matches func(tu []int, skipIn bool) bool) [][]int {
	sub := sq.Query
	gr := newRefGrouper(sub.Group)
	for _, tu := range tuples {
		if matches(tu, sq.In) {
			gr.add(tu, func(table, col int) catalog.Datum { return e.cell(sub, tu, table, col) })
		}
	}
	var out [][]int
	for _, a := range gr.result() {
		if gr.passes(a) { // an empty group (no keys, no tuples) adds none
			out = append(out, a.tuples...)
		}
	}
	return out
}

// TestSubqueryGroups runs testdata/subgroups.txt ("count", the SQL,
// "----", the rows of FROM + WHERE and the output groups, or the error) on
// small e-commerce data: semi- and anti-joins whose subqueries group and
// filter groups with HAVING, and HAVING thresholds that are scalar
// subqueries. Each count is checked against refEval and bruteGroups.
func TestSubqueryGroups(t *testing.T) {
	db, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.004, Seed: 11})
	testutil.Must(t, err)
	c := engine.New(db, engine.Options{})
	datadriven.RunTest(t, filepath.Join("testdata", "subgroups.txt"), func(t *testing.T, td *datadriven.TestData) string {
		if td.Cmd != "count" {
			t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
		}
		q, err := features.Parse(db.Schema, td.Input)
		if err != nil {
			return "parse error: " + err.Error()
		}
		got, err := c.CountGroups(context.Background(), q)
		if err != nil {
			return "error: " + err.Error()
		}
		ref := &refEval{t: t, db: db, sub: map[*features.Subquery][][]int{}}
		if want := int64(len(ref.tuples(q))); want != got.Rows {
			t.Errorf("%s: engine %d rows, brute force %d", td.Pos, got.Rows, want)
		}
		if q.Group != nil {
			rq, err := q.ResolveHaving(func(s *features.ScalarSub) (float64, bool, error) {
				v, ok := ref.scalar(s)
				return v, ok, nil
			})
			testutil.Must(t, err)
			if want := bruteGroups(t, db, rq); got != want {
				t.Errorf("%s: engine %+v, brute force %+v", td.Pos, got, want)
			}
		}
		return fmt.Sprintf("rows %d groups %d", got.Rows, got.Groups)
	})
}

// scalar is refEval's value of a HAVING threshold subquery: Scale × Agg
// over the tuples of its FROM + WHERE (ok false: NULL).
func (e *refEval) scalar(s *features.ScalarSub) (float64, bool) {
	var sum, mn, mx float64
	var rows, nn int64
	for _, tu := range e.tuples(s.Query) {
		rows++
		if s.Agg.Arg == nil {
			continue
		}
		v, ok := s.Agg.Arg.Eval(func(c int) (float64, bool) { return refNumber(e.cell(s.Query, tu, s.Agg.Table, c)) })
		if !ok {
			continue
		}
		if nn == 0 || v < mn {
			mn = v
		}
		if nn == 0 || v > mx {
			mx = v
		}
		sum += v
		nn++
	}
	var v float64
	switch s.Agg.Func {
	case features.AggCount:
		v = float64(nn)
		if s.Agg.Arg == nil {
			v = float64(rows)
		}
		return s.Scale * v, true
	case features.AggSum:
		v = sum
	case features.AggAvg:
		v = sum / float64(nn)
	case features.AggMin:
		v = mn
	case features.AggMax:
		v = mx
	}
	return s.Scale * v, nn > 0
}
