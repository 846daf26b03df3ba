package indexadvisor

import (
	"math"
	"slices"

	"github.com/cardinaldb/cardinal/catalog"
)

// The block-nested-loop trap of a seen driving filter.
//
// A join whose inner table has no index on its join column is costed, on
// the inner occurrence, at one BNL comparison per (inner row, outer row)
// pair, capped at an eq_ref lookup per inner row (cost.go,
// costBNLCompare, costBlindProbe): that is what it costs when MariaDB
// joins the other way, from the inner table with an eq_ref lookup of the
// driving table's primary key per row, as it does when it cannot
// estimate the driving filter (a blind join, blind.go) and, as measured
// below, for most filters it can estimate. The cap is wrong when the
// server does drive from the filter through the join buffer: measured on
// maria3 (MariaDB 10.11.19, join_cache_level 2, join_buffer_size 256 KiB,
// ecommerce scale 10, load 13), with orders(shipped_date, customer_id)
//
//	SELECT COUNT(*) FROM order_items f JOIN orders d ON f.order_id = d.id
//	WHERE d.shipped_date = '2023-10-31'
//
// is planned d ref (the index, 662 rows, "Using index") then f ALL "Using
// join buffer (flat, BNL join)", and ran past 20 s against 5.6 s without
// the index (f ALL then d eq_ref); on maria4 (2026-12-06) with
// products(price, discount) the join of order_items to the 175 products
// of price 40.99 (development ecommerce seed 17's #12) ran 3.24 s -> 9.86 s
// the same way, and with products(price, brand) the 23 of price 128.99
// (seed 15's #43) 3.36 -> 5.65 s.
//
// What decides it (optimizer traces and EXPLAIN on maria4, ecommerce
// scale 10, 2026-12-06): planning the join from f, best_access_path
// weighs for d the eq_ref lookup of its primary key (1.0 a row of f)
// against the ref of d's filter index on the constant alone, which it
// charges per row of f what that ref costs once, covering: 0.125 plus
// 0.2 x entries x (key_length + ref_length) / 16 KiB while those key
// bytes stay within 1.5 pages (24,576 bytes), one more per block beyond
// (products(price, brand), 70 bytes an entry: 0.145 for 23 rows, 0.275
// for 175, 1.44 for 368; (price, category), 62 bytes: 0.40 for 368
// rows, 1.43 for 403; orders(shipped_date, customer_id), 20 bytes: 0.42
// for 1,206 rows). It compares the two without the rows each returns,
// takes the ref when it is cheaper, and then the plan from f compares
// every row of f with the ref's k rows, which costs more than driving
// from d through the join buffer (the same pairs without the per-row
// ref): the server takes the BNL join. Three exceptions, all planned f
// ALL then d eq_ref: an index of d that holds nothing between the
// filter's equality columns and the primary key (products(price),
// orders(status), orders(shipped_date)) offers the extended key (price,
// id) as an eq_ref for the join itself, so the constant ref is never
// weighed; more key bytes than 1.5 pages (products(price, brand) at 368
// rows, orders(status, customer_id) for 2,143 'pending' orders); and a
// range or IN filter, or a column read outside the index (the ref is
// then not covering: a lookup per entry). And with at most
// bnlEqRefMaxRows rows the server drives the BNL join through any index
// (products(price): 6 rows yes, 7 no). The join buffer size does not
// move it (16 KiB to 16 MiB, measured on maria3).
//
// Not done: when the driving filter is blind the server drives from the
// larger table with an eq_ref lookup per row, which the driving
// occurrence already pays (its blind charge), so the inner occurrence's
// capped BNL cost charges those lookups twice. Refunding it in joins of
// two tables (tried 2026-12-06) lowered the base cost of every blind
// join, and the selection then refused most indexes as regressions: the
// estimated benefit of the 25% budget fell from 69% to 20% on ecommerce
// seed 7 and from 78% to 13% on seed 6, far below what was measured
// there. The constants were calibrated with the double charge; a refund
// needs them measured again.
//
// So when the driving occurrence's plan is such an equality ref
// (plan.bnl is bnlEqDrive, serverDrivesBNL), the what-if model charges
// it, for each inner occurrence of the statement whose table has no
// existing or chosen index leading with its join column, the pairs
// beyond what the inner occurrence's own plan pays for them (its cap,
// an eq_ref lookup per row scaled by the run ratio of its plan's order,
// eqrefruns.go):
//
//	excess(inner) = rows(inner) x max(0, sel(inner) x probes x costBNLCompare - costBlindProbe x runs(inner))
//
// so that the statement pays every pair, and no blind join lookups. The
// charge depends on two tables' indexes, the driving one's and the
// inner one's; the selection's moves are costed table by table, so a
// move on the inner table re-prices the driving occurrences that charge
// it (config.refresh) and gainAdd counts the charges an index on the
// inner's table removes or changes.

const (
	// bnlEqRefMaxRows is the most rows of a seen equality ref from which
	// MariaDB drives a BNL join whatever the index: its pairs (one row
	// evaluation each) cost no more than the other way's eq_ref lookup
	// and row evaluation per inner row, 1 + serverLookupCost/costRow =
	// 6 (measured with products(price) alone: 6 rows BNL, 7 eq_ref).
	bnlEqRefMaxRows = 1 + serverLookupCost/costRow
	// serverRefBlockBytes is how many key bytes (entries x (key_length +
	// ref_length)) an equality ref spans before MariaDB 10.11 charges it
	// a block read, more than an eq_ref lookup (above): 1.5 InnoDB pages;
	// traces on maria4: 24,120 bytes not yet, 24,986 charged.
	serverRefBlockBytes = 1.5 * pageBytes
)

// serverDrivesBNL reports whether MariaDB drives a join from an
// equality ref through covering secondary index ix whose first eqLen
// columns the equalities fix, rows entries by its estimate, with a BNL
// join buffer rather than joining the other way (see above).
func (a *advisor) serverDrivesBNL(ix *Index, eqLen int, rows float64) bool {
	if rows <= bnlEqRefMaxRows {
		return true
	}
	return eqLen < len(ix.Columns) && rows*a.tables[ix.Table].serverKeyBytes(ix) <= serverRefBlockBytes
}

// serverKeyBytes is MariaDB's key_length + ref_length of secondary index
// ix: the bytes its cost model counts per entry.
func (ti *tableInfo) serverKeyBytes(ix *Index) float64 {
	b := ti.refBytes
	for k, c := range ix.Columns {
		kb := ti.keyBytes[c]
		if p := ix.prefix(k); p > 0 {
			// The prefix cuts the string's bytes, not the NULL byte.
			kb = math.Min(kb-ti.keyNull[c], stringKeyBytes(p)) + ti.keyNull[c]
		}
		b += kb
	}
	return b
}

// columnKeyBytes is column ci's part of MariaDB's key_length: BIGINT and
// DOUBLE 8, DATE 3, DATETIME 5, a string its declared length in utf8mb4
// (4 bytes a character; the catalog has no declared length, the longest
// sampled value stands for it) and 2 length bytes, and a NULL byte when
// nullable.
func columnKeyBytes(c catalog.Column, ts *catalog.TableStats, ci int) float64 {
	var b float64
	switch c.Type {
	case catalog.TypeInt:
		b = intBytes
	case catalog.TypeFloat:
		b = floatBytes
	case catalog.TypeDate:
		b = dateBytes
	case catalog.TypeDateTime:
		b = dateTimeBytes
	default:
		n := 0
		if ci < len(ts.Sample) {
			for _, d := range ts.Sample[ci] {
				if d.Kind == catalog.KindString {
					n = max(n, len(d.S))
				}
			}
		}
		if n == 0 {
			n = defaultStrBytes
		}
		b = stringKeyBytes(n)
	}
	if c.Nullable {
		b++
	}
	return b
}

// Key bytes of a string column (columnKeyBytes, serverKeyBytes).
const (
	utf8mb4CharBytes = 4 // a character at utf8mb4's widest
	keyLengthBytes   = 2 // the length bytes of a variable-length key part
)

// stringKeyBytes is MariaDB's key_length of a string key part of chars
// characters, NULL byte aside.
func stringKeyBytes(chars int) float64 {
	return utf8mb4CharBytes*float64(chars) + keyLengthBytes
}

// bnlInner is one inner occurrence a driving occurrence may charge: the
// cost of its BNL pairs per row of its table, were they all paid.
type bnlInner struct {
	occ   int
	pairs float64
}

// linkBNL records, per driving occurrence, the inner occurrences of its
// statement that compare their rows with the driving rows in a BNL join
// it drives, and per table the driving occurrences that charge an inner
// occurrence of it.
func (a *advisor) linkBNL() {
	a.bnlInners = make([][]bnlInner, len(a.occs))
	a.bnlDrivers = make([][]int, len(a.tables))
	for _, occs := range a.stmtOccs {
		if len(occs) < 2 {
			continue
		}
		d := occs[0]
		for _, l := range a.occs[d].blindBy { // blind.go: re-priced with the linked table
			if !slices.Contains(a.bnlDrivers[l.table], d) {
				a.bnlDrivers[l.table] = append(a.bnlDrivers[l.table], d)
			}
		}
		if dc := a.occs[d].conj; !allEq(dc, 1<<len(dc)-1) {
			continue // no equality ref of d serves its whole filter
		}
		for _, oi := range occs[1:] {
			o := a.occs[oi]
			if len(o.joinCols) == 0 {
				continue
			}
			x := o.selAll * o.probes * costBNLCompare
			if x <= 0 {
				continue
			}
			a.bnlInners[d] = append(a.bnlInners[d], bnlInner{occ: oi, pairs: x})
			if !slices.Contains(a.bnlDrivers[o.table], d) {
				a.bnlDrivers[o.table] = append(a.bnlDrivers[o.table], d)
			}
		}
	}
}

// bnlCharge is what driving occurrence oi's plan of state st costs
// beyond its access under c, for the inner occurrences whose table has no
// index leading with its join column (the existing and chosen ones, and
// extra when not nil): the pairs their own plans do not pay, for an
// equality ref the server drives a BNL join from.
func (c *config) bnlCharge(oi int, st bnlState, extra *Index) float64 {
	if st != bnlEqDrive {
		return 0
	}
	x := 0.0
	for _, in := range c.a.bnlInners[oi] {
		if !c.joinIndexed(in.occ, extra) {
			paid := costBlindProbe * math.Min(c.occRuns(in.occ, extra), 1) * c.a.occs[in.occ].share
			x += c.a.tables[c.a.occs[in.occ].table].rows * math.Max(0, in.pairs-paid)
		}
	}
	return x
}

// bnlState is how a driving occurrence's plan joins (bnl.go).
type bnlState uint8

const (
	bnlNone    bnlState = iota
	bnlEqDrive          // an equality ref through a covering secondary index
)

// joinIndexed reports whether an existing or chosen index of occurrence
// oi's table (or extra) leads with one of its join columns.
func (c *config) joinIndexed(oi int, extra *Index) bool {
	o := c.a.occs[oi]
	return slices.ContainsFunc(o.joinCols, func(col int) bool { return c.leadsWith(o.table, col, extra) })
}

// eff is pick p of occurrence oi at the cost the configuration gives it:
// with a driving occurrence's join charges (charge: the BNL pairs and,
// since blind.go, the blind join's lookups).
func (c *config) eff(oi int, p pick) pick {
	p.charge = c.charge(oi, p, nil)
	p.cost += p.charge
	return p
}

// charge is what driving occurrence oi's plan p costs beyond its access
// under c (and extra, when not nil) for its joins: the BNL pairs beyond
// the cap, the blind join's lookups (blind.go) and the inner probes its
// read order scatters (probeorder.go).
func (c *config) charge(oi int, p pick, extra *Index) float64 {
	st := p.bnl
	x := 0.0
	if c.a.occs[oi].probed != nil && p.disorder > 0 {
		x += c.probeCharge(oi, p.disorder, extra)
	}
	if len(c.a.bnlInners[oi]) > 0 {
		x += c.bnlCharge(oi, st, extra)
	}
	if len(c.a.occs[oi].blindBy) > 0 {
		x += c.blindCharge(oi, st, extra)
	}
	return x
}

// bnlRelief is the weighted saving adding ix brings the driving
// occurrences that charge an inner occurrence of its table (an index on
// the inner's join column lets the server join by lookups).
func (c *config) bnlRelief(ix *Index) float64 {
	g := 0.0
	for _, d := range c.a.bnlDrivers[ix.Table] {
		g += c.a.occs[d].weight * (c.charge(d, c.cur[d], nil) - c.charge(d, c.cur[d], ix))
	}
	return g
}

// bnlLoss is the weighted cost dropping chosen index ix adds to the
// driving occurrences that charge an inner occurrence of its table.
func (c *config) bnlLoss(ix *Index) float64 {
	ds := c.a.bnlDrivers[ix.Table]
	if len(ds) == 0 {
		return 0
	}
	t := ix.Table
	kept := c.chosen[t]
	c.chosen[t] = slices.DeleteFunc(slices.Clone(kept), func(x *Index) bool { return x == ix })
	l := 0.0
	for _, d := range ds {
		l -= c.a.occs[d].weight * c.charge(d, c.cur[d], nil)
	}
	c.chosen[t] = kept
	for _, d := range ds {
		l += c.a.occs[d].weight * c.charge(d, c.cur[d], nil)
	}
	return -l
}
