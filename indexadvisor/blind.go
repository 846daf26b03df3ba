package indexadvisor

import "slices"

// The blind join and what lifts it.
//
// MariaDB 10.11 without histograms (optimizer_use_condition_selectivity=4)
// cannot estimate a filter no index leads with and believes every row of
// the driving table passes. So a join of a filtered small table d to a
// larger table f (f.fk = d.id) is planned from f, a full scan with an
// eq_ref lookup into d per row (costBlindProbe), when f has no index on
// its join column; the driving occurrence pays that (blindCharge).
//
// What lifts it was measured on maria3 (ecommerce scale 10, seed 8,
// load 14-20; README, index advice): an index on the larger table's join
// column does (order_items(order_id) alone took
//
//	SELECT COUNT(*) FROM order_items f JOIN orders d ON f.order_id = d.id
//	WHERE d.total = 765.31
//
// from past 10 s to 0.68 s: d ALL, then f ref per order, the filter
// applied to d's rows before the lookups), and an index that estimates the
// driving filter does not (with orders(total), 9 orders estimated, the
// statement was still planned f ALL then d eq_ref: 3.38 s and 2.71 s
// against 3.14 s and 2.69 s with IGNORE INDEX). Until 2026-12-06 the
// model lifted the charge for any index that estimates the driving
// filter and kept it beside an index on the join column: it credited
// orders(total) with 8.4% of seed 8's workload (measured alone: 1.0%) and
// products(category) with 13.0% (measured 0.02%), and priced the Dexter
// configuration of ecommerce seed 10 at 10% (order_items(product_id),
// orders(customer_id), ...) at 58.2% where it measured 83.2%.
//
// The exception is the equality ref of few rows through a covering index
// that MariaDB drives a join from with a BNL join buffer (bnl.go): there
// the server does drive from d, and the inner occurrence pays every pair
// (its capped BNL cost and bnl.go's excess).

// Not modelled: the blind plan reads the larger table in its primary
// key's order, where its join column follows that order (order items are
// stored with their order), so the eq_ref lookups hit the same pages of
// the driving table; read through another, covering index they are
// random descents (ecommerce seed 8, with order_items(product_id,
// order_id): 46.6 s against 8.1 s with IGNORE INDEX). Charging the larger
// table's secondary-index plans costLookup - costBlindProbe per row
// passed to such a join (tried 2026-12-06 with this file's model)
// collapsed the estimates of ecommerce seeds 3 and 6 at 25% (89.0 ->
// 62.2%, 88.4 -> 27.7%) and measured 24.2% against per-column's 61.9% on
// seed 8 at 10% (main's selection there took the covering index and
// slowed those two statements down past 10 s).

// blindLink is a table joined to a driving occurrence with more rows than
// the driving filter passes, and its join column; rows are the rows of
// that table its scan passes to the lookups: all of them, or those that
// pass the equalities its join columns inherit from the driving filter
// (propagate.go).
type blindLink struct {
	table, col int
	rows       float64
}

// blindCharge is the blind join's cost for driving occurrence oi under c
// (and extra, when not nil) with a plan of state st: an eq_ref lookup per
// row of the largest linked table that has no existing or chosen index
// leading with its join column.
func (c *config) blindCharge(oi int, st bnlState, extra *Index) float64 {
	o := c.a.occs[oi]
	if st == bnlEqDrive && o.selAll*c.a.tables[o.table].rows <= bnlDriveMaxRows {
		return 0
	}
	worst := 0.0
	for _, l := range o.blindBy {
		if l.rows > worst && !c.leadsWith(l.table, l.col, extra) {
			worst = l.rows
		}
	}
	return worst * costBlindProbe
}

// leadsWith reports whether an existing or chosen index of table (or
// extra) leads with column col.
func (c *config) leadsWith(table, col int, extra *Index) bool {
	leads := func(ix *Index) bool {
		return ix != nil && ix.Table == table && len(ix.Columns) > 0 && ix.Columns[0] == col
	}
	return leads(extra) || slices.ContainsFunc(c.a.existing[table], leads) || slices.ContainsFunc(c.chosen[table], leads)
}
