package indexadvisor

import (
	"math"
	"slices"

	"github.com/cardinaldb/cardinal/features"
)

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
//
// An index leading with f's join columns lifts the blind join only when
// the server, in its own view, finds the lifted plan cheaper
// (blindLifted): it believes every row of d passes (or as many as an
// index on d's filter estimates), and each then fetches f's rows per key
// of the index. Measured on maria4 (TPC-H SF1, development seed 12's #37,
// optimizer trace, 2026-12-06):
//
//	SELECT COUNT(*) FROM lineitem f JOIN partsupp d
//	  ON f.l_partkey = d.ps_partkey AND f.l_suppkey = d.ps_suppkey
//	WHERE d.ps_availqty = 618
//
// with lineitem(l_partkey) (14 rows a key in InnoDB's statistics, about
// 30 true) the server priced d ALL then f ref at 12.8M against 8.4M for
// f ALL then d eq_ref and kept the blind plan (measured alone past the
// 10 s limit, as without the index), with lineitem(l_partkey, l_suppkey)
// (3 rows a key, 7.5 true, covering) the lifted plan at 1.29M (measured
// alone 155 ms; the oracle's pick at 10%), and with partsupp(ps_availqty)
// beside lineitem(l_partkey) it drove from d's few estimated rows (the
// Dexter configuration at 10%: 14 ms). Until then the model lifted one
// join column's charge for any index leading with it, so no index lifted
// the composite join, and priced lineitem(l_partkey) by the lookups of a
// lifted join the server never runs: it took lineitem(l_partkey) at every
// budget, and #37 stayed past 10 s (measured 75-78% of the oracle).

// The blind plan reads the larger table in the order of the plan its
// occurrence gets, and its eq_ref lookups are the runs of the join key in
// that order (eqrefruns.go): a covering index that gathers equal keys
// makes them few, one that scatters keys the table scan meets in runs
// (order items are stored with their order) makes them many. (Tried
// before that, 2026-12-06: charging the larger table's secondary-index
// plans costLookup - costBlindProbe per row passed to such a join
// collapsed the estimates of ecommerce seeds 3 and 6 at 25% (89.0 ->
// 62.2%, 88.4 -> 27.7%) and measured 24.2% against per-column's 61.9% on
// seed 8 at 10%.)

// blindLink is an occurrence joined to a driving occurrence whose table
// has more rows than the driving filter passes: its table and occurrence,
// the columns it is equi-joined on to the driving occurrence, rows, the
// rows of that table its scan passes to the lookups (all of them, or those
// that pass the equalities its join columns inherit from the driving
// filter, propagate.go), and fan, the rows of it that match one row of the
// driving table (the join's estimate without filters over the driving
// table's rows).
type blindLink struct {
	table, occ int
	cols       []int
	rows, fan  float64
	// share is the eq_ref lookups per row of the scan that feeds them,
	// the runs of the join key in primary key order (pkShare; 1 for a
	// composite key).
	share float64
}

// blindLinks returns the blind links of occurrence qi of q, the first of
// join order order, whose occurrences are numbered from first on; rows is
// the driving filter's estimate, propSel as propagatedSel.
func (a *advisor) blindLinks(q *features.Query, qi int, order []int, first int, rows float64, propSel []float64) []blindLink {
	var out []blindLink
	for pos, other := range order {
		if other == qi {
			continue
		}
		var cols, own []int
		for _, j := range q.Joins {
			switch {
			case j.Left == qi && j.Right == other:
				cols, own = append(cols, j.RightCol), append(own, j.LeftCol)
			case j.Right == qi && j.Left == other:
				cols, own = append(cols, j.LeftCol), append(own, j.RightCol)
			}
		}
		t := q.Tables[other].Table
		// Its scan tests the equalities it inherits from this one's
		// filter before each lookup (propagate.go).
		r := a.tables[t].rows * propSel[other]
		if len(cols) == 0 || r <= rows {
			continue
		}
		sub := q.Sub(1<<qi | 1<<other)
		for i := range sub.Tables {
			sub.Tables[i].Filter = nil
		}
		sub.Residuals = nil
		d := q.Tables[qi].Table
		fan := estimateRows(a.est, sub) / math.Max(a.tables[d].rows, 1)
		if a.uniqueOn(d, own) {
			// A join to a key of the driving table (the eq_ref of the
			// blind plan), read as a foreign key: each row of the linked
			// table has its one match. The estimator multiplies the
			// selectivities of a composite key's columns as if they were
			// independent (TPC-H lineitem to partsupp on (partkey,
			// suppkey) at scale 0.01: 0.3 matches a partsupp row against
			// 7.5 true).
			fan = math.Max(fan, a.tables[t].rows/math.Max(a.tables[d].rows, 1))
		}
		l := blindLink{table: t, occ: first + pos, cols: slices.Compact(slices.Sorted(slices.Values(cols))), rows: r, fan: fan, share: 1}
		if len(l.cols) == 1 {
			l.share = a.pkShare(t, l.cols[0], r)
		}
		out = append(out, l)
	}
	return out
}

// uniqueOn reports whether an existing unique index (the primary key) of
// table has all its columns among cols.
func (a *advisor) uniqueOn(table int, cols []int) bool {
	return slices.ContainsFunc(a.existing[table], func(ix *Index) bool {
		if !ix.Unique && !ix.clustered {
			return false
		}
		for k, col := range ix.Columns {
			if ix.prefix(k) > 0 || !slices.Contains(cols, col) {
				return false
			}
		}
		return true
	})
}

// blindCharge is the blind join's cost for driving occurrence oi under c
// (and extra, when not nil) with a plan of state st: for every linked
// occurrence whose table the server still joins from (blindLifted), an
// eq_ref lookup per row of the largest such table (per run of the join
// key in the order its plan reads the rows, eqrefruns.go), and what the linked
// occurrence's plan through an index on its join columns saved, which the
// blind plan, a scan of it, does not run (blindRestore).
func (c *config) blindCharge(oi int, st bnlState, extra *Index) float64 {
	o := c.a.occs[oi]
	if st == bnlEqDrive { // the server drives the join from o (bnl.go)
		return 0
	}
	worst, restore := 0.0, 0.0
	seen := -1.0
	for _, l := range o.blindBy {
		if !c.joinLed(l, extra) { // nothing to lift it, nothing to restore
			worst = math.Max(worst, l.rows*l.share*c.linkRuns(l, extra))
			continue
		}
		if seen < 0 {
			seen = c.seenRows(oi, extra)
		}
		if c.blindLifted(oi, l, seen, extra) {
			continue
		}
		worst = math.Max(worst, l.rows*l.share*c.linkRuns(l, extra))
		restore += c.blindRestore(l, extra)
	}
	return worst*costBlindProbe + restore
}

// joinLed reports whether an existing or chosen index of l's table (or
// extra) leads with one of l's join columns.
func (c *config) joinLed(l blindLink, extra *Index) bool {
	return slices.ContainsFunc(l.cols, func(col int) bool { return c.leadsWith(l.table, col, extra) })
}

// seenRows is how many rows of driving occurrence oi the server believes
// its filter passes under c (and extra): those of the conjuncts on a
// column an existing or chosen index leads with (records_in_range), every
// row for the others (seenMask).
func (c *config) seenRows(oi int, extra *Index) float64 {
	o := c.a.occs[oi]
	var m uint64
	for i, cj := range o.conj {
		if i < 64 && cj.kind != predOther && c.leadsWith(o.table, cj.col, extra) {
			m |= 1 << i
		}
	}
	return c.a.tables[o.table].rows * c.a.sel(o, m)
}

// blindLifted reports whether the server, in its own view of the two
// plans, drives the join from occurrence oi, believing its filter passes
// seen rows, with ref lookups through an existing or chosen index of the
// linked table (or extra) that leads with join columns, rather than from
// the linked table's scan with an eq_ref lookup into oi's table per row
// (serverBlindCost, serverLiftCost).
func (c *config) blindLifted(oi int, l blindLink, seen float64, extra *Index) bool {
	a := c.a
	blind := a.serverBlindCost(l)
	d := &a.tables[a.occs[oi].table]
	try := func(ix *Index) bool {
		return ix != nil && ix.Table == l.table && a.serverLiftCost(l, ix, d, seen) < blind
	}
	return try(extra) || slices.ContainsFunc(a.existing[l.table], try) || slices.ContainsFunc(c.chosen[l.table], try)
}

// serverBlindCost is the blind plan as MariaDB 10.11 costs it (optimizer
// trace, below): a scan of the linked table, and per row it believes the
// scan passes an eq_ref lookup (one block read, serverLookupCost) and the
// joined row's evaluation.
func (a *advisor) serverBlindCost(l blindLink) float64 {
	t := &a.tables[l.table]
	seen := t.rows * a.occs[l.occ].seenSel
	return t.pages*costPage + t.rows*costRow + seen*(serverLookupCost+costRow)
}

// serverLiftCost is the plan that lifts the blind join through index ix of
// the linked table as MariaDB 10.11 costs it: the driving table's rows it
// believes pass (read by a scan, or by its index), and per such row a ref
// lookup of ix (read_time: one block read for the range and one per row
// read, or keyread_time, about one block read, when ix covers what the
// query reads of the linked table) returning the fan-out of ix's join
// columns, each evaluated. The fan-out is the join's, or, when ix leads
// with only some of the join columns, the table's rows over the product
// of their distinct counts when that is more.
func (a *advisor) serverLiftCost(l blindLink, ix *Index, d *tableInfo, seen float64) float64 {
	t := &a.tables[l.table]
	k := 0
	keys := 1.0
	for k < len(ix.Columns) && ix.prefix(k) == 0 && slices.Contains(l.cols, ix.Columns[k]) {
		keys *= math.Max(1, float64(a.cat.Stats[l.table].Columns[ix.Columns[k]].Distinct))
		k++
	}
	if k == 0 {
		return math.Inf(1)
	}
	fan := math.Max(l.fan, t.rows/keys)
	per := serverLookupCost + fan*costRow
	if !a.covers(ix, a.occs[l.occ]) {
		per += fan * serverLookupCost
	}
	read := math.Min(d.pages*costPage+d.rows*costRow, seen*(serverLookupCost+costRow))
	return read + seen*per
}

// covers reports whether ix holds every column o reads (with the primary
// key's, which a secondary index entry carries).
func (a *advisor) covers(ix *Index, o *occ) bool {
	if ix.clustered {
		return true
	}
	for c, r := range o.reads {
		if r && !ix.contains(c) && !a.inPK(o.table, c) {
			return false
		}
	}
	return true
}

// blindRestore is what linked occurrence l.occ's plan under c (and extra)
// costs less than its cheapest plan through no index leading with one of
// its join columns to the driving occurrence: the plan it is priced at
// presumes the lookups of a lifted join, and the server runs the blind
// plan, a scan of it, instead.
func (c *config) blindRestore(l blindLink, extra *Index) float64 {
	a := c.a
	oi := l.occ
	k := a.pos(oi)
	cur := c.pickWithout(oi, nil)
	if extra != nil && extra.Table == l.table {
		if p := c.picks(extra)[k]; c.better(p, cur) {
			cur = c.eff(oi, p)
		}
	}
	joinLed := func(ix *Index) bool { return len(ix.Columns) > 0 && slices.Contains(l.cols, ix.Columns[0]) }
	best := c.full[oi]
	for _, ixs := range [][]*Index{a.existing[l.table], c.chosen[l.table]} {
		for _, ix := range ixs {
			if p := c.picks(ix)[k]; !joinLed(ix) && c.better(p, best) {
				best = p
			}
		}
	}
	if extra != nil && extra.Table == l.table && !joinLed(extra) {
		if p := c.picks(extra)[k]; c.better(p, best) {
			best = p
		}
	}
	return math.Max(0, c.eff(oi, best).cost-cur.cost)
}

// leadsWith reports whether an existing or chosen index of table (or
// extra) leads with column col.
func (c *config) leadsWith(table, col int, extra *Index) bool {
	leads := func(ix *Index) bool {
		return ix != nil && ix.Table == table && len(ix.Columns) > 0 && ix.Columns[0] == col
	}
	return leads(extra) || slices.ContainsFunc(c.a.existing[table], leads) || slices.ContainsFunc(c.chosen[table], leads)
}
