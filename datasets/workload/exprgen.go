package workload

import (
	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Predicates on expressions of columns (Options.Expressions): a function
// of a column that no range on the column replaces (MONTH(d) = 5,
// DAYOFWEEK(d) IN (1, 7), HOUR(ts) BETWEEN 9 AND 17, LOWER(s) = 'x',
// CHAR_LENGTH(s) > 8; features.ExprFunc) or a comparison of two columns
// of the occurrence (l_commitdate < l_receiptdate; features.ExprCols).
// Literals are the function of the tuple's value, so the tuple passes,
// as for plain predicates. The forms the parser rewrites into ranges on
// the column (YEAR, DATE, prefixes, x + k) are plain predicates already.

// exprFuncs are the functions drawn per column type.
var (
	dateFuncs     = []features.Func{features.FuncMonth, features.FuncDayOfWeek, features.FuncWeekday, features.FuncDay, features.FuncQuarter, features.FuncDayOfYear}
	dateTimeFuncs = []features.Func{features.FuncHour, features.FuncMinute}
	stringFuncs   = []features.Func{features.FuncLower, features.FuncUpper, features.FuncCharLength}
)

// exprAtom draws an ExprFunc or ExprCols predicate on table t (literals
// from row, or a random row when row is -1); nil when the table offers
// none or the value is NULL.
func (gen *generator) exprAtom(t, row int) *features.Expr {
	tab := gen.db.Tables[t]
	if tab.Rows == 0 {
		return nil
	}
	if row < 0 {
		row = gen.rng.IntN(tab.Rows)
	}
	if gen.rng.IntN(3) == 0 {
		if e := gen.colsAtom(t, row); e != nil {
			return e
		}
	}
	c := gen.rng.IntN(len(tab.Cols))
	def := tab.Def.Columns[c]
	var fns []features.Func
	switch def.Type {
	case catalog.TypeDate:
		fns = dateFuncs
	case catalog.TypeDateTime:
		fns = append(append([]features.Func(nil), dateFuncs...), dateTimeFuncs...)
	case catalog.TypeString:
		fns = stringFuncs
	default:
		return nil
	}
	fn := fns[gen.rng.IntN(len(fns))]
	d := tab.Cols[c].Datum(row)
	if d.IsNull() {
		return nil
	}
	v := fn.Apply(d, catalog.Null)
	if v.IsNull() {
		return nil
	}
	e := &features.Expr{Kind: features.ExprFunc, Pred: features.Pred{Col: c, Fn: fn}}
	p := &e.Pred
	lo, hi, bounded := fn.Domain()
	r := gen.rng.Float64()
	switch {
	case v.Kind == catalog.KindString || r < 0.35:
		p.Op, p.Values = features.OpEQ, []catalog.Datum{v}
	case r < 0.5 && bounded:
		// v and another value of the function's range.
		w := catalog.Int(lo + gen.rng.Int64N(hi-lo+1))
		p.Op, p.Values = features.OpIn, []catalog.Datum{v, w}
		if w == v {
			p.Op, p.Values = features.OpEQ, []catalog.Datum{v}
		}
	case r < 0.75:
		ops := []features.Op{features.OpLT, features.OpLE, features.OpGT, features.OpGE}
		p.Op, p.Values = ops[gen.rng.IntN(len(ops))], []catalog.Datum{v}
	case bounded:
		w := catalog.Int(lo + gen.rng.Int64N(hi-lo+1))
		a, b := order(v, w)
		p.Op, p.Values = features.OpBetween, []catalog.Datum{a, b}
	default:
		p.Op, p.Values = features.OpNE, []catalog.Datum{v}
	}
	return e
}

// colsAtom compares two distinct columns of comparable types of table t
// with the operator the row satisfies (or a random one); nil when the
// table has no such pair or a value is NULL.
func (gen *generator) colsAtom(t, row int) *features.Expr {
	tab := gen.db.Tables[t]
	class := func(ty catalog.Type) int {
		switch ty {
		case catalog.TypeInt, catalog.TypeFloat:
			return 1
		case catalog.TypeDate, catalog.TypeDateTime:
			return 2
		case catalog.TypeString:
			return 3
		}
		return 0
	}
	var pairs [][2]int
	for a, ca := range tab.Def.Columns {
		for b := a + 1; b < len(tab.Def.Columns); b++ {
			if k := class(ca.Type); k != 0 && k == class(tab.Def.Columns[b].Type) {
				pairs = append(pairs, [2]int{a, b})
			}
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	pr := pairs[gen.rng.IntN(len(pairs))]
	if gen.rng.IntN(2) == 0 {
		pr[0], pr[1] = pr[1], pr[0]
	}
	x, y := tab.Cols[pr[0]].Datum(row), tab.Cols[pr[1]].Datum(row)
	if x.IsNull() || y.IsNull() {
		return nil
	}
	p := features.Pred{Col: pr[0], Col2: pr[1]}
	ops := []features.Op{features.OpLT, features.OpLE, features.OpGT, features.OpGE, features.OpEQ, features.OpNE}
	for range 4 {
		p.Op = ops[gen.rng.IntN(len(ops))]
		if p.EvalCols(x, y) == features.True {
			break
		}
	}
	return &features.Expr{Kind: features.ExprCols, Pred: p}
}
