package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// TestSubqueryHavingTPCH counts TPC-H Q18's semi-join, o_orderkey IN
// (SELECT l_orderkey ... GROUP BY l_orderkey HAVING SUM(l_quantity) > t),
// and checks it against the orders whose lineitems' quantities, summed
// here by a plain loop over the columns, pass t.
func TestSubqueryHavingTPCH(t *testing.T) {
	db := testutil.TPCH(t)
	li, ord := db.Table("lineitem"), db.Table("orders")
	key, qty := li.Def.ColumnIndex("l_orderkey"), li.Def.ColumnIndex("l_quantity")
	sums := map[int64]float64{}
	for r := 0; r < li.Rows; r++ {
		q := li.Cols[qty]
		v := float64(0)
		if q.Floats != nil {
			v = q.Floats[r]
		} else {
			v = float64(q.Ints[r])
		}
		sums[li.Cols[key].Ints[r]] += v
	}
	for _, tc := range []struct {
		threshold string
		want      float64
	}{{"200", 200}, {"250", 250}, {"300", 300}} {
		var orders, items int64
		for r := 0; r < li.Rows; r++ {
			if sums[li.Cols[key].Ints[r]] > tc.want {
				items++
			}
		}
		for r := 0; r < ord.Rows; r++ {
			if sums[ord.Cols[ord.Def.ColumnIndex("o_orderkey")].Ints[r]] > tc.want {
				orders++
			}
		}
		if orders == 0 {
			t.Fatalf("threshold %s: no order passes; the test would not test", tc.threshold)
		}
		for sql, want := range map[string]int64{
			"SELECT * FROM orders WHERE o_orderkey IN (SELECT l_orderkey FROM lineitem GROUP BY l_orderkey HAVING SUM(l_quantity) > " + tc.threshold + ")":                                       orders,
			"SELECT * FROM orders, lineitem WHERE o_orderkey = l_orderkey AND o_orderkey IN (SELECT l_orderkey FROM lineitem GROUP BY l_orderkey HAVING SUM(l_quantity) > " + tc.threshold + ")": items,
			"SELECT * FROM orders WHERE o_orderkey NOT IN (SELECT l_orderkey FROM lineitem GROUP BY l_orderkey HAVING SUM(l_quantity) > " + tc.threshold + ")":                                   int64(ord.Rows) - orders,
			"SELECT * FROM orders WHERE EXISTS (SELECT * FROM lineitem WHERE l_orderkey = o_orderkey GROUP BY l_orderkey HAVING SUM(l_quantity) > " + tc.threshold + ")":                         orders,
			"SELECT * FROM orders WHERE EXISTS (SELECT * FROM lineitem WHERE l_orderkey = o_orderkey HAVING SUM(l_quantity) > " + tc.threshold + ")":                                             orders,
		} {
			q, err := features.Parse(db.Schema, sql)
			testutil.Must(t, err)
			n, err := Count(context.Background(), db, q)
			if err != nil || n != want {
				t.Errorf("%s: %d, %v; want %d", sql, n, err, want)
			}
		}
	}
}

// TestSubqueryHavingRefused: the subquery shapes with HAVING the engine
// does not count say so.
func TestSubqueryHavingRefused(t *testing.T) {
	db := testutil.TPCH(t)
	for _, sql := range []string{
		// The IN column is no grouping key: one arbitrary value per group.
		"SELECT * FROM orders WHERE o_custkey IN (SELECT l_suppkey FROM lineitem GROUP BY l_orderkey HAVING SUM(l_quantity) > 300)",
		// An empty correlated group passes HAVING COUNT(*) = 0.
		"SELECT * FROM orders WHERE EXISTS (SELECT * FROM lineitem WHERE l_orderkey = o_orderkey HAVING COUNT(*) = 0)",
		// A <> correlation with HAVING.
		"SELECT * FROM lineitem l1 WHERE EXISTS (SELECT * FROM lineitem l2 WHERE l2.l_orderkey = l1.l_orderkey AND l2.l_suppkey <> l1.l_suppkey GROUP BY l2.l_orderkey HAVING COUNT(*) > 2)",
		// A key on another table than the correlated one.
		"SELECT * FROM orders WHERE EXISTS (SELECT * FROM lineitem, part WHERE l_orderkey = o_orderkey AND l_partkey = p_partkey GROUP BY p_brand HAVING COUNT(*) > 1)",
	} {
		q, err := features.Parse(db.Schema, sql)
		if err != nil {
			t.Errorf("%s: not parsed (%v)", sql, err)
			continue
		}
		if n, err := Count(context.Background(), db, q); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: count %d, err %v; want ErrUnsupported", sql, n, err)
		}
	}
	// Grouping without HAVING does not change IN's values: counted.
	q, err := features.Parse(db.Schema, "SELECT COUNT(*) FROM orders WHERE o_orderkey IN (SELECT l_orderkey FROM lineitem GROUP BY l_orderkey)")
	if err != nil {
		t.Fatal(err)
	}
	n, err := Count(context.Background(), db, q)
	if err != nil || n != int64(db.Table("orders").Rows) {
		t.Errorf("IN (SELECT ... GROUP BY): %d, %v; want every order (%d)", n, err, db.Table("orders").Rows)
	}
}
