package indexadvisor

import (
	"math"
	"slices"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
)

// Cost constants in MySQL's cost units, after the server's default cost
// model (MySQL 8.0 Reference Manual, 10.9.5 "The Optimizer Cost Model",
// tables mysql.server_cost and mysql.engine_cost): a page read from the
// buffer pool costs memory_block_read_cost 0.25, evaluating a row
// row_evaluate_cost 0.1, comparing keys key_compare_cost 0.05, an in-memory
// temporary table memory_temptable_create_cost 1.0 plus
// memory_temptable_row_cost 0.1 per row. Pages are assumed cached (the
// advisor's workloads are warm); a random row lookup descends the clustered
// B-tree, one page per level.
const (
	costPage        = 0.25
	costRow         = 0.1
	costKeyCompare  = 0.05
	costTempCreate  = 1.0
	costTempRow     = 0.1
	costHashProbe   = costRow // a join probe without an index (hash / block nested loop)
	maxRangesPerKey = 1000    // IN lists multiply ranges up to this many
	// scanPageRows: in a scan (clustered or secondary, warm buffer pool)
	// a leaf page costs about this many row reads on top of its rows; a
	// row costs the same in either index. Fitted on MariaDB 10.11 (2 GB
	// buffer pool, load 3.3, median of 3-5 runs after a warm-up, SUM over
	// covered columns with FORCE INDEX; README, index advice): ecommerce
	// scale-10 order_items (3M rows, 11,537 clustered leaves) 0.403 s
	// clustered, 0.402 / 0.404 / 0.383 s through (unit_price, product_id)
	// / (product_id, order_id) / (quantity) (5,441 / 5,441 / 3,964
	// leaves); TPC-H SF1 orders (1.5M rows, 12,950 leaves) 0.243 s vs
	// 0.204 s through (o_custkey) (1,987 leaves); lineitem (6M rows,
	// 56,223 leaves) 1.116 s vs 0.822 s through (l_suppkey) (10,912) and
	// 0.992 s through (l_partkey, l_suppkey) (13,860). Time = rows x r +
	// leaves x p gives r = 125-134 ns for both kinds of index and p/r =
	// 0 (order_items), 28 (orders), 52 (lineitem): 30 predicts the
	// secondary/clustered ratios 0.95 / 0.83 / 0.82-0.83 against the
	// measured 0.95-1.05 / 0.84 / 0.74-0.89. Until then a secondary leaf
	// page was charged 2.8x a clustered one (secondaryPageFactor, from one
	// 1.5M-row table, fastest of 6), which priced a covering full scan of
	// order_items at 1.43x the table scan (measured 0.95-1.05x here and
	// 0.89-1.20x in the evaluations). Only the what-if cost uses it
	// (secondaryScanRatio), not the server's view (serverChoice).
	scanPageRows = 30
	// costLookup is what a random B-tree descent (a row lookup through
	// the primary key, or one inner-side probe of an index) really costs,
	// in row reads of a scan: measured on MariaDB 10.11 at the load these
	// evaluations run at (2 cores shared, load 12-16), 37,824 lookups
	// through a date index of 1.5M narrow rows took 0.552 s against 0.625 s
	// for the clustered scan (fastest of 5 each): 14.6 us per lookup, 35
	// scanned rows; on ecommerce orders (scale 10) a 3-month order_date
	// range (about 50k rows) read through its index ran 413 ms against
	// 251 ms for the scan of 1M rows: about 33 scanned rows per lookup;
	// but 142,968 lookups of order_items by product_id (4.8% of 3M rows)
	// ran less than 10% slower than the scan: at most 23. 20 is used: a
	// value chosen at the low end of that spread (23-35 scanned rows,
	// timings at this load moving by up to 1.5x), not fitted to it; the
	// evaluations in the README were measured with it.
	// MySQL's model charges a descent as pages read from the buffer pool
	// (height x 0.25); the what-if cost uses the measured figure, the
	// server's view its own (serverChoice).
	costLookup = 20 * costRow
	// costLookupSorted is what a row lookup costs when the index's entries
	// come in the clustered index's order (its first column correlated
	// with the primary key, as dates in an append-only table): consecutive
	// lookups land in the leaf the previous one read. Measured on MariaDB
	// 10.11 (warm, median of 3, load 2-12) as (time of SELECT SUM(c) ...
	// FORCE INDEX, non-covering) minus (time of the covering SELECT
	// COUNT(k) over the same range) per lookup, against the IGNORE INDEX
	// scan's time per row, on ecommerce scale 10: orders(order_date)
	// (in id order), ranges of 0.07% to 16% of 1M rows: 4.7, 4.8, 8.6, 5.1,
	// 5.5 scanned rows per lookup; orders(shipped_date) (order_date plus a
	// delay) 0.2% to 7%: 6.0, 7.4, 7.1, 6.0; order_items(order_id) (items
	// stored by order), 0.1% to 20% of 3M rows: 7.5, 7.3, 6.3, 8.7, 9.5.
	// Uncorrelated indexes measured costLookup whatever the density, 0.1
	// to 60 lookups per clustered leaf: TPC-H SF1 lineitem(l_suppkey)
	// 21-22, orders(o_custkey) 16-27, ecommerce orders(customer_id) 19-22,
	// order_items(product_id) 12-20. 7.5 is used (the medians are 5.1,
	// 6.6 and 7.5); in between, the price falls from costLookup by the
	// squared rank correlation of the index's first column with the row
	// position (pkCorrelation), as PostgreSQL's cost_index interpolates by
	// pg_stats.correlation. The server's view keeps its own price
	// (serverChoice).
	costLookupSorted = 7.5 * costRow
	// sortedRunDensity is the density (lookups per clustered leaf page)
	// at which the lookups of an ascending run of primary keys cost
	// halfway between costLookup and costLookupSorted: an equality ref
	// reads its entries in primary key order, so a hot key's lookups land
	// in leaves read just before, a rare key's anywhere. The price falls
	// from costLookup by d/(d+sortedRunDensity). Measured on MariaDB
	// 10.11 (maria5, ecommerce scale 10, 2026-12-07, load 2, warm, median
	// of 5) as the per-lookup time of SUM(unit_price) through
	// order_items(product_id) less the covering COUNT(*), in scanned rows
	// of the IGNORE INDEX scan, at 11,571 clustered leaves: 285,317 rows
	// (d 24.7) 8.3, 142,968 (12.4) 9.9, 71,459 (6.2) 11.4, 10,481 (0.91)
	// 16.1, 3,071 (0.27) 20.3; the curve gives 8.6, 9.6, 11.1, 16.7,
	// 18.8. On orders(status) (4,072 leaves), 'returned' 49,197 (d 12.1)
	// 9.1 and 'cancelled' 39,785 (9.8) 9.5 against 9.6 and 10.0. A read
	// in several runs is priced at one run's density: through
	// order_items(product_id, quantity) product 6657 comes in 10 runs
	// (d 2.5 each) and measured 10.9 against the curve's 13.8, product
	// 821 13.4 against 17.5 (conservative: the leaves a run reads stay
	// near for the next).
	sortedRunDensity = 2.5
	// costBNLCompare is what a join without an index on its column really
	// costs per (inner row, outer row) pair: MariaDB's default
	// join_cache_level=2 joins through a block nested loop, which compares
	// every inner row with every buffered outer row (no hash). Measured on
	// maria4 (MariaDB 10.11.19, 2026-12-06, load 9-12) as the server
	// thread's CPU time (SHOW PROFILE CPU, median of 3, one warm-up
	// dropped), each join driven from 1 to 32 buffered rows of the
	// smaller table (an equality ref or a primary key range) against a
	// full scan of the larger one, beside a scan of it alone
	// (notes/ix/ixbnl/NOTES.md): ecommerce scale 10 order_items (2,981,737
	// rows, 112 ns a scanned row) to products, 2 to 23 rows: 42 ns a
	// pair, 0.37 scanned rows; orders (1M, 110 ns) to customers, 1 to 32
	// rows: 27 ns, 0.24 rows; TPC-H SF1 lineitem (6M, 137 ns) to
	// supplier, 1 to 16 rows: 31 ns, 0.23 rows (wide rows cost more to
	// scan, a pair the same). Wall times at that load (7-12) were 2.4-5x
	// the CPU times and noisy; interleaved with the blind plan of the
	// same join (23 products, 9.7 s) the BNL join took 7.5 and 16.1 s,
	// and development seed 15's #43 (the same 23 pairs a row) measured
	// 3.36 s -> 5.2-5.7 s at load 6.5 (ixpage): about 0.5 rows. 0.4 is
	// used: the ecommerce pair's CPU cost, rounded up toward those wall
	// times, which is what the evaluations measure. The previous value,
	// 0.04, was a lower bound from a join that ran past its time limit.
	costBNLCompare = 0.4 * costRow
	// costBlindProbe is the extra cost per row of the larger table when
	// MariaDB joins from it because it cannot estimate the filter of the
	// smaller, driving table (optimizer_use_condition_selectivity=4
	// without histograms assumes every row passes) and the larger table
	// has no index on its join column (blind.go): an eq_ref lookup of the
	// driving table's primary key per row. Measured on ecommerce scale 10: SELECT COUNT(*) FROM
	// order_items JOIN products ... WHERE products.price = v took 5.81 s
	// through 2,983,468 such lookups against about 1 s for a scan of
	// order_items: 1.6 us per row, 5 scanned rows. Charged per lookup:
	// per run of the join key in the order the rows arrive, which in
	// primary key order costs the same (eqrefruns.go: 1.04 us against
	// 1.11 us a lookup).
	costBlindProbe = 5 * costRow
	// costIndexWrite is the cost of maintaining one secondary index for one
	// written row: one random leaf page modified, about io_block_read_cost
	// (1.0) in MySQL's model.
	costIndexWrite = 1.0
)

// predKind classifies a top-level conjunct for index matching.
type predKind uint8

const (
	predOther predKind = iota
	predEq             // =, IS NULL, IN of one value
	predIn             // IN of several values: several equality ranges
	predRange          // <, <=, >, >=, BETWEEN, LIKE 'prefix%'
)

type conjunct struct {
	col  int
	kind predKind
	n    int // values of an IN list
	expr *features.Expr
}

// occ is one table occurrence of one statement, in the context costing
// needs: its conjuncts, the columns it reads, its place in a fixed join
// order, and the ORDER BY / GROUP BY / LIMIT it may serve.
type occ struct {
	stmt   int
	table  int
	weight float64
	conj   []conjunct
	selAll float64 // selectivity of the occurrence's whole filter
	// srvSelAll is the server's belief of it (srvSel).
	srvSelAll float64
	// seenSel is the selectivity of the conjuncts the server estimates
	// with the existing indexes (seenMask): the share of the table it
	// believes a GROUP BY's temporary table holds (serverChoice).
	seenSel  float64
	reads    []bool  // per column
	joinCols []int   // columns equi-joined to occurrences earlier in the join order
	joinSel  float64 // rows matching one probe on all joinCols / table rows
	// share is the eq_ref lookups per row of a blind join keyed on the
	// join column that reads the whole table by a scan (occShare).
	share   float64
	probes  float64 // outer rows (1 for the first occurrence)
	order   []int   // ORDER BY columns, when this occurrence drives the query
	desc    []bool
	group   []int
	limit   float64 // LIMIT + OFFSET of a single-table query; 0 none
	outRows float64 // rows the query produces before ORDER / GROUP
	sels    map[uint64]float64
	srvSels map[uint64]float64 // srvSel's
	// blindBy are, for the driving occurrence of a join, the tables
	// joined to it that have more rows than the driving filter passes:
	// MariaDB may join from such a table instead, with an eq_ref lookup
	// into this one per row, unless it has an index on its join column
	// (blind.go).
	blindBy []blindLink
	q       *features.Query
	qi      int // occurrence index in q
	// probed is, for a driving occurrence, the inner occurrence whose
	// probes follow its read order (probeorder.go); nil: none.
	probed *probeInner
}

// sel returns the estimated selectivity of the conjuncts in mask.
func (a *advisor) sel(o *occ, mask uint64) float64 { return a.maskSel(a.est, o.sels, o, mask) }

// srvSel is sel by the estimator that stands for what the server
// believes of a filter no index leads (Options.Estimator, or the sample
// baseline by default; estimate.go).
func (a *advisor) srvSel(o *occ, mask uint64) float64 {
	if a.srvEst == a.est {
		return a.sel(o, mask)
	}
	return a.maskSel(a.srvEst, o.srvSels, o, mask)
}

// maskSel is est's selectivity of o's conjuncts in mask, memoised in
// cache.
func (a *advisor) maskSel(est estimator.Estimator, cache map[uint64]float64, o *occ, mask uint64) float64 {
	if mask == 0 {
		return 1
	}
	if s, ok := cache[mask]; ok {
		return s
	}
	s := 1.0
	if e, err := est.Estimate(a.maskQuery(o, mask)); err == nil {
		s = clamp01(e.Rows / a.tables[o.table].rows)
	}
	cache[mask] = s
	return s
}

// maskQuery is the single-table query of o's conjuncts in mask.
func (a *advisor) maskQuery(o *occ, mask uint64) *features.Query {
	var args []*features.Expr
	for i, c := range o.conj {
		if i < 64 && mask&(1<<i) != 0 {
			args = append(args, c.expr)
		}
	}
	f := args[0]
	if len(args) > 1 {
		f = &features.Expr{Kind: features.ExprAnd, Args: args}
	}
	return &features.Query{Schema: a.schema, Tables: []features.TableRef{{Table: o.table, Alias: "t", Filter: f}}}
}

func clamp01(x float64) float64 {
	if math.IsNaN(x) || x < 0 {
		return 0
	}
	return math.Min(x, 1)
}

// classify splits a filter into top-level conjuncts.
func classify(f *features.Expr) []conjunct {
	if f == nil {
		return nil
	}
	args := []*features.Expr{f}
	if f.Kind == features.ExprAnd {
		args = f.Args
	}
	out := make([]conjunct, 0, len(args))
	for _, e := range args {
		c := conjunct{col: -1, expr: e}
		if e.Kind == features.ExprPred {
			c.col = e.Pred.Col
			switch e.Pred.Op {
			case features.OpEQ, features.OpIsNull:
				c.kind = predEq
			case features.OpIn:
				c.kind, c.n = predIn, len(e.Pred.Values)
				if c.n == 1 {
					c.kind = predEq
				}
			case features.OpLT, features.OpLE, features.OpGT, features.OpGE, features.OpBetween:
				c.kind = predRange
			case features.OpLike:
				if len(e.Pred.Values) == 1 && likePrefix(e.Pred.Values[0].S) {
					c.kind = predRange
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// likePrefix reports whether a LIKE pattern starts with a literal, so a
// B-tree can range-scan it.
func likePrefix(p string) bool {
	return p != "" && p[0] != '%' && p[0] != '_'
}

// plan is the cost of one access option of an occurrence.
type plan struct {
	cost    float64
	rows    float64 // index entries (or rows) read
	covered bool
	ordered bool // ORDER BY served by the index
	grouped bool // GROUP BY served by the index
	// bnl: an equality ref through a covering secondary index that
	// serves every conjunct of the filter, the access MariaDB drives a
	// join from with a BNL join buffer, or a blind plan (bnl.go).
	bnl     bnlState
	lookups float64
	// runs is the run ratio of the join key in the order the plan reads
	// its rows, against primary key order (eqrefruns.go); 0 or 1: none.
	runs float64
	// disorder is how far from primary key order the plan reads its
	// rows: 0 in that order, 1 in an order unrelated to it
	// (probeorder.go).
	disorder float64
	// constRange: the plan reads a range of the index that constants
	// bound (k > 0 conjuncts served, no join column), of srvRows rows in
	// the server's estimate (records_in_range); serverChoice.
	constRange bool
	srvRows    float64
	// srvCost is what a MySQL-like optimizer believes the access costs
	// (serverChoice): row lookups charged as row reads, an ORDER BY ...
	// LIMIT walk as long as the estimated rest filter says; sorting and
	// grouping are left to serverChoice.
	srvCost float64
}

// fullScan is the cost of an occurrence without any usable index.
func (a *advisor) fullScan(o *occ) plan {
	t := &a.tables[o.table]
	p := plan{rows: t.rows, covered: true}
	p.cost = t.pages*costPage + t.rows*costRow
	bnl := 0.0
	if o.probes > 1 || len(o.joinCols) > 0 {
		p.cost += o.probes * costHashProbe
		bnl = t.rows * math.Min(o.selAll*o.probes*costBNLCompare, costBlindProbe*o.share)
	}
	p.srvCost = p.cost
	p.cost += bnl + a.sortGroupCost(o, false, false)
	return p
}

// sortGroupCost is the cost of a filesort for ORDER BY (a priority queue
// of LIMIT rows when there is a limit) and of a temporary table for GROUP
// BY, unless an index delivers rows in that order.
func (a *advisor) sortGroupCost(o *occ, ordered, grouped bool) float64 {
	c := 0.0
	n := math.Max(o.outRows, 1)
	if len(o.group) > 0 && !grouped {
		c += costTempCreate + n*costTempRow
		n = math.Max(1, math.Min(n, a.groups(o)))
	}
	if len(o.order) > 0 && !ordered {
		k := n
		if o.limit > 0 {
			k = math.Min(n, o.limit)
		}
		c += n * math.Log2(k+1) * costKeyCompare
	}
	return c
}

// groups estimates the number of GROUP BY groups: the product of the
// columns' distinct counts, at most the rows.
func (a *advisor) groups(o *occ) float64 {
	g := 1.0
	for _, c := range o.group {
		g *= math.Max(1, float64(a.cat.Stats[o.table].Columns[c].Distinct))
	}
	return g
}

// access costs the occurrence through index ix (its other conjuncts
// filter the rows read); ok is false when ix cannot serve it at all.
func (a *advisor) access(o *occ, ix *Index) (plan, bool) {
	t := &a.tables[o.table]
	var mask uint64
	ranges, eqLen, k := 1.0, 0, 0
	joinPart := false
	rangeCol := -1
	for k < len(ix.Columns) {
		c := ix.Columns[k]
		if slices.Contains(o.joinCols, c) {
			joinPart = true
			k++
			eqLen = k
			continue
		}
		best, bi := predOther, -1
		for i, cj := range o.conj {
			if cj.col == c && i < 64 && cj.kind != predOther && (bi < 0 || cj.kind < best) {
				best, bi = cj.kind, i
			}
		}
		if bi < 0 {
			break
		}
		mask |= 1 << bi
		k++
		if best == predRange || ix.prefix(k-1) > 0 {
			rangeCol = c
			break
		}
		if best == predIn {
			ranges = math.Min(ranges*float64(o.conj[bi].n), maxRangesPerKey)
		}
		eqLen = k
	}
	covered := ix.clustered
	if !covered {
		covered = true
		for c, r := range o.reads {
			if r && !ix.contains(c) && !a.inPK(o.table, c) {
				covered = false
				break
			}
		}
	}
	// Order: past the equality prefix the index must continue with the
	// ORDER BY columns (a range column may only be the first of them), in
	// one direction.
	ordered := len(o.order) > 0 && servesOrder(ix, a.pkOrder[o.table], eqLen, rangeCol, o.order, o.desc)
	grouped := len(o.group) > 0 && servesGroup(ix, eqLen, o.group)
	if k == 0 && !joinPart && !ordered && !grouped && !covered {
		return plan{}, false
	}
	selIdx := a.sel(o, mask)
	perAccess := t.rows * selIdx
	if joinPart {
		perAccess *= o.joinSel
	}
	accesses := ranges
	if joinPart {
		accesses *= math.Max(o.probes, 1)
	}
	m := perAccess * accesses
	mSrv := m
	// rest is the selectivity of o's conjuncts the index does not serve,
	// among the rows it reads.
	rest := o.selAll / math.Max(selIdx, 1e-12)
	entry := t.rowBytes
	if !ix.clustered {
		entry = t.entryBytes(ix)
	}
	if k > 0 && !joinPart {
		// The server's row estimate of each range is InnoDB's
		// records_in_range (innodbRangeDoubling).
		mSrv = innodbRangeRows(perAccess, entry, t.rows) * accesses
	}
	if (ordered || grouped) && o.limit > 0 && len(o.group) == 0 {
		// Scanning in order stops after LIMIT rows pass the rest of the
		// filter. The server believes the estimate of the rest (srvSel,
		// estimate.go); the walk
		// really costs what the pessimistic one says (walkRest): the ORDER
		// BY ... LIMIT trap is a rest filter more selective than
		// estimated, and then the walk reads the whole index.
		mSrv = math.Min(mSrv, o.limit/math.Max(o.srvSelAll/math.Max(a.srvSel(o, mask), 1e-12), 1e-9))
		all := m
		m = math.Min(m, o.limit/math.Max(math.Min(rest, a.walkRest(o, mask)), 1e-9))
		if ordered {
			// A rest conjunct on a column the walk's column determines
			// has its matches clustered along the walk (walkfd.go).
			cw := a.clusteredWalk(o, mask, o.order[0], all)
			// A rest filter correlated with the ORDER BY column may have
			// no matches at the start of the walk (walksample.go).
			sw := a.sampleWalk(o, mask, all, cw > 0)
			m = math.Max(m, math.Min(all, math.Max(cw, sw)))
		}
	}
	// The eq_ref lookups a blind plan makes from these rows are the runs
	// of the join key in the index's order (eqrefruns.go).
	runs := 1.0
	if !joinPart {
		runs = a.runRatio(o, ix, m)
	}
	height := btreeHeight(leafPages(t.rows, entry), entry)
	read := func(m, lookup float64, measured bool) float64 {
		leaves := math.Ceil(m * entry / ((pageBytes - pageOverhead) * leafFill))
		scan := leaves*costPage + m*costRow
		descent := height * costPage
		if measured {
			if !ix.clustered {
				// Priced relative to the clustered scan (scanPageRows).
				scan = m * t.scanCostPerPage() * t.pages / math.Max(t.rows, 1) * t.secondaryScanRatio(entry)
			}
			descent = math.Max(descent, costLookup)
		}
		c := accesses*descent + scan
		if !covered {
			c += m * lookup
		}
		if !joinPart && (o.probes > 1 || len(o.joinCols) > 0) {
			c += o.probes * costHashProbe
			if measured {
				// Only the rows that pass the rest of the filter meet the
				// join buffer (as in fullScan; with an equality the join
				// columns inherit, propagate.go, few do).
				c += m * math.Min(clamp01(rest)*o.probes*costBNLCompare, costBlindProbe*math.Min(runs, 1)*a.occShare(o, m))
			}
		}
		return c
	}
	p := plan{rows: m, covered: covered, ordered: ordered, grouped: grouped, runs: runs, constRange: k > 0 && !joinPart, srvRows: mSrv}
	if !joinPart {
		p.disorder = a.readDisorder(o, ix, eqLen, rangeCol, ranges)
	}
	lookup := costLookup
	if !joinPart {
		// The entries come in the index's order: in the clustered
		// index's order as far as its first column follows the primary
		// key (costLookupSorted).
		c := a.pkCorrelation(o.table, ix.Columns[0])
		sorted := c * c
		if k > 0 && rangeCol < 0 {
			// An equality ref reads its entries in the order of the
			// index's columns after the equalities, then of the primary
			// key (InnoDB's secondary entries end with it): a run of
			// ascending primary keys per distinct value of those columns.
			// The denser a run's rows are in the clustered leaves, the
			// more of its lookups land in or next to the leaf the
			// previous one read (sortedRunDensity).
			pkRuns := math.Min(a.ascendingRuns(o.table, ix, eqLen, 1), math.Max(perAccess, 1))
			d := perAccess / pkRuns / math.Max(t.pages, 1)
			sorted = math.Max(sorted, d/(d+sortedRunDensity))
		}
		lookup -= (costLookup - costLookupSorted) * sorted
	}
	p.cost = read(m, math.Max(t.height*costPage+costRow, lookup), true) + a.sortGroupCost(o, ordered, grouped)
	srvLookup := serverLookupCost
	if ordered || grouped {
		srvLookup = serverOrderLookupCost
	}
	p.srvCost = read(mSrv, srvLookup, false)
	if k == 0 && ordered && o.limit > 0 && len(o.group) == 0 {
		// A walk in ORDER BY order that no equality or range bounds is
		// weighed by the rows it reads before LIMIT matches, each at a
		// ref row's price (serverWalkRowCost).
		p.srvCost = mSrv * serverWalkRowCost
	}
	if !covered {
		p.lookups = m
	}
	if !ix.clustered && covered && !joinPart && rangeCol < 0 && ranges == 1 && k > 0 && allEq(o.conj, mask) && a.serverDrivesBNL(ix, eqLen, mSrv) {
		p.bnl = bnlEqDrive
		if len(o.q.Tables) > 1 && len(o.joinCols) == 0 {
			// The server drives the join from this ref whatever other
			// index of the table it could read (bnl.go: planning from
			// the other table it weighs every index's constant ref
			// against the eq_ref, and the cheaper ref loses that plan):
			// in its view the plan comes first.
			p.srvCost = 0
		}
	}
	return p, true
}

// innodbRangeDoubling: InnoDB estimates the rows of an index range
// (records_in_range, btr_estimate_n_rows_in_range_low) by diving to both
// ends of the range; when the two paths diverge above the leaf level (the
// range spans more than two adjacent leaf pages) it doubles the estimate
// ("In trees whose height is > 1 our algorithm tends to underestimate:
// multiply the estimate by 2"), capped at half the table's rows. Measured
// on MariaDB 10.11 (maria3, ecommerce scale 10, development seed 9's #1
// and #40, optimizer trace and ANALYZE, 14:58 UTC): order_items.product_id
// = 6657 estimated 592,956 rows against 285,317 true, product_id BETWEEN
// 821 AND 1175 247,428 against 118,374 (2.08x and 2.09x); so the server
// kept its scan (cost 608,112) against the range's 712,433 for the 9.5%
// equality, where a server believing the true count takes the index.
const (
	innodbRangeDoubling = 2
	// innodbExactLeaves: a range within this many leaf pages is counted,
	// not doubled: InnoDB reads the pages between the two paths when they
	// are fewer than N_PAGES_READ_LIMIT = 10 (btr0cur.cc). Measured on
	// MariaDB 10.11 (maria3, ecommerce scale 10, 2026-12-07, EXPLAIN of
	// order_items WHERE product_id = c through (product_id, quantity)):
	// 1,223 / 2,137 / 3,425 / 4,018 true rows estimated exactly, 6,932 /
	// 8,387 / 10,064 / 15,010 / 35,752 as 13,978 / 17,378 / 20,524 /
	// 31,562 / 74,202 (2.0-2.1x). It was 2 until then, which doubled the
	// estimates of the 4,018 and 2,880 rows the server counted exactly.
	innodbExactLeaves = 10
)

// innodbRangeRows is InnoDB's estimate of an index range of rows entries
// of entry bytes each, in a table of tableRows rows (innodbRangeDoubling).
func innodbRangeRows(rows, entry, tableRows float64) float64 {
	if rows*entry <= innodbExactLeaves*(pageBytes-pageOverhead)*leafFill {
		return rows
	}
	return math.Min(innodbRangeDoubling*rows, tableRows/2)
}

// allEq reports whether mask holds every conjunct and each is an
// equality (a filter the index serves as one ref).
func allEq(conj []conjunct, mask uint64) bool {
	if len(conj) == 0 || len(conj) > 64 {
		return false
	}
	for i, c := range conj {
		if mask&(1<<i) == 0 || c.kind != predEq {
			return false
		}
	}
	return true
}

// walkRest is a pessimistic selectivity of o's conjuncts outside mask, for
// an index walk in ORDER BY order that stops after LIMIT matches: an
// equality (IS NULL aside) matches no more than the catalog's frequency
// of its value, from the most common values when it is one and else the
// rest's mass spread over the other distinct values (the classic
// System R / PostgreSQL eqsel), unless the estimate says less. The sample
// estimator puts a value it did not sample at about one row of its
// sample, far above that on columns of many values: the ORDER BY ...
// LIMIT trap, where the walk meets its matches much later than
// estimated, often only at the end of the index.
func (a *advisor) walkRest(o *occ, mask uint64) float64 {
	r := 1.0
	for i, c := range o.conj {
		if i >= 64 || mask&(1<<i) != 0 {
			continue
		}
		s := a.sel(o, 1<<i)
		if (c.kind == predEq || c.kind == predIn) && c.expr.Pred.Op != features.OpIsNull {
			f := 0.0
			for _, v := range c.expr.Pred.Values {
				f += a.valueFreq(o.table, c.col, v)
			}
			s = math.Min(s, f)
		}
		r *= s
	}
	return r
}

// valueFreq is the catalog's frequency of value v in column col: its MCV
// frequency, or the non-MCV, non-NULL mass over the non-MCV distinct
// values.
func (a *advisor) valueFreq(table, col int, v catalog.Datum) float64 {
	cs := &a.cat.Stats[table].Columns[col]
	rest, n := 1-cs.NullFrac, float64(cs.Distinct)
	for _, m := range cs.MCVs {
		if catalog.Compare(m.Value, v) == 0 {
			return m.Freq
		}
		rest -= m.Freq
		n--
	}
	if n < 1 {
		return 0
	}
	return math.Max(rest, 0) / n
}

func (a *advisor) inPK(ti, c int) bool { return a.pkCols[ti][c] }

// servesOrder reports whether ix returns rows in ORDER BY order after its
// first eqLen columns are fixed by equalities. A secondary index's key
// goes on with the primary key columns it lacks, pk (InnoDB stores them
// in every entry, and MariaDB's extended_keys=on, the default, orders
// and refs by them): order_items(product_id) serves product_id = c ORDER
// BY id DESC LIMIT 10 (extendedKeyColumn).
func servesOrder(ix *Index, pk []int, eqLen, rangeCol int, order []int, desc []bool) bool {
	if rangeCol >= 0 && order[0] != rangeCol {
		return false
	}
	for i, c := range order {
		kc, ok := extendedKeyColumn(ix, pk, eqLen+i)
		if !ok || kc != c {
			return false
		}
		if i < len(desc) && i > 0 && desc[i] != desc[0] {
			return false
		}
	}
	return true
}

// extendedKeyColumn is column p of ix's key as InnoDB stores it: ix's
// columns, then (for a secondary index) the primary key columns pk that
// ix does not hold. ok is false past the key's end and for a prefix part
// (it does not order by the whole value). Verified on MariaDB 10.11
// (maria3, ecommerce scale 10, development seed 19's #29, 2026-12-07):
// SELECT * FROM order_items WHERE product_id = 14502 ORDER BY id DESC
// LIMIT 10 (2,880 matches) ran in 0 ms through order_items(product_id)
// against 3.8 ms for the backward primary key walk without it (the
// evaluation's alone run, /work/notes/ix/s13/e19_main.json); through
// (product_id, quantity), whose key orders by quantity before id, the
// optimizer trace reads "order can not be resolved by key" and the plan
// is the ref with a filesort of the 2,880 rows (12 ms).
func extendedKeyColumn(ix *Index, pk []int, p int) (int, bool) {
	if p < len(ix.Columns) {
		return ix.Columns[p], ix.prefix(p) == 0
	}
	if ix.clustered {
		return -1, false
	}
	p -= len(ix.Columns)
	for _, c := range pk {
		if slices.Contains(ix.Columns, c) {
			continue
		}
		if p == 0 {
			return c, true
		}
		p--
	}
	return -1, false
}

// servesGroup reports whether ix's columns after the equality prefix start
// with the GROUP BY columns in any order.
func servesGroup(ix *Index, eqLen int, group []int) bool {
	if eqLen+len(group) > len(ix.Columns) {
		return false
	}
	for _, c := range group {
		if !slices.Contains(ix.Columns[eqLen:eqLen+len(group)], c) {
			return false
		}
	}
	return true
}

// best is the cheapest plan of o over the full scan and the indexes given.
func (a *advisor) best(o *occ, idx []*Index) plan {
	b := a.fullScan(o)
	for _, ix := range idx {
		if ix.Table != o.table {
			continue
		}
		if p, ok := a.access(o, ix); ok && p.cost < b.cost {
			b = p
		}
	}
	return b
}

// estimateRows estimates a query's rows, 1 on error.
func estimateRows(est estimator.Estimator, q *features.Query) float64 {
	e, err := est.Estimate(q)
	if err != nil || math.IsNaN(e.Rows) {
		return 1
	}
	return math.Max(e.Rows, 1)
}
