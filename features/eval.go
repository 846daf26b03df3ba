package features

import (
	"slices"
	"strconv"

	"github.com/cardinaldb/cardinal/catalog"
)

// Tri is a SQL three-valued truth value. A row passes a filter only when it
// evaluates to True.
type Tri uint8

// Truth values.
const (
	False Tri = iota
	True
	Unknown
)

// String returns "TRUE", "FALSE" or "UNKNOWN".
func (t Tri) String() string {
	switch t {
	case False:
		return "FALSE"
	case True:
		return "TRUE"
	}
	return "UNKNOWN"
}

// Not is SQL NOT: Unknown stays Unknown.
func (t Tri) Not() Tri {
	switch t {
	case False:
		return True
	case True:
		return False
	}
	return Unknown
}

// And is SQL AND: False dominates, then Unknown.
func (t Tri) And(u Tri) Tri {
	switch {
	case t == False || u == False:
		return False
	case t == Unknown || u == Unknown:
		return Unknown
	}
	return True
}

// Or is SQL OR: True dominates, then Unknown.
func (t Tri) Or(u Tri) Tri {
	switch {
	case t == True || u == True:
		return True
	case t == Unknown || u == Unknown:
		return Unknown
	}
	return False
}

func triOf(b bool) Tri {
	if b {
		return True
	}
	return False
}

// cmp compares d with v; Unknown when either is NULL.
func cmp(d, v catalog.Datum, ok func(c int) bool) Tri {
	if d.Kind == catalog.KindNull || v.Kind == catalog.KindNull {
		return Unknown
	}
	return triOf(ok(catalog.Compare(d, v)))
}

func eq(c int) bool { return c == 0 }
func ne(c int) bool { return c != 0 }
func lt(c int) bool { return c < 0 }
func le(c int) bool { return c <= 0 }
func gt(c int) bool { return c > 0 }
func ge(c int) bool { return c >= 0 }

// Eval evaluates the predicate on the column value d with SQL semantics:
// comparisons involving NULL (in d or in a literal) are Unknown; IS [NOT]
// NULL is never Unknown; x IN (list) is True on a match, else Unknown when
// the list holds a NULL, else False; NOT IN and NOT LIKE are the negations.
// LIKE is case-sensitive (binary collation); see LikeMatcher.
func (p *Pred) Eval(d catalog.Datum) Tri {
	switch p.Op {
	case OpIsNull:
		return triOf(d.Kind == catalog.KindNull)
	case OpIsNotNull:
		return triOf(d.Kind != catalog.KindNull)
	case OpIn:
		return evalIn(d, p.Values)
	case OpNotIn:
		return evalIn(d, p.Values).Not()
	}
	if len(p.Values) == 0 {
		return Unknown
	}
	v := p.Values[0]
	switch p.Op {
	case OpEQ:
		return cmp(d, v, eq)
	case OpNE:
		return cmp(d, v, ne)
	case OpLT:
		return cmp(d, v, lt)
	case OpLE:
		return cmp(d, v, le)
	case OpGT:
		return cmp(d, v, gt)
	case OpGE:
		return cmp(d, v, ge)
	case OpBetween:
		if len(p.Values) < 2 {
			return Unknown
		}
		return cmp(d, v, ge).And(cmp(d, p.Values[1], le))
	case OpLike, OpNotLike:
		if d.Kind != catalog.KindString || v.Kind != catalog.KindString {
			return Unknown
		}
		m := triOf(matchLike(v.S, d.S))
		if p.Op == OpNotLike {
			return m.Not()
		}
		return m
	}
	return Unknown
}

func evalIn(d catalog.Datum, vals []catalog.Datum) Tri {
	if d.Kind == catalog.KindNull {
		return Unknown
	}
	res := False
	for _, v := range vals {
		if v.Kind == catalog.KindNull {
			res = Unknown
			continue
		}
		if catalog.Compare(d, v) == 0 {
			return True
		}
	}
	return res
}

// Eval evaluates the filter on one row; row(col) returns the value of a
// column (an index into the table definition). AND and OR short-circuit on
// False and True.
func (e *Expr) Eval(row func(col int) catalog.Datum) Tri {
	switch e.Kind {
	case ExprPred:
		return e.Pred.Eval(row(e.Pred.Col))
	case ExprFunc:
		return e.Pred.Eval(e.Pred.Fn.Apply(row(e.Pred.Col), e.Pred.Arg))
	case ExprCols:
		return e.Pred.EvalCols(row(e.Pred.Col), row(e.Pred.Col2))
	case ExprAnd:
		res := True
		for _, a := range e.Args {
			switch a.Eval(row) {
			case False:
				return False
			case Unknown:
				res = Unknown
			}
		}
		return res
	case ExprOr:
		res := False
		for _, a := range e.Args {
			switch a.Eval(row) {
			case True:
				return True
			case Unknown:
				res = Unknown
			}
		}
		return res
	case ExprNot:
		if len(e.Args) != 1 {
			return Unknown
		}
		return e.Args[0].Eval(row).Not()
	}
	return Unknown
}

// Columns returns the sorted, distinct columns the expression reads. A nil
// Expr reads none.
func (e *Expr) Columns() []int {
	var cols []int
	e.walkAtoms(func(x *Expr) {
		cols = append(cols, x.Pred.Col)
		if x.Kind == ExprCols {
			cols = append(cols, x.Pred.Col2)
		}
	})
	slices.Sort(cols)
	return slices.Compact(cols)
}

// walkPreds calls f on every atomic predicate of e in order (ExprPred,
// ExprFunc and ExprCols).
func (e *Expr) walkPreds(f func(p *Pred)) {
	e.walkAtoms(func(x *Expr) { f(&x.Pred) })
}

// walkAtoms calls f on every atomic node of e in order.
func (e *Expr) walkAtoms(f func(x *Expr)) {
	if e == nil {
		return
	}
	if e.Kind.Atomic() {
		f(e)
		return
	}
	for _, a := range e.Args {
		a.walkAtoms(f)
	}
}

// Atomic reports whether k is a predicate kind (ExprPred, ExprFunc,
// ExprCols) rather than AND, OR or NOT.
func (k ExprKind) Atomic() bool { return k == ExprPred || k == ExprFunc || k == ExprCols }

// NumPreds returns the number of atomic filter predicates over all table
// occurrences (join edges are not counted: see len(q.Joins)).
func (q *Query) NumPreds() int {
	n := 0
	for _, t := range q.Tables {
		t.Filter.walkPreds(func(*Pred) { n++ })
	}
	return n
}

// String returns the SQL spelling of the operator.
func (o Op) String() string {
	switch o {
	case OpEQ:
		return "="
	case OpNE:
		return "<>"
	case OpLT:
		return "<"
	case OpLE:
		return "<="
	case OpGT:
		return ">"
	case OpGE:
		return ">="
	case OpBetween:
		return "BETWEEN"
	case OpIn:
		return "IN"
	case OpNotIn:
		return "NOT IN"
	case OpIsNull:
		return "IS NULL"
	case OpIsNotNull:
		return "IS NOT NULL"
	case OpLike:
		return "LIKE"
	case OpNotLike:
		return "NOT LIKE"
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}
