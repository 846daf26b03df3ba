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

// bruteGroups counts the rows and the output groups of a grouping query by
// materialising every tuple of FROM + WHERE (refEval: nested loops, outer
// joins NULL-extended, subqueries tested row by row) into a map keyed by
// the rendered key values; it shares no code with the engine.
func bruteGroups(t testing.TB, db *datasets.DB, q *features.Query) engine.GroupCount {
	gr := newRefGrouper(q.Group)
	var rows int64
	ref := &refEval{t: t, db: db, sub: map[*features.Subquery][][]int{}}
	for _, bound := range ref.tuples(q) {
		rows++
		gr.add(nil, func(table, col int) catalog.Datum { return ref.cell(q, bound, table, col) })
	}
	var out int64
	for _, a := range gr.result() {
		if gr.passes(a) {
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

// TestGroupsDistinctStarDerived: SELECT DISTINCT * over a flattened
// derived table counts the groups of the columns the derived table
// selects, as the same query without it does (the server's answer), not
// the rows of its tables (220 origins, not 20,000 flights).
func TestGroupsDistinctStarDerived(t *testing.T) {
	db := testutil.Flights(t)
	c := engine.New(db, engine.Options{})
	for _, p := range [][2]string{
		{"SELECT DISTINCT * FROM (SELECT origin FROM flights) d", "SELECT DISTINCT origin FROM flights"},
		{"SELECT DISTINCT d.* FROM (SELECT f.origin, f.destination FROM flights f WHERE f.delay > 30) d",
			"SELECT DISTINCT origin, destination FROM flights WHERE delay > 30"},
		{"SELECT DISTINCT *, a.state FROM (SELECT f.origin FROM flights f) d JOIN airports a ON a.iata = d.origin",
			"SELECT DISTINCT f.origin, a.state FROM flights f JOIN airports a ON a.iata = f.origin"},
	} {
		var got [2]engine.GroupCount
		for i, sql := range p {
			q, err := features.Parse(db.Schema, sql)
			testutil.Must(t, err)
			got[i], err = c.CountGroups(context.Background(), q)
			testutil.Must(t, err)
		}
		if got[0] != got[1] || got[1].Groups >= got[1].Rows {
			t.Errorf("%s: %+v; %s: %+v", p[0], got[0], p[1], got[1])
		}
	}
}
