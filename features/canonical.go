package features

import (
	"math"

	"github.com/cardinaldb/cardinal/catalog"
)

// Canonical returns q with every point range written as the equality it
// is (CanonicalFilter on each table filter), so that estimators see one
// form of "x = a" whichever way the query spelled it. It returns q itself
// when nothing changes (the common case allocates nothing), else a
// shallow copy with new Tables; q is never modified. Tables that do not
// fit q.Schema are left as they are (estimators report them).
func Canonical(q *Query) *Query {
	if q == nil || q.Schema == nil {
		return q
	}
	var tables []TableRef
	for i, tr := range q.Tables {
		if tr.Filter == nil || tr.Table < 0 || tr.Table >= len(q.Schema.Tables) {
			continue
		}
		f := CanonicalFilter(q.Schema.Tables[tr.Table], tr.Filter)
		if f == tr.Filter {
			continue
		}
		if tables == nil {
			tables = append([]TableRef(nil), q.Tables...)
		}
		tables[i].Filter = f
	}
	if tables == nil {
		return q
	}
	c := *q
	c.Tables = tables
	return &c
}

// maxCanonicalDepth bounds the nesting CanonicalFilter rewrites; deeper
// subtrees are kept as they are.
const maxCanonicalDepth = 1000

// CanonicalFilter returns filter e on a row of table t with its point
// ranges rewritten as equalities, everywhere in the tree:
//
//   - x BETWEEN a AND a and x IN (a[, a ...]) become x = a;
//   - the conjuncts of one AND on one column that are comparisons
//     (=, <, <=, >, >=), BETWEEN or one-value INs and together admit
//     exactly one value a become one x = a, in the place of the first
//     (x >= a AND x <= a, x = a AND x < b with a < b, and on INT, DATE
//     and DATETIME columns, which hold integers, x > a-1 AND x < a+1);
//   - an AND's <> or NOT IN on a column whose every value one of its
//     range conjuncts on that column excludes already or names at a
//     closed end goes, opening that end (x >= a AND x NOT IN (a, b) with
//     b < a becomes x > a, x = 5 AND x <> 3 becomes x = 5): the
//     estimators then see one range, not a range and an independent
//     exclusion (a month column ending at 3 has no row with
//     month >= 3 AND month NOT IN (3), which the product of the two
//     selectivities put at 2/9 of the table);
//   - an AND left with one argument is that argument.
//
// Each rewrite is TRUE, FALSE and UNKNOWN on the same rows as what it
// replaces (three-valued logic, as Eval has it), so it holds under NOT
// and OR too. Empty intervals are left to Unsatisfiable. It returns e
// itself when nothing changes and never modifies e.
func CanonicalFilter(t *catalog.Table, e *Expr) *Expr {
	if e == nil || t == nil {
		return e
	}
	return canonExpr(t, e, 0)
}

func canonExpr(t *catalog.Table, e *Expr, depth int) *Expr {
	if e == nil || depth > maxCanonicalDepth {
		return e
	}
	if e.Kind == ExprPred {
		if e.Pred.Op != OpEQ {
			if v, ok := predPoint(&e.Pred); ok {
				return eqExpr(e.Pred.Col, v)
			}
		}
		return e
	}
	var args []*Expr // copy on write
	for i, a := range e.Args {
		c := canonExpr(t, a, depth+1)
		if c != a && args == nil {
			args = append(make([]*Expr, 0, len(e.Args)), e.Args[:i]...)
		}
		if args != nil {
			args = append(args, c)
		}
	}
	if e.Kind == ExprAnd {
		src := e.Args
		if args != nil {
			src = args
		}
		// Opening a range's end may leave a point (x >= 3 AND x <= 5 AND
		// x NOT IN (3, 5) on integers is x = 4), and a point settles
		// more exclusions: until neither changes anything (each change
		// removes a conjunct or a range end, so at most len(src) rounds).
		for changed := true; changed; {
			changed = false
			if merged, ok := mergePoints(t, src); ok {
				args, src, changed = merged, merged, true
			}
			if merged, ok := mergeExclusions(src); ok {
				args, src, changed = merged, merged, true
			}
		}
	}
	if args == nil {
		return e
	}
	if e.Kind == ExprAnd && len(args) == 1 {
		return args[0]
	}
	return &Expr{Kind: e.Kind, Args: args}
}

func eqExpr(col int, v catalog.Datum) *Expr {
	return &Expr{Kind: ExprPred, Pred: Pred{Col: col, Op: OpEQ, Values: []catalog.Datum{v}}}
}

// predPoint returns a when p alone admits exactly the value a the way
// x = a does: BETWEEN a AND a, or IN whose non-NULL-free list holds one
// value (possibly repeated).
func predPoint(p *Pred) (catalog.Datum, bool) {
	switch p.Op {
	case OpBetween:
		if len(p.Values) == 2 && !hasNull(p.Values) && catalog.Compare(p.Values[0], p.Values[1]) == 0 {
			return p.Values[0], true
		}
	case OpIn:
		if len(p.Values) == 0 || hasNull(p.Values) {
			return catalog.Null, false
		}
		for _, v := range p.Values[1:] {
			if catalog.Compare(v, p.Values[0]) != 0 {
				return catalog.Null, false
			}
		}
		return p.Values[0], true
	}
	return catalog.Null, false
}

// rangeConjunct reports whether e is an atomic predicate mergePoints
// folds into a column interval: a comparison other than <>, BETWEEN or a
// one-value IN, with non-NULL literals.
func rangeConjunct(e *Expr) bool {
	if e.Kind != ExprPred {
		return false
	}
	p := &e.Pred
	switch p.Op {
	case OpEQ, OpLT, OpLE, OpGT, OpGE:
		return len(p.Values) == 1 && !p.Values[0].IsNull()
	case OpBetween:
		return len(p.Values) == 2 && !hasNull(p.Values)
	case OpIn:
		_, ok := predPoint(p)
		return ok
	}
	return false
}

// mergePoints collapses, among the conjuncts args of one AND, each group of
// range conjuncts on one column (two or more) whose interval is a single
// value into one equality, in the place of the group's first conjunct. It
// returns the new argument list and true when some group collapsed.
func mergePoints(t *catalog.Table, args []*Expr) ([]*Expr, bool) {
	if len(args) < 2 {
		return nil, false
	}
	// seen marks the columns already looked at (allocation-free for
	// tables of up to 64 columns).
	var seenBuf [64]bool
	seen := seenBuf[:]
	if len(t.Columns) > len(seenBuf) {
		seen = make([]bool, len(t.Columns))
	}
	var cols []int
	var vals []catalog.Datum
	for _, a := range args {
		if !rangeConjunct(a) || a.Pred.Col < 0 || a.Pred.Col >= len(seen) || seen[a.Pred.Col] {
			continue
		}
		seen[a.Pred.Col] = true
		if v, n, ok := columnPoint(t, args, a.Pred.Col); ok && n >= 2 {
			cols = append(cols, a.Pred.Col)
			vals = append(vals, v)
		}
	}
	if len(cols) == 0 {
		return nil, false
	}
	out := make([]*Expr, 0, len(args))
	for _, a := range args {
		k := -1
		if rangeConjunct(a) {
			for j, c := range cols {
				if c == a.Pred.Col {
					k = j
				}
			}
		}
		switch {
		case k < 0:
			out = append(out, a)
		case vals[k].Kind != catalog.KindNull:
			out = append(out, eqExpr(cols[k], vals[k]))
			vals[k] = catalog.Null // the group's first conjunct only
		}
	}
	return out, true
}

// columnPoint intersects the range conjuncts of args on column col and
// returns the one value the intersection admits (ok false when it admits
// none or several), with the number of conjuncts intersected.
func columnPoint(t *catalog.Table, args []*Expr, col int) (catalog.Datum, int, bool) {
	cc := colCons{col: col}
	n := 0
	for _, b := range args {
		if !rangeConjunct(b) || b.Pred.Col != col {
			continue
		}
		n++
		p := &b.Pred
		if p.Op == OpIn {
			v, _ := predPoint(p)
			cc.addLo(v, true)
			cc.addHi(v, true)
			continue
		}
		cc.add(p, false)
	}
	if !cc.lo.set || !cc.hi.set {
		return catalog.Null, n, false
	}
	lo, hi := cc.lo, cc.hi
	if col >= 0 && col < len(t.Columns) && integerColumn(t.Columns[col].Type) &&
		lo.v.Kind == catalog.KindInt && hi.v.Kind == catalog.KindInt {
		// The column holds integers: x > a is x >= a+1.
		if !lo.incl {
			if lo.v.I == math.MaxInt64 {
				return catalog.Null, n, false
			}
			lo = bound{v: catalog.Int(lo.v.I + 1), set: true, incl: true}
		}
		if !hi.incl {
			if hi.v.I == math.MinInt64 {
				return catalog.Null, n, false
			}
			hi = bound{v: catalog.Int(hi.v.I - 1), set: true, incl: true}
		}
	}
	if !lo.incl || !hi.incl || catalog.Compare(lo.v, hi.v) != 0 {
		return catalog.Null, n, false
	}
	return lo.v, n, true
}

// integerColumn reports whether columns of type typ hold integers only.
func integerColumn(typ catalog.Type) bool {
	return typ == catalog.TypeInt || typ == catalog.TypeDate || typ == catalog.TypeDateTime
}

// mergeExclusions rewrites, among the conjuncts args of one AND, each <>
// or NOT IN (non-NULL values) on a column whose every value the column's
// range conjuncts (rangeConjunct) there settle: a value some range
// conjunct is FALSE for needs nothing, a value equal to a >= (<=) bound
// turns it into > (<); the exclusion then goes. Each step is TRUE, FALSE
// and UNKNOWN on the same rows as before (x = a makes the range or the
// bound FALSE; NULL makes both sides UNKNOWN). An exclusion with a value
// inside the range stays whole: the estimators multiply an exclusion's
// selectivity with the range's, and dropping some of its values would
// move that product either way. It returns the new argument list and
// true when something changed.
func mergeExclusions(args []*Expr) ([]*Expr, bool) {
	if len(args) < 2 {
		return nil, false
	}
	var out []*Expr // copy on write
	var open []int  // conjuncts whose closed end an excluded value names
	for i := range args {
		cur := args
		if out != nil {
			cur = out
		}
		a := cur[i]
		if a == nil || a.Kind != ExprPred || (a.Pred.Op != OpNE && a.Pred.Op != OpNotIn) || len(a.Pred.Values) == 0 || hasNull(a.Pred.Values) {
			continue
		}
		col := a.Pred.Col
		open = open[:0]
		settled := true
		for _, v := range a.Pred.Values {
			if !settledBy(cur, i, col, v, &open) {
				settled = false
				break
			}
		}
		if !settled {
			continue
		}
		if out == nil {
			out = append([]*Expr(nil), args...)
		}
		for _, j := range open {
			b := out[j]
			if b.Pred.Op == OpGE || b.Pred.Op == OpLE {
				op := OpGT
				if b.Pred.Op == OpLE {
					op = OpLT
				}
				out[j] = &Expr{Kind: ExprPred, Pred: Pred{Col: col, Op: op, Values: b.Pred.Values}}
			}
		}
		out[i] = nil
	}
	if out == nil {
		return nil, false
	}
	kept := out[:0]
	for _, a := range out {
		if a != nil {
			kept = append(kept, a)
		}
	}
	return kept, true
}

// settledBy reports whether excluded value v of conjunct i on column col
// is settled by a range conjunct of args on col: one is FALSE for v, or
// one is a >= or <= at v (its index is appended to open).
func settledBy(args []*Expr, i, col int, v catalog.Datum, open *[]int) bool {
	row := func(int) catalog.Datum { return v }
	for j, b := range args {
		if j != i && b != nil && rangeConjunct(b) && b.Pred.Col == col && b.Eval(row) == False {
			return true
		}
	}
	for j, b := range args {
		if j != i && b != nil && rangeConjunct(b) && b.Pred.Col == col && len(b.Pred.Values) == 1 &&
			(b.Pred.Op == OpGE || b.Pred.Op == OpLE) && catalog.Compare(b.Pred.Values[0], v) == 0 {
			*open = append(*open, j)
			return true
		}
	}
	return false
}
