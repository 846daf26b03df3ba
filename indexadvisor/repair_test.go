package indexadvisor

import (
	"context"
	"slices"
	"testing"
)

// repairWorkload: joins of order_items to a few orders make
// order_items(order_id) worth far more than it costs, and the ORDER BY
// order_id ... LIMIT statement filtered on a rare product is the trap it
// sets (the server walks order_id backwards with a row lookup per entry
// until 10 items of that product turn up), as on ecommerce seed 6. The
// product has 60 of the 300k items (estimated 60): MariaDB weighs the
// walk at a row read per entry it expects to read (serverWalkRowCost),
// 10 x 300k / 60 = 50k against the scan's pages and 0.2 a row, and
// takes it; product 936 (53 items, estimated 30), the trap until then,
// would need 100k entries, and the server scans instead.
const repairWorkload = `
SELECT COUNT(*) FROM order_items f JOIN orders d ON f.order_id = d.id WHERE d.order_date BETWEEN '2023-01-01' AND '2023-03-31';
SELECT COUNT(*) FROM order_items f JOIN orders d ON f.order_id = d.id WHERE d.order_date BETWEEN '2023-01-01' AND '2023-03-31';
SELECT COUNT(*) FROM order_items f JOIN orders d ON f.order_id = d.id WHERE d.order_date BETWEEN '2023-01-01' AND '2023-03-31';
SELECT * FROM order_items WHERE order_id = 35070 ORDER BY product_id DESC LIMIT 10;
SELECT * FROM order_items WHERE product_id = 1786 ORDER BY order_id DESC LIMIT 10;
`

// TestRepairRemovesPredictedRegressions: order_items(order_id) alone is
// predicted to slow the ORDER BY ... LIMIT statement down; repair finds
// a configuration that keeps it and slows nothing down, and the default
// recommendation takes an index led by order_id and predicts no
// regression.
func TestRepairRemovesPredictedRegressions(t *testing.T) {
	cat := ecommerce1(t)
	a := testAdvisor(t, cat, repairWorkload)
	ti := cat.Schema.TableIndex("order_items")
	var orderID *Index
	cands := a.candidates()
	for _, ix := range cands {
		if ix.Table == ti && slices.Equal(ix.Columns, []int{cat.Schema.Tables[ti].ColumnIndex("order_id")}) {
			orderID = ix
		}
	}
	if orderID == nil {
		t.Fatal("no order_items(order_id) candidate")
	}
	c := a.newConfig()
	c.chosen[ti] = []*Index{orderID}
	c.refresh(ti)
	if n := c.regressed(); n == 0 {
		t.Fatal("order_items(order_id) alone is not predicted to slow any statement down: the test no longer sets the trap")
	}
	used, ok := c.repair(context.Background(), cands, nil, 0, a.size(orderID))
	var labels []string
	for _, ixs := range c.chosen {
		for _, ix := range ixs {
			labels = append(labels, a.label(ix))
		}
	}
	t.Logf("repaired: %v (%.1f MiB), %d regressions left", labels, used/(1<<20), c.regressed())
	if !ok || c.regressed() != 0 {
		t.Errorf("repair left %d predicted regressions: %v", c.regressed(), labels)
	}
	if !slices.Contains(c.chosen[ti], orderID) {
		t.Errorf("repair dropped order_items(order_id): %v", labels)
	}
	r, err := RecommendIndex(context.Background(), a.w, Options{Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rec := range r.Indexes {
		found = found || (rec.Table == "order_items" && rec.Columns[0] == "order_id")
		if len(rec.Regressions) > 0 {
			t.Errorf("recommended %s(%v) predicted to slow down statements %v", rec.Table, rec.Columns, rec.Regressions)
		}
	}
	if !found {
		t.Errorf("the recommendation does not take an index led by order_items.order_id: %+v", r.Indexes)
	}
}
