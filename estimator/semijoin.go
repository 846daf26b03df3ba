package estimator

import (
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Estimates of the query shapes beyond inner equi-joins (features'
// outer.go and subquery.go), in the baseline every learned model corrects
// and in the histogram estimator:
//
//	semi-join (EXISTS, IN)   rows(t) × P(match)
//	anti-join (NOT EXISTS)   rows(t) × (1 − P(match))
//	NOT IN                   rows(t) × (1 − P(match)) × P(x not NULL) ×
//	                         P(no NULL in the subquery's column)
//	scalar subquery          rows(t) × selectivity of t.x op Scale·value,
//	                         value evaluated on the catalog sample
//	LEFT JOIN group G        rows(S∖G) × (fan-out(G) + 1 − P(match))
//
// P(match), the chance that a row's key finds a row of the subquery's
// exposing table X among the rows that survive the subquery, follows the
// semi-join estimates of System R and Swami & Schiefer ("On the Estimation
// of Join Result Sizes", EDBT 1994): the containment of the smaller key
// domain in the larger, times Cardenas' formula for a key value to keep at
// least one of its freq = rows(X)/ndv(X) rows when a fraction s of X
// survives:
//
//	P(match) = P(key not NULL) · min(1, ndv(X)/ndv(t)) · (1 − (1 − s)^freq)
//
// with s = min(1, estimated rows of the subquery / rows(X)). A <>
// correlation (TPC-H Q21) needs another row of the key's group: freq − 1
// when X is t's own table. A scalar subquery's value (AVG, SUM, COUNT, MIN,
// MAX) is computed on X's catalog sample rows that pass X's filter, SUM
// and COUNT scaled to a correlated group's rows (freq · s); a correlated
// MIN or MAX compared with = keeps one row of a group of freq · s. The
// fan-out of an outer join's group is rows(S)/rows(S∖G) of the inner join.
// The learned models see these factors as features (encode.go) and
// correct them like every other baseline figure.

// shapeFactors are the per-query estimates of its shapes.
type shapeFactors struct {
	sub   []float64 // per Query.Subqueries: fraction of the occurrence's rows kept
	match []float64 // per Query.Outer: P(a preserved row matches the group)
}

// shapeFeatures is the number of encoder features of the shapes (encode.go).
const shapeFeatures = 8

// Shape features, after the join edges when the encoder has shapes.
const (
	shSemi = iota
	shAnti
	shScalar
	shOuter
	shLogSemi
	shLogAnti
	shLogScalar
	shLogOuter
)

// shapeStats are the shape figures of one sub-plan.
type shapeStats struct {
	n   [4]int     // semi, anti, scalar, outer groups in the sub-plan
	log [4]float64 // their summed log factors (outer: log of rows over the inner join's)
}

// checkShapes checks the subqueries and outer joins of q against cat.
func checkShapes(cat *catalog.Catalog, q *features.Query) error {
	for _, o := range q.Outer {
		if o.Inner == 0 || o.Inner&^q.FullMask() != 0 || o.Attach[0] < 0 || o.Attach[1] < 0 ||
			o.Attach[0] >= len(q.Tables) || o.Attach[1] >= len(q.Tables) {
			return fmt.Errorf("%w: outer join group %#x out of range", ErrQuery, o.Inner)
		}
	}
	for k := range q.Subqueries {
		sq := &q.Subqueries[k]
		if sq.Table < 0 || sq.Table >= len(q.Tables) || sq.Query == nil {
			return fmt.Errorf("%w: subquery %d on occurrence %d", ErrQuery, k, sq.Table)
		}
		if err := checkQuery(cat, sq.Query); err != nil {
			return fmt.Errorf("subquery %d: %w", k, err)
		}
		outer := cat.Schema.Tables[q.Tables[sq.Table].Table]
		for _, c := range sq.Corr {
			if c.Outer < 0 || c.Outer >= len(outer.Columns) || !validCol(cat, sq.Query, c.Inner) {
				return fmt.Errorf("%w: subquery %d: correlation column out of range", ErrQuery, k)
			}
		}
		if sq.Kind == features.SubScalar {
			if sq.Col < 0 || sq.Col >= len(outer.Columns) || (sq.AggCol.Table >= 0 && !validCol(cat, sq.Query, sq.AggCol)) {
				return fmt.Errorf("%w: subquery %d: column out of range", ErrQuery, k)
			}
		}
	}
	return nil
}

func validCol(cat *catalog.Catalog, q *features.Query, c features.ColRef) bool {
	return c.Table >= 0 && c.Table < len(q.Tables) && c.Col >= 0 && c.Col < len(cat.Schema.Tables[q.Tables[c.Table].Table].Columns)
}

// shapeEnv is what estimating shapes needs: statistics, the histogram
// and an estimate of a whole (sub)query's rows.
type shapeEnv struct {
	cat  *catalog.Catalog
	hist *Histogram
	rows func(q *features.Query) float64
	// s and sc estimate P(match) on the samples (sampleMatch) when they
	// allow; the histogram estimator has none.
	s  *sampleSet
	sc *scratch
}

// factors computes q's shape factors into f (allocated when nil): the
// subquery factors first, then each outer-join group's P(match), inner
// groups first; group returns the estimated rows of one group's
// occurrences (which may use f's factors computed so far).
func (env *shapeEnv) factors(q *features.Query, f *shapeFactors, group func(mask uint64) float64) *shapeFactors {
	if f == nil {
		f = &shapeFactors{}
	}
	f.sub = make([]float64, len(q.Subqueries))
	f.match = make([]float64, len(q.Outer))
	for k := range f.match {
		f.match[k] = 1
	}
	for k := range q.Subqueries {
		f.sub[k] = clamp01(env.subFactor(q, &q.Subqueries[k]))
	}
	order := make([]int, len(q.Outer))
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(a, b int) int { return bits.OnesCount64(q.Outer[a].Inner) - bits.OnesCount64(q.Outer[b].Inner) })
	for _, k := range order {
		o := q.Outer[k]
		x := q.Tables[o.Attach[1]].Table
		t := q.Tables[o.Attach[0]].Table
		var oc, xc []int
		for _, j := range q.Joins {
			switch {
			case j.Left == o.Attach[0] && j.Right == o.Attach[1]:
				oc, xc = append(oc, j.LeftCol), append(xc, j.RightCol)
			case j.Left == o.Attach[1] && j.Right == o.Attach[0]:
				oc, xc = append(oc, j.RightCol), append(xc, j.LeftCol)
			}
		}
		s := env.survive(x, group(o.Inner))
		if p, ok := env.sampleMatch(q, o.Attach[0], o.Inner, oc, q.Tables[o.Attach[1]], xc, -1, -1, s); ok {
			f.match[k] = p
			continue
		}
		f.match[k] = clamp01(env.matchProb(t, oc, x, xc, s, false))
	}
	return f
}

// survive is the fraction of table x's rows left by a (sub)query of the
// given estimated rows.
func (env *shapeEnv) survive(x int, rows float64) float64 {
	n := float64(env.cat.Stats[x].Rows)
	if n <= 0 {
		return 0
	}
	return clamp01(rows / n)
}

// keyStats returns the distinct values (capped at the non-NULL rows) and
// the non-NULL fraction of columns cols of table t taken together.
func (env *shapeEnv) keyStats(t int, cols []int) (ndv, notNull float64) {
	st := &env.cat.Stats[t]
	ndv, notNull = 1, 1
	for _, c := range cols {
		if c < 0 || c >= len(st.Columns) {
			continue
		}
		cs := &st.Columns[c]
		ndv *= math.Max(1, float64(cs.Distinct))
		notNull *= clamp01(1 - cs.NullFrac)
	}
	return math.Max(1, math.Min(ndv, float64(st.Rows)*notNull)), notNull
}

// matchProb is P(match) of the file comment for a row of table t keyed on
// oc against table x keyed on xc with fraction s of x surviving.
func (env *shapeEnv) matchProb(t int, oc []int, x int, xc []int, s float64, ne bool) float64 {
	if len(oc) == 0 {
		// Uncorrelated: the subquery is non-empty or not.
		return clamp01(s * float64(env.cat.Stats[x].Rows))
	}
	ndvO, nnO := env.keyStats(t, oc)
	ndvX, nnX := env.keyStats(x, xc)
	freq := float64(env.cat.Stats[x].Rows) * nnX / ndvX
	if ne {
		if t == x {
			freq = math.Max(0, freq-1)
		}
	}
	present := 1 - math.Pow(1-clamp01(s), freq)
	return nnO * math.Min(1, ndvX/ndvO) * present
}

// subFactor estimates the fraction of the filtered rows of sq's
// occurrence that sq keeps.
func (env *shapeEnv) subFactor(q *features.Query, sq *features.Subquery) float64 {
	sub := sq.Query
	if sub == nil || len(sub.Tables) == 0 {
		return 1
	}
	t := q.Tables[sq.Table].Table
	xOcc := 0
	for _, c := range sq.Corr {
		xOcc = c.Inner.Table
	}
	if sq.Kind == features.SubScalar && sq.AggCol.Table >= 0 {
		xOcc = sq.AggCol.Table
	}
	x := sub.Tables[xOcc].Table
	subRows := math.Max(0, env.rows(sub))
	s := env.survive(x, subRows)
	var oc, xc []int
	ne := false
	for _, c := range sq.Corr {
		if c.NotEqual {
			ne = true
			continue
		}
		oc, xc = append(oc, c.Outer), append(xc, c.Inner.Col)
	}
	match := env.matchProb(t, oc, x, xc, s, ne)
	if sq.Kind != features.SubScalar && len(sub.Tables) == 1 && len(sub.Subqueries) == 0 && len(oc) > 0 {
		neO, neI := -1, -1
		for _, c := range sq.Corr {
			if c.NotEqual {
				neO, neI = c.Outer, c.Inner.Col
			}
		}
		if p, ok := env.sampleMatch(q, sq.Table, 0, oc, sub.Tables[xOcc], xc, neO, neI, s); ok {
			match = p
		}
	}
	match *= env.havingShare(sub, subRows) // havingsub.go: GROUP BY ... HAVING (TPC-H Q18)
	switch sq.Kind {
	case features.SubExists:
		return match
	case features.SubNotExists:
		return 1 - match
	case features.SubNotIn:
		_, nnO := env.keyStats(t, oc[:1])
		nullFrac := 1 - clamp01(1-env.cat.Stats[x].Columns[xc[0]].NullFrac)
		groupRows := subRows
		if len(oc) > 1 {
			ndvX, nnX := env.keyStats(x, xc[1:])
			groupRows = float64(env.cat.Stats[x].Rows) * nnX / ndvX * s
		}
		pNull := 1 - math.Exp(-groupRows*nullFrac)
		return (1 - match) * nnO * (1 - pNull)
	case features.SubScalar:
		return env.scalarSel(q, sq, t, x, xOcc, oc, xc, s, subRows, match)
	}
	return 1
}

// scalarSel estimates the selectivity of t.Col op Scale·AGG.
func (env *shapeEnv) scalarSel(q *features.Query, sq *features.Subquery, t, x, xOcc int, oc, xc []int, s, subRows, match float64) float64 {
	groupRows := subRows
	if len(oc) > 0 {
		ndvX, nnX := env.keyStats(x, xc)
		groupRows = float64(env.cat.Stats[x].Rows) * nnX / ndvX * s
	}
	var value float64
	switch sq.Agg {
	case features.AggCount:
		value = groupRows
	default:
		mean, mn, mx, ok := env.sampleAgg(sq.Query, xOcc, sq.AggCol.Col)
		if !ok {
			return 0.3 // no sampled row: the textbook guess for an open range
		}
		switch sq.Agg {
		case features.AggSum:
			value = mean * groupRows
		case features.AggAvg:
			value = mean
		case features.AggMin, features.AggMax:
			if len(oc) > 0 {
				// A correlated extreme: the outer row is one of the
				// group's groupRows rows.
				g := math.Max(1, groupRows)
				p := 1 / g
				isMin := sq.Agg == features.AggMin
				switch sq.Op {
				case features.OpEQ:
				case features.OpLT, features.OpGT:
					if (sq.Op == features.OpLT) == isMin {
						p = 1 / (g + 1)
					} else {
						p = 1 - 1/(g+1)
					}
				case features.OpLE, features.OpGE:
					if (sq.Op != features.OpLE) == isMin {
						p = 1
					}
				case features.OpNE:
					p = 1 - 1/g
				}
				return match * p
			}
			value = mn
			if sq.Agg == features.AggMax {
				value = mx
			}
		}
	}
	hc := env.hist.col(t, sq.Col)
	if hc == nil {
		return 0.3
	}
	p := features.Pred{Col: sq.Col, Op: sq.Op, Values: []catalog.Datum{{Kind: catalog.KindFloat, F: sq.Scale * value}}}
	sel := hc.pred(&p, env.hist.like)
	if len(oc) > 0 && sq.Agg != features.AggCount {
		sel *= match // an empty group's aggregate is NULL
	}
	return sel
}

// sampleAgg returns the mean, min and max of column col of the sampled
// rows of sub's occurrence occ that pass its filter.
func (env *shapeEnv) sampleAgg(sub *features.Query, occ, col int) (mean, mn, mx float64, ok bool) {
	tr := sub.Tables[occ]
	st := &env.cat.Stats[tr.Table]
	n := st.SampleSize()
	if col < 0 || col >= len(st.Sample) {
		return 0, 0, 0, false
	}
	var sum float64
	var k int
	for r := 0; r < n; r++ {
		if tr.Filter != nil && tr.Filter.Eval(func(c int) catalog.Datum { return st.Sample[c][r] }) != features.True {
			continue
		}
		d := st.Sample[col][r]
		if d.IsNull() || d.Kind == catalog.KindString {
			continue
		}
		v := d.Float64()
		if k == 0 || v < mn {
			mn = v
		}
		if k == 0 || v > mx {
			mx = v
		}
		sum += v
		k++
	}
	if k == 0 {
		return 0, 0, 0, false
	}
	return sum / float64(k), mn, mx, true
}

// subFactorOf returns the product of the subquery factors of the
// occurrences in mask, and records them in st.
func (f *shapeFactors) subFactorOf(q *features.Query, mask uint64, st *shapeStats) float64 {
	prod := 1.0
	for k := range q.Subqueries {
		sq := &q.Subqueries[k]
		if mask&(1<<uint(sq.Table)) == 0 {
			continue
		}
		v := f.sub[k]
		prod *= v
		i := shSemi
		switch sq.Kind {
		case features.SubNotExists, features.SubNotIn:
			i = shAnti
		case features.SubScalar:
			i = shScalar
		}
		if st != nil {
			st.n[i]++
			st.log[i] += logSel(v)
		}
	}
	return prod
}

// leafGroup returns an outer-join group active in mask (holding some but
// not all of mask) that no other active group nests in or attaches to.
func leafGroup(q *features.Query, mask uint64) (int, bool) {
	active := func(o features.OuterJoin) bool {
		g := o.Inner & mask
		return g != 0 && g != mask && mask&(1<<uint(o.Attach[0])) != 0
	}
	for k, o := range q.Outer {
		if !active(o) {
			continue
		}
		leaf := true
		for h, p := range q.Outer {
			if h == k || !active(p) {
				continue
			}
			if p.Inner&^o.Inner == 0 || o.Inner&(1<<uint(p.Attach[0])) != 0 {
				leaf = false
				break
			}
		}
		if leaf {
			return k, true
		}
	}
	return 0, false
}

// outerRows returns the rows of sub-plan mask with its outer joins, given
// inner(m), the estimate of sub-plan m with every join inner (and the
// subquery factors applied): rows(S) = rows(S∖G) × (inner(S)/inner(S∖G) +
// 1 − P(match)) for a leaf group G, recursively.
func (f *shapeFactors) outerRows(q *features.Query, mask uint64, inner func(uint64) float64, depth int) float64 {
	k, ok := leafGroup(q, mask)
	if !ok || depth > features.MaxTables {
		return inner(mask)
	}
	rest := mask &^ q.Outer[k].Inner
	base := f.outerRows(q, rest, inner, depth+1)
	innerRest := inner(rest)
	fan := 0.0
	if innerRest > 0 {
		fan = inner(mask) / innerRest
	}
	return base * (fan + 1 - f.match[k])
}

// hasShapesIn reports whether sub-plan mask holds a subquery filter or an
// active outer join.
func hasShapesIn(q *features.Query, mask uint64) bool {
	for k := range q.Subqueries {
		if mask&(1<<uint(q.Subqueries[k].Table)) != 0 {
			return true
		}
	}
	_, ok := leafGroup(q, mask)
	return ok
}

// figures computes the baseline figures of sub-plan mask of the prepared
// query p: innerFigures, adjusted for the subqueries and outer joins in
// the sub-plan.
func (b *joinBaseline) figures(p *prepared, mask uint64) subPlanInputs {
	in := b.innerFigures(p, mask)
	if !p.q.HasShapes() || !hasShapesIn(p.q, mask) {
		return in
	}
	in = b.shapeFigures(p, mask, in)
	in.sampled = 0
	return in
}

// shapeFigures adjusts the inner figures of sub-plan mask for its shapes.
func (b *joinBaseline) shapeFigures(p *prepared, mask uint64, in subPlanInputs) subPlanInputs {
	q := p.q
	if p.shapes == nil || p.shapesFor != q {
		sb := &sampleBaseline{joinBaseline: *b}
		env := &shapeEnv{cat: b.s.cat, hist: b.hist, s: b.s, sc: p.sc, rows: func(sub *features.Query) float64 {
			e, err := sb.Estimate(sub)
			if err != nil {
				return 0
			}
			return e.Rows
		}}
		p.shapes, p.shapesFor = &shapeFactors{match: make([]float64, len(q.Outer))}, q
		for k := range p.shapes.match {
			p.shapes.match[k] = 1
		}
		env.factors(q, p.shapes, func(m uint64) float64 { return b.figures(p, m).base })
	}
	f := p.shapes
	var st shapeStats
	subF := f.subFactorOf(q, mask, &st)
	scale := func(in *subPlanInputs, v float64) {
		in.hist = sanitize(in.hist * v)
		in.textbook = sanitize(in.textbook * v)
		in.joinSample = sanitize(in.joinSample * v)
		in.base = sanitize(in.base * v)
	}
	if subF != 1 {
		scale(&in, subF)
		in.exact = false
	}
	if _, ok := leafGroup(q, mask); ok {
		memo := map[uint64]subPlanInputs{mask: in}
		innerOf := func(m uint64) subPlanInputs {
			if v, ok := memo[m]; ok {
				return v
			}
			v := b.innerFigures(p, m)
			if sf := f.subFactorOf(q, m, nil); sf != 1 {
				scale(&v, sf)
			}
			memo[m] = v
			return v
		}
		pick := func(get func(subPlanInputs) float64) float64 {
			return f.outerRows(q, mask, func(m uint64) float64 { return get(innerOf(m)) }, 0)
		}
		out := in
		out.base = sanitize(pick(func(v subPlanInputs) float64 { return v.base }))
		out.hist = sanitize(pick(func(v subPlanInputs) float64 { return v.hist }))
		out.textbook = sanitize(pick(func(v subPlanInputs) float64 { return v.textbook }))
		out.joinSample = sanitize(pick(func(v subPlanInputs) float64 { return v.joinSample }))
		out.exact = false
		for _, o := range q.Outer {
			if g := o.Inner & mask; g != 0 && g != mask {
				st.n[shOuter]++
			}
		}
		st.log[shOuter] = math.Log(math.Max(out.base, 1)) - math.Log(math.Max(in.base, 1))
		in = out
	}
	in.shape = st
	return in
}

// tableSels returns per table occurrence the filter selectivity times its
// subquery factors, into dst, followed (for a query with outer joins) by
// each group's P(match).
func (h *Histogram) tableSels(q *features.Query, dst []float64) []float64 {
	dst = h.tableSelsInner(q, dst)
	if !q.HasShapes() {
		return dst
	}
	n := len(q.Tables)
	env := &shapeEnv{cat: h.cat, hist: h, rows: func(sub *features.Query) float64 {
		e, err := h.Estimate(sub)
		if err != nil {
			return 0
		}
		return e.Rows
	}}
	f := &shapeFactors{}
	env.factors(q, f, func(m uint64) float64 {
		sels := append([]float64(nil), dst[:n]...)
		for k := range q.Subqueries {
			if k < len(f.sub) {
				sels[q.Subqueries[k].Table] *= f.sub[k]
			}
		}
		return f.outerRows(q, m, func(mm uint64) float64 { return h.innerRows(q, sels, mm) }, 0)
	})
	for k := range q.Subqueries {
		dst[q.Subqueries[k].Table] *= f.sub[k]
	}
	return append(dst, f.match...)
}

// maskRows combines per-table selectivities (tableSels) into the estimate
// of the sub-plan mask, with its outer joins.
func (h *Histogram) maskRows(q *features.Query, sels []float64, mask uint64) float64 {
	if len(q.Outer) == 0 || len(sels) < len(q.Tables)+len(q.Outer) {
		return h.innerRows(q, sels, mask)
	}
	f := &shapeFactors{match: sels[len(q.Tables):]}
	return f.outerRows(q, mask, func(m uint64) float64 { return h.innerRows(q, sels, m) }, 0)
}

// sampleMatch estimates P(match) on the catalog samples: the sampled rows
// of the outer occurrence that pass its filter, weighted by how many
// sampled rows of each of its join neighbours in the enclosing query they
// meet (so an occurrence joined to a fact table counts the rows that
// join, not all of its rows), each looked up among the sampled rows of X
// that pass X's filter: a key found there matches; on a complete sample a
// key not found does not; otherwise it matches with the probability that
// the unsampled rows hold it. So the estimate follows the correlation of
// the keys with the outer filter and joins, which the independence of
// matchProb misses. A <> correlation (neO, neI >= 0) needs a sampled row
// of the key with another value. Keys are the join samples' cached key
// ids (joinsample.go). ok is false when no weighted outer row passes (or
// the env has no samples).
func (env *shapeEnv) sampleMatch(q *features.Query, occ int, skip uint64, oc []int, xt features.TableRef, xc []int, neO, neI int, s float64) (float64, bool) {
	if env.s == nil || len(oc) == 0 || len(oc) != len(xc) {
		return 0, false
	}
	ot := q.Tables[occ]
	cat := env.s.cat
	ost, xst := &cat.Stats[ot.Table], &cat.Stats[xt.Table]
	on, xn := ost.SampleSize(), xst.SampleSize()
	if on == 0 || xn == 0 {
		return 0, false
	}
	if neO >= 0 && (neO >= len(ost.Sample) || neI >= len(xst.Sample)) {
		return 0, false
	}
	ek := env.s.keys.get(cat, ot.Table, oc, xt.Table, xc)
	if len(ek.a) != on || len(ek.b) != xn {
		return 0, false
	}
	all := make([]int32, ek.nkeys)
	pass := make([]int32, ek.nkeys)
	var first []catalog.Datum
	var multi []bool
	if neI >= 0 {
		first, multi = make([]catalog.Datum, ek.nkeys), make([]bool, ek.nkeys)
	}
	xpass, _ := env.s.filterBits(xt.Table, xt.Filter, env.sc, false)
	seen := 0
	for r, id := range ek.b {
		if id < 0 {
			continue
		}
		if all[id] == 0 {
			seen++
		}
		all[id]++
		if !xpass.has(r) {
			continue
		}
		if neI >= 0 {
			v := xst.Sample[neI][r]
			if v.IsNull() {
				continue
			}
			if pass[id] == 0 {
				first[id] = v
			} else if !multi[id] && catalog.Compare(v, first[id]) != 0 {
				multi[id] = true
			}
		}
		pass[id]++
	}
	complete := int64(xn) >= xst.Rows
	scale := float64(xst.Rows) / float64(xn)
	// A key the sample did not see is one of X's ndv(X) − seen distinct
	// keys the sample missed, among the ndv(t) − seen outer keys it did
	// not see (X's keys contained in the outer domain); such a key is
	// rare in X (about one row), and keeps it with probability s.
	ndvO, _ := env.keyStats(ot.Table, oc)
	ndvX, _ := env.keyStats(xt.Table, xc)
	pUnseen := 0.0
	if un := ndvO - float64(seen); un > 0 {
		pUnseen = clamp01(math.Max(0, ndvX-float64(seen))/un) * clamp01(s)
	}
	opass, _ := env.s.filterBits(ot.Table, ot.Filter, env.sc, false)
	weight := env.joinWeights(q, occ, skip)
	var sum, n float64
	for r, id := range ek.a {
		if !opass.has(r) {
			continue
		}
		w := 1.0
		if weight != nil {
			if w = weight(r); w == 0 {
				continue
			}
		}
		n += w
		switch {
		case id < 0:
		case pass[id] > 0 && (neO < 0 || multi[id] || (!ost.Sample[neO][r].IsNull() && catalog.Compare(ost.Sample[neO][r], first[id]) != 0)):
			sum += w
		case complete:
		case all[id] > 0:
			// Sampled rows of the key, none passing: its unsampled rows
			// may.
			sum += w * (1 - math.Pow(1-s, float64(all[id])*(scale-1)))
		default:
			sum += w * pUnseen
		}
	}
	if n == 0 {
		return 0, false
	}
	return clamp01(sum / n), true
}

// joinWeights returns, per sampled row of occurrence occ, the product over
// its join neighbours in q (except those in skip) of the neighbour's rows
// it joins, estimated from the neighbour's sample (nil: no neighbours).
func (env *shapeEnv) joinWeights(q *features.Query, occ int, skip uint64) func(r int) float64 {
	type nb struct {
		mine, theirs []int
	}
	var order []int
	nbs := map[int]*nb{}
	for _, j := range q.Joins {
		var other, mc, tc int
		switch {
		case j.Left == occ:
			other, mc, tc = j.Right, j.LeftCol, j.RightCol
		case j.Right == occ:
			other, mc, tc = j.Left, j.RightCol, j.LeftCol
		default:
			continue
		}
		if skip&(1<<uint(other)) != 0 {
			continue
		}
		x := nbs[other]
		if x == nil {
			x = &nb{}
			nbs[other] = x
			order = append(order, other)
		}
		x.mine, x.theirs = append(x.mine, mc), append(x.theirs, tc)
	}
	if len(nbs) == 0 {
		return nil
	}
	cat := env.s.cat
	ot := q.Tables[occ].Table
	type side struct {
		ids    []int32
		counts []float64
		floor  float64
	}
	var sides []side
	for _, other := range order {
		x := nbs[other]
		tr := q.Tables[other]
		st := &cat.Stats[tr.Table]
		n := st.SampleSize()
		if n == 0 {
			continue
		}
		ek := env.s.keys.get(cat, ot, x.mine, tr.Table, x.theirs)
		if len(ek.b) != n {
			continue
		}
		scale := float64(st.Rows) / float64(n)
		pass, _ := env.s.filterBits(tr.Table, tr.Filter, env.sc, false)
		counts := make([]float64, ek.nkeys)
		for r, id := range ek.b {
			if id >= 0 && pass.has(r) {
				counts[id] += scale
			}
		}
		floor := 0.0
		if int64(n) < st.Rows {
			floor = 0.5 * scale * float64(pass.count()) / float64(n) // an unseen key: under one sampled row
		}
		sides = append(sides, side{ids: ek.a, counts: counts, floor: floor})
	}
	return func(r int) float64 {
		w := 1.0
		for _, sd := range sides {
			if r >= len(sd.ids) || sd.ids[r] < 0 {
				return 0
			}
			c := sd.counts[sd.ids[r]]
			if c == 0 {
				c = sd.floor
			}
			w *= c
		}
		return w
	}
}

// shapes returns q's shape factors for the sample estimator (nil without
// shapes).
func (s *Sample) shapes(q *features.Query, probes []tableProbe, sc *scratch) *shapeFactors {
	if !q.HasShapes() {
		return nil
	}
	env := &shapeEnv{cat: s.s.cat, hist: s.hist, s: s.s, sc: sc, rows: func(sub *features.Query) float64 {
		e, err := s.Estimate(sub)
		if err != nil {
			return 0
		}
		return e.Rows
	}}
	f := &shapeFactors{}
	return env.factors(q, f, func(m uint64) float64 { return s.shapeRows(q, probes, f, m) })
}

// shapeRows is textbookRows with the subquery factors and outer joins.
func (s *Sample) shapeRows(q *features.Query, probes []tableProbe, f *shapeFactors, mask uint64) float64 {
	if f == nil {
		return s.textbookRows(q, probes, mask)
	}
	inner := func(m uint64) float64 {
		sub := 1.0
		if len(f.sub) == len(q.Subqueries) {
			sub = f.subFactorOf(q, m, nil)
		}
		return s.textbookRows(q, probes, m) * sub
	}
	if len(f.match) != len(q.Outer) {
		return sanitize(inner(mask))
	}
	return sanitize(f.outerRows(q, mask, inner, 0))
}
