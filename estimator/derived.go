package estimator

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Estimates of queries that read derived relations (features/derived.go:
// grouped derived tables and CTEs, TPC-H Q13's c_orders and Q15's
// revenue0). Every estimator estimates them the same way, around its own
// estimate of the base tables and of each inner query:
//
//	derived relation k   R_k = rows of its inner FROM + WHERE (the estimator)
//	                     G_k = its groups (DistinctGroups over the estimator)
//	occurrence o of k    G_k × sel(filters on its columns) × sel(subqueries)
//	base occurrences     the estimator's estimate of their sub-query
//	join edge with o     1 / max(ndv(left), ndv(right))     (System R; a key
//	                     column of k has ndv G_k: a key/foreign-key join)
//	result               product of the above
//	outer join with o    max(the same as an inner join, the preserved side)
//
// Distinct values of a derived column: a key column G_k (capped by the
// catalog's distinct count of its source column when the relation has
// several keys); SUM, AVG of G_k groups: G_k (continuous values); MIN and
// MAX: G_k capped by the argument column's distinct count; COUNT: the
// expected distinct sizes among G_k groups whose sizes are geometric of
// mean m = R_k / G_k (the exponential group sizes DistinctGroups assumes
// for HAVING), Σ_k 1 − (1 − p_k)^G_k (countDistinct). A join of a MIN or
// MAX column with the column it aggregates keeps one row per group (the
// extremum). Filters on a derived column use 1/ndv for equality and
// PostgreSQL's default selectivities otherwise (see the constants); a
// scalar subquery comparing a column with MIN or MAX of the same column of
// the same relation (Q15's total_revenue = (SELECT MAX(total_revenue)
// FROM revenue0)) keeps one row (= and >= MAX), all but one (<), all (<=)
// or none (>). The band widens by derivedBand per derived occurrence.
//
// The learned models correct the base tables' and inner queries' figures
// as usual; the combination above is not learned (the training workloads
// hold no derived relations).

// Constants of derived-relation estimates.
const (
	// derivedIneqSel is PostgreSQL's DEFAULT_INEQ_SEL (1/3,
	// src/include/utils/selfuncs.h): <, <=, >, >= on a derived column and
	// scalar subqueries compared with them.
	derivedIneqSel = defaultHavingIneqSel
	// derivedRangeSel is PostgreSQL's DEFAULT_RANGE_INEQ_SEL (0.005):
	// BETWEEN on a derived column.
	derivedRangeSel = 0.005
	// derivedMatchSel is PostgreSQL's DEFAULT_MATCH_SEL (0.005): LIKE on
	// a derived column; derivedNullSel is its DEFAULT_UNK_SEL (0.005) for
	// IS NULL on a nullable one.
	derivedMatchSel = 0.005
	derivedNullSel  = 0.005
	// derivedSemiSel is the fraction of a derived relation's rows kept by
	// an EXISTS / IN subquery filter (1 - it for NOT EXISTS / NOT IN),
	// and of a base occurrence's rows kept by a subquery that reads a
	// derived relation: with no statistics of the match, the even split
	// (PostgreSQL has no default for it; its eqjoinsel_semi falls back to
	// 0.5 when it knows neither side's distinct count).
	derivedSemiSel = 0.5
	// maxCountTerms bounds the terms of countDistinct's sum.
	maxCountTerms = 1 << 20
	// derivedBand is the factor each derived occurrence widens the band
	// by on each side: the ±10x of DistinctGroups' group-count band.
	derivedBand = 10
)

// rowsFunc adapts an estimating function to Estimator.
type rowsFunc struct {
	name string
	fn   func(*features.Query) (Estimate, error)
}

func (r rowsFunc) Name() string                                 { return r.name }
func (r rowsFunc) Estimate(q *features.Query) (Estimate, error) { return r.fn(q) }

// derivedFigures are the estimates of one derived relation.
type derivedFigures struct {
	rows, groups float64
	source       string    // the estimator of the inner query's rows
	ndv          []float64 // per column of its virtual table
}

// derivedEnv estimates the derived relations of one query.
type derivedEnv struct {
	cat  *catalog.Catalog
	q    *features.Query
	figs map[int]*derivedFigures // by virtual table
	est  func(*features.Query) (Estimate, error)
}

// checkDerived checks q's derived relations against cat: the base part of
// its schema is cat's, each relation's inner query fits cat.
func checkDerived(cat *catalog.Catalog, q *features.Query) error {
	base := q.BaseSchema()
	if !sameSchema(base, cat.Schema) {
		return fmt.Errorf("%w: %w: parse it against the model's catalog (EstimateSQL does)", ErrQuery, ErrSchema)
	}
	for i, d := range q.Derived {
		if d.Table < len(base.Tables) || d.Table >= len(q.Schema.Tables) || d.Query == nil || d.Query.Group == nil ||
			len(d.Cols) != len(q.Schema.Tables[d.Table].Columns) {
			return fmt.Errorf("%w: derived relation %d out of range", ErrQuery, i)
		}
		g := d.Query.Group
		for _, c := range d.Cols {
			if (c.Key < 0 || c.Key >= len(g.Keys)) && (c.Agg < 0 || c.Agg >= len(g.Aggs)) {
				return fmt.Errorf("%w: derived relation %d: a column is neither key nor aggregate", ErrQuery, i)
			}
		}
	}
	if len(q.Tables) == 0 || len(q.Tables) > features.MaxTables {
		return fmt.Errorf("%w: %d tables", ErrQuery, len(q.Tables))
	}
	for i, tr := range q.Tables {
		if tr.Table < 0 || tr.Table >= len(q.Schema.Tables) {
			return fmt.Errorf("%w: table %d of the query is schema table %d", ErrQuery, i, tr.Table)
		}
	}
	for _, j := range q.Joins {
		if j.Left < 0 || j.Right < 0 || j.Left >= len(q.Tables) || j.Right >= len(q.Tables) ||
			j.LeftCol < 0 || j.RightCol < 0 ||
			j.LeftCol >= len(q.Schema.Tables[q.Tables[j.Left].Table].Columns) || j.RightCol >= len(q.Schema.Tables[q.Tables[j.Right].Table].Columns) {
			return fmt.Errorf("%w: join between occurrences %d and %d", ErrQuery, j.Left, j.Right)
		}
	}
	for _, o := range q.Outer {
		if o.Inner == 0 || o.Inner&^q.FullMask() != 0 || o.Attach[0] < 0 || o.Attach[1] < 0 ||
			o.Attach[0] >= len(q.Tables) || o.Attach[1] >= len(q.Tables) {
			return fmt.Errorf("%w: outer join group %#x out of range", ErrQuery, o.Inner)
		}
	}
	return nil
}

// outerDerived reports whether an outer join of q involves a derived
// relation.
func outerDerived(q *features.Query) bool {
	dm := derivedMask(q)
	for _, o := range q.Outer {
		if (o.Inner|1<<o.Attach[0]|1<<o.Attach[1])&dm != 0 {
			return true
		}
	}
	return false
}

// estimateOuterDerived estimates a query whose outer joins involve
// derived relations: the larger of the inner join's estimate (the outer
// joins taken as inner ones, the null-supplying side's ON filters as
// filters) and of the preserved occurrences' alone (every preserved row
// is kept at least once). The two bounds of the LEFT JOIN's cardinality
// (inner join plus the unmatched preserved rows) without P(match).
func estimateOuterDerived(cat *catalog.Catalog, q *features.Query, est func(*features.Query) (Estimate, error)) (Estimate, error) {
	inner := *q
	inner.Outer = nil
	ei, err := estimateDerived(cat, &inner, est)
	if err != nil {
		return Estimate{}, err
	}
	var nullable uint64
	for _, o := range q.Outer {
		nullable |= o.Inner
	}
	ep, err := estimateGuarded(cat, q.Sub(q.FullMask()&^nullable), est)
	if err != nil {
		return Estimate{}, err
	}
	out := ei
	out.Rows = math.Max(ei.Rows, ep.Rows)
	out.Low = math.Min(math.Max(ei.Low, ep.Low), out.Rows)
	out.High = math.Max(math.Max(ei.High, ep.High), out.Rows)
	return out, nil
}

// estimateDerived is estimateGuarded for a query that reads derived
// relations (see the file comment); est estimates a query without them.
func estimateDerived(cat *catalog.Catalog, q *features.Query, est func(*features.Query) (Estimate, error)) (Estimate, error) {
	if err := checkDerived(cat, q); err != nil {
		return Estimate{}, err
	}
	if outerDerived(q) {
		return estimateOuterDerived(cat, q, est)
	}
	env := &derivedEnv{cat: cat, q: q, figs: map[int]*derivedFigures{}, est: est}
	dmask := derivedMask(q)
	out := Estimate{Rows: 1, Low: 1, High: 1}
	factor := 1.0
	if bmask := q.FullMask() &^ dmask; bmask != 0 {
		qb := q.Sub(bmask)
		qb.Schema, qb.Derived = cat.Schema, nil
		// Subqueries that read derived relations: a default factor each.
		kept := qb.Subqueries[:0:0]
		for _, sq := range qb.Subqueries {
			if sq.Query.HasDerived() {
				factor *= env.subSel(&sq, -1)
				continue
			}
			kept = append(kept, sq)
		}
		qb.Subqueries = kept
		e, err := est(qb)
		if err != nil {
			return Estimate{}, err
		}
		out = e
	}
	nd := 0
	for occ, tr := range q.Tables {
		if dmask&(1<<occ) == 0 {
			continue
		}
		f, err := env.figures(tr.Table)
		if err != nil {
			return Estimate{}, err
		}
		n := f.groups * env.exprSel(tr.Table, tr.Filter)
		for i := range q.Subqueries {
			if sq := &q.Subqueries[i]; sq.Table == occ {
				n *= env.subSel(sq, n)
			}
		}
		factor *= n
		nd++
		if out.Source == "" {
			out.Source = f.source
		}
	}
	for _, j := range q.Joins {
		if dmask&(1<<j.Left|1<<j.Right) == 0 {
			continue
		}
		if env.extremumJoin(j) {
			// One row of the base side per group: the base side's rows
			// times 1/rows of its table.
			b := j.Left
			if dmask&(1<<b) != 0 {
				b = j.Right
			}
			factor /= math.Max(1, float64(cat.Stats[q.Tables[b].Table].Rows))
			continue
		}
		l, err := env.colNDV(j.Left, j.LeftCol)
		if err != nil {
			return Estimate{}, err
		}
		r, err := env.colNDV(j.Right, j.RightCol)
		if err != nil {
			return Estimate{}, err
		}
		factor /= math.Max(1, math.Max(l, r))
	}
	for _, r := range q.Residuals {
		if residualMask(r)&dmask != 0 {
			factor *= derivedIneqSel
		}
	}
	band := math.Pow(derivedBand, float64(nd))
	out.Rows = sanitize(out.Rows * factor)
	out.Low = sanitize(out.Low * factor / band)
	out.High = math.Max(sanitize(out.High*factor*band), out.Rows)
	out.Low = math.Min(out.Low, out.Rows)
	return out, nil
}

// derivedMask returns the occurrences of q that are derived relations.
func derivedMask(q *features.Query) uint64 {
	var m uint64
	if len(q.Derived) == 0 {
		return 0
	}
	for i, tr := range q.Tables {
		if q.DerivedOf(tr.Table) != nil {
			m |= 1 << i
		}
	}
	return m
}

// residualMask returns the occurrences a residual filter reads.
func residualMask(r features.Residual) uint64 {
	var m uint64
	for _, t := range r.Terms {
		for _, f := range t {
			m |= 1 << f.Table
		}
	}
	return m
}

// figures returns the estimates of the derived relation whose virtual
// table is t, computed once per query.
func (env *derivedEnv) figures(t int) (*derivedFigures, error) {
	if f, ok := env.figs[t]; ok {
		return f, nil
	}
	d := env.q.DerivedOf(t)
	if d == nil {
		return nil, fmt.Errorf("%w: table %d is no derived relation", ErrQuery, t)
	}
	in := d.Query
	source := ""
	dg := NewDistinctGroups(env.cat, rowsFunc{name: "derived", fn: func(q *features.Query) (Estimate, error) {
		e, err := estimateGuarded(env.cat, q, env.est)
		if source == "" {
			source = e.Source
		}
		return e, err
	}})
	ge, err := dg.EstimateGroups(in)
	if err != nil {
		return nil, fmt.Errorf("derived relation %s: %w", env.q.Schema.Tables[t].Name, err)
	}
	f := &derivedFigures{rows: ge.Rows, groups: math.Max(ge.Groups, 0), source: source}
	grouped := in
	if core := preservedGroups(in); core != nil {
		// Outer joins keep every row of the preserved side: its key
		// values are the groups (TPC-H Q13: every customer is a group).
		grouped = core
		if ce, err := dg.EstimateGroups(core); err == nil {
			f.groups = ce.Groups
		}
	}
	if n, ok := env.uniqueKeyRows(grouped); ok {
		f.groups = n
	}
	g := in.Group
	mean := f.rows / math.Max(f.groups, 1)
	for _, c := range d.Cols {
		ndv := f.groups
		switch {
		case c.Key >= 0:
			if k := g.Keys[c.Key]; len(g.Keys) > 1 {
				ndv = math.Min(ndv, env.sourceNDV(in, k.ColRef, k.Func))
			}
		default:
			a := g.Aggs[c.Agg]
			switch a.Func {
			case features.AggCount:
				lo := 1.0 // COUNT(*): no empty group
				if a.Arg != nil {
					lo = 0 // COUNT(col) of a NULL-extended group is 0
				}
				ndv = math.Min(ndv, countDistinct(f.groups, mean, lo))
			case features.AggMin, features.AggMax:
				if a.Arg != nil && a.Arg.Kind == features.ArithCol {
					ndv = math.Min(ndv, env.sourceNDV(in, features.ColRef{Table: a.Table, Col: a.Arg.Col}, features.KeyColumn))
				}
			}
		}
		f.ndv = append(f.ndv, math.Max(ndv, 1))
	}
	env.figs[t] = f
	return f, nil
}

// sourceNDV is the catalog's distinct count of a column of an inner query
// (its key function's range for YEAR and MONTH).
func (env *derivedEnv) sourceNDV(in *features.Query, c features.ColRef, fn features.KeyFunc) float64 {
	if c.Table < 0 || c.Table >= len(in.Tables) {
		return math.Inf(1)
	}
	t := in.Tables[c.Table].Table
	if t < 0 || t >= len(env.cat.Stats) || c.Col < 0 || c.Col >= len(env.cat.Stats[t].Columns) {
		return math.Inf(1) // a nested derived relation: no catalog figure
	}
	return math.Max(1, keyDistinct(&env.cat.Stats[t], features.GroupKey{ColRef: c, Func: fn}))
}

// colNDV returns the distinct values of a column of occurrence occ: the
// catalog's for a base table, the derived figures' for a derived one.
func (env *derivedEnv) colNDV(occ, col int) (float64, error) {
	t := env.q.Tables[occ].Table
	if env.q.DerivedOf(t) == nil {
		if t >= len(env.cat.Stats) || col >= len(env.cat.Stats[t].Columns) {
			return 0, fmt.Errorf("%w: column %d of table %d", ErrQuery, col, t)
		}
		return math.Max(1, float64(env.cat.Stats[t].Columns[col].Distinct)), nil
	}
	f, err := env.figures(t)
	if err != nil {
		return 0, err
	}
	return f.ndv[col], nil
}

// exprSel is the selectivity of a filter on a derived relation's virtual
// table t (see the file comment).
func (env *derivedEnv) exprSel(t int, e *features.Expr) float64 {
	if e == nil {
		return 1
	}
	if s, ok := independentSel(e.Kind, e.Args, func(a *features.Expr) float64 { return env.exprSel(t, a) }); ok {
		return s
	}
	p := &e.Pred
	f := env.figs[t]
	ndv := 1.0
	if f != nil && p.Col >= 0 && p.Col < len(f.ndv) {
		ndv = f.ndv[p.Col]
	}
	nullable := p.Col >= 0 && p.Col < len(env.q.Schema.Tables[t].Columns) && env.q.Schema.Tables[t].Columns[p.Col].Nullable
	if p.Fn != 0 || p.Col2 != 0 && p.Col2 != p.Col {
		return derivedIneqSel // a function of the column, or two columns
	}
	switch p.Op {
	case features.OpEQ:
		return 1 / ndv
	case features.OpNE:
		return 1 - 1/ndv
	case features.OpIn:
		return math.Min(1, float64(len(p.Values))/ndv)
	case features.OpNotIn:
		return 1 - math.Min(1, float64(len(p.Values))/ndv)
	case features.OpLT, features.OpLE, features.OpGT, features.OpGE:
		return derivedIneqSel
	case features.OpBetween:
		return derivedRangeSel
	case features.OpLike:
		return derivedMatchSel
	case features.OpNotLike:
		return 1 - derivedMatchSel
	case features.OpIsNull:
		if !nullable {
			return 0
		}
		return derivedNullSel
	case features.OpIsNotNull:
		if !nullable {
			return 1
		}
		return 1 - derivedNullSel
	}
	return derivedIneqSel
}

// subSel is the fraction of rows a subquery filter keeps: on a derived
// occurrence of n estimated rows, or (n < 0) a subquery that reads a
// derived relation on a base occurrence.
func (env *derivedEnv) subSel(sq *features.Subquery, n float64) float64 {
	switch sq.Kind {
	case features.SubExists:
		return derivedSemiSel
	case features.SubNotExists, features.SubNotIn:
		return 1 - derivedSemiSel
	}
	// Scalar: the extremum of the compared column itself?
	self := false
	if n >= 0 && (sq.Agg == features.AggMin || sq.Agg == features.AggMax) && sq.AggCol.Table >= 0 && sq.AggCol.Table < len(sq.Query.Tables) &&
		len(sq.Query.Tables) == 1 && sq.Query.Tables[0].Filter == nil && len(sq.Query.Subqueries) == 0 && len(sq.EqualityCorr()) == 0 && sq.Scale == 1 {
		self = sq.Query.Tables[sq.AggCol.Table].Table == env.q.Tables[sq.Table].Table && sq.AggCol.Col == sq.Col
	}
	if self {
		one := 1 / math.Max(n, 1) // one row holds the extremum
		op := sq.Op
		if sq.Agg == features.AggMin { // mirror: x < MIN is x > MAX
			switch op {
			case features.OpLT:
				op = features.OpGT
			case features.OpLE:
				op = features.OpGE
			case features.OpGT:
				op = features.OpLT
			case features.OpGE:
				op = features.OpLE
			}
		}
		switch op {
		case features.OpEQ, features.OpGE:
			return one
		case features.OpNE, features.OpLT:
			return 1 - one
		case features.OpLE:
			return 1
		case features.OpGT:
			return 0
		}
	}
	switch sq.Op {
	case features.OpEQ:
		if n >= 0 {
			if f := env.figs[env.q.Tables[sq.Table].Table]; f != nil && sq.Col < len(f.ndv) {
				return 1 / f.ndv[sq.Col]
			}
		}
		return defaultHavingEqSel
	case features.OpNE:
		return 1 - defaultHavingEqSel
	}
	return derivedIneqSel
}

// derivedGroups estimates the output groups of a grouping query that
// reads derived relations: the product of its keys' distinct values
// (derived columns: the derived figures; base columns: the catalog's),
// capped by the estimated rows, times PostgreSQL's DEFAULT_INEQ_SEL for
// HAVING.
func (d *DistinctGroups) derivedGroups(q *features.Query) (GroupEstimate, error) {
	if !q.Grouped() {
		return GroupEstimate{}, ErrNotGrouped
	}
	if err := checkDerived(d.cat, q); err != nil {
		return GroupEstimate{}, err
	}
	e, err := d.rows.Estimate(q)
	if err != nil {
		return GroupEstimate{}, err
	}
	env := &derivedEnv{cat: d.cat, q: q, figs: map[int]*derivedFigures{}, est: func(q *features.Query) (Estimate, error) { return d.rows.Estimate(q) }}
	g := q.Group
	groups := 1.0
	for i, k := range g.Keys {
		if k.Table < 0 || k.Table >= len(q.Tables) || k.Col < 0 || k.Col >= len(q.Schema.Tables[q.Tables[k.Table].Table].Columns) {
			return GroupEstimate{}, fmt.Errorf("%w: grouping key %d out of range", ErrQuery, i)
		}
		t := q.Tables[k.Table].Table
		var ndv float64
		if q.DerivedOf(t) != nil {
			if ndv, err = env.colNDV(k.Table, k.Col); err != nil {
				return GroupEstimate{}, err
			}
		} else {
			ndv = math.Max(1, keyDistinct(&d.cat.Stats[t], k))
		}
		groups *= ndv
	}
	groups = math.Min(groups, math.Max(e.Rows, 1))
	if len(g.Keys) == 0 {
		groups = 1
	}
	if g.Having != nil {
		groups *= derivedIneqSel
	}
	groups = sanitize(groups)
	return GroupEstimate{Groups: groups, Low: groups / derivedBand, High: groups * derivedBand, Rows: e.Rows, Source: d.Name()}, nil
}

// preservedGroups returns the grouping of in restricted to its
// occurrences that no outer join NULL-extends, when every key is on them
// and there is no HAVING: the same groups, as an outer join keeps every
// row of its preserved side at least once. It returns nil otherwise.
func preservedGroups(in *features.Query) *features.Query {
	g := in.Group
	if len(in.Outer) == 0 || g == nil || g.Having != nil || len(g.Keys) == 0 {
		return nil
	}
	var core uint64
	idx := make([]int, len(in.Tables))
	for occ := range in.Tables {
		idx[occ] = -1
		if !in.Nullable(occ) {
			idx[occ] = bits.OnesCount64(core)
			core |= 1 << occ
		}
	}
	keys := make([]features.GroupKey, len(g.Keys))
	for i, k := range g.Keys {
		if k.Table < 0 || k.Table >= len(idx) || idx[k.Table] < 0 {
			return nil
		}
		keys[i] = k
		keys[i].Table = idx[k.Table]
	}
	sub := in.Sub(core)
	sub.Group = &features.Grouping{Keys: keys, Distinct: g.Distinct}
	return sub
}

// uniqueKeyRows returns the estimated rows of a one-table grouping query
// one of whose keys is a column with as many distinct values as its table
// has rows (a primary key): each row is its own group. Distinct-value
// estimators extrapolating from a sample underestimate such columns (GEE's
// sqrt(N/n) factor on an all-distinct sample).
func (env *derivedEnv) uniqueKeyRows(q *features.Query) (float64, bool) {
	if len(q.Tables) != 1 || q.Group == nil || q.Group.Having != nil || len(q.Residuals) > 0 {
		return 0, false
	}
	t := q.Tables[0].Table
	if t < 0 || t >= len(env.cat.Stats) {
		return 0, false
	}
	st := &env.cat.Stats[t]
	unique := false
	for _, k := range q.Group.Keys {
		if k.Func == features.KeyColumn && k.Col >= 0 && k.Col < len(st.Columns) &&
			st.Rows > 0 && st.Columns[k.Col].NullFrac == 0 && st.Columns[k.Col].Distinct >= st.Rows {
			unique = true
		}
	}
	if !unique {
		return 0, false
	}
	rows := *q
	rows.Group, rows.GroupBy = nil, nil
	e, err := estimateGuarded(env.cat, &rows, env.est)
	if err != nil {
		return 0, false
	}
	return e.Rows, true
}

// countDistinct is the expected number of distinct values among g group
// sizes drawn from the geometric distribution on {lo, lo+1, ...} with
// mean m: Σ_k 1 − (1 − p_k)^g, p_k = (1 − r) r^(k−lo), r = (m−lo)/(m−lo+1).
func countDistinct(g, m, lo float64) float64 {
	if g <= 1 || m <= lo {
		return 1
	}
	r := (m - lo) / (m - lo + 1)
	p := 1 - r
	sum := 0.0
	for k := 0; k < maxCountTerms; k++ {
		x := -math.Expm1(g * math.Log1p(-p)) // 1 - (1-p)^g
		sum += x
		if x < 1e-6 && float64(k) > m {
			break
		}
		p *= r
	}
	return math.Max(1, sum)
}

// extremumJoin reports whether a join edge matches a MIN or MAX column of
// a derived relation with the column it aggregates (the same column of
// the same table): each group matches the rows holding its extremum.
func (env *derivedEnv) extremumJoin(j features.Join) bool {
	side := func(occ, col, other, otherCol int) bool {
		d := env.q.DerivedOf(env.q.Tables[occ].Table)
		if d == nil || env.q.DerivedOf(env.q.Tables[other].Table) != nil || col >= len(d.Cols) || d.Cols[col].Agg < 0 {
			return false
		}
		a := d.Query.Group.Aggs[d.Cols[col].Agg]
		if (a.Func != features.AggMin && a.Func != features.AggMax) || a.Arg == nil || a.Arg.Kind != features.ArithCol ||
			a.Table < 0 || a.Table >= len(d.Query.Tables) {
			return false
		}
		return d.Query.Tables[a.Table].Table == env.q.Tables[other].Table && a.Arg.Col == otherCol
	}
	return side(j.Left, j.LeftCol, j.Right, j.RightCol) || side(j.Right, j.RightCol, j.Left, j.LeftCol)
}
