package indexadvisor

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
)

var ecommerceOnce [11]dataOnce

// ecommerce1 is the catalog of ecommerce at scale 1 (300k order items),
// built once per test binary.
func ecommerce1(t testing.TB) *catalog.Catalog { return ecommerceAt(t, 1) }

// ecommerce2 is the catalog of ecommerce at scale 2 (600k order items),
// built once per test binary.
func ecommerce2(t testing.TB) *catalog.Catalog { return ecommerceAt(t, 2) }

// ecommerceAt is the catalog of ecommerce (seed 1) at scale 1 or 2.
func ecommerceAt(t testing.TB, scale int) *catalog.Catalog {
	t.Helper()
	_, cat := ecommerceData(t, scale)
	return cat
}

// ecommerceData is ecommerce (seed 1) at scale 1, 2 or 10 and its
// catalog, generated once per test binary. Scale 10 is the data the
// evaluations on MariaDB load (cardinal_ecommerce_ixadv_s10).
func ecommerceData(t testing.TB, scale int) (*datasets.DB, *catalog.Catalog) {
	t.Helper()
	return ecommerceOnce[scale].get(t, func() (*datasets.DB, error) {
		return datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: float64(scale), Seed: 1})
	})
}

// orderTrapWorkload: unit_price ranges make an index led by unit_price
// worthwhile; the equality on order_id (about 100k values) ordered by
// unit_price with a LIMIT is the ORDER BY ... LIMIT trap measured at scale
// 10 (README, index advice): a server that believes the filter's estimate
// (the sample estimator puts an order_id it did not sample at about one
// row in its sample, 10x the truth) walks the unit_price index backwards
// with a row lookup per entry hoping to meet a match soon, and reads
// the whole index.
const orderTrapWorkload = `
SELECT unit_price, id FROM order_items WHERE unit_price BETWEEN 20 AND 21;
SELECT unit_price, id FROM order_items WHERE unit_price BETWEEN 50 AND 52;
SELECT unit_price, id FROM order_items WHERE unit_price BETWEEN 7 AND 7.5;
SELECT * FROM order_items WHERE order_id = 88285 ORDER BY unit_price DESC LIMIT 1;
`

// TestServerPlansSeeOrderByLimitTrap: with room for one index, the
// selection priced at cheapest plans (Options.CheapestPlan) takes the
// unit_price index, and priced at the plans a server-like optimizer picks
// the what-if model predicts that configuration makes the ORDER BY ...
// LIMIT statement more than 10% dearer; the default selection (server
// plans) does not.
func TestServerPlansSeeOrderByLimitTrap(t *testing.T) {
	cat := ecommerce1(t)
	w, err := NewWorkload(cat.Schema, flightsStatements(t, orderTrapWorkload))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := newAdvisor(w, Options{Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	cands := a.candidates()
	trap := len(w.Statements) - 1
	ti := cat.Schema.TableIndex("order_items")
	a.opts.Budget = 1.5 * a.size(&Index{Table: ti, Columns: []int{cat.Schema.Tables[ti].ColumnIndex("unit_price")}})
	slowdown := func(cheapest bool) (float64, []string) {
		a.opts.CheapestPlan = cheapest
		c, _, _, err := a.selectIndexes(ctx, cands)
		a.opts.CheapestPlan = false
		if err != nil {
			t.Fatal(err)
		}
		priced := a.newConfig()
		var labels []string
		for tb, ixs := range c.chosen {
			priced.chosen[tb] = ixs
			priced.refresh(tb)
			for _, ix := range ixs {
				labels = append(labels, a.label(ix))
			}
		}
		worst := 0.0
		for _, oi := range a.stmtOccs[trap] {
			worst = max(worst, priced.cur[oi].cost/priced.orig[oi])
		}
		return worst, labels
	}
	cheap, cheapIxs := slowdown(true)
	def, defIxs := slowdown(false)
	t.Logf("cheapest plans: %v, trap statement x%.2f; server plans: %v, x%.2f", cheapIxs, cheap, defIxs, def)
	if cheap <= RegressionThreshold {
		t.Errorf("the cheapest-plan selection %v is not predicted to slow the ORDER BY ... LIMIT statement (x%.2f): the test no longer sets the trap", cheapIxs, cheap)
	}
	if def > RegressionThreshold {
		t.Errorf("the default selection %v slows the ORDER BY ... LIMIT statement x%.2f (estimated)", defIxs, def)
	}
}

// TestGroupByTrapNeedsAnUnseenFilter: an index led by the GROUP BY
// column lures MariaDB into walking it with a lookup per entry when the
// filter is on a column no index leads with (measured at scale 1: WHERE
// unit_price BETWEEN ... GROUP BY order_id, 0.23-0.62 s without
// order_items(order_id), 1.15-1.82 s with; README, index advice), since
// it believes every row reaches the temporary table. A filter on the
// primary key is estimated, and the server keeps its range (ecommerce
// seed 10, #42 beside order_items(order_id), measured: no slowdown).
func TestGroupByTrapNeedsAnUnseenFilter(t *testing.T) {
	cat := ecommerce1(t)
	a := testAdvisor(t, cat, `SELECT order_id, COUNT(*) FROM order_items WHERE unit_price BETWEEN 20 AND 21 GROUP BY order_id;
SELECT order_id, COUNT(*) FROM order_items WHERE id BETWEEN 100000 AND 109000 GROUP BY order_id;
`)
	ti := cat.Schema.TableIndex("order_items")
	var orderID *Index
	for _, ix := range a.candidates() {
		if ix.Table == ti && slices.Equal(ix.Columns, []int{cat.Schema.Tables[ti].ColumnIndex("order_id")}) {
			orderID = ix
		}
	}
	if orderID == nil {
		t.Fatal("no order_items(order_id) candidate")
	}
	c := a.newConfig()
	m := c.picks(orderID)
	for k, oi := range a.byTable[ti] {
		o := a.occs[oi]
		takes := c.better(m[k], c.cur[oi])
		t.Logf("#%d: seen selectivity %.4f; server view %.0f now, %.0f through order_items(order_id): takes it %v",
			o.stmt, o.seenSel, c.cur[oi].srv, m[k].srv, takes)
		if want := o.stmt == 0; takes != want {
			t.Errorf("#%d: the server-like optimizer takes order_items(order_id): %v, want %v", o.stmt, takes, want)
		}
	}
}

// TestInnoDBRangeEstimate: the server's view of an index range counts
// rows as InnoDB's records_in_range does (innodbRangeDoubling). On
// ecommerce (scale 1) the most ordered product's equality reads a share
// of order_items that a server believing the true count would fetch
// through order_items(product_id) with a row lookup each, where the
// model's own cost (costLookup) is dearer than the scan: a predicted
// regression. MariaDB believes twice the count and keeps the scan
// (measured at scale 10, development seed 9's #1: 592,956 estimated
// against 285,317 rows, 501 ms with and without the index), so the
// selection must not predict one. A narrow range (one leaf page) is
// counted as it is.
func TestInnoDBRangeEstimate(t *testing.T) {
	cat := ecommerce1(t)
	ti := cat.Schema.TableIndex("order_items")
	pcol := cat.Schema.Tables[ti].ColumnIndex("product_id")
	mcvs := cat.Stats[ti].Columns[pcol].MCVs
	if len(mcvs) == 0 {
		t.Fatal("no most common product_id")
	}
	hot := mcvs[0]
	a := testAdvisor(t, cat, fmt.Sprintf("SELECT quantity, product_id FROM order_items WHERE product_id BETWEEN %d AND %d;", hot.Value.I, hot.Value.I))
	o := a.occs[0]
	ix := &Index{Table: ti, Columns: []int{pcol}}
	p, ok := a.access(o, ix)
	if !ok {
		t.Fatal("product_id index cannot serve the equality")
	}
	full := a.fullScan(o)
	t.Logf("product_id = %d: %.1f%% of the rows; cost %.0f (scan %.0f), server %.0f (scan %.0f)", hot.Value.I, 100*hot.Freq, p.cost, full.cost, a.serverChoice(o, p), a.serverChoice(o, full))
	if p.cost <= full.cost*RegressionThreshold {
		t.Fatalf("the index read costs %.0f against the scan's %.0f: no trap to avoid", p.cost, full.cost)
	}
	if a.serverChoice(o, p) <= a.serverChoice(o, full) {
		t.Errorf("the server's view takes the index (%.0f against the scan's %.0f)", a.serverChoice(o, p), a.serverChoice(o, full))
	}
	c := a.newConfig()
	c.chosen[ti] = []*Index{ix}
	c.refresh(ti)
	if c.regressed() != 0 {
		t.Errorf("order_items(product_id) predicted to slow the hot product's lookup down")
	}
	tr := &a.tables[ti]
	entry := tr.entryBytes(ix)
	if got := innodbRangeRows(100, entry, tr.rows); got != 100 {
		t.Errorf("100 entries (one leaf page) estimated %v", got)
	}
	if got := innodbRangeRows(285317, entry, 2992528); got != 2*285317 {
		t.Errorf("285,317 of 2,992,528 entries estimated %v, InnoDB 592,956", got)
	}
}
