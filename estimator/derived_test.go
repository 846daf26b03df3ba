package estimator

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
)

// derivedQueries are queries with grouped derived tables and CTEs on the
// flights data, in the shapes of TPC-H Q13 (grouped again by a COUNT
// column) and Q15 (a CTE joined on its key, its extremum in a scalar
// subquery), with the largest q-error each estimator may make on them.
var derivedQueries = []struct {
	sql       string
	maxQError float64
}{
	{"SELECT * FROM (SELECT origin, COUNT(*) AS n FROM flights GROUP BY origin) AS d", 2},
	{"SELECT n, COUNT(*) FROM (SELECT a.iata, COUNT(f.id) AS n FROM airports a LEFT JOIN flights f ON f.origin = a.iata AND f.delay > 10 GROUP BY a.iata) AS d GROUP BY n", 2},
	{"WITH r (o, total) AS (SELECT origin, SUM(delay) FROM flights WHERE delay > 0 GROUP BY origin) SELECT * FROM airports a, r WHERE a.iata = o AND total = (SELECT MAX(total) FROM r)", 1.5},
	{"SELECT * FROM airports a JOIN (SELECT origin, AVG(delay) AS avg_delay FROM flights GROUP BY origin) AS d ON d.origin = a.iata WHERE d.avg_delay > 5", 4},
	{"SELECT * FROM (SELECT origin, destination, COUNT(*) AS n FROM flights GROUP BY origin, destination HAVING COUNT(*) >= 2) AS d WHERE d.n < 50", 10},
	{"SELECT * FROM flights f, (SELECT MAX(delay) AS m FROM flights) AS d WHERE f.delay = d.m", 3},
	{"SELECT * FROM airports a LEFT JOIN (SELECT origin, COUNT(*) AS n FROM flights GROUP BY origin) AS d ON d.origin = a.iata AND d.n > 5 WHERE a.state = 'CA'", 3},
	{"SELECT * FROM (SELECT n, COUNT(*) AS c FROM (SELECT origin, COUNT(*) AS n FROM flights GROUP BY origin) AS x GROUP BY n) AS y WHERE y.c > 1", 10},
}

// TestDerivedEstimates checks that every estimator estimates queries with
// derived relations (no refusal): finite, inside its band, within the
// listed q-error of the engine's true count; rows and groups of the
// enclosing query, and every sub-plan; malformed relations are ErrQuery.
func TestDerivedEstimates(t *testing.T) {
	db, cat, g := smallModel(t)
	c := engine.New(db, engine.Options{})
	ests := []Estimator{NewHistogram(cat), NewSample(cat), g}
	groups := NewDistinctGroups(cat, g)
	var report strings.Builder
	for _, dq := range derivedQueries {
		q, err := features.Parse(db.Schema, dq.sql)
		if err != nil {
			t.Fatalf("%s: %v", dq.sql, err)
		}
		truth, err := c.CountGroups(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", dq.sql, err)
		}
		fmt.Fprintf(&report, "%s\n  true rows %d groups %d\n", dq.sql, truth.Rows, truth.Groups)
		for _, m := range ests {
			e, err := m.Estimate(q)
			if err != nil {
				t.Errorf("%s: %s: %v", dq.sql, m.Name(), err)
				continue
			}
			qe := QError(e.Rows, float64(truth.Rows))
			fmt.Fprintf(&report, "  %-9s %.4g [%.4g, %.4g] q-error %.3g (%s)\n", m.Name(), e.Rows, e.Low, e.High, qe, e.Source)
			switch {
			case math.IsNaN(e.Rows) || math.IsInf(e.High, 0) || e.Low > e.Rows || e.Rows > e.High:
				t.Errorf("%s: %s: estimate %+v is not finite inside its band", dq.sql, m.Name(), e)
			case qe > dq.maxQError:
				t.Errorf("%s: %s: q-error %.3g > %v (estimate %.4g, true %d)", dq.sql, m.Name(), qe, dq.maxQError, e.Rows, truth.Rows)
			case e.Source == "":
				t.Errorf("%s: %s: no source", dq.sql, m.Name())
			}
			sp, err := EstimateSubPlans(m, q)
			if err != nil || len(sp) == 0 {
				t.Errorf("%s: %s: sub-plans: %v", dq.sql, m.Name(), err)
			}
		}
		if q.Grouped() {
			ge, err := groups.EstimateGroups(q)
			if err != nil {
				t.Errorf("%s: groups: %v", dq.sql, err)
				continue
			}
			fmt.Fprintf(&report, "  groups    %.4g [%.4g, %.4g] q-error %.3g\n", ge.Groups, ge.Low, ge.High, QError(ge.Groups, float64(truth.Groups)))
			if ge.Low > ge.Groups || ge.Groups > ge.High || QError(ge.Groups, float64(truth.Groups)) > 5 {
				t.Errorf("%s: groups %+v, true %d", dq.sql, ge, truth.Groups)
			}
		}
		if _, err := Explain(g, q); err != nil {
			t.Errorf("%s: Explain: %v", dq.sql, err)
		}
	}
	t.Log("\n" + report.String())
	derivedErrors(t, db, cat)
	// A workload with a derived query trains: the learned models leave it
	// out as they leave residual filters out.
	q, err := features.Parse(db.Schema, derivedQueries[1].sql)
	if err != nil {
		t.Fatal(err)
	}
	truth, err := c.CountGroups(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	train := examples(t, db.Schema, labelled(t, db, 100, 2, 13, true))
	train = append(train, Example{Query: q, Rows: float64(truth.Rows), Groups: float64(truth.Groups)})
	if _, err := TrainGBDT(context.Background(), cat, train, GBDTOptions{Seed: 3, Trees: 5, Leaves: 7}); err != nil {
		t.Errorf("training with a derived query: %v", err)
	}
	if ge := GroupExamples(train); len(ge) > 0 && ge[len(ge)-1].Query == q {
		t.Error("GroupExamples keeps a derived query")
	}
}

// derivedErrors: a query with derived relations whose relation is
// malformed, or whose occurrence is out of range, is ErrQuery.
func derivedErrors(t *testing.T, db *datasets.DB, cat *catalog.Catalog) {
	q, err := features.Parse(db.Schema, derivedQueries[2].sql)
	if err != nil {
		t.Fatal(err)
	}
	h := NewHistogram(cat)
	bad := *q
	bad.Derived = append([]features.DerivedRel(nil), q.Derived...)
	bad.Derived[0].Cols = nil
	if _, err := h.Estimate(&bad); !errors.Is(err, ErrQuery) {
		t.Errorf("malformed relation: %v, want ErrQuery", err)
	}
	gq, err := features.Parse(db.Schema, derivedQueries[1].sql)
	if err != nil {
		t.Fatal(err)
	}
	gbad := *gq
	gbad.Derived = append([]features.DerivedRel(nil), gq.Derived...)
	gbad.Derived[0].Table = 0 // a base table
	if _, err := NewDistinctGroups(cat, h).EstimateGroups(&gbad); !errors.Is(err, ErrQuery) || errors.Is(err, ErrNotGrouped) {
		t.Errorf("malformed relation, groups: %v, want ErrQuery", err)
	}
	moved := *q
	moved.Tables = append(moved.Tables[:0:0], q.Tables...)
	moved.Tables[0].Table = len(q.Schema.Tables)
	if _, err := h.Estimate(&moved); !errors.Is(err, ErrQuery) {
		t.Errorf("table out of range: %v, want ErrQuery", err)
	}
}
