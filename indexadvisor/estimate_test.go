package indexadvisor

import (
	"testing"

	"github.com/cardinaldb/cardinal/estimator"
)

// TestEqualityAtTheServersEstimate: an equality on a nearly unique column
// whose value no sampled row holds (ecommerce scale 2: 200,000 orders,
// 10,000 sampled) is estimated at the histogram's count, about one order,
// as MariaDB's records_in_range finds it, not at the sample's zero-hit
// half row (10 orders). At a few orders the server drives the join to
// order_items from the ref through the covering orders(total) with a BNL
// join buffer (bnl.go), which lifts the blind plan (f ALL, then d eq_ref
// per item: on TPC-H SF1 4,055 -> 466 ms, estimate.go); at 10 it keeps
// the blind plan.
func TestEqualityAtTheServersEstimate(t *testing.T) {
	if testing.Short() {
		t.Skip("generates ecommerce at scale 2")
	}
	db, cat := ecommerceData(t, 2)
	orders := cat.Schema.TableIndex("orders")
	total := cat.Schema.Tables[orders].ColumnIndex("total")
	col := db.Table("orders").Cols[total]
	sampled := map[float64]bool{}
	for _, d := range cat.Stats[orders].Sample[total] {
		sampled[d.F] = true
	}
	count := map[float64]int{}
	for i := range col.Len() {
		count[col.Floats[i]]++
	}
	v := ""
	for i := range col.Len() {
		if f := col.Floats[i]; count[f] == 1 && !sampled[f] {
			v = col.Datum(i).Format(col.Type)
			break
		}
	}
	if v == "" {
		t.Fatal("no order total held by one unsampled order")
	}
	text := "SELECT COUNT(*) FROM order_items f JOIN orders d ON f.order_id = d.id WHERE d.total = " + v + ";"
	ix := &Index{Table: orders, Columns: []int{total}}
	for _, tc := range []struct {
		est    estimator.Estimator
		lo, hi float64 // the estimate of the filter
		lifted bool    // orders(total) lifts the blind plan
	}{
		{nil, 0.5, 3, true},
		{estimator.NewSample(cat), 9.5, 10.5, false},
	} {
		w, err := NewWorkload(cat.Schema, flightsStatements(t, text))
		if err != nil {
			t.Fatal(err)
		}
		a, err := newAdvisor(w, Options{Catalog: cat, Estimator: tc.est})
		if err != nil {
			t.Fatal(err)
		}
		var o *occ
		for _, oi := range a.stmtOccs[0] {
			if a.occs[oi].table == orders {
				o = a.occs[oi]
			}
		}
		rows := o.selAll * a.tables[orders].rows
		base, with := stmtCost(a, 0), stmtCost(a, 0, ix)
		t.Logf("%s: total = %s estimated at %.1f orders; cost %.0f without, %.0f with orders(total)", a.est.Name(), v, rows, base, with)
		if rows < tc.lo || rows > tc.hi {
			t.Errorf("%T: total = %s estimated at %.1f orders, want %.1f-%.1f", a.est, v, rows, tc.lo, tc.hi)
		}
		if lifted := with < 0.75*base; lifted != tc.lifted {
			t.Errorf("%T: orders(total) %.0f against %.0f without: lifted %v, want %v", a.est, with, base, lifted, tc.lifted)
		}
	}
}
