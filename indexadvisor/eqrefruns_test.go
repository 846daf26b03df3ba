package indexadvisor

import (
	"math"
	"slices"
	"testing"
)

// TestEqRefRuns: on ecommerce (scale 1, the data of ecommerce1) the blind
// join of order_items to products is read by MariaDB from order_items
// with an eq_ref lookup into products per run of product_id in the order
// the rows arrive (eqrefruns.go). The model's run ratio (runs through a
// covering index over runs in primary key order) is compared with the
// runs counted on the data in each order, within 3x, for indexes that
// gather equal keys ((quantity, product_id), (unit_price, product_id):
// development seed 15's blind joins, 3 s to 0.6-1.1 s on MariaDB) and
// one that scatters them ((product_id, order_id) for the join to orders:
// seed 8's lost-locality trap, 3.6 s to past 10 s). The statement's
// estimated cost must then fall by at least half through the first two
// (before this model it did not move: the lookups were charged per row)
// and rise through the third, which the selection must refuse.
func TestEqRefRuns(t *testing.T) {
	db, cat := ecommerceData(t, 1)
	items := db.Table("order_items")
	ti := cat.Schema.TableIndex("order_items")
	col := func(name string) int { return items.Def.ColumnIndex(name) }
	val := func(c, r int) float64 {
		if items.Cols[c].Floats != nil {
			return items.Cols[c].Floats[r]
		}
		return float64(items.Cols[c].Ints[r])
	}
	// runs counts the runs of key with the rows in the order of cols, then
	// the primary key (row order).
	runs := func(cols []int, key int) float64 {
		order := make([]int, items.Rows)
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(x, y int) int {
			for _, c := range cols {
				if a, b := val(c, x), val(c, y); a != b {
					if a < b {
						return -1
					}
					return 1
				}
			}
			return x - y
		})
		n := 0
		for i, r := range order {
			if i == 0 || val(key, r) != val(key, order[i-1]) {
				n++
			}
		}
		return float64(n)
	}
	const (
		products = "SELECT COUNT(*) FROM order_items f JOIN products d ON f.product_id = d.id WHERE d.brand = 'Verve';\n"
		orders   = "SELECT COUNT(*) FROM order_items f JOIN orders d ON f.order_id = d.id WHERE d.total = 765.31;\n"
	)
	a := testAdvisor(t, cat, products+orders)
	cost := func(si int, ixs ...*Index) float64 { return stmtCost(a, si, ixs...) }
	for _, tc := range []struct {
		si      int
		cols    []string
		key     string
		cheaper bool
	}{
		{0, []string{"quantity", "product_id"}, "product_id", true},
		{0, []string{"unit_price", "product_id"}, "product_id", true},
		{1, []string{"product_id", "order_id"}, "order_id", false},
	} {
		ix := &Index{Table: ti}
		for _, c := range tc.cols {
			ix.Columns = append(ix.Columns, col(c))
		}
		inner := a.stmtOccs[tc.si][1]
		if o := a.occs[inner]; o.table != ti || !slices.Equal(o.joinCols, []int{col(tc.key)}) {
			t.Fatalf("%v: occurrence 1 of statement %d is not order_items joined on %s", tc.cols, tc.si, tc.key)
		}
		n := float64(items.Rows)
		truth := runs(ix.Columns, col(tc.key)) / runs(nil, col(tc.key))
		model := a.runRatio(a.occs[inner], ix, n)
		base, with := cost(tc.si), cost(tc.si, ix)
		t.Logf("order_items(%v), runs of %s: ratio %.3f estimated, %.3f true (%.0f runs in index order, %.0f in primary key order); statement cost %.0f -> %.0f",
			tc.cols, tc.key, model, truth, runs(ix.Columns, col(tc.key)), runs(nil, col(tc.key)), base, with)
		if q := math.Max(model/truth, truth/model); q > 3 {
			t.Errorf("order_items(%v): run ratio %.3f estimated against %.3f true (q-error %.1f, want <= 3)", tc.cols, model, truth, q)
		}
		if tc.cheaper && !(with < base/2) {
			t.Errorf("order_items(%v): statement cost %.0f -> %.0f: want at most half (the lookups are the runs of %s)", tc.cols, base, with, tc.key)
		}
		if !tc.cheaper && !(with > 1.1*base) {
			t.Errorf("order_items(%v): statement cost %.0f -> %.0f: want more than 10%% dearer (the runs of %s in primary key order are lost)", tc.cols, base, with, tc.key)
		}
		// The selection must see that as a regression of the driving
		// occurrence (its blind charge), not only of order_items'.
		if c := a.newConfig(); !tc.cheaper && !c.regresses(nil, ix) {
			t.Errorf("order_items(%v): not a regression for the selection", tc.cols)
		}
	}
}
