package estimator

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Constants of the histogram baseline, after PostgreSQL's
// src/include/utils/selfuncs.h and src/backend/utils/adt/selfuncs.c.
const (
	// defaultMatchSel is PostgreSQL's DEFAULT_MATCH_SEL: the selectivity of
	// a LIKE pattern on the non-MCV part of a column when the histogram is
	// too small to test the pattern on.
	defaultMatchSel = 0.005
	// minHistForPattern is the histogram size from which PostgreSQL's
	// histogram_selectivity trusts the fraction of bounds a pattern
	// matches (it uses 100).
	minHistForPattern = 100
	// histSpread is the factor of the histogram baseline's Low/High band
	// per table of the query: optimiser estimates are routinely off by
	// this much per relation (Leis et al., VLDB 2015, "How good are query
	// optimizers, really?").
	histSpread = 4.0
)

// histCol is the per-column view of catalog statistics the histogram
// baseline uses.
type histCol struct {
	st       *catalog.ColumnStats
	mcv      map[catalog.Datum]float64
	ndvRest  float64 // distinct values outside the MCV list (>= 1)
	numeric  bool
	histNums []float64 // numeric histogram bounds
	// MCVs in value order with cumulative frequencies: mcvCum[i] is the
	// frequency of the i smallest MCVs, so MCV mass below v is a binary
	// search.
	mcvSorted []catalog.Datum
	mcvCum    []float64
}

func newHistCol(typ catalog.Type, st *catalog.ColumnStats) *histCol {
	h := &histCol{st: st, mcv: make(map[catalog.Datum]float64, len(st.MCVs)), numeric: typ.Numeric()}
	for _, m := range st.MCVs {
		h.mcv[m.Value] = m.Freq
	}
	h.ndvRest = math.Max(1, float64(st.Distinct)-float64(len(st.MCVs)))
	ms := append([]catalog.MCV(nil), st.MCVs...)
	sort.Slice(ms, func(a, b int) bool { return catalog.Compare(ms[a].Value, ms[b].Value) < 0 })
	h.mcvCum = make([]float64, len(ms)+1)
	for i, m := range ms {
		h.mcvSorted = append(h.mcvSorted, m.Value)
		h.mcvCum[i+1] = h.mcvCum[i] + m.Freq
	}
	if h.numeric {
		h.histNums = make([]float64, len(st.Histogram))
		for i, d := range st.Histogram {
			h.histNums[i] = d.Float64()
		}
	}
	return h
}

// histLT returns the fraction of histogram rows (not MCVs, not NULLs)
// below v, or at most v when inclusive; linear interpolation inside a
// bucket for numbers, half a bucket for strings (PostgreSQL's
// ineq_histogram_selectivity).
func (h *histCol) histLT(v catalog.Datum, inclusive bool) float64 {
	hb := h.st.Histogram
	if len(hb) == 0 {
		return 0
	}
	cmp := func(i int) int { return catalog.Compare(hb[i], v) }
	if len(hb) == 1 {
		c := cmp(0)
		if c < 0 || (c == 0 && inclusive) {
			return 1
		}
		return 0
	}
	// i = number of bounds below (or at) v.
	i := sort.Search(len(hb), func(i int) bool {
		c := cmp(i)
		if inclusive {
			return c > 0
		}
		return c >= 0
	})
	if i == 0 {
		return 0
	}
	if i == len(hb) {
		return 1
	}
	buckets := float64(len(hb) - 1)
	frac := 0.5
	if h.numeric {
		lo, hi := h.histNums[i-1], h.histNums[i]
		if x := v.Float64(); hi > lo && !math.IsNaN(x) {
			frac = (x - lo) / (hi - lo)
		}
	}
	return clamp01((float64(i-1) + frac) / buckets)
}

// mcvFreq returns the frequency of v in column ci of table ti when v is
// one of its most common values (counted exactly in the catalog).
func (h *Histogram) mcvFreq(ti, ci int, v catalog.Datum) (float64, bool) {
	c := h.col(ti, ci)
	if c == nil {
		return 0, false
	}
	return c.mcvFreq(v)
}

// mcvFreq returns the frequency of v when it is one of the column's most
// common values.
func (h *histCol) mcvFreq(v catalog.Datum) (float64, bool) {
	f, ok := h.mcv[v]
	return f, ok
}

// eq returns the selectivity of col = v (PostgreSQL var_eq_const).
func (h *histCol) eq(v catalog.Datum) float64 {
	if v.IsNull() {
		return 0
	}
	if f, ok := h.mcvFreq(v); ok {
		return f
	}
	if h.st.Min.IsNull() || catalog.Compare(v, h.st.Min) < 0 || catalog.Compare(v, h.st.Max) > 0 {
		return 0
	}
	if h.st.HistFrac <= 0 {
		return 0
	}
	return h.st.HistFrac / h.ndvRest
}

// lt returns the selectivity of col < v (or <= v when inclusive).
func (h *histCol) lt(v catalog.Datum, inclusive bool) float64 {
	if v.IsNull() {
		return 0
	}
	k := sort.Search(len(h.mcvSorted), func(i int) bool {
		c := catalog.Compare(h.mcvSorted[i], v)
		return c > 0 || (c == 0 && !inclusive)
	})
	s := h.mcvCum[k] + h.st.HistFrac*h.histLT(v, inclusive)
	return clamp01(s)
}

func (h *histCol) notNull() float64 { return clamp01(1 - h.st.NullFrac) }

// like returns the selectivity of col LIKE pattern: matching MCVs count
// exactly; the histogram part uses the fraction of matching histogram
// bounds when there are enough of them, else DEFAULT_MATCH_SEL
// (PostgreSQL patternsel / histogram_selectivity).
func (h *histCol) like(pattern string, lc likeCache) float64 {
	m := lc.get(pattern)
	s := 0.0
	for _, mc := range h.st.MCVs {
		if mc.Value.Kind == catalog.KindString && m(mc.Value.S) {
			s += mc.Freq
		}
	}
	rest := defaultMatchSel
	if hb := h.st.Histogram; len(hb) >= minHistForPattern {
		k := 0
		for _, b := range hb {
			if b.Kind == catalog.KindString && m(b.S) {
				k++
			}
		}
		rest = float64(k) / float64(len(hb))
	}
	return clamp01(s + h.st.HistFrac*rest)
}

// pred returns the selectivity of one atomic predicate.
func (h *histCol) pred(p *features.Pred, lc likeCache) float64 {
	one := func() (catalog.Datum, bool) {
		if len(p.Values) != 1 {
			return catalog.Null, false
		}
		return p.Values[0], !p.Values[0].IsNull()
	}
	switch p.Op {
	case features.OpIsNull:
		return clamp01(h.st.NullFrac)
	case features.OpIsNotNull:
		return h.notNull()
	case features.OpEQ:
		if v, ok := one(); ok {
			return h.eq(v)
		}
	case features.OpNE:
		if v, ok := one(); ok {
			return clamp01(h.notNull() - h.eq(v))
		}
	case features.OpIn, features.OpNotIn:
		s := 0.0
		seen := make(map[catalog.Datum]bool, len(p.Values))
		hasNull := false
		for _, v := range p.Values {
			if v.IsNull() {
				hasNull = true
				continue
			}
			if !seen[v] {
				seen[v] = true
				s += h.eq(v)
			}
		}
		s = math.Min(s, h.notNull())
		if p.Op == features.OpIn {
			return s
		}
		if hasNull {
			return 0
		}
		return clamp01(h.notNull() - s)
	case features.OpLT:
		if v, ok := one(); ok {
			return h.lt(v, false)
		}
	case features.OpLE:
		if v, ok := one(); ok {
			return h.lt(v, true)
		}
	case features.OpGT:
		if v, ok := one(); ok {
			return clamp01(h.notNull() - h.lt(v, true))
		}
	case features.OpGE:
		if v, ok := one(); ok {
			return clamp01(h.notNull() - h.lt(v, false))
		}
	case features.OpBetween:
		if len(p.Values) == 2 && !p.Values[0].IsNull() && !p.Values[1].IsNull() {
			return clamp01(h.lt(p.Values[1], true) - h.lt(p.Values[0], false))
		}
	case features.OpLike, features.OpNotLike:
		if v, ok := one(); ok && v.Kind == catalog.KindString {
			s := h.like(v.S, lc)
			if p.Op == features.OpNotLike {
				return clamp01(h.notNull() - s)
			}
			return s
		}
	}
	return 0
}

// Histogram is the "histogram" baseline: what a cost-based optimiser
// computes from per-column statistics (PostgreSQL selfuncs.c; MySQL 8.0
// column histograms): MCVs and equi-depth histograms per column, predicates
// independent, OR by inclusion-exclusion, NOT as 1-s, and each join edge
// R.a = S.b of selectivity 1/max(ndv(a), ndv(b)) (PostgreSQL eqjoinsel
// without MCV matching; Selinger et al., SIGMOD 1979).
type Histogram struct {
	cat  *catalog.Catalog
	cols [][]*histCol // [table][column]
	like likeCache
	fds  [][]fdDep // [table]: functional dependencies (fd.go)
	// band is the conformal band calibrated on a training workload
	// (baseband.go); nil: fixed spreads (histSpread per table).
	band *conformalBand
}

// NewHistogram returns the histogram baseline over cat's statistics.
func NewHistogram(cat *catalog.Catalog) *Histogram {
	h := &Histogram{cat: cat, like: newLikeCache(), fds: newFDs(cat)}
	h.cols = make([][]*histCol, len(cat.Schema.Tables))
	for ti, t := range cat.Schema.Tables {
		if ti >= len(cat.Stats) {
			break
		}
		st := &cat.Stats[ti]
		h.cols[ti] = make([]*histCol, len(t.Columns))
		for ci, c := range t.Columns {
			if ci < len(st.Columns) {
				h.cols[ti][ci] = newHistCol(c.Type, &st.Columns[ci])
			}
		}
	}
	return h
}

// Name returns "histogram".
func (h *Histogram) Name() string { return KindHistogram }

// filterSel returns the selectivity of a filter on table ti.
func (h *Histogram) filterSel(ti int, e *features.Expr) float64 {
	if e == nil {
		return 1
	}
	switch e.Kind {
	case features.ExprPred:
		c := h.col(ti, e.Pred.Col)
		if c == nil {
			return 1
		}
		return c.pred(&e.Pred, h.like)
	case features.ExprFunc, features.ExprCols:
		return h.exprSel(ti, e)
	}
	if s, ok := independentSel(e.Kind, e.Args, func(a *features.Expr) float64 { return h.filterSel(ti, a) }); ok {
		return s
	}
	return 1
}

func (h *Histogram) col(ti, ci int) *histCol {
	if ti < 0 || ti >= len(h.cols) || ci < 0 || ci >= len(h.cols[ti]) {
		return nil
	}
	return h.cols[ti][ci]
}

// joinSel returns the selectivity of one equi-join edge (PostgreSQL
// eqjoinsel_inner without MCVs: (1-nf1)(1-nf2)/max(nd1, nd2)).
func (h *Histogram) joinSel(q *features.Query, j features.Join) float64 {
	a := h.col(q.Tables[j.Left].Table, j.LeftCol)
	b := h.col(q.Tables[j.Right].Table, j.RightCol)
	if a == nil || b == nil {
		return 1
	}
	nd := math.Max(1, math.Max(float64(a.st.Distinct), float64(b.st.Distinct)))
	return a.notNull() * b.notNull() / nd
}

// tableSelsInner returns per table occurrence the filter selectivity, into dst.
func (h *Histogram) tableSelsInner(q *features.Query, dst []float64) []float64 {
	dst = dst[:0]
	for _, tr := range q.Tables {
		s, _ := h.fdSel(tr.Table, tr.Filter, h.filterSel(tr.Table, tr.Filter))
		dst = append(dst, s)
	}
	return dst
}

// innerRows combines per-table selectivities into the estimate of the
// sub-plan mask, every join inner.
func (h *Histogram) innerRows(q *features.Query, sels []float64, mask uint64) float64 {
	rows := 1.0
	for i, tr := range q.Tables {
		if mask&(1<<uint(i)) != 0 {
			rows *= float64(h.cat.Stats[tr.Table].Rows) * sels[i]
		}
	}
	for _, j := range q.Joins {
		if mask&(1<<uint(j.Left)) != 0 && mask&(1<<uint(j.Right)) != 0 {
			rows *= h.joinSel(q, j)
		}
	}
	return rows
}

func (h *Histogram) estimateMask(q *features.Query, sels []float64, mask uint64) Estimate {
	rows := sanitize(h.maskRows(q, sels, mask))
	if rows < 1 {
		rows = 1 // PostgreSQL clamp_row_est
	}
	f := math.Pow(histSpread, float64(popcount(mask)))
	return Estimate{Rows: rows, Low: rows / f, High: rows * f, Source: KindHistogram}
}

// Estimate implements Estimator: a disconnected query is the product of
// its connected parts, and the estimate is at most the product of its
// tables' row counts (see estimateGuarded).
func (h *Histogram) Estimate(q *features.Query) (Estimate, error) {
	return estimateGuarded(h.cat, q, h.estimateConnected)
}

// estimateConnected estimates a query whose tables are connected by joins.
func (h *Histogram) estimateConnected(q *features.Query) (Estimate, error) {
	var buf [8]float64
	sels := h.tableSels(q, buf[:0])
	return h.band.widen(h.estimateMask(q, sels, q.FullMask()), len(q.Tables)-1, q.HasShapes()), nil
}

// estimateSubPlans implements subPlanEstimator: per-table selectivities are
// computed once for all sub-plans.
func (h *Histogram) estimateSubPlans(q *features.Query, masks []uint64, dst []SubPlanEstimate) ([]SubPlanEstimate, error) {
	q, err := canonicalQuery(h.cat, q)
	if err != nil {
		return dst, err
	}
	var buf [8]float64
	sels := h.tableSels(q, buf[:0])
	for _, m := range masks {
		dst = append(dst, SubPlanEstimate{Mask: m, Estimate: h.estimateMask(q, sels, m)})
	}
	return dst, nil
}

// String describes the estimator.
func (h *Histogram) String() string {
	return fmt.Sprintf("histogram(%d tables)", len(h.cols))
}

func init() {
	registerKind(kindSpec{name: KindHistogram, rank: 0,
		train: func(ctx context.Context, cat *catalog.Catalog, exs []Example, _ TrainOptions) (Model, error) {
			h := NewHistogram(cat)
			band, err := calibrateBaseline(ctx, h, exs)
			h.band = band
			return nilOnError(h, err)
		},
		load: func(payload []byte, cat *catalog.Catalog, _ int) (Model, error) {
			h := NewHistogram(cat)
			band, err := loadBandPayload(payload)
			h.band = band
			return nilOnError(h, err)
		},
	})
}

// A histogram is rebuilt from the catalog of its model file; its payload
// is its conformal band when trained on a workload (baseband.go).
func (h *Histogram) kind() string                   { return KindHistogram }
func (h *Histogram) modelCatalog() *catalog.Catalog { return h.cat }
func (h *Histogram) savePayload(w io.Writer) error  { return saveBandPayload(w, h.band) }
