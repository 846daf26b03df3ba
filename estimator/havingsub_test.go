package estimator

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/tpchqueries"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// TestHavingSubqueriesEstimated: TPC-H Q11 (a HAVING threshold that is a
// scalar subquery) and Q18 (IN a subquery with GROUP BY ... HAVING) get a
// finite estimate inside its band from every kind, for the rows of FROM +
// WHERE and the groups, on TPC-H scale 0.01; HAVING lowers each estimate
// below the same query's without it. The q-errors against the engine's
// counts are logged.
func TestHavingSubqueriesEstimated(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the learned kinds")
	}
	ctx := context.Background()
	db := testutil.TPCH(t)
	cat := flightsCatalog(t, db)
	train := examples(t, db.Schema, labelledShapes(t, db, 300, 2, 0.5, 7, true))
	parse := func(name string) *features.Query {
		q, ok := tpchqueries.ByName(name)
		if !ok {
			t.Fatalf("no %s", name)
		}
		pq, err := features.Parse(db.Schema, q.SQL)
		testutil.Must(t, err)
		return pq
	}
	q11, q18 := parse("q11"), parse("q18")
	// At scale 0.01 no order passes Q18's 314: 200 keeps some.
	q18sql, _ := tpchqueries.ByName("q18")
	q18, err := features.Parse(db.Schema, strings.Replace(q18sql.SQL, "> 314", "> 200", 1))
	testutil.Must(t, err)
	// The same queries without the HAVING under test.
	q11no := *q11
	g11 := *q11.Group
	g11.Having, g11.Aggs = nil, nil
	q11no.Group = &g11
	q18no := *q18
	q18no.Subqueries = append([]features.Subquery(nil), q18.Subqueries...)
	sub := *q18no.Subqueries[0].Query
	sub.Group = nil
	q18no.Subqueries[0].Query = &sub
	c := engine.New(db, engine.Options{})
	truth := map[string]engine.GroupCount{}
	for name, q := range map[string]*features.Query{"q11": q11, "q18": q18} {
		gc, err := c.CountGroups(ctx, q)
		testutil.Must(t, err)
		truth[name] = gc
	}
	for _, kind := range Kinds() {
		m, err := Train(ctx, kind, cat, train, TrainOptions{GBDT: GBDTOptions{Seed: 1, Trees: 60}, SetNet: SetNetOptions{Seed: 1, Epochs: 3}})
		testutil.Must(t, err)
		ge := NewDistinctGroups(cat, m)
		for _, tc := range []struct {
			name       string
			q, without *features.Query
		}{{"q11", q11, &q11no}, {"q18", q18, &q18no}} {
			rows, err := m.Estimate(tc.q)
			if err != nil || !validEstimate(rows) {
				t.Errorf("%s %s rows: %+v, %v", kind, tc.name, rows, err)
				continue
			}
			g, err := ge.EstimateGroups(tc.q)
			if err != nil || !(g.Groups >= 0 && g.Low <= g.Groups && g.Groups <= g.High && !math.IsInf(g.High, 0) && !math.IsNaN(g.Groups)) {
				t.Errorf("%s %s groups: %+v, %v", kind, tc.name, g, err)
				continue
			}
			wr, err := m.Estimate(tc.without)
			testutil.Must(t, err)
			wg, err := ge.EstimateGroups(tc.without)
			testutil.Must(t, err)
			switch tc.name {
			case "q11":
				if !(g.Groups < wg.Groups) || rows.Rows != wr.Rows {
					t.Errorf("%s q11: groups %v (without HAVING %v), rows %v (%v): HAVING's threshold is not estimated", kind, g.Groups, wg.Groups, rows.Rows, wr.Rows)
				}
			case "q18":
				if !(rows.Rows < wr.Rows) {
					t.Errorf("%s q18: rows %v, without the subquery's HAVING %v: its HAVING is not estimated", kind, rows.Rows, wr.Rows)
				}
			}
			tr := truth[tc.name]
			t.Logf("%-9s %s: rows %.0f [%.0f, %.0f] true %d (q-error %.1f); groups %.0f [%.0f, %.0f] true %d (q-error %.1f)",
				kind, tc.name, rows.Rows, rows.Low, rows.High, tr.Rows, QError(rows.Rows, float64(tr.Rows)),
				g.Groups, g.Low, g.High, tr.Groups, QError(g.Groups, float64(tr.Groups)))
		}
	}
}
