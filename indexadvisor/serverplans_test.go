package indexadvisor

import (
	"context"
	"sync"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
)

var ecommerceOnce [3]struct {
	sync.Once
	cat *catalog.Catalog
	err error
}

// ecommerce1 is the catalog of ecommerce at scale 1 (300k order items),
// built once per test binary.
func ecommerce1(t testing.TB) *catalog.Catalog { return ecommerceAt(t, 1) }

// ecommerce2 is the catalog of ecommerce at scale 2 (600k order items),
// built once per test binary.
func ecommerce2(t testing.TB) *catalog.Catalog { return ecommerceAt(t, 2) }

// ecommerceAt is the catalog of ecommerce (seed 1) at scale 1 or 2.
func ecommerceAt(t testing.TB, scale int) *catalog.Catalog {
	t.Helper()
	e := &ecommerceOnce[scale]
	e.Do(func() {
		db, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: float64(scale), Seed: 1})
		if err == nil {
			e.cat, err = db.Catalog(catalog.StatsOptions{}, 1)
		}
		e.err = err
	})
	if e.err != nil {
		t.Fatal(e.err)
	}
	return e.cat
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
