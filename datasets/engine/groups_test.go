package engine_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
	"github.com/cockroachdb/datadriven"
)

// bruteGroups counts the rows and the output groups of a grouping query by
// materialising every tuple of FROM + WHERE (refEval: nested loops, outer
// joins NULL-extended, subqueries tested row by row) into a map keyed by
// the rendered key values; it shares no code with the engine.
func bruteGroups(t testing.TB, db *datasets.DB, q *features.Query) engine.GroupCount {
	g := q.Group
	type acc struct {
		rows       int64
		sum, nn    []float64
		minv, maxv []float64
	}
	groups := map[string]*acc{}
	var rows int64
	newAcc := func() *acc {
		a := &acc{sum: make([]float64, len(g.Aggs)), nn: make([]float64, len(g.Aggs)), minv: make([]float64, len(g.Aggs)), maxv: make([]float64, len(g.Aggs))}
		for i := range a.minv {
			a.minv[i], a.maxv[i] = math.Inf(1), math.Inf(-1)
		}
		return a
	}
	ref := &refEval{t: t, db: db, sub: map[*features.Subquery][][]int{}}
	for _, bound := range ref.tuples(q) {
		rows++
		var key strings.Builder
		for _, k := range g.Keys {
			d := ref.cell(q, bound, k.Table, k.Col)
			switch {
			case d.IsNull():
				key.WriteString("NULL|")
				continue
			case k.Func == features.KeyYear:
				d = catalog.Int(int64(time.Unix(d.I, 0).UTC().Year()))
			case k.Func == features.KeyMonth:
				d = catalog.Int(int64(time.Unix(d.I, 0).UTC().Month()))
			case k.Func == features.KeyDate:
				d = catalog.Int(time.Unix(d.I, 0).UTC().Truncate(24 * time.Hour).Unix())
			case k.Func == features.KeyPrefix:
				if r := []rune(d.S); len(r) > k.N {
					d = catalog.String(string(r[:k.N]))
				}
			}
			if d.Kind == catalog.KindFloat && d.F == 0 {
				d.F = 0
			}
			fmt.Fprintf(&key, "%v|", d)
		}
		a := groups[key.String()]
		if a == nil {
			a = newAcc()
			groups[key.String()] = a
		}
		a.rows++
		for i, ag := range g.Aggs {
			if ag.Arg == nil {
				continue
			}
			v, ok := ag.Arg.Eval(func(c int) (float64, bool) {
				d := ref.cell(q, bound, ag.Table, c)
				switch d.Kind {
				case catalog.KindInt:
					return float64(d.I), true
				case catalog.KindFloat:
					return d.F, true
				case catalog.KindString:
					return 0, true
				}
				return 0, false
			})
			if ok {
				a.sum[i] += v
				a.nn[i]++
				a.minv[i] = min(a.minv[i], v)
				a.maxv[i] = max(a.maxv[i], v)
			}
		}
	}
	if len(g.Keys) == 0 && len(groups) == 0 {
		groups[""] = newAcc()
	}
	var out int64
	for _, a := range groups {
		pass := g.Having.Eval(func(i int) (float64, bool) {
			switch g.Aggs[i].Func {
			case features.AggCount:
				if g.Aggs[i].Arg == nil {
					return float64(a.rows), true
				}
				return a.nn[i], true
			case features.AggSum:
				return a.sum[i], a.nn[i] > 0
			case features.AggAvg:
				return a.sum[i] / a.nn[i], a.nn[i] > 0
			case features.AggMin:
				return a.minv[i], a.nn[i] > 0
			case features.AggMax:
				return a.maxv[i], a.nn[i] > 0
			}
			return 0, false
		})
		if pass == features.True {
			out++
		}
	}
	return engine.GroupCount{Rows: rows, Groups: out}
}

// TestGroupsFlights runs testdata/groups.txt ("groups", the SQL, "----",
// the rows of FROM + WHERE and the output groups) on a 300-flight cut of
// the bundled data, checking each against brute force.
func TestGroupsFlights(t *testing.T) {
	db := smallFlights(t, 300)
	c := engine.New(db, engine.Options{})
	datadriven.RunTest(t, filepath.Join("testdata", "groups.txt"), func(t *testing.T, td *datadriven.TestData) string {
		if td.Cmd != "groups" {
			t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
		}
		q, err := features.Parse(db.Schema, td.Input)
		if err != nil {
			t.Fatalf("%s: %v", td.Pos, err)
		}
		got, err := c.CountGroups(context.Background(), q)
		if err != nil {
			return "error: " + err.Error()
		}
		if q.Group != nil {
			if want := bruteGroups(t, db, q); got != want {
				t.Errorf("%s: engine %+v, brute force %+v", td.Input, got, want)
			}
		}
		if n, err := c.Count(context.Background(), q); err != nil || n != got.Rows {
			t.Errorf("%s: Count = %d, %v; CountGroups rows %d", td.Input, n, err, got.Rows)
		}
		return fmt.Sprintf("rows %d groups %d", got.Rows, got.Groups)
	})
}

// TestGroupsFullFlights checks group counts on the full bundled data
// (20,000 flights) against brute force.
func TestGroupsFullFlights(t *testing.T) {
	db := testutil.Flights(t)
	c := engine.New(db, engine.Options{})
	for _, sql := range []string{
		"SELECT origin, destination FROM flights GROUP BY origin, destination",
		"SELECT a.state, MONTH(f.dep_time), COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata GROUP BY a.state, MONTH(f.dep_time) HAVING COUNT(*) > 20 AND AVG(f.delay) > 5",
		"SELECT DISTINCT a.city, b.state FROM flights f JOIN airports a ON f.origin = a.iata JOIN airports b ON f.destination = b.iata WHERE f.delay > 30",
	} {
		q, err := features.Parse(db.Schema, sql)
		testutil.Must(t, err)
		got, err := c.CountGroups(context.Background(), q)
		testutil.Must(t, err)
		if want := bruteGroups(t, db, q); got != want {
			t.Errorf("%s: got %+v, want %+v", sql, got, want)
		}
	}
}

// TestGroupsShapes checks group counts of queries with outer joins (keys
// and aggregates on the NULL-extended side), semi- and anti-joins and
// scalar subqueries against brute force on small e-commerce data.
func TestGroupsShapes(t *testing.T) {
	db, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.004, Seed: 11})
	testutil.Must(t, err)
	c := engine.New(db, engine.Options{})
	for _, sql := range []string{
		"SELECT c.region, o.status FROM customers c LEFT JOIN orders o ON c.id = o.customer_id AND o.total > 100 GROUP BY c.region, o.status",
		"SELECT c.id FROM customers c LEFT JOIN orders o ON c.id = o.customer_id AND o.status = 'shipped' GROUP BY c.id HAVING COUNT(o.id) = 0",
		"SELECT c.id FROM customers c LEFT JOIN orders o ON c.id = o.customer_id GROUP BY c.id HAVING SUM(o.total) > 300 OR COUNT(*) > 2",
		"SELECT o.status, oi.quantity FROM customers c LEFT JOIN orders o ON c.id = o.customer_id LEFT JOIN order_items oi ON oi.order_id = o.id AND oi.quantity > 2 GROUP BY o.status, oi.quantity",
		"SELECT DISTINCT c.region FROM customers c WHERE EXISTS (SELECT * FROM orders o WHERE o.customer_id = c.id AND o.total > 100)",
		"SELECT c.age, COUNT(*) FROM customers c WHERE NOT EXISTS (SELECT * FROM orders o WHERE o.customer_id = c.id AND o.total > 500) GROUP BY c.age HAVING COUNT(*) >= 2",
		"SELECT o.customer_id FROM orders o, order_items oi WHERE oi.order_id = o.id AND oi.quantity > (SELECT AVG(x.quantity) FROM order_items x) GROUP BY o.customer_id HAVING SUM(oi.quantity * oi.unit_price) > 100",
	} {
		q, err := features.Parse(db.Schema, sql)
		testutil.Must(t, err)
		got, err := c.CountGroups(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		want := bruteGroups(t, db, q)
		if got != want {
			t.Errorf("%s: engine %+v, brute force %+v", sql, got, want)
		}
		if got.Groups == 0 || got.Groups == got.Rows {
			t.Logf("%s: degenerate %+v", sql, got)
		}
	}
}
