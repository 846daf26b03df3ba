package engine

import (
	"context"
	"fmt"
	"math"
	"math/bits"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// Subquery filters (features.Subquery): semi-joins, anti-joins and scalar
// comparisons, decorrelated by grouping the subquery on its correlation
// columns (Kim, TODS 1982; Dayal, VLDB 1987). The subquery is counted by
// the same engine; the rows of its occurrence X that holds every inner
// column it exposes get their join multiplicity (the root weights of a
// message pass rooted at X; 1 for a one-table subquery), and the
// correlation columns of both sides are mapped into one dense id space
// (tableKeys, as join keys are). Then, per outer row:
//
//	EXISTS / IN      present[id(row)]
//	NOT EXISTS       !present[id(row)]
//	<> correlation   per id: the first non-NULL value and whether a second
//	                 distinct one exists; a row matches when its value is
//	                 non-NULL and differs from one of them
//	NOT IN           group empty → TRUE; x NULL → UNKNOWN; x present →
//	                 FALSE; a NULL in the group's IN column → UNKNOWN
//	scalar           per id: weighted SUM, COUNT, MIN, MAX (AVG = SUM/COUNT);
//	                 the row's column compared with Scale × the aggregate
//
// Each subquery is evaluated once per counted query, in time linear in the
// rows of both sides.

// scalarTolerance is the relative difference below which a column value
// and a scalar-subquery aggregate compare equal. MySQL computes DECIMAL
// aggregates exactly (AVG to 4 more decimals, div_precision_increment);
// float64 sums of 2-decimal values carry rounding errors near 1e-16
// relative, far below this bound, while distinct 2-decimal values and
// averages of fewer than 10^6 of them differ by more than 1e-8 relative.
const scalarTolerance = 1e-12

// applySubqueries narrows the selections of the occurrences that have
// subquery filters.
func (c *Counter) applySubqueries(ctx context.Context, q *features.Query, p *plan, depth int) error {
	for i := range q.Subqueries {
		sq := &q.Subqueries[i]
		if sq.Table < 0 || sq.Table >= len(p.occ) || sq.Query == nil {
			return fmt.Errorf("%w: subquery on occurrence %d of %d", ErrBadQuery, sq.Table, len(p.occ))
		}
		if depth > maxSubqueryDepth {
			return fmt.Errorf("%w: subqueries nested deeper than %d", ErrUnsupported, maxSubqueryDepth)
		}
		o := p.occ[sq.Table]
		if o.n == 0 {
			continue
		}
		if err := c.subqueryFilter(ctx, o, sq, depth); err != nil {
			return fmt.Errorf("%s: %s subquery: %w", o.alias, sq.Kind, err)
		}
		o.n = o.sel.count()
	}
	return nil
}

// maxSubqueryDepth bounds recursion through nested subqueries.
const maxSubqueryDepth = 16

// subSide is the evaluated subquery: its plan, the exposing occurrence and
// the weights of its selected rows (nil: all equal to mult).
type subSide struct {
	p    *plan
	x    int
	rows []int32
	w    []int64
	mult int64 // product of the counts of the other components (cross product)
}

func (s *subSide) weight(k int) int64 {
	if s.w == nil {
		return s.mult
	}
	return s.w[k] * s.mult
}

// evalSub counts the subquery and returns its exposing occurrence's rows
// with their multiplicities.
func (c *Counter) evalSub(ctx context.Context, sq *features.Subquery, depth int) (*subSide, error) {
	if g := sq.Query.Group; g != nil && sq.Kind == features.SubScalar {
		// Grouping alone changes neither the values IN sees nor whether
		// a row EXISTS; HAVING filters them (subHaving, subgroup.go).
		return nil, fmt.Errorf("%w: a grouped scalar subquery", ErrUnsupported)
	}
	sp, err := c.prepareDepth(ctx, sq.Query, depth+1)
	if err != nil {
		sp.release()
		return nil, err
	}
	x := -1
	see := func(cr features.ColRef) error {
		if cr.Table < 0 {
			return nil
		}
		if cr.Table >= len(sp.occ) || cr.Col < 0 || cr.Col >= len(sp.occ[cr.Table].cols) {
			return fmt.Errorf("%w: subquery column %d.%d out of range", ErrBadQuery, cr.Table, cr.Col)
		}
		if x >= 0 && x != cr.Table {
			return fmt.Errorf("%w: the subquery's correlated and aggregated columns belong to two tables (%s, %s)", ErrUnsupported, sp.occ[x].alias, sp.occ[cr.Table].alias)
		}
		x = cr.Table
		return nil
	}
	for _, cr := range sq.Corr {
		if err := see(cr.Inner); err != nil {
			sp.release()
			return nil, err
		}
	}
	if sq.Kind == features.SubScalar {
		if err := see(sq.AggCol); err != nil {
			sp.release()
			return nil, err
		}
	}
	if x < 0 {
		x = 0
	}
	s := &subSide{p: sp, x: x, mult: 1}
	for _, comp := range sp.components() {
		if comp&(1<<uint(x)) != 0 {
			if bits.OnesCount64(comp) > 1 {
				if !sp.isTree(comp) {
					sp.release()
					return nil, fmt.Errorf("%w: a cyclic join inside a subquery", ErrUnsupported)
				}
				t := &treeDP{p: sp, set: comp, root: x, fixedRoot: true}
				if _, err := t.count(ctx); err != nil {
					sp.release()
					return nil, err
				}
				s.w = t.rootW
			}
			continue
		}
		n, err := sp.countConnected(ctx, comp)
		if err != nil {
			sp.release()
			return nil, err
		}
		hi, lo := bits.Mul64(uint64(s.mult), uint64(n))
		if hi != 0 || lo > math.MaxInt64 {
			sp.release()
			return nil, fmt.Errorf("%w: subquery cross product", ErrOverflow)
		}
		s.mult = int64(lo)
	}
	s.rows = sp.occ[x].rowIDs(sp.a)
	if err := c.subHaving(sq, s); err != nil {
		sp.release()
		return nil, err
	}
	return s, nil
}

// subqueryFilter clears the bits of o.sel whose rows fail sq.
func (c *Counter) subqueryFilter(ctx context.Context, o *occurrence, sq *features.Subquery, depth int) error {
	s, err := c.evalSub(ctx, sq, depth)
	if err != nil {
		return err
	}
	defer s.p.release()
	X := s.p.occ[s.x]
	// Equality keys of both sides in one id space.
	eqs := sq.EqualityCorr()
	var outerIDs, innerIDs []int32
	d := 1
	if len(eqs) > 0 {
		oc, ic := make([]int, len(eqs)), make([]int, len(eqs))
		for k, cr := range eqs {
			if cr.Outer < 0 || cr.Outer >= len(o.cols) {
				return fmt.Errorf("%w: correlation column %d out of range", ErrBadQuery, cr.Outer)
			}
			oc[k], ic[k] = o.cols[cr.Outer], X.cols[cr.Inner.Col]
		}
		fk, err := c.tableKeys(o.t, oc, X.t, ic)
		if err != nil {
			return err
		}
		outerIDs, d = fk.idsA, fk.d
		innerIDs = make([]int32, len(s.rows))
		for k, r := range s.rows {
			innerIDs[k] = fk.idsB[r]
		}
	}
	outerID := func(r int) int32 {
		if outerIDs == nil {
			return 0
		}
		return outerIDs[r]
	}
	innerID := func(k int) int32 {
		if innerIDs == nil {
			return 0
		}
		return innerIDs[k]
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	switch sq.Kind {
	case features.SubExists, features.SubNotExists:
		want := sq.Kind == features.SubExists
		var ne *features.Correlation
		for k := range sq.Corr {
			if sq.Corr[k].NotEqual {
				ne = &sq.Corr[k]
			}
		}
		if ne == nil {
			present := make([]bool, d)
			for k := range s.rows {
				if id := innerID(k); id >= 0 && s.weight(k) > 0 {
					present[id] = true
				}
			}
			filterRows(o.sel, func(r int) bool {
				id := outerID(r)
				return (id >= 0 && present[id]) == want
			})
			return nil
		}
		// One <> correlation: per group, the first non-NULL value and
		// whether a second distinct one exists.
		ic := X.t.Cols[X.cols[ne.Inner.Col]]
		ocol := o.t.Cols[o.cols[ne.Outer]]
		if (ic.Type == catalog.TypeString) != (ocol.Type == catalog.TypeString) {
			return fmt.Errorf("%w: <> between a string and a number", ErrUnsupported)
		}
		first := make([]value, d)
		has := make([]bool, d)
		multi := make([]bool, d)
		for k, r := range s.rows {
			id := innerID(k)
			if id < 0 || s.weight(k) == 0 || ic.IsNull(int(r)) {
				continue
			}
			v := valueOf(ic, int(r))
			switch {
			case !has[id]:
				first[id], has[id] = v, true
			case !multi[id] && !v.equal(first[id]):
				multi[id] = true
			}
		}
		filterRows(o.sel, func(r int) bool {
			id := outerID(r)
			match := false
			if id >= 0 && has[id] && !ocol.IsNull(r) {
				match = multi[id] || !valueOf(ocol, r).equal(first[id])
			}
			return match == want
		})
		return nil
	case features.SubNotIn:
		return c.notIn(o, sq, s, X, outerIDs, innerIDs, d)
	case features.SubScalar:
		return scalarFilter(o, sq, s, X, outerID, innerID, d)
	}
	return fmt.Errorf("%w: subquery kind %d", ErrBadQuery, sq.Kind)
}

// notIn applies x NOT IN (SELECT y ... [correlated]) with SQL's NULL
// rules; outerIDs/innerIDs key the full equality list (the IN pair first).
func (c *Counter) notIn(o *occurrence, sq *features.Subquery, s *subSide, X *occurrence, outerIDs, innerIDs []int32, d int) error {
	eqs := sq.EqualityCorr()
	if !sq.In || len(eqs) == 0 {
		return fmt.Errorf("%w: NOT IN without its IN pair", ErrBadQuery)
	}
	// Groups: the correlation columns other than the IN pair.
	gOuter := func(int) int32 { return 0 }
	gInner := func(int) int32 { return 0 }
	gd := 1
	if len(eqs) > 1 {
		oc, ic := make([]int, len(eqs)-1), make([]int, len(eqs)-1)
		for k, cr := range eqs[1:] {
			oc[k], ic[k] = o.cols[cr.Outer], X.cols[cr.Inner.Col]
		}
		fk, err := c.tableKeys(o.t, oc, X.t, ic)
		if err != nil {
			return err
		}
		gd = fk.d
		gOuter = func(r int) int32 { return fk.idsA[r] }
		gInner = func(k int) int32 { return fk.idsB[s.rows[k]] }
	}
	present := make([]bool, d)
	nonEmpty := make([]bool, gd)
	hasNull := make([]bool, gd)
	yc := X.t.Cols[X.cols[eqs[0].Inner.Col]]
	for k, r := range s.rows {
		if s.weight(k) == 0 {
			continue
		}
		g := gInner(k)
		if g < 0 {
			continue
		}
		nonEmpty[g] = true
		if yc.IsNull(int(r)) {
			hasNull[g] = true
		}
		if id := innerIDs[k]; id >= 0 {
			present[id] = true
		}
	}
	xc := o.t.Cols[o.cols[eqs[0].Outer]]
	filterRows(o.sel, func(r int) bool {
		g := gOuter(r)
		switch {
		case g < 0 || !nonEmpty[g]:
			return true // NOT IN of an empty set
		case xc.IsNull(r):
			return false
		case outerIDs[r] >= 0 && present[outerIDs[r]]:
			return false
		case hasNull[g]:
			return false
		}
		return true
	})
	return nil
}

// aggState accumulates one group of a scalar subquery.
type aggState struct {
	sum, comp float64 // Neumaier-compensated sum
	count     int64   // rows (COUNT(*)) or non-NULL values
	min, max  float64
	has       bool
}

func (a *aggState) add(v float64, w int64) {
	x := v * float64(w)
	t := a.sum + x
	if math.Abs(a.sum) >= math.Abs(x) {
		a.comp += (a.sum - t) + x
	} else {
		a.comp += (x - t) + a.sum
	}
	a.sum = t
	a.count += w
	if !a.has || v < a.min {
		a.min = v
	}
	if !a.has || v > a.max {
		a.max = v
	}
	a.has = true
}

// value returns the aggregate (ok false: NULL).
func (a *aggState) value(f features.AggFunc) (float64, bool) {
	switch f {
	case features.AggCount:
		return float64(a.count), true
	case features.AggSum:
		return a.sum + a.comp, a.has
	case features.AggAvg:
		if a.count == 0 {
			return 0, false
		}
		return (a.sum + a.comp) / float64(a.count), true
	case features.AggMin:
		return a.min, a.has
	case features.AggMax:
		return a.max, a.has
	}
	return 0, false
}

func scalarFilter(o *occurrence, sq *features.Subquery, s *subSide, X *occurrence, outerID func(int) int32, innerID func(int) int32, d int) error {
	if sq.Col < 0 || sq.Col >= len(o.cols) {
		return fmt.Errorf("%w: compared column %d out of range", ErrBadQuery, sq.Col)
	}
	var ac *datasets.Column
	if sq.AggCol.Table >= 0 {
		ac = X.t.Cols[X.cols[sq.AggCol.Col]]
		if ac.Type == catalog.TypeString && sq.Agg != features.AggCount {
			return fmt.Errorf("%w: %s of a string column", ErrUnsupported, sq.Agg)
		}
	}
	oc := o.t.Cols[o.cols[sq.Col]]
	if oc.Type == catalog.TypeString {
		return fmt.Errorf("%w: a string column compared with a scalar subquery", ErrUnsupported)
	}
	if math.IsNaN(sq.Scale) || math.IsInf(sq.Scale, 0) {
		return fmt.Errorf("%w: scale %v", ErrBadQuery, sq.Scale)
	}
	groups := make([]aggState, d)
	for k, r := range s.rows {
		w := s.weight(k)
		id := innerID(k)
		if w == 0 || id < 0 {
			continue
		}
		g := &groups[id]
		if ac == nil {
			g.count += w
			g.has = true
			continue
		}
		if ac.IsNull(int(r)) {
			continue
		}
		if ac.Type == catalog.TypeString {
			g.count += w
			g.has = true
			continue
		}
		g.add(numOf(ac, int(r)), w)
	}
	var empty aggState
	filterRows(o.sel, func(r int) bool {
		if oc.IsNull(r) {
			return false
		}
		g := &empty
		if id := outerID(r); id >= 0 {
			g = &groups[id]
		}
		v, ok := g.value(sq.Agg)
		if !ok {
			return false
		}
		return compareTol(numOf(oc, r), sq.Scale*v, sq.Op)
	})
	return nil
}

// compareTol compares x op y, equal within scalarTolerance.
func compareTol(x, y float64, op features.Op) bool {
	c := 0
	if diff := x - y; math.Abs(diff) > scalarTolerance*max(1, math.Abs(x), math.Abs(y)) {
		if diff < 0 {
			c = -1
		} else {
			c = 1
		}
	}
	switch op {
	case features.OpEQ:
		return c == 0
	case features.OpNE:
		return c != 0
	case features.OpLT:
		return c < 0
	case features.OpLE:
		return c <= 0
	case features.OpGT:
		return c > 0
	case features.OpGE:
		return c >= 0
	}
	return false
}

func numOf(c *datasets.Column, r int) float64 {
	if c.Type == catalog.TypeFloat {
		return c.Floats[r]
	}
	return float64(c.Ints[r])
}

// value is a non-NULL cell for <> comparisons across two columns.
type value struct {
	f     float64
	s     string
	isStr bool
}

func valueOf(c *datasets.Column, r int) value {
	if c.Type == catalog.TypeString {
		return value{s: c.Dict[c.Codes[r]], isStr: true}
	}
	return value{f: numOf(c, r)}
}

func (v value) equal(u value) bool {
	if v.isStr {
		return v.s == u.s
	}
	return v.f == u.f
}

// filterRows clears the bits of sel whose rows fail keep.
func filterRows(sel bitset, keep func(r int) bool) {
	for w, word := range sel {
		for m := word; m != 0; m &= m - 1 {
			b := bits.TrailingZeros64(m)
			if !keep(w*64 + b) {
				sel[w] &^= 1 << uint(b)
			}
		}
	}
}

// isOuterEdge reports whether the edge from v down to w is a LEFT JOIN's
// attach edge with w on the null-supplying side.
func (p *plan) isOuterEdge(v, w int) bool {
	for _, o := range p.outer {
		if o.Attach[0] == v && o.Attach[1] == w {
			return true
		}
	}
	return false
}

// rootable returns the occurrences of s a message pass over s may be
// rooted at: those on no null-supplying side of an outer join active in s
// (a group is active when s holds occurrences both inside and outside it).
func (p *plan) rootable(s uint64) uint64 {
	m := s
	for _, o := range p.outer {
		if g := o.Inner & s; g != 0 && g != s {
			m &^= o.Inner
		}
	}
	return m
}

// outerWithin reports whether an outer join's attach edge lies inside s.
func (p *plan) outerWithin(s uint64) bool {
	for _, o := range p.outer {
		if s&(1<<uint(o.Attach[0])) != 0 && s&(1<<uint(o.Attach[1])) != 0 {
			return true
		}
	}
	return false
}

// gatherMulOuter is gatherMul for a LEFT JOIN edge: a row the child
// matches nothing of (id -1 or a zero message) keeps its weight, joined
// with one NULL-extended row.
func gatherMulOuter(dst, cur []int64, curMax int64, ids []int32, msg []int64, msgMax int64) (int64, error) {
	msgMax = max(msgMax, 1)
	var m int64
	for i, id := range ids {
		x := int64(1)
		if id >= 0 && msg[id] > 0 {
			x = msg[id]
		}
		if cur != nil {
			c := cur[i]
			if curMax != 0 && msgMax > math.MaxInt64/curMax {
				hi, lo := bits.Mul64(uint64(c), uint64(x))
				if hi != 0 || lo > math.MaxInt64 {
					return 0, fmt.Errorf("%w: join weight", ErrOverflow)
				}
				x = int64(lo)
			} else {
				x *= c
			}
		}
		dst[i] = x
		m = max(m, x)
	}
	return m, nil
}
