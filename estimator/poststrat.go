package estimator

import (
	"math"
	"slices"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Post-stratified single-table estimates (issue 12, the README's
// single-table tails). A sampled table's estimate of a conjunctive filter
// counts its passing sampled rows at rows/n each. When one conjunct is a
// point col = v whose rows the catalog counts (an MCV, counted exactly,
// or a key of an exact degree table), the sample has a better use: the
// post-stratified, or ratio, estimate (Cochran, Sampling Techniques,
// 1977, ch. 5A-6)
//
//	|F| ≈ |col = v| · hits(F) / hits(col = v)
//
// counts the point's rows exactly and asks the sample only for the share
// of them that passes the other conjuncts, among the sampled rows that
// hold v: customers.name = 'Ben Kim' AND region NOT LIKE '%r%' is Ben
// Kim's exact count times the share of sampled Ben Kims outside the
// regions with an r, not every sampled customer's weight.
//
// A point the catalog does not count is estimated from its sampled rows
// and the histogram together: with h of the n sampled rows (sampling
// fraction f = n/rows) holding it and a the histogram's count of a value
// the MCVs leave (PostgreSQL's eqsel), its count is one row for sure (a
// workload literal is drawn from a row) plus rows under an exponential
// prior of mean a - 1 seen through Poisson sampling, whose posterior mean
// (the gamma-Poisson model of empirical Bayes; Robbins 1956) is
//
//	E[count | h] = 1 + max(h, 1) / (1/(a-1) + f),  at least h
//
// It is about a when the sample says little: 3.0 rows for order_id =
// 20359 (a = 3, one sampled row, where the sample alone says 300; true
// 4), since a value of the column's average count shows once about as
// often as a heavy one, and 1 on a column whose values are unique. It is
// about h/f, the sample's count, when the sample says much: 35,604 rows
// for quantity = 9 (121 sampled rows, a = 17,581; true 37,777).
// The same count answers a filter that is only the point, or a list of
// them (col IN (...)), where the histogram answered alone.
//
// Of several point conjuncts, one the catalog counts comes first, then
// the one the sample holds least often (the finest stratum).
//
// The histogram figures the learned models see count a point on a key
// with an exact degree table at its degree too (encode.go, occFeatures):
// order_items.product_id = 12071 with two range filters, which no sampled
// row passes, is 415 rows there (true 665) where the key's average put it
// at 27. Joined to orders and customers the zero-hit relaxation still
// drops the point at the histogram's average (30 rows).
//
// A point dropped from a zero-hit table at its own count (zerohit.go,
// droppedSel) was measured and not kept (README, flights results): it
// misled the join-order agent into a 38,954x plan on flights. A cap on a
// join synopsis that found none of its root rows moved the shared-key
// gate's gbdt p99 past its target when every model had it; it is Linear's
// training choice now (joinBaseline.synopsisCap, chooseSynopsisCap).

// sourceStratified is the baseline source of a post-stratified
// single-table estimate.
const sourceStratified = "sample-stratified"

// postStratified returns the post-stratified estimate of occurrence i of
// p, a single table with a conjunctive filter over an incomplete sample
// with passing rows, and whether one of its conjuncts is a point to
// stratify on.
func (b *joinBaseline) postStratified(p *prepared, i int) (float64, bool) {
	tr := p.q.Tables[i]
	ts := &b.s.tables[tr.Table]
	pr := &p.probes[i]
	if ts.complete || ts.n == 0 || pr.hits == 0 || tr.Filter == nil || tr.Filter.Kind != features.ExprAnd {
		return 0, false
	}
	best, bestHits, bestExact := -1.0, 0, false
	for _, c := range tr.Filter.Args {
		if !isPoint(c) {
			continue
		}
		bm, _ := b.s.filterBits(tr.Table, c, p.sc, false)
		h := bm.count()
		if h == 0 {
			continue
		}
		count, exact := b.pointRows(tr.Table, c, h)
		if best < 0 || (exact && !bestExact) || (exact == bestExact && h < bestHits) {
			best, bestHits, bestExact = count, h, exact
		}
	}
	if best < 0 {
		return 0, false
	}
	return sanitize(best * float64(pr.hits) / float64(bestHits)), true
}

// pointsRows returns the rows of occurrence i of p when its filter is a
// point col = v or a list col IN (...) over an incomplete sample: the sum
// of each listed value's pointRows.
func (b *joinBaseline) pointsRows(p *prepared, i int) (float64, bool) {
	tr := p.q.Tables[i]
	f := tr.Filter
	ts := &b.s.tables[tr.Table]
	if ts.complete || ts.n == 0 || f == nil || f.Kind != features.ExprPred || (f.Pred.Op != features.OpEQ && f.Pred.Op != features.OpIn) {
		return 0, false
	}
	vals := f.Pred.Values
	if !slices.ContainsFunc(vals, func(v catalog.Datum) bool {
		_, mcv := b.hist.mcvFreq(tr.Table, f.Pred.Col, v)
		return !v.IsNull() && !mcv
	}) {
		// The histogram counts every value exactly already: no
		// sample bitmaps to evaluate.
		return 0, false
	}
	total := 0.0
	for j, v := range vals {
		if v.IsNull() || slices.ContainsFunc(vals[:j], func(u catalog.Datum) bool { return catalog.Compare(u, v) == 0 }) {
			continue
		}
		point := &features.Expr{Kind: features.ExprPred, Pred: features.Pred{Col: f.Pred.Col, Op: features.OpEQ, Values: vals[j : j+1]}}
		bm, _ := b.s.filterBits(tr.Table, point, p.sc, false)
		r, _ := b.pointRows(tr.Table, point, bm.count())
		total += r
	}
	return sanitize(total), true
}

// pointRows returns the rows of table ti satisfying point (col = v), h of
// whose sampled rows hold v: the catalog's count, exact, when it has one
// (pointCount), else the gamma-Poisson posterior mean over the
// histogram's count (see above).
func (b *joinBaseline) pointRows(ti int, point *features.Expr, h int) (rows float64, exact bool) {
	if c, ok := b.pointCount(ti, point.Pred.Col, point.Pred.Values[0]); ok {
		return c, true
	}
	ts := &b.s.tables[ti]
	m := math.Max(ts.rows*b.hist.filterSel(ti, point)-1, 0)
	f := float64(ts.n) / math.Max(ts.rows, 1)
	return math.Max(1+float64(max(h, 1))/(1/m+f), float64(h)), false
}

// pointCount returns the rows of table ti whose column col is v, when the
// catalog counts them exactly: v is one of the column's most common
// values (the histogram's MCV map), or the column is a key with a degree
// table that keeps v's count (or keeps every key, and v's absence means
// none).
func (b *joinBaseline) pointCount(ti, col int, v catalog.Datum) (float64, bool) {
	if f, ok := b.hist.mcvFreq(ti, col, v); ok {
		return math.Round(f * b.s.tables[ti].rows), true
	}
	return b.s.degreeCount(ti, col, v)
}

// degreeCount returns the rows of table ti whose column col is v from
// the exact degree table of col (catalog.KeyDegrees), when it has one that
// keeps v's count or keeps every key.
func (s *sampleSet) degreeCount(ti, col int, v catalog.Datum) (float64, bool) {
	if ti >= len(s.cat.Stats) {
		return 0, false
	}
	kd := s.cat.Stats[ti].KeyDegreesOf([]int{col})
	if kd == nil {
		return 0, false
	}
	idx := s.degreeIndex(ti, col, kd)
	var buf [40]byte
	key := catalog.AppendKey(buf[:0], v)
	if _, kept := idx[string(key)]; !kept && kd.RestKeys > 0 {
		// Only the average of the keys not kept.
		return 0, false
	}
	return kd.Degree(idx, key), true
}

// isPoint reports whether e is a point: col = v, v not NULL.
func isPoint(e *features.Expr) bool {
	return e.Kind == features.ExprPred && e.Pred.Op == features.OpEQ && len(e.Pred.Values) == 1 && !e.Pred.Values[0].IsNull()
}
