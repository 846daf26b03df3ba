package estimator

import (
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Estimates of predicates on functions of columns (features.ExprFunc)
// and of comparisons of two columns of one row (features.ExprCols).
//
// The sample-based estimators evaluate them on the sampled rows exactly
// as the engine does (Func.Apply, Pred.EvalCols), so the baseline every
// learned model corrects sees them like any other filter. The histogram
// baseline has no statistics of a function; it uses, as optimizers do:
//
//   - date parts: rows uniform over the days between the column's
//     minimum and maximum when they span at most maxSpanDays (MONTH(d) =
//     2 on January-March data is about a third), else values uniform over
//     the part's range (MONTH 1-12, DAYOFWEEK 1-7, HOUR 0-23, ...);
//   - DATE(x), LEFT(s, n), x + k: the column's own statistics at the
//     value (x + k < v as x < v - k; DATE(x) and LEFT(s, n) compared as
//     the column itself);
//   - anything else: PostgreSQL's defaults (DEFAULT_EQ_SEL per value,
//     DEFAULT_INEQ_SEL for ranges, DEFAULT_RANGE_INEQ_SEL for BETWEEN,
//     DEFAULT_MATCH_SEL for LIKE);
//   - x op y: = as an equi-join of the two columns (1/max(ndv)), ranges
//     by independence of the two columns over the histogram of y.
//
// Every figure is scaled by the fraction of rows whose columns are not
// NULL.
const (
	// defaultEqSel is PostgreSQL's DEFAULT_EQ_SEL (selfuncs.h).
	defaultEqSel = 0.005
	// defaultIneqSel is PostgreSQL's DEFAULT_INEQ_SEL.
	defaultIneqSel = 1.0 / 3
	// defaultRangeSel is PostgreSQL's DEFAULT_RANGE_INEQ_SEL.
	defaultRangeSel = 0.005
)

// exprSel returns the histogram selectivity of an ExprFunc or ExprCols
// predicate on table ti.
func (h *Histogram) exprSel(ti int, e *features.Expr) float64 {
	p := &e.Pred
	c := h.col(ti, p.Col)
	if c == nil {
		return 1
	}
	if e.Kind == features.ExprCols {
		d := h.col(ti, p.Col2)
		if d == nil {
			return 1
		}
		return colsSel(c, d, p)
	}
	switch p.Op {
	case features.OpIsNull:
		return clamp01(c.st.NullFrac)
	case features.OpIsNotNull:
		return c.notNull()
	}
	if s, ok := daysSel(c, p); ok {
		return c.notNull() * s
	}
	if lo, hi, ok := p.Fn.Domain(); ok {
		return c.notNull() * domainSel(p, lo, hi)
	}
	switch p.Fn {
	case features.FuncDate, features.FuncLeft:
		if p.Op != features.OpLike && p.Op != features.OpNotLike {
			q := *p
			q.Fn = 0
			return c.pred(&q, h.like)
		}
	case features.FuncAdd:
		if k, ok := numDatum(p.Arg); ok {
			q := *p
			q.Fn = 0
			q.Values = make([]catalog.Datum, len(p.Values))
			for i, v := range p.Values {
				q.Values[i] = v
				if x, ok := numDatum(v); ok {
					q.Values[i] = catalog.Float(x - k)
				}
			}
			return c.pred(&q, h.like)
		}
	}
	return c.notNull() * defaultSel(p)
}

func numDatum(d catalog.Datum) (float64, bool) {
	switch d.Kind {
	case catalog.KindInt:
		return float64(d.I), true
	case catalog.KindFloat:
		return d.F, true
	}
	return 0, false
}

// defaultSel is the selectivity of a predicate on an expression nothing is
// known of, among rows where it is not NULL.
func defaultSel(p *features.Pred) float64 {
	n := float64(len(p.Values))
	switch p.Op {
	case features.OpEQ:
		return defaultEqSel
	case features.OpNE:
		return 1 - defaultEqSel
	case features.OpIn:
		return math.Min(1, n*defaultEqSel)
	case features.OpNotIn:
		return math.Max(0, 1-n*defaultEqSel)
	case features.OpLT, features.OpLE, features.OpGT, features.OpGE:
		return defaultIneqSel
	case features.OpBetween:
		return defaultRangeSel
	case features.OpLike:
		return defaultMatchSel
	case features.OpNotLike:
		return 1 - defaultMatchSel
	}
	return defaultIneqSel
}

// maxSpanDays bounds the days daysSel enumerates (about 13 months): a
// column spanning more holds every value of a yearly date part, and the
// uniform range is as good.
const maxSpanDays = 400

// daysSel is the selectivity of a date-part predicate (one value per
// calendar day: YEAR, MONTH, DAYOFWEEK, ...) on a column whose values
// span at most maxSpanDays days: the share of the days between the
// column's minimum and maximum whose value satisfies p (rows taken
// uniform over time). ok is false for other functions and wider spans.
func daysSel(c *histCol, p *features.Pred) (float64, bool) {
	switch p.Fn {
	case features.FuncYear, features.FuncQuarter, features.FuncMonth, features.FuncDay,
		features.FuncDayOfWeek, features.FuncWeekday, features.FuncDayOfYear:
	default:
		return 0, false
	}
	lo, hi := c.st.Min, c.st.Max
	if lo.Kind != catalog.KindInt || hi.Kind != catalog.KindInt || hi.I < lo.I {
		return 0, false
	}
	const day = 86400
	first, last := lo.I-((lo.I%day)+day)%day, hi.I
	if (last-first)/day > maxSpanDays {
		return 0, false
	}
	n, in := 0, 0
	for d := first; d <= last; d += day {
		n++
		if p.Eval(p.Fn.Apply(catalog.Int(d), p.Arg)) == features.True {
			in++
		}
	}
	return float64(in) / float64(n), n > 0
}

// domainSel is the fraction of the integers lo..hi (uniform) satisfying
// p; a value outside them matches nothing.
func domainSel(p *features.Pred, lo, hi int64) float64 {
	n := float64(hi - lo + 1)
	in := func(v catalog.Datum) bool { return v.Kind == catalog.KindInt && v.I >= lo && v.I <= hi }
	// below(v, incl): the share of the domain < v (<= v when incl).
	below := func(v catalog.Datum, incl bool) float64 {
		x, ok := numDatum(v)
		if !ok {
			return 0
		}
		k := math.Ceil(x) - float64(lo) // integers lo..ceil(x)-1 are < x
		if incl {
			k = math.Floor(x) - float64(lo) + 1
		}
		return clamp01(k / n)
	}
	one := func() (catalog.Datum, bool) {
		if len(p.Values) != 1 || p.Values[0].IsNull() {
			return catalog.Null, false
		}
		return p.Values[0], true
	}
	switch p.Op {
	case features.OpEQ, features.OpNE:
		v, ok := one()
		if !ok {
			return 0
		}
		s := 0.0
		if in(v) {
			s = 1 / n
		}
		if p.Op == features.OpNE {
			return 1 - s
		}
		return s
	case features.OpIn, features.OpNotIn:
		seen := map[int64]bool{}
		hasNull := false
		for _, v := range p.Values {
			if v.IsNull() {
				hasNull = true
			} else if in(v) {
				seen[v.I] = true
			}
		}
		s := float64(len(seen)) / n
		if p.Op == features.OpIn {
			return s
		}
		if hasNull {
			return 0
		}
		return 1 - s
	case features.OpLT, features.OpLE:
		if v, ok := one(); ok {
			return below(v, p.Op == features.OpLE)
		}
	case features.OpGT, features.OpGE:
		if v, ok := one(); ok {
			return 1 - below(v, p.Op == features.OpGT)
		}
	case features.OpBetween:
		if len(p.Values) == 2 && !p.Values[0].IsNull() && !p.Values[1].IsNull() {
			return clamp01(below(p.Values[1], true) - below(p.Values[0], false))
		}
	}
	return 0
}

// colsSel is the selectivity of x op y (+ Arg) from the statistics of x
// (c) and y (d), the two taken independent.
func colsSel(c, d *histCol, p *features.Pred) float64 {
	nn := c.notNull() * d.notNull()
	shift := 0.0
	if p.Arg.Kind == catalog.KindInt {
		shift = float64(p.Arg.I)
	}
	eq := nn / math.Max(1, math.Max(float64(c.st.Distinct), float64(d.st.Distinct)))
	switch p.Op {
	case features.OpEQ:
		return eq
	case features.OpNE:
		return clamp01(nn - eq)
	case features.OpLT, features.OpLE, features.OpGT, features.OpGE:
	default:
		return nn * defaultIneqSel
	}
	// P(x < y + shift) = sum over y's distribution of P(x < v + shift):
	// y's MCVs with their frequencies and its histogram buckets' midpoints
	// with equal shares of the rest.
	pts, ws := d.points()
	if len(pts) == 0 || !c.numeric || !d.numeric {
		return nn * defaultIneqSel
	}
	incl := p.Op == features.OpLE || p.Op == features.OpGT
	lt, tot := 0.0, 0.0
	for i, v := range pts {
		lt += ws[i] * c.lt(catalog.Float(v+shift), incl) / math.Max(c.notNull(), 1e-12)
		tot += ws[i]
	}
	s := lt / tot // P(x < y) among rows where both are not NULL
	if p.Op == features.OpGT || p.Op == features.OpGE {
		s = 1 - s
	}
	return nn * clamp01(s)
}

// points returns a discrete picture of the column's non-NULL values: its
// MCVs and the midpoints of its histogram buckets, with weights.
func (h *histCol) points() (pts, ws []float64) {
	for _, m := range h.st.MCVs {
		if x, ok := numDatum(m.Value); ok {
			pts, ws = append(pts, x), append(ws, m.Freq)
		}
	}
	if hb := h.histNums; len(hb) >= 2 {
		w := h.st.HistFrac / float64(len(hb)-1)
		for i := 1; i < len(hb); i++ {
			pts, ws = append(pts, (hb[i-1]+hb[i])/2), append(ws, w)
		}
	} else if len(hb) == 1 {
		pts, ws = append(pts, hb[0]), append(ws, h.st.HistFrac)
	}
	return pts, ws
}

// exprBits evaluates an ExprFunc or ExprCols predicate on the sample of
// table ti: t holds the rows where it is TRUE, f (when wantF) where it is
// FALSE.
func (s *sampleSet) exprBits(ti int, e *features.Expr, sc *scratch, wantF bool) (t, f bitmap) {
	ts := &s.tables[ti]
	t = sc.get(ts.n)
	if wantF {
		f = sc.get(ts.n)
	}
	p := &e.Pred
	if p.Col < 0 || p.Col >= len(ts.cols) || (e.Kind == features.ExprCols && (p.Col2 < 0 || p.Col2 >= len(ts.cols))) {
		t.fill(ts.n)
		return t, f
	}
	a := ts.cols[p.Col].rows
	var b []catalog.Datum
	if e.Kind == features.ExprCols {
		b = ts.cols[p.Col2].rows
	}
	for i := 0; i < ts.n && i < len(a); i++ {
		var r features.Tri
		if b != nil {
			r = p.EvalCols(a[i], b[i])
		} else {
			r = p.Eval(p.Fn.Apply(a[i], p.Arg))
		}
		switch {
		case r == features.True:
			t.set(int32(i))
		case r == features.False && wantF:
			f.set(int32(i))
		}
	}
	return t, f
}
