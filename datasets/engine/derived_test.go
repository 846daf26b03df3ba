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

// bruteDerived counts a query that reads derived relations without the
// engine: each relation's rows come from the nested-loop reference
// (refEval) grouped in a map, the enclosing query is then counted by
// bruteGroups (or refEval) over the DB extended with those rows.
func bruteDerived(t testing.TB, db *datasets.DB, q *features.Query) engine.GroupCount {
	t.Helper()
	ext := bruteExtend(t, db, q)
	outer := *q
	outer.Derived = nil
	if q.Group != nil {
		return bruteGroups(t, ext, &outer)
	}
	ref := &refEval{t: t, db: ext, sub: map[*features.Subquery][][]int{}}
	n := int64(len(ref.tuples(&outer)))
	return engine.GroupCount{Rows: n, Groups: n}
}

// bruteExtend returns db extended with the rows of q's derived relations
// (nested ones first), computed by brute force.
func bruteExtend(t testing.TB, db *datasets.DB, q *features.Query) *datasets.DB {
	t.Helper()
	ext := datasets.NewDB(q.Schema)
	for i, def := range q.Schema.Tables {
		if q.DerivedOf(i) != nil {
			continue
		}
		ext.Tables[i] = db.Table(def.Name)
	}
	for _, d := range q.Derived {
		in := d.Query
		inDB := db
		if in.HasDerived() {
			inDB = bruteExtend(t, db, in)
		}
		gr := newRefGrouper(in.Group)
		ref := &refEval{t: t, db: inDB, sub: map[*features.Subquery][][]int{}}
		for _, bound := range ref.tuples(in) {
			gr.add(nil, func(table, col int) catalog.Datum { return ref.cell(in, bound, table, col) })
		}
		def := q.Schema.Tables[d.Table]
		tab := datasets.NewTable(def)
		for _, a := range gr.result() {
			agg := func(i int) (float64, bool) { return gr.agg(a, i) }
			if !gr.passes(a) {
				continue
			}
			row := make([]catalog.Datum, len(d.Cols))
			for i, c := range d.Cols {
				if c.Key >= 0 {
					row[i] = a.keys[c.Key]
					continue
				}
				v, ok := agg(c.Agg)
				switch {
				case !ok:
					row[i] = catalog.Null
				case def.Columns[i].Type == catalog.TypeInt:
					row[i] = catalog.Int(int64(v))
				default:
					row[i] = catalog.Float(v)
				}
			}
			testutil.Must(t, tab.AppendRow(row))
		}
		ext.Tables[d.Table] = tab
	}
	return ext
}

// TestDerivedFlights runs testdata/derived.txt ("derived", the SQL,
// "----", the rows of FROM + WHERE and the output groups) on a 300-flight
// cut of the bundled data, checking each against bruteDerived.
func TestDerivedFlights(t *testing.T) {
	db := smallFlights(t, 300)
	c := engine.New(db, engine.Options{})
	datadriven.RunTest(t, filepath.Join("testdata", "derived.txt"), func(t *testing.T, td *datadriven.TestData) string {
		if td.Cmd != "derived" {
			t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
		}
		q, err := features.Parse(db.Schema, td.Input)
		if err != nil {
			t.Fatalf("%s: %v", td.Pos, err)
		}
		if !q.HasDerived() {
			t.Fatalf("%s: no derived relation", td.Pos)
		}
		got, err := c.CountGroups(context.Background(), q)
		if err != nil {
			return "error: " + err.Error()
		}
		if want := bruteDerived(t, db, q); got != want {
			t.Errorf("%s: engine %+v, brute force %+v", td.Input, got, want)
		}
		if n, err := c.Count(context.Background(), q); err != nil || n != got.Rows {
			t.Errorf("%s: Count = %d, %v; CountGroups rows %d", td.Input, n, err, got.Rows)
		}
		return fmt.Sprintf("rows %d groups %d", got.Rows, got.Groups)
	})
}

// TestDerivedShapes checks derived relations over outer joins and
// subqueries (TPC-H Q13's and Q15's shapes) on small e-commerce data
// against bruteDerived, and the rows of a relation (DerivedRows).
func TestDerivedShapes(t *testing.T) {
	db, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.004, Seed: 11})
	testutil.Must(t, err)
	c := engine.New(db, engine.Options{})
	for _, sql := range []string{
		"SELECT n, COUNT(*) FROM (SELECT c.id, COUNT(o.id) AS n FROM customers c LEFT JOIN orders o ON c.id = o.customer_id AND o.status <> 'cancelled' GROUP BY c.id) AS d GROUP BY n",
		"WITH r (cid, total) AS (SELECT o.customer_id, SUM(o.total) FROM orders o WHERE o.total > 20 GROUP BY o.customer_id) SELECT * FROM customers c, r WHERE c.id = cid AND total = (SELECT MAX(total) FROM r)",
		"WITH r (cid, total) AS (SELECT o.customer_id, SUM(o.total) FROM orders o GROUP BY o.customer_id) SELECT * FROM customers c, r WHERE c.id = cid AND total > (SELECT AVG(total) FROM r) AND c.region = 'north_america'",
		"SELECT * FROM customers c WHERE c.id IN (SELECT cid FROM (SELECT o.customer_id AS cid, COUNT(*) AS n FROM orders o GROUP BY o.customer_id HAVING COUNT(*) > 2) AS d)",
		"SELECT d.status, COUNT(*) FROM (SELECT o.customer_id, o.status, AVG(oi.quantity) AS q FROM orders o JOIN order_items oi ON oi.order_id = o.id GROUP BY o.customer_id, o.status) AS d WHERE d.q >= 2 GROUP BY d.status",
		"SELECT * FROM (SELECT MAX(o.total) AS m, COUNT(*) AS n FROM orders o WHERE o.total < 0) AS d",
	} {
		q, err := features.Parse(db.Schema, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		got, err := c.CountGroups(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if want := bruteDerived(t, db, q); got != want {
			t.Errorf("%s: engine %+v, brute force %+v", sql, got, want)
		}
		if got.Rows == 0 {
			t.Logf("%s: no rows", sql)
		}
	}
}
