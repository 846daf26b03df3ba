package indexadvisor

import (
	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
)

// The advisor's default estimator (Options.Estimator nil): the sample
// baseline, except for a filter that is one equality on one column whose
// value is one of the column's most common values (counted exactly) or
// one at most one sampled row holds, which the histogram baseline
// estimates from the column's most common values and distinct count (the
// MCV's count, else the rows the MCVs leave over the distinct values they
// leave, PostgreSQL's eqsel).
//
// A sampled table puts an equality at its hits' share of the table: at a
// whole sampled row's share (15 of TPC-H SF1's 150,000 customers, 80 of
// its 800,000 partsupp rows) when one sampled row holds the value, and at
// half a row's when none does (the zero-hit rule). MariaDB estimates such
// a ref by records_in_range, diving the index to both ends of the value:
// the true count, 1 customer for `c_acctbal = 8648.37` (one sampled row)
// and 1 part for a `p_name`. Which plan the server picks turns on that
// estimate: it drives a join from an equality ref through a covering
// index with a BNL join buffer only when the ref holds few rows
// (bnlEqRefMaxRows, bnl.go). Measured on MariaDB 10.11 (TPC-H SF1, seed
// 16, 2026-12-07):
//
//	SELECT COUNT(*) FROM orders f JOIN customer d ON f.o_custkey = d.c_custkey
//	WHERE d.c_acctbal = 8648.37
//
// took 4,055 ms without an index (f ALL, then d eq_ref for each of 1.5M
// orders) and 466 ms with customer(c_acctbal) (EXPLAIN: d ref, 1 row,
// then f ALL with a BNL join buffer); lineitem joined to the part of one
// p_name 10.0 s -> 1.8 s with part(p_name). At the sample's 15 and 10
// rows the model kept the blind plan and credited the two indexes with
// 0.08% and 0.13% of the workload, measured 9.5% and 7.6%.
//
// A value the sample holds twice or more keeps the sample's estimate
// (heavyHits): workload literals are drawn from rows, so they favour
// heavy values, which the histogram's average misses. Fresh ecommerce
// seed 22's #5 (order_items JOIN orders WHERE d.customer_id = 20897): 2
// of the sampled orders, 200 by the sample, 8.7 by the histogram, 112 in
// the data; at 8.7 the model let orders(customer_id, status) drive a BNL
// join over 3M items (measured 26 s against 1.9 s without the index).
// The rule costs where a light value is sampled twice: TPC-H 16's
// `ps_supplycost = 150.66` (2 of 10,000 sampled rows: 160 by the sample,
// 8 by the histogram, 14 in the data) keeps the sample's 160, and with
// it the model still prices the BNL join driven from
// partsupp(ps_supplycost, ps_availqty) far above the measured 10.0 ->
// 5.7 s.
//
// What the server believes of a filter no index leads is another matter:
// it has no statistics for it (EXPLAIN EXTENDED: filtered 100.00 for
// `order_id = 88285` on order_items, no column statistics), and the
// ORDER BY ... LIMIT walks it starts in that belief are the traps
// (cost.go, walkRest). The model keeps the sample baseline's estimate
// for that belief (advisor.srvEst, srvSel): its zero-hit rule puts a
// rare value high, toward the server's ignorance, and the trap model was
// measured with it.
type adviceEstimator struct {
	cat    *catalog.Catalog
	sample *estimator.Sample
	hist   *estimator.Histogram
}

func newAdviceEstimator(cat *catalog.Catalog) *adviceEstimator {
	return &adviceEstimator{cat: cat, sample: estimator.NewSample(cat), hist: estimator.NewHistogram(cat)}
}

// Name returns the sample baseline's name: the histogram only stands in
// for it on single-column equalities.
func (e *adviceEstimator) Name() string { return e.sample.Name() }

// Estimate implements estimator.Estimate: the histogram's estimate for an
// equality on one column whose value is one of its most common (counted
// exactly) or one that fewer than heavyHits rows of an incomplete sample
// hold, else the sample's.
func (e *adviceEstimator) Estimate(q *features.Query) (estimator.Estimate, error) {
	if len(q.Tables) == 1 && len(q.Joins) == 0 {
		if f := q.Tables[0].Filter; f != nil && f.Kind == features.ExprPred && f.Pred.Op == features.OpEQ && len(f.Pred.Values) == 1 && e.histFor(q.Tables[0].Table, f.Pred.Col, f.Pred.Values[0]) {
			return e.hist.Estimate(q)
		}
	}
	return e.sample.Estimate(q)
}

// histFor reports whether the histogram estimates column col = v of the
// table: v is a most common value, or the sample is not the whole table
// and holds v in fewer than heavyHits rows.
func (e *adviceEstimator) histFor(table, col int, v catalog.Datum) bool {
	ts := &e.cat.Stats[table]
	if col < len(ts.Columns) {
		for _, m := range ts.Columns[col].MCVs {
			if catalog.Compare(m.Value, v) == 0 {
				return true
			}
		}
	}
	if col >= len(ts.Sample) || int64(len(ts.Sample[col])) >= ts.Rows {
		return false
	}
	hits := 0
	for _, d := range ts.Sample[col] {
		if catalog.Compare(d, v) == 0 {
			if hits++; hits >= heavyHits {
				return false
			}
		}
	}
	return true
}

// heavyHits is the fewest sampled rows that mark a value as heavier than
// the histogram's average: with sampling fraction f, a value of the
// average count a shows twice with probability about (af)^2/2 (TPC-H
// SF1's ps_supplycost: a = 8, f = 1/80, 0.5%), while among many such
// values some show once (there 10% of them), as often as a heavy one
// does (a customer of 112 orders at f = 1/100: 37% once, 31% twice or
// more). One sampled row says little; two say heavy.
const heavyHits = 2
