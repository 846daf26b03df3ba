package features

import "github.com/cardinaldb/cardinal/catalog"

// Constraints are what the top-level conjuncts of a filter require of
// each column, as Unsatisfiable reasons about them (bounds, value lists,
// excluded values and intervals, NULL-ness), so that a caller holding
// per-range summaries of the data, such as the catalog's functional
// dependencies (catalog.Dependency), can ask which ranges of a column
// the filter admits. OR and NOT over AND/OR are not analysed: a column
// they alone constrain is unconstrained here, which keeps Admits sound
// (it never says false for a range holding a row the filter accepts).
type Constraints struct {
	t  *catalog.Table
	st satState
}

// ConstraintsOf returns the per-column constraints of filter e on table t;
// ok is false when e is unsatisfiable by itself (see Unsatisfiable) or nil.
func ConstraintsOf(t *catalog.Table, e *Expr) (c Constraints, ok bool) {
	if e == nil || t == nil {
		return c, false
	}
	c.t = t
	c.st = satState{t: t}
	c.st.add(e, false)
	if c.st.unsat {
		return c, false
	}
	for i := range c.st.cons[:c.st.n] {
		if !c.st.cons[i].satisfiable(t.Columns[c.st.cons[i].col]) {
			return c, false
		}
	}
	return c, true
}

func (c *Constraints) find(col int) *colCons {
	for i := range c.st.cons[:c.st.n] {
		if c.st.cons[i].col == col {
			return &c.st.cons[i]
		}
	}
	return nil
}

// Constrained reports whether the conjuncts constrain column col.
func (c *Constraints) Constrained(col int) bool { return c.find(col) != nil }

// Admits reports whether some non-NULL value of column col within [lo, hi]
// (inclusive, non-NULL) meets the conjuncts on col; true for a column
// they do not constrain.
func (c *Constraints) Admits(col int, lo, hi catalog.Datum) bool {
	cc := c.find(col)
	if cc == nil {
		return true
	}
	if cc.isNull {
		return false
	}
	x := *cc
	x.addLo(lo, true)
	x.addHi(hi, true)
	return x.satisfiable(c.t.Columns[col])
}

// Bound is one end of a column's constraint interval: Set is false when
// the conjuncts leave that end open.
type Bound struct {
	V              catalog.Datum
	Set, Inclusive bool
}

// Interval returns the bounds the conjuncts put on column col and the
// values they restrict it to (in, with hasIn, from = and IN); all unset for
// an unconstrained column.
func (c *Constraints) Interval(col int) (lo, hi Bound, in []catalog.Datum, hasIn bool) {
	cc := c.find(col)
	if cc == nil {
		return
	}
	return Bound{cc.lo.v, cc.lo.set, cc.lo.incl}, Bound{cc.hi.v, cc.hi.set, cc.hi.incl}, cc.in, cc.hasIn
}
