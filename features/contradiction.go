package features

import (
	"math"

	"github.com/cardinaldb/cardinal/catalog"
)

// Unsatisfiable reports whether filter e on a row of table t can never be
// TRUE, by interval reasoning per column over its top-level conjuncts (the
// "Impossible WHERE" of MySQL's range optimizer): x = 10 AND x < 10,
// x > 5 AND x < 6 on an integer column, x IN (1, 2) AND x NOT IN (1, 2),
// x IS NULL on a NOT NULL column, a comparison with a NULL literal,
// x IN (2, 4) AND NOT (x BETWEEN 1 AND 5). NOT
// over an atomic predicate is its complement (as three-valued Eval has it),
// NOT over OR the conjunction of the complements. A disjunction among the
// conjuncts (OR, or NOT over AND) whose predicates are all on columns the
// plain conjuncts constrain is split: the filter is unsatisfiable when it
// is with each arm in the disjunction's place, as in (x BETWEEN 3 AND 7
// OR x = 7) AND NOT (x BETWEEN 2 AND 7); at most maxSatSplits arms are
// tried in all, beyond which it answers satisfiable. It is sound: true
// only when Eval is never True, whatever the row (strings compare
// byte-wise, as in Eval). A nil filter is satisfiable.
func Unsatisfiable(t *catalog.Table, e *Expr) bool {
	if e == nil || t == nil || plainlySatisfiable(e) {
		return false
	}
	st := satState{t: t}
	st.add(e, false)
	budget := maxSatSplits
	return st.unsatisfiable(0, &budget)
}

// maxSatSplits bounds the disjunction arms Unsatisfiable tries per filter
// (each a copy of the constraints and a check of every column): a filter
// of three 4-arm disjunctions needs at most 4 + 16 + 64 = 84.
const maxSatSplits = 96

// unsatisfiable reports whether st's constraints, with its disjunctions
// from the next-th on split arm by arm, admit no row; budget counts down
// the arms tried.
func (st *satState) unsatisfiable(next int, budget *int) bool {
	if st.unsat {
		return true
	}
	for i := range st.cons[:st.n] {
		if !st.cons[i].satisfiable(st.t.Columns[st.cons[i].col]) {
			return true
		}
	}
	if next >= len(st.ors) {
		return false
	}
	d := st.ors[next]
	if !st.constrains(d.e) {
		// An arm on a column nothing else constrains is satisfiable
		// beside them (most generated ORs): no split.
		return st.unsatisfiable(next+1, budget)
	}
	if *budget < len(d.e.Args) {
		return false
	}
	*budget -= len(d.e.Args)
	for _, a := range d.e.Args {
		arm := *st // the slices it appends to are only read below
		arm.add(a, d.neg)
		if !arm.unsatisfiable(next+1, budget) {
			return false
		}
	}
	return true
}

// maxSatColumns bounds the columns Unsatisfiable reasons about; conjuncts
// on further columns are left out (which keeps it sound).
const maxSatColumns = 8

// satState collects the per-column constraints of a filter's conjuncts.
type satState struct {
	t     *catalog.Table
	cons  [maxSatColumns]colCons
	n     int
	unsat bool
	// ors are the disjunctions among the conjuncts: OR (neg false) or
	// NOT over AND (neg true, its arms negated), split by unsatisfiable.
	ors []disjunction
}

// constrains reports whether every predicate under e is on a column the
// plain conjuncts constrain.
func (st *satState) constrains(e *Expr) bool {
	if e.Kind == ExprPred {
		for i := range st.cons[:st.n] {
			if st.cons[i].col == e.Pred.Col {
				return true
			}
		}
		return false
	}
	for _, a := range e.Args {
		if !st.constrains(a) {
			return false
		}
	}
	return len(e.Args) > 0
}

// disjunction is a conjunct that is TRUE when one of e's arguments is
// (negated when neg).
type disjunction struct {
	e   *Expr
	neg bool
}

func (st *satState) add(e *Expr, neg bool) {
	switch {
	case st.unsat:
	case e.Kind == ExprAnd && !neg:
		for _, a := range e.Args {
			st.add(a, false)
		}
	case e.Kind == ExprOr && neg:
		// NOT (a OR b) is TRUE when NOT a and NOT b are.
		for _, a := range e.Args {
			st.add(a, true)
		}
	case (e.Kind == ExprOr && !neg) || (e.Kind == ExprAnd && neg):
		if len(e.Args) > 0 {
			st.ors = append(st.ors, disjunction{e: e, neg: neg})
		}
	case e.Kind == ExprNot && len(e.Args) == 1:
		st.add(e.Args[0], !neg)
	case e.Kind == ExprPred:
		c := &e.Pred
		if c.Col < 0 || c.Col >= len(st.t.Columns) {
			return
		}
		var cc *colCons
		for i := range st.cons[:st.n] {
			if st.cons[i].col == c.Col {
				cc = &st.cons[i]
			}
		}
		if cc == nil {
			if st.n == maxSatColumns {
				return
			}
			st.cons[st.n] = colCons{col: c.Col}
			cc = &st.cons[st.n]
			st.n++
		}
		if !cc.add(c, neg) {
			st.unsat = true
		}
	}
}

// plainlySatisfiable is the allocation-free common case of Unsatisfiable:
// top-level conjuncts that are plain predicates (no NOT, BETWEEN or IS
// NULL, no NULL literal), each on a column of its own, are each TRUE on
// some value, hence together on some row.
func plainlySatisfiable(e *Expr) bool {
	var one [1]*Expr
	args := one[:]
	switch e.Kind {
	case ExprAnd:
		args = e.Args
	case ExprPred:
		one[0] = e
	default:
		return false
	}
	const maxCols = 16
	if len(args) > maxCols {
		return false
	}
	var cols [maxCols]int
	for i, a := range args {
		if a.Kind != ExprPred {
			return false
		}
		p := &a.Pred
		switch p.Op {
		case OpBetween, OpIsNull:
			return false
		case OpLike, OpNotLike:
			if len(p.Values) != 1 || p.Values[0].Kind != catalog.KindString {
				return false
			}
		}
		if hasNull(p.Values) || (len(p.Values) == 0 && p.Op != OpIsNotNull) {
			return false
		}
		for _, c := range cols[:i] {
			if c == p.Col {
				return false
			}
		}
		cols[i] = p.Col
	}
	return true
}

// bound is one end of a column's interval.
type bound struct {
	v         catalog.Datum
	set, incl bool
}

// colCons is what the conjuncts on one column require of its value.
type colCons struct {
	col             int
	lo, hi          bound
	in              []catalog.Datum // allowed values when hasIn
	hasIn           bool
	ne              []catalog.Datum    // excluded values
	out             [][2]catalog.Datum // excluded intervals (NOT BETWEEN)
	isNull, notNull bool
}

// complement is the operator of NOT (x op v) under three-valued logic
// (the same rows are TRUE), or 0 when it is not one operator.
func complement(op Op) Op {
	switch op {
	case OpEQ:
		return OpNE
	case OpNE:
		return OpEQ
	case OpLT:
		return OpGE
	case OpLE:
		return OpGT
	case OpGT:
		return OpLE
	case OpGE:
		return OpLT
	case OpIn:
		return OpNotIn
	case OpNotIn:
		return OpIn
	case OpIsNull:
		return OpIsNotNull
	case OpIsNotNull:
		return OpIsNull
	case OpLike:
		return OpNotLike
	case OpNotLike:
		return OpLike
	}
	return 0
}

func hasNull(vs []catalog.Datum) bool {
	for _, v := range vs {
		if v.IsNull() {
			return true
		}
	}
	return false
}

// add records predicate p (negated when neg); false when p alone can
// never be TRUE.
func (c *colCons) add(p *Pred, neg bool) bool {
	op := p.Op
	if neg {
		op = complement(op)
		if op == 0 {
			// NOT BETWEEN a AND b: a non-NULL value outside [a, b].
			if p.Op == OpBetween && len(p.Values) == 2 && !hasNull(p.Values) {
				c.notNull = true
				c.out = append(c.out, [2]catalog.Datum{p.Values[0], p.Values[1]})
			}
			return true
		}
	}
	switch op {
	case OpIsNull:
		c.isNull = true
		return true
	case OpIsNotNull:
		c.notNull = true
		return true
	case OpLike, OpNotLike:
		c.notNull = true
		return len(p.Values) == 1 && p.Values[0].Kind == catalog.KindString
	case OpIn:
		c.notNull = true
		var vs []catalog.Datum
		for _, v := range p.Values {
			if !v.IsNull() && (!c.hasIn || containsDatum(c.in, v)) {
				vs = append(vs, v)
			}
		}
		c.in, c.hasIn = vs, true
		return len(vs) > 0
	case OpNotIn:
		c.notNull = true
		c.ne = append(c.ne, p.Values...)
		return !hasNull(p.Values)
	}
	// Comparisons: TRUE needs non-NULL literals and value.
	if len(p.Values) == 0 || hasNull(p.Values) {
		return false
	}
	c.notNull = true
	v := p.Values[0]
	switch op {
	case OpEQ:
		c.addLo(v, true)
		c.addHi(v, true)
	case OpNE:
		c.ne = append(c.ne, v)
	case OpLT:
		c.addHi(v, false)
	case OpLE:
		c.addHi(v, true)
	case OpGT:
		c.addLo(v, false)
	case OpGE:
		c.addLo(v, true)
	case OpBetween:
		if len(p.Values) < 2 {
			return false
		}
		c.addLo(v, true)
		c.addHi(p.Values[1], true)
	}
	return true
}

func containsDatum(vs []catalog.Datum, v catalog.Datum) bool {
	for _, w := range vs {
		if catalog.Compare(v, w) == 0 {
			return true
		}
	}
	return false
}

// addLo raises the lower bound to v (inclusive when incl).
func (c *colCons) addLo(v catalog.Datum, incl bool) {
	if !c.lo.set {
		c.lo = bound{v: v, set: true, incl: incl}
		return
	}
	switch k := catalog.Compare(v, c.lo.v); {
	case k > 0:
		c.lo = bound{v: v, set: true, incl: incl}
	case k == 0:
		c.lo.incl = c.lo.incl && incl
	}
}

// addHi lowers the upper bound to v (inclusive when incl).
func (c *colCons) addHi(v catalog.Datum, incl bool) {
	if !c.hi.set {
		c.hi = bound{v: v, set: true, incl: incl}
		return
	}
	switch k := catalog.Compare(v, c.hi.v); {
	case k < 0:
		c.hi = bound{v: v, set: true, incl: incl}
	case k == 0:
		c.hi.incl = c.hi.incl && incl
	}
}

// inRange reports whether v lies within the bounds and outside the
// excluded intervals.
func (c *colCons) inRange(v catalog.Datum) bool {
	for _, o := range c.out {
		if catalog.Compare(v, o[0]) >= 0 && catalog.Compare(v, o[1]) <= 0 {
			return false
		}
	}
	if c.lo.set {
		k := catalog.Compare(v, c.lo.v)
		if k < 0 || (k == 0 && !c.lo.incl) {
			return false
		}
	}
	if c.hi.set {
		k := catalog.Compare(v, c.hi.v)
		if k > 0 || (k == 0 && !c.hi.incl) {
			return false
		}
	}
	return true
}

// maxEnumerate bounds the integer ranges satisfiable checks value by value
// against the excluded values.
const maxEnumerate = 64

// satisfiable reports whether some value of column col meets c.
func (c *colCons) satisfiable(col catalog.Column) bool {
	if c.isNull {
		return !c.notNull && col.Nullable
	}
	if c.hasIn {
		for _, v := range c.in {
			if c.inRange(v) && !containsDatum(c.ne, v) {
				return true
			}
		}
		return false
	}
	if !c.lo.set || !c.hi.set {
		return true
	}
	for _, o := range c.out {
		// [lo, hi] inside [o0, o1]: every value is excluded.
		if catalog.Compare(o[0], c.lo.v) <= 0 && catalog.Compare(c.hi.v, o[1]) <= 0 {
			return false
		}
	}
	lo, hi := c.lo, c.hi
	intCol := col.Type == catalog.TypeInt || col.Type == catalog.TypeDate || col.Type == catalog.TypeDateTime
	if intCol && lo.v.Kind == catalog.KindInt && hi.v.Kind == catalog.KindInt {
		// Integer columns hold integers only: tighten to inclusive ends.
		a, b := lo.v.I, hi.v.I
		if !lo.incl {
			if a == math.MaxInt64 {
				return false
			}
			a++
		}
		if !hi.incl {
			if b == math.MinInt64 {
				return false
			}
			b--
		}
		if a > b {
			return false
		}
		if uint64(b-a) < maxEnumerate && len(c.ne) > int(b-a) {
			for x := a; ; x++ {
				if !containsDatum(c.ne, catalog.Int(x)) {
					return true
				}
				if x == b {
					return false
				}
			}
		}
		return true
	}
	k := catalog.Compare(lo.v, hi.v)
	switch {
	case k > 0:
		return false
	case k == 0:
		return lo.incl && hi.incl && !containsDatum(c.ne, lo.v)
	}
	return true
}
