package indexadvisor

import (
	"math"
	"slices"
)

// Inner probes in the driving table's read order.
//
// A join driven from one table probes the inner table's index on its join
// column once per driving row, with the driving row's key. When the
// driving table is read in its primary key order and the join key is
// that primary key, the probe keys ascend: each probe lands in or next
// to the leaf the previous one read. Read through a secondary index in
// another order (a covering index scan, a range), the same probes land
// anywhere in the inner index. Measured on MariaDB 10.11 (maria3,
// ecommerce scale 10, 2026-12-07, load 3.4-7, three runs each) on
// development seed 16's #1,
//
//	SELECT COUNT(*) FROM order_items f JOIN orders d ON f.order_id = d.id
//	WHERE d.status = 'delivered'
//
// with order_items(order_id) (895,500 delivered orders, 2,681,020 items):
// orders read through orders(customer_id, shipped_date, status), covering
// and in customer order ("index", "Using where; Using index"), then a ref
// into order_items(order_id) per order: 3.25-3.90 s; the same with that
// index ignored (a table scan, in id order): 2.01-2.29 s; no
// order_items(order_id) (order_items scanned, an eq_ref lookup into orders
// per item): 2.21-2.31 s. A scan of order_items took 0.45-0.61 s for
// 2,992,528 rows (0.15-0.20 us a row), so a probe out of order costs
// 1.3-1.6 s / 895,500 = 1.5-1.8 us, 9-10 scanned rows, more than one in
// order (costProbeDisorder). The evaluation measured the covering index as
// a regression of #1: 2.41 -> 3.53 s (seventh session, README).
//
// The model prices an inner probe as costLookup whatever the order; the
// driving occurrence's plan is charged costProbeDisorder per probe of an
// inner occurrence whose table has an index leading with its join column
// (the probes happen: no BNL or blind join), times its disorder: the
// share of the probes that lose a neighbour in the inner index's leaves
// against the primary key order's read,
//
//	disorder = (1 - c^2) x max(0, near(share) - near(share / runs))
//	near(d)  = min(1, d x keys per leaf of the inner's join-column index)
//
// where c is the rank correlation with the primary key of the column the
// plan reads in after its equalities (0 disorder for the table scan, a
// primary key range and an equality ref on all of a secondary index's
// columns, whose entries follow the primary key), runs the ascending
// runs of the primary key the read comes in (ascendingRuns: one per bound
// value and per distinct combination of the index's columns after the
// bound ones, the same runs that price a ref's lookups in cost.go) and
// share the probes over the inner's join keys. Seed 16's #1
// through the customer index reads 100,000 runs of about 9 orders: near
// 0.002 against 1 in id order, disorder 1; orders(order_date, status)
// follows the ids (c near 1), disorder near 0: measured 2.18-2.81 s
// against 2.35-2.82 s for the table scan; a read in a few long runs keeps
// its probes near each other: status IN ('delivered', 'shipped') through
// orders(status), two ranges each in id order, 2.13-2.68 s against
// 2.29-2.56 s. The interpolation between those ends is not measured.
// Only two-table joins on the driving table's single-column primary key
// are linked.
const costProbeDisorder = 9 * costRow

// probeInner is the inner occurrence whose probes follow a driving
// occurrence's read order: its probes, the share of its table's join
// keys they reach, and how many join keys a leaf of an index on its join
// column holds.
type probeInner struct {
	occ                     int
	probes, share, leafKeys float64
}

// linkProbes records per driving occurrence of a two-table join on its
// primary key the inner occurrence it probes, and registers the driving
// occurrence with the inner's table (bnlDrivers), whose index moves
// re-price its charge.
func (a *advisor) linkProbes() {
	for _, occs := range a.stmtOccs {
		if len(occs) != 2 {
			continue
		}
		d, in := a.occs[occs[0]], a.occs[occs[1]]
		if len(in.joinCols) != 1 || in.probes <= 1 {
			continue
		}
		pk := a.pkOrder[d.table]
		if len(pk) != 1 || !joinedOn(d, in, pk[0]) {
			continue
		}
		keys := math.Max(1, float64(a.cat.Stats[in.table].Columns[in.joinCols[0]].Distinct))
		t := &a.tables[in.table]
		perLeaf := (pageBytes - pageOverhead) * leafFill / t.entryBytes(&Index{Table: in.table, Columns: in.joinCols})
		pi := probeInner{occ: occs[1], probes: in.probes, share: math.Min(1, in.probes/keys), leafKeys: perLeaf * keys / math.Max(t.rows, 1)}
		d.probed = &pi
		if !slices.Contains(a.bnlDrivers[in.table], occs[0]) {
			a.bnlDrivers[in.table] = append(a.bnlDrivers[in.table], occs[0])
		}
	}
}

// joinedOn reports whether driving occurrence d joins inner occurrence in
// on d's column col.
func joinedOn(d, in *occ, col int) bool {
	for _, j := range d.q.Joins {
		if (j.Left == d.qi && j.Right == in.qi && j.LeftCol == col) || (j.Right == d.qi && j.Left == in.qi && j.RightCol == col) {
			return true
		}
	}
	return false
}

// probeCharge is what driving occurrence oi's plan of the given disorder
// costs beyond its access for the inner probes it scatters, under c (and
// extra, when not nil).
func (c *config) probeCharge(oi int, disorder float64, extra *Index) float64 {
	in := c.a.occs[oi].probed
	if in == nil || !c.joinIndexed(in.occ, extra) {
		return 0
	}
	return in.probes * costProbeDisorder * disorder
}

// near is the share of probes at key density d (probes over keys) that
// land in or next to the leaf the previous one read, in an index holding
// leafKeys keys a leaf.
func near(d, leafKeys float64) float64 { return math.Min(1, d*leafKeys) }

// readDisorder is how far from primary key order access through ix
// reads occurrence o's rows (plan.disorder): the first eqLen columns
// bound by equalities (ranges of them), rangeCol the range column (-1
// none).
func (a *advisor) readDisorder(o *occ, ix *Index, eqLen, rangeCol int, ranges float64) float64 {
	if ix.clustered || o.probed == nil {
		return 0
	}
	col := ix.Columns[min(eqLen, len(ix.Columns)-1)]
	c := a.pkCorrelation(o.table, col)
	runs := a.ascendingRuns(o.table, ix, eqLen, ranges)
	in := o.probed
	return (1 - c*c) * math.Max(0, near(in.share, in.leafKeys)-near(in.share/runs, in.leafKeys))
}

// ascendingRuns is how many ascending runs of primary keys a read of ix with its
// first eqLen columns bound (ranges values of them) comes in: InnoDB's
// secondary entries end with the primary key, so one run per bound value
// and per distinct combination of the columns after them (an equality ref
// on all of the index's columns: one run, in primary key order), at most
// the table's rows.
func (a *advisor) ascendingRuns(table int, ix *Index, eqLen int, ranges float64) float64 {
	runs := math.Max(ranges, 1)
	for _, col := range ix.Columns[eqLen:] {
		runs *= math.Max(1, float64(a.cat.Stats[table].Columns[col].Distinct))
	}
	return math.Min(runs, math.Max(a.tables[table].rows, 1))
}
