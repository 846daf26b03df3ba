package indexadvisor

import (
	"math"
	"slices"

	"github.com/cardinaldb/cardinal/catalog"
	"gonum.org/v1/gonum/stat"
)

// Runs of the eq_ref key: MariaDB's "same key as the previous row" skip.
//
// MariaDB's eq_ref access (join_read_key, sql_select.cc) compares the key
// it is asked for with the key of its previous lookup and, when they are
// equal, returns the row it already holds without descending the index.
// So the lookups a join makes into a table by its primary key are the
// RUNS of the join key in the order the outer rows arrive, not the outer
// rows. The blind join (blind.go) reads the larger table and makes an
// eq_ref lookup into the driving table per row; its cost, costBlindProbe
// per row, was measured with that table read by a table scan, in primary
// key order. Read through a covering secondary index it arrives in that
// index's order, and the runs change:
//
//   - equal keys adjacent: on ecommerce (scale 10, 20,000 products,
//     2,992,528 order items; maria3, MariaDB 10.11, 2026-12-06 17:27 UTC,
//     load 9) SELECT COUNT(*) FROM order_items f JOIN products d ON
//     f.product_id = d.id WHERE d.brand = 'Stridex' (development seed
//     15's #3), planned f index scan ("Using index"), d eq_ref, made
//     97,009 Handler_read_key calls through order_items(quantity,
//     product_id) in 1.08 s against 2,947,522 in 5.24 s through the table
//     scan (IGNORE INDEX; product_ids come in random order along
//     order_items.id): the runs are the products bought in each quantity;
//   - equal keys scattered: the items of one order are stored together, so
//     the table scan meets each order_id in one run and walks orders in
//     order: SELECT COUNT(*) FROM order_items f JOIN orders d ON
//     f.order_id = d.id WHERE d.customer_id = 59693 (seed 15's #0) made
//     1,000,000 lookups in 3.38 s through the table scan and 2,157,791 in
//     4.63 s through order_items(quantity, order_id) (same plan shape);
//     seed 8's lost-locality trap is the same with
//     order_items(product_id, order_id): 3.6 s and 2.6 s to past 10 s.
//
// The model scales the eq_ref charges of a plan reading the larger table
// through a secondary index (the blind charge of the driving occurrence
// and, when it falls, the inner occurrence's BNL cap, both priced at
// costBlindProbe per row in primary key order) by
//
//	ratio = runs(index order) / runs(primary key order)
//
// over the rows the plan reads: the per-run price stays what the table
// scan's runs cost (calibrated there), a repeated key costs a key compare,
// which the scan's row cost already holds. Runs in the index's order are
// the distinct tuples of the index columns up to the key (distinctTuples:
// the tuples present among m rows, Cardenas' formula, A. F. Cardenas,
// "Analysis and performance of inverted data base structures", CACM
// 18(5), 1975). Runs in primary key order come from how clustered the key
// is along the primary key: the rank correlation of the key with the
// position of the catalog's sample rows, which the catalog keeps in row
// order (catalog.TableStats.Sample: Build samples in row order; a live
// server's sample, live.LoadSample, is one table scan, in the clustered
// index's order), read the way PostgreSQL reads pg_stats.correlation for
// index scans (costsize.c, cost_index: the I/O interpolated between
// perfectly ordered and random by the correlation squared):
//
//	runsPK(m) = m - (m - clustered(m)) x corr²
//
// with clustered(m) the distinct keys among m rows when equal keys are
// adjacent. A sample in another order (a catalog from elsewhere) has a
// correlation near 0: runsPK = m, random order, no runs (the conservative
// default: the secondary index can then only look cheaper, as before this
// model, never a trap).
//
// The inner occurrence's cap is not raised by a ratio above 1: with an
// index on its join column the server has a ref plan instead, and the
// blind charge, which such an index lifts, carries the lost runs (on
// seed 15 with order_items(order_id) and order_items(quantity, order_id),
// WHERE d.status = 'delivered' took 1.44 s against 1.68 s without
// either; raising the cap predicted it twice as dear and kept the pair
// out).
//
// The charges themselves count runs, not rows: the blind charge and the
// inner occurrence's cap are per row times the runs per row in primary
// key order, runsPK(m) / m (pkShare; 1 for a composite key), times the
// ratio above. Measured on maria3 (MariaDB 10.11, ecommerce scale 10,
// CPU time of the statement, median of 3, load 12-15, 2026-12-06;
// plans forced f ALL, d eq_ref; Handler_read_key counted): a scan of
// order_items alone 0.86 s; joined to orders on order_id 1,000,000
// lookups for 2,992,528 items, 1.90 s; to products on product_id
// 2,947,522 lookups, 4.14 s: 1.04 and 1.11 us a lookup. Until then a
// blind join to orders was charged per item like one to products, and
// development seed 17 at 10% took order_items(order_id) for its joins to
// orders (measured 1.7 s each) over order_items(product_id) for those to
// products (3.2 s each). Random lookups into larger tables cost more
// (orders -> customers, 100,000 rows: 1.73 us; order_items -> orders on
// a scrambled key, 1M rows: about 4 us): not modelled.
//
// Not modelled: a key outside the index's columns (rows in the index's
// order, then primary key order within equal index tuples) keeps ratio
// 1; an equality prefix of the index is not subtracted from the tuples;
// ref lookups (an index on the inner table's join column) are charged per
// outer row as before.

// pkMinSampleRows is the fewest non-NULL sample rows the correlation is
// computed on; fewer give 0 (random order, no runs).
const pkMinSampleRows = 30

// runRatio is ratio above for the occurrence's join key read through
// index ix (not the primary key) in m rows: 1 when the key is not among
// ix's columns.
func (a *advisor) runRatio(o *occ, ix *Index, m float64) float64 {
	if len(o.joinCols) == 0 || ix.clustered || m < 1 {
		return 1
	}
	key := o.joinCols[0]
	j := slices.Index(ix.Columns, key)
	if j < 0 || ix.prefix(j) > 0 {
		return 1
	}
	idx := a.distinctTuples(o.table, ix.Columns[:j+1], m)
	pk := a.pkRuns(o.table, key, m)
	if pk <= 0 {
		return 1
	}
	return math.Max(idx, 1) / pk
}

// distinctTuples is the expected number of distinct tuples of cols among m
// rows of table ti drawn at random, by Cardenas' formula D x (1 - e^(-k/D))
// for k rows over D equally likely tuples: columns another of cols
// determines (determines, walkfd.go) left out; under each most common
// value of one column (its share of the m rows), and under each of its
// other values (the rest of the rows spread evenly), the product of the
// other columns' distinct counts, the fewest over the columns; at most
// the tuples of a pair's HyperLogLog sketch (where the catalog has one)
// that m of the table's rows hold, and m.
func (a *advisor) distinctTuples(ti int, cols []int, m float64) float64 {
	ts := &a.cat.Stats[ti]
	n := math.Max(float64(ts.Rows), 1)
	// A column another kept column determines adds no tuples (of two
	// determining each other, the later is kept).
	dropped := make([]bool, len(cols))
	var keep []int
	for i, c := range cols {
		for k, d := range cols {
			if k != i && !dropped[k] && a.determines(ti, d, c) {
				dropped[i] = true
				break
			}
		}
		if !dropped[i] {
			keep = append(keep, c)
		}
	}
	if len(keep) == 0 {
		keep = cols[len(cols)-1:]
	}
	card := func(d, m float64) float64 { return math.Min(m, d*(1-math.Exp(-m/d))) }
	if len(keep) == 1 {
		return card(math.Min(n, math.Max(1, float64(ts.Columns[keep[0]].Distinct))), m)
	}
	// The tuples of the other columns under each value of one column: its
	// most common values' shares of the m rows, the rest spread evenly;
	// each column taken as that one, the fewest tuples kept (uniform draws
	// give the most distinct tuples, so each is an upper bound).
	d := math.Inf(1)
	for i, c := range keep {
		rest := 1.0
		for k, o := range keep {
			if k != i {
				rest *= math.Max(1, float64(ts.Columns[o].Distinct))
			}
		}
		rest = math.Min(rest, n)
		cs := &ts.Columns[c]
		mass, vals, di := 1-cs.NullFrac, math.Max(1, float64(cs.Distinct)), 0.0
		for _, v := range cs.MCVs {
			di += card(rest, m*v.Freq)
			mass -= v.Freq
			vals--
		}
		if vals >= 1 && mass > 0 {
			di += vals * card(rest, m*mass/vals)
		}
		d = math.Min(d, di)
	}
	if len(keep) == 2 {
		if h := ts.Sketch(keep[0], keep[1]); h != nil {
			// The sketch counts the table's tuples, N/D rows each: those
			// a share m/N of the rows holds.
			if ds := math.Min(n, math.Max(1, h.Estimate())); m < n {
				d = math.Min(d, ds*(1-math.Pow(1-m/n, n/ds)))
			} else {
				d = math.Min(d, ds)
			}
		}
	}
	return math.Max(1, math.Min(d, m))
}

// pkShare is the runs of column col among m rows of table ti read in
// primary key order, per row: runsPK(m) / m, the eq_ref lookups per row
// of a blind join keyed on col that reads the table by a scan.
func (a *advisor) pkShare(ti, col int, m float64) float64 {
	if m < 1 {
		return 1
	}
	return clamp01(a.pkRuns(ti, col, m) / m)
}

// occShare is pkShare of occurrence o's join key among m rows of its
// table: 1 without one join column (the runs of a composite key are not
// modelled).
func (a *advisor) occShare(o *occ, m float64) float64 {
	if len(o.joinCols) != 1 {
		return 1
	}
	return a.pkShare(o.table, o.joinCols[0], m)
}

// pkRuns is the expected runs of column col among m rows of table ti read
// in primary key order: runsPK(m) above.
func (a *advisor) pkRuns(ti, col int, m float64) float64 {
	ts := &a.cat.Stats[ti]
	n := math.Max(float64(ts.Rows), 1)
	m = math.Min(m, n)
	corr := a.pkCorrelation(ti, col)
	// Clustered: the keys of rows per key value each, a share m/n of the
	// rows read at random: the distinct keys among them.
	ndv := math.Max(1, float64(ts.Columns[col].Distinct))
	per := math.Max(1, n/ndv)
	clustered := ndv * (1 - math.Pow(1-m/n, per))
	clustered = math.Max(1, math.Min(clustered, m))
	return m - (m-clustered)*corr*corr
}

// pkCorrelation is the Spearman rank correlation of column col of table
// ti with the row position in the catalog's sample (in row order), memoised;
// 0 without enough sample rows.
func (a *advisor) pkCorrelation(ti, col int) float64 {
	key := [2]int{ti, col}
	if v, ok := a.pkCorr[key]; ok {
		return v
	}
	v := sampleCorrelation(&a.cat.Stats[ti], col)
	if a.pkCorr == nil {
		a.pkCorr = map[[2]int]float64{}
	}
	a.pkCorr[key] = v
	return v
}

// sampleCorrelation is the Pearson correlation of the sample rows' value
// ranks (ties averaged) of column col with their positions, NULLs left
// out.
func sampleCorrelation(ts *catalog.TableStats, col int) float64 {
	if col >= len(ts.Sample) {
		return 0
	}
	var pos []int
	for i, d := range ts.Sample[col] {
		if !d.IsNull() {
			pos = append(pos, i)
		}
	}
	if len(pos) < pkMinSampleRows {
		return 0
	}
	vals := ts.Sample[col]
	byVal := slices.Clone(pos)
	slices.SortStableFunc(byVal, func(x, y int) int { return catalog.Compare(vals[x], vals[y]) })
	// rank[k] is the value rank of the k-th non-NULL sample row.
	at := make([]int, len(vals)) // sample row -> its place among pos
	for k, p := range pos {
		at[p] = k
	}
	rank, place := make([]float64, len(pos)), make([]float64, len(pos))
	for i := 0; i < len(byVal); {
		j := i + 1
		for j < len(byVal) && catalog.Compare(vals[byVal[i]], vals[byVal[j]]) == 0 {
			j++
		}
		for _, p := range byVal[i:j] {
			rank[at[p]] = float64(i+j-1) / 2
		}
		i = j
	}
	for k := range place {
		place[k] = float64(k)
	}
	r := stat.Correlation(place, rank, nil)
	if math.IsNaN(r) { // one distinct value: no order
		return 0
	}
	return clamp01(math.Abs(r))
}

// linkRuns is the run ratio of blind link l's plan under c (and extra,
// when not nil): of the plan the optimizer picks for the linked table's
// occurrence in the statement, which the blind join reads in its order.
func (c *config) linkRuns(l blindLink, extra *Index) float64 { return c.occRuns(l.occ, extra) }

// occRuns is the run ratio of the plan the optimizer picks for occurrence
// oi under c (and extra, when not nil).
func (c *config) occRuns(oi int, extra *Index) float64 {
	p := c.pickWithout(oi, nil)
	if extra != nil && extra.Table == c.a.occs[oi].table {
		if q := c.picks(extra)[c.a.pos(oi)]; c.better(q, p) {
			p = q
		}
	}
	return p.runRatio()
}

// runRatio is the pick's run ratio (1 when unset).
func (p pick) runRatio() float64 {
	if p.runs <= 0 {
		return 1
	}
	return p.runs
}
