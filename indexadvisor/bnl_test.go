package indexadvisor

import "testing"

// TestBNLChargeOfASeenDrivingFilter: on ecommerce scale 2, the join of
// order_items to the orders of one rare status (about 650 orders) is
// planned, without indexes, from order_items with an eq_ref lookup per
// item; with orders(status) alone MariaDB drives from the index and
// compares every item with every buffered order (bnl.go: measured on
// scale 10 with orders(shipped_date, customer_id), 5.6 s -> past 20 s).
// The model must predict that slowdown, and no slowdown once
// order_items(order_id) is there too.
func TestBNLChargeOfASeenDrivingFilter(t *testing.T) {
	if testing.Short() {
		t.Skip("generates ecommerce at scale 2")
	}
	cat := ecommerce2(t)
	a := testAdvisor(t, cat, "SELECT COUNT(*) FROM order_items f JOIN orders d ON f.order_id = d.id WHERE d.status = 'processing';")
	if len(a.stmtOccs[0]) != 2 || len(a.bnlInners[a.stmtOccs[0][0]]) != 1 {
		t.Fatalf("the orders occurrence does not drive a BNL-charged join: %d occurrences, probes %v",
			len(a.stmtOccs[0]), a.occs[a.stmtOccs[0][len(a.stmtOccs[0])-1]].probes)
	}
	status, orderID := singleCandidate(t, a, "orders", "status"), singleCandidate(t, a, "order_items", "order_id")
	cost := func(ixs ...*Index) float64 { return stmtCost(a, 0, ixs...) }
	base, withStatus, both := cost(), cost(status), cost(status, orderID)
	t.Logf("outer rows %.0f", a.occs[a.stmtOccs[0][1]].probes)
	t.Logf("estimated cost: %.0f without, %.0f with orders(status), %.0f with order_items(order_id) too", base, withStatus, both)
	if !slower(withStatus, base) {
		t.Errorf("orders(status) alone: %.0f against %.0f without: the BNL join it leads the server into is not predicted", withStatus, base)
	}
	if !(both < base/10) {
		t.Errorf("orders(status) and order_items(order_id): %.0f against %.0f without: want a lookup join, far cheaper", both, base)
	}
	c := a.newConfig()
	if g := c.gainAdd(status); g >= 0 {
		t.Errorf("gainAdd(orders(status)) = %.0f: want a loss", g)
	}
	c.move(nil, status)
	if g := c.gainAdd(orderID); !(g > cost(status)-both-1) {
		t.Errorf("gainAdd(order_items(order_id)) beside orders(status) = %.0f: want at least the statement's saving %.0f", g, cost(status)-both)
	}
}
