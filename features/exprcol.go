package features

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// Expressions of columns in filters (exprcol.go).
//
//	YEAR(d) = 1995                  ─► d BETWEEN '1995-01-01' AND '1995-12-31 23:59:59'
//	DATE(ts) < '1995-03-15'         ─► ts < '1995-03-15'
//	DATE_FORMAT(d, '%Y-%m') = '1995-03' ─► d BETWEEN '1995-03-01' AND '1995-03-31 23:59:59'
//	SUBSTRING(phone, 1, 2) IN ('13', '31') ─► phone LIKE '13%' OR phone LIKE '31%'
//	qty + 1 > 10                    ─► qty > 9            (INT, DATE, DATETIME columns)
//	COALESCE(x, 0) > 5              ─► x > 5 AND x IS NOT NULL (0 > 5 is FALSE)
//	flag IS NOT TRUE                ─► flag = 0 OR flag IS NULL
//	MONTH(d) = 5                    ─► ExprFunc (no range on d is exact)
//	l_commitdate < l_receiptdate    ─► ExprCols
//
// Every rewrite has the three-valued truth of what it replaces on every
// row (so it holds under NOT and OR too); where none exists the
// predicate stays a function of the column (ExprFunc), which the engine
// evaluates exactly and the estimators estimate.

// colTerm is an expression of one column a predicate may test.
type colTerm struct {
	occ, col int
	fn       Func          // 0: the column itself (maybe shifted or coalesced)
	arg      catalog.Datum // fn's parameter
	shift    int64         // col + shift, exact on integer columns (fn == 0)
	shifted  bool
	coalesce bool // COALESCE(col, def) / IFNULL(col, def)
	def      catalog.Datum
	name     string // the construct, for errors
	off      int
}

// funcNames maps the SQL names of the functions of one column to Func.
var funcNames = map[string]Func{
	"year": FuncYear, "quarter": FuncQuarter, "month": FuncMonth, "day": FuncDay, "dayofmonth": FuncDay,
	"dayofweek": FuncDayOfWeek, "weekday": FuncWeekday, "dayofyear": FuncDayOfYear, "hour": FuncHour,
	"minute": FuncMinute, "second": FuncSecond, "date": FuncDate, "date_format": FuncDateFormat,
	"left": FuncLeft, "substring": FuncLeft, "substr": FuncLeft, "mid": FuncLeft,
	"char_length": FuncCharLength, "character_length": FuncCharLength,
	"lower": FuncLower, "lcase": FuncLower, "upper": FuncUpper, "ucase": FuncUpper,
}

// extractUnits maps EXTRACT units to Func.
var extractUnits = map[ast.TimeUnitType]Func{
	ast.TimeUnitYear: FuncYear, ast.TimeUnitQuarter: FuncQuarter, ast.TimeUnitMonth: FuncMonth,
	ast.TimeUnitDay: FuncDay, ast.TimeUnitHour: FuncHour, ast.TimeUnitMinute: FuncMinute, ast.TimeUnitSecond: FuncSecond,
}

// term recognises an expression of one column: ok is false for plain
// columns, constants and anything that reads no column or is not one of
// the modelled forms (the caller reports those).
func (r *resolver) term(e ast.ExprNode) (t colTerm, ok bool, err error) {
	e = stripParens(e)
	off := e.OriginTextPosition()
	switch n := e.(type) {
	case *ast.FuncCallExpr:
		name := n.FnName.L
		t.name, t.off = strings.ToUpper(n.FnName.O)+"()", off
		switch name {
		case "coalesce", "ifnull":
			if len(n.Args) != 2 {
				return t, false, nil
			}
			cn, isCol := stripParens(n.Args[0]).(*ast.ColumnNameExpr)
			if !isCol {
				return t, false, nil
			}
			if t.occ, t.col, err = r.column(cn); err != nil {
				return t, false, err
			}
			d, err := r.value(t.occ, t.col, n.Args[1])
			if err != nil {
				return t, false, err
			}
			t.coalesce, t.def = true, d
			return t, true, nil
		case ast.DateAdd, ast.DateSub, ast.AddDate, ast.SubDate:
			if len(n.Args) != 3 {
				return t, false, nil
			}
			cn, isCol := stripParens(n.Args[0]).(*ast.ColumnNameExpr)
			if !isCol {
				return t, false, nil
			}
			if t.occ, t.col, err = r.column(cn); err != nil {
				return t, false, err
			}
			c := r.colDef(t.occ, t.col)
			if c.Type != catalog.TypeDate && c.Type != catalog.TypeDateTime {
				return t, false, r.errAt(off, ErrType, t.name, "%s column %s is not a date", c.Type, c.Name)
			}
			amount, unit, err := r.interval(n.Args[1], n.Args[2], 0)
			if err != nil {
				return t, false, err
			}
			var secs int64
			switch unit {
			case ast.TimeUnitSecond:
				secs = 1
			case ast.TimeUnitMinute:
				secs = 60
			case ast.TimeUnitHour:
				secs = 3600
			case ast.TimeUnitDay:
				secs = secondsPerDay
			case ast.TimeUnitWeek:
				secs = 7 * secondsPerDay
			default:
				return t, false, r.errAt(off, ErrUnsupported, t.name, "a column moved by %s (months have different lengths): compare the column with the moved constant instead", unit.String())
			}
			if amount > maxIntervalSeconds/secs || amount < -maxIntervalSeconds/secs {
				return t, false, r.errAt(off, ErrUnsupported, "INTERVAL", "interval out of range")
			}
			if name == ast.DateSub || name == ast.SubDate {
				amount = -amount
			}
			t.shift, t.shifted = amount*secs, true
			return t, true, nil
		case "extract":
			if len(n.Args) != 2 {
				return t, false, nil
			}
			tu, isUnit := n.Args[0].(*ast.TimeUnitExpr)
			cn, isCol := stripParens(n.Args[1]).(*ast.ColumnNameExpr)
			if !isUnit || !isCol {
				return t, false, nil
			}
			f, known := extractUnits[tu.Unit]
			if !known {
				return t, false, r.errAt(off, ErrUnsupported, "EXTRACT("+tu.Unit.String()+")", "the unit is not modelled")
			}
			t.fn = f
			if t.occ, t.col, err = r.column(cn); err != nil {
				return t, false, err
			}
			return t, true, r.checkFuncType(t)
		}
		f, known := funcNames[name]
		if !known || len(n.Args) == 0 {
			return t, false, nil
		}
		cn, isCol := stripParens(n.Args[0]).(*ast.ColumnNameExpr)
		if !isCol {
			return t, false, nil
		}
		if t.occ, t.col, err = r.column(cn); err != nil {
			return t, false, err
		}
		t.fn = f
		switch f {
		case FuncDateFormat:
			if len(n.Args) != 2 {
				return t, false, r.errAt(off, ErrUnsupported, t.name, "expected a column and a format")
			}
			l, lok, err := r.fold(n.Args[1])
			if err != nil {
				return t, false, err
			}
			if !lok || l.kind != litString || !validDateFormat(l.s) {
				return t, false, r.errAt(off, ErrUnsupported, t.name, "the format must be a string of the specifiers %%%s", strings.Join(strings.Split(dateFormatSpecs, ""), " %"))
			}
			t.arg = catalog.String(l.s)
		case FuncLeft:
			var pos, length int64 = 1, -1
			switch {
			case name == "left" && len(n.Args) == 2:
				if length, err = r.intArg(n.Args[1], t.name); err != nil {
					return t, false, err
				}
			case name != "left" && (len(n.Args) == 2 || len(n.Args) == 3):
				if pos, err = r.intArg(n.Args[1], t.name); err != nil {
					return t, false, err
				}
				if len(n.Args) == 3 {
					if length, err = r.intArg(n.Args[2], t.name); err != nil {
						return t, false, err
					}
				}
			default:
				return t, false, r.errAt(off, ErrUnsupported, t.name, "unexpected arguments")
			}
			if pos != 1 {
				return t, false, r.errAt(off, ErrUnsupported, t.name, "only prefixes (position 1) are modelled")
			}
			if length < 0 {
				// SUBSTRING(s, 1) is s.
				t.fn = 0
				return t, true, r.checkFuncType(colTerm{occ: t.occ, col: t.col, fn: FuncLower, name: t.name, off: off})
			}
			t.arg = catalog.Int(length)
		default:
			if len(n.Args) != 1 {
				return t, false, r.errAt(off, ErrUnsupported, t.name, "expected one column argument")
			}
		}
		return t, true, r.checkFuncType(t)
	case *ast.BinaryOperationExpr:
		if n.Op != opcode.Plus && n.Op != opcode.Minus {
			return t, false, nil
		}
		l, rr := stripParens(n.L), stripParens(n.R)
		cn, isCol := l.(*ast.ColumnNameExpr)
		other := rr
		if !isCol && n.Op == opcode.Plus {
			cn, isCol = rr.(*ast.ColumnNameExpr)
			other = l
		}
		if !isCol {
			return t, false, nil
		}
		k, kok, err := r.fold(other)
		if err != nil || !kok {
			return t, false, err
		}
		t.name, t.off = "operator "+map[opcode.Op]string{opcode.Plus: "+", opcode.Minus: "-"}[n.Op], off
		if t.occ, t.col, err = r.column(cn); err != nil {
			return t, false, err
		}
		if n.Op == opcode.Minus {
			neg, ok := negate(k)
			if !ok {
				return t, false, r.errAt(off, ErrType, t.name, "%s is not a number", k.describe())
			}
			k = neg
		}
		c := r.colDef(t.occ, t.col)
		switch c.Type {
		case catalog.TypeInt:
			if k.kind == litInt {
				t.shift, t.shifted = k.i, true
				return t, true, nil
			}
		case catalog.TypeFloat:
		default:
			return t, false, r.errAt(off, ErrUnsupported, t.name, "arithmetic on %s column %s is not modelled (use DATE_ADD on dates)", c.Type, c.Name)
		}
		f, fok := floatOf(k)
		if !fok || k.kind == litString || k.kind == litNull {
			return t, false, r.errAt(off, ErrType, t.name, "%s is not a number", k.describe())
		}
		t.fn, t.arg = FuncAdd, catalog.Float(f)
		return t, true, nil
	}
	return t, false, nil
}

// intArg folds an integer argument of a function.
func (r *resolver) intArg(e ast.ExprNode, construct string) (int64, error) {
	l, ok, err := r.fold(e)
	if err != nil {
		return 0, err
	}
	if ok {
		switch l.kind {
		case litInt:
			return l.i, nil
		case litString, litDecimal:
			if v, ok := integralText(l.s); ok {
				return v, nil
			}
		}
	}
	return 0, r.errAt(e.OriginTextPosition(), ErrUnsupported, construct, "the argument must be an integer constant")
}

// checkFuncType checks that t's function applies to its column.
func (r *resolver) checkFuncType(t colTerm) error {
	c := r.colDef(t.occ, t.col)
	if t.fn != 0 && !t.fn.Accepts(c.Type) {
		return r.errAt(t.off, ErrType, t.name, "%s column %s.%s", c.Type, r.q.Tables[t.occ].Alias, c.Name)
	}
	return nil
}

// resultType is the type of the term's values.
func (r *resolver) resultType(t colTerm) catalog.Column {
	c := r.colDef(t.occ, t.col)
	if t.fn != 0 {
		return catalog.Column{Name: t.fn.String() + "(" + c.Name + ")", Type: t.fn.ResultType(c.Type, t.arg)}
	}
	return c
}

// termValue types a constant operand against the term's result.
func (r *resolver) termValue(t colTerm, e ast.ExprNode) (catalog.Datum, error) {
	e = stripParens(e)
	l, ok, err := r.fold(e)
	if err != nil {
		return catalog.Null, err
	}
	if !ok {
		if _, isCol := e.(*ast.ColumnNameExpr); isCol {
			return catalog.Null, r.errAt(e.OriginTextPosition(), ErrUnsupported, "comparison of "+t.name+" with a column", "compare the expression with a constant")
		}
		return catalog.Null, r.unsupported(e)
	}
	d, msg := typeLit(r.resultType(t), l)
	if msg != "" {
		return catalog.Null, r.errAt(l.off, ErrType, "", "%s", msg)
	}
	return d, nil
}

// exprFilter handles the filters on expressions of columns and the
// comparisons of two columns of one occurrence; ok is false for what
// filter handles itself.
func (r *resolver) exprFilter(e ast.ExprNode) (x *Expr, occ int, ok bool, err error) {
	var t colTerm
	switch n := e.(type) {
	case *ast.BinaryOperationExpr:
		switch n.Op {
		case opcode.EQ, opcode.NE, opcode.LT, opcode.LE, opcode.GT, opcode.GE:
		default:
			return nil, 0, false, nil
		}
		l, rr := stripParens(n.L), stripParens(n.R)
		lc, lcol := l.(*ast.ColumnNameExpr)
		rc, rcol := rr.(*ast.ColumnNameExpr)
		if lcol && rcol {
			a, ac, err := r.column(lc)
			if err != nil {
				return nil, 0, true, err
			}
			b, bc, err := r.column(rc)
			if err != nil {
				return nil, 0, true, err
			}
			if a != b {
				return nil, 0, false, nil
			}
			x, err := r.colsExpr(n.OriginTextPosition(), a, ac, compareOp(n.Op, false), bc)
			return x, a, true, err
		}
		lt, lok, err := r.term(l)
		if err != nil {
			return nil, 0, true, err
		}
		rt, rok, err := r.term(rr)
		if err != nil {
			return nil, 0, true, err
		}
		if x, occ, ok, err := r.shiftedCols(n, l, lt, lok, rr, rt, rok); ok {
			return x, occ, true, err
		}
		op := compareOp(n.Op, false)
		other := rr
		switch {
		case lok && rok:
			return nil, 0, true, r.errAt(n.OriginTextPosition(), ErrUnsupported, "comparison of two expressions", "compare an expression of a column with a constant")
		case lok:
			t = lt
		case rok:
			t, op, other = rt, compareOp(n.Op, true), l
		default:
			return nil, 0, false, nil
		}
		v, err := r.termValue(t, other)
		if err != nil {
			return nil, 0, true, err
		}
		x, err = r.termExpr(t, op, v)
		return x, t.occ, true, err
	case *ast.BetweenExpr:
		if t, ok, err = r.term(n.Expr); !ok || err != nil {
			return nil, 0, err != nil, err
		}
		lo, err := r.termValue(t, n.Left)
		if err != nil {
			return nil, 0, true, err
		}
		hi, err := r.termValue(t, n.Right)
		if err != nil {
			return nil, 0, true, err
		}
		x, err = r.termExpr(t, OpBetween, lo, hi)
		if err == nil && n.Not {
			x = &Expr{Kind: ExprNot, Args: []*Expr{x}}
		}
		return x, t.occ, true, err
	case *ast.PatternInExpr:
		if n.Sel != nil {
			return nil, 0, false, nil
		}
		if t, ok, err = r.term(n.Expr); !ok || err != nil {
			return nil, 0, err != nil, err
		}
		vals := make([]catalog.Datum, 0, len(n.List))
		for _, it := range n.List {
			v, err := r.termValue(t, it)
			if err != nil {
				return nil, 0, true, err
			}
			vals = append(vals, v)
		}
		op := OpIn
		if n.Not {
			op = OpNotIn
		}
		x, err = r.termExpr(t, op, vals...)
		return x, t.occ, true, err
	case *ast.IsNullExpr:
		if t, ok, err = r.term(n.Expr); !ok || err != nil {
			return nil, 0, err != nil, err
		}
		op := OpIsNull
		if n.Not {
			op = OpIsNotNull
		}
		x, err = r.termExpr(t, op)
		return x, t.occ, true, err
	case *ast.PatternLikeOrIlikeExpr:
		if !n.IsLike {
			return nil, 0, false, nil
		}
		if t, ok, err = r.term(n.Expr); !ok || err != nil {
			return nil, 0, err != nil, err
		}
		if rt := r.resultType(t); rt.Type != catalog.TypeString {
			return nil, 0, true, r.errAt(n.OriginTextPosition(), ErrType, "LIKE", "%s is not a string", rt.Name)
		}
		v, err := r.termValue(t, n.Pattern)
		if err != nil {
			return nil, 0, true, err
		}
		if n.Escape != '\\' && v.Kind == catalog.KindString {
			v.S = reescapeLike(v.S, n.Escape)
		}
		op := OpLike
		if n.Not {
			op = OpNotLike
		}
		x, err = r.termExpr(t, op, v)
		return x, t.occ, true, err
	case *ast.IsTruthExpr:
		cn, isCol := stripParens(n.Expr).(*ast.ColumnNameExpr)
		if !isCol {
			x, occ, err := r.isTruthCond(n) // istruth.go
			return x, occ, true, err
		}
		occ, col, err := r.column(cn)
		if err != nil {
			return nil, 0, true, err
		}
		x, err := r.isTruth(n, occ, col)
		return x, occ, true, err
	}
	return nil, 0, false, nil
}

// shiftedCols handles "a op b + k" and "a + k op b" on columns of one
// occurrence with an exact integer shift k (INT columns, and DATE_ADD by
// fixed units on dates): an ExprCols with Arg k on its second column.
func (r *resolver) shiftedCols(n *ast.BinaryOperationExpr, l ast.ExprNode, lt colTerm, lok bool, rr ast.ExprNode, rt colTerm, rok bool) (*Expr, int, bool, error) {
	var colSide ast.ExprNode
	var t colTerm
	flip := false
	switch {
	case lok && !rok && lt.shifted:
		colSide, t, flip = rr, lt, true
	case rok && !lok && rt.shifted:
		colSide, t = l, rt
	default:
		return nil, 0, false, nil
	}
	cn, isCol := colSide.(*ast.ColumnNameExpr)
	if !isCol {
		return nil, 0, false, nil
	}
	occ, col, err := r.column(cn)
	if err != nil {
		return nil, 0, true, err
	}
	if occ != t.occ {
		return nil, 0, false, nil
	}
	// col op t.col + shift; written "t.col + shift op col", flip it.
	x, err := r.colsExpr(n.OriginTextPosition(), occ, col, compareOp(n.Op, flip), t.col)
	if err != nil {
		return nil, 0, true, err
	}
	x.Pred.Arg = catalog.Int(t.shift)
	return x, occ, true, nil
}

// colsExpr builds the comparison of two columns of one occurrence.
func (r *resolver) colsExpr(off, occ, a int, op Op, b int) (*Expr, error) {
	ca, cb := r.colDef(occ, a), r.colDef(occ, b)
	if !comparableTypes(ca.Type, cb.Type) {
		return nil, r.errAt(off, ErrType, "column comparison", "%s.%s (%s) %s %s.%s (%s)", r.q.Tables[occ].Alias, ca.Name, ca.Type, op, r.q.Tables[occ].Alias, cb.Name, cb.Type)
	}
	return &Expr{Kind: ExprCols, Pred: Pred{Col: a, Op: op, Col2: b}}, nil
}

// isTruth rewrites col IS [NOT] TRUE / FALSE on a number column (TRUE is
// non-zero) into comparisons that are never UNKNOWN, as IS is.
func (r *resolver) isTruth(n *ast.IsTruthExpr, occ, col int) (*Expr, error) {
	c := r.colDef(occ, col)
	zero := catalog.Int(0)
	switch c.Type {
	case catalog.TypeInt:
	case catalog.TypeFloat:
		zero = catalog.Float(0)
	default:
		return nil, r.errAt(n.OriginTextPosition(), ErrType, "IS TRUE/FALSE", "%s column %s is not a number", c.Type, c.Name)
	}
	want := n.True != 0 // IS TRUE / IS NOT TRUE
	if n.Not {
		// IS NOT TRUE: = 0 OR IS NULL; IS NOT FALSE: <> 0 OR IS NULL.
		op := OpEQ
		if !want {
			op = OpNE
		}
		return &Expr{Kind: ExprOr, Args: []*Expr{pred(col, op, zero), pred(col, OpIsNull)}}, nil
	}
	op := OpNE
	if !want {
		op = OpEQ
	}
	return &Expr{Kind: ExprAnd, Args: []*Expr{pred(col, op, zero), pred(col, OpIsNotNull)}}, nil
}

// termExpr builds "t op vals": an exact range on the raw column where
// one exists, else an ExprFunc.
func (r *resolver) termExpr(t colTerm, op Op, vals ...catalog.Datum) (*Expr, error) {
	if len(vals) == 0 {
		vals = nil
	}
	switch {
	case t.coalesce:
		return r.coalesceExpr(t, op, vals)
	case t.shifted:
		if op == OpLike || op == OpNotLike {
			return nil, r.errAt(t.off, ErrUnsupported, t.name, "LIKE on arithmetic is not modelled")
		}
		out := make([]catalog.Datum, len(vals))
		for i, v := range vals {
			out[i] = v
			if v.Kind != catalog.KindInt {
				continue
			}
			s := v.I - t.shift
			if (s < v.I) != (t.shift > 0) && t.shift != 0 {
				return nil, r.errAt(t.off, ErrUnsupported, t.name, "the shifted value is out of range")
			}
			out[i] = catalog.Int(s)
		}
		return pred(t.col, op, out...), nil
	case t.fn == 0:
		return pred(t.col, op, vals...), nil
	}
	if op == OpIsNull || op == OpIsNotNull {
		// Every modelled function is NULL exactly on NULL.
		return pred(t.col, op), nil
	}
	if x := sargable(r.colDef(t.occ, t.col), t, op, vals); x != nil && !r.opts.noRewrite {
		return x, nil
	}
	return &Expr{Kind: ExprFunc, Pred: Pred{Col: t.col, Op: op, Values: vals, Fn: t.fn, Arg: t.arg}}, nil
}

// coalesceExpr rewrites COALESCE(col, def) op vals as (col op vals)
// combined with col IS [NOT] NULL by what def op vals is.
func (r *resolver) coalesceExpr(t colTerm, op Op, vals []catalog.Datum) (*Expr, error) {
	p := pred(t.col, op, vals...)
	switch op {
	case OpIsNull, OpIsNotNull:
		if t.def.IsNull() {
			return p, nil
		}
		return nil, r.errAt(t.off, ErrUnsupported, "constant condition", "%s with a non-NULL default is never NULL", t.name)
	}
	switch p.Pred.Eval(t.def) {
	case True:
		return &Expr{Kind: ExprOr, Args: []*Expr{p, pred(t.col, OpIsNull)}}, nil
	case False:
		return &Expr{Kind: ExprAnd, Args: []*Expr{p, pred(t.col, OpIsNotNull)}}, nil
	}
	return p, nil
}

// sargable returns the exact range form of "t op vals" on the raw column
// c, or nil: for YEAR, DATE and DATE_FORMAT with a %Y-first zero-padded
// format (monotone step functions: each value is the image of one
// interval of the column), and for LEFT prefixes (LIKE 'p%').
func sargable(c catalog.Column, t colTerm, op Op, vals []catalog.Datum) *Expr {
	switch t.fn {
	case FuncYear, FuncDate, FuncDateFormat:
		blk := blockOf(t.fn, t.arg)
		if blk == nil {
			return nil
		}
		return blockExpr(t.col, blk, op, vals)
	case FuncLeft:
		return prefixExpr(t.col, t.arg.I, op, vals)
	}
	return nil
}

// block returns the interval [lo, hi) of column values (Unix seconds)
// whose image is v; ok is false when no value maps to v.
type block func(v catalog.Datum) (lo, hi int64, ok bool)

func blockOf(f Func, arg catalog.Datum) block {
	switch f {
	case FuncYear:
		return func(v catalog.Datum) (int64, int64, bool) {
			if v.Kind != catalog.KindInt || v.I < 1 || v.I > 9998 {
				return 0, 0, false
			}
			lo := time.Date(int(v.I), 1, 1, 0, 0, 0, 0, time.UTC)
			return lo.Unix(), lo.AddDate(1, 0, 0).Unix(), true
		}
	case FuncDate:
		return func(v catalog.Datum) (int64, int64, bool) {
			if v.Kind != catalog.KindInt || floorDiv(v.I, secondsPerDay)*secondsPerDay != v.I {
				return 0, 0, false
			}
			return v.I, v.I + secondsPerDay, true
		}
	case FuncDateFormat:
		fields, ok := prefixFormat(arg.S)
		if !ok {
			return nil
		}
		return func(v catalog.Datum) (int64, int64, bool) {
			if v.Kind != catalog.KindString {
				return 0, 0, false
			}
			return parsePrefixFormat(arg.S, fields, v.S)
		}
	}
	return nil
}

// prefixFormat reports whether a DATE_FORMAT format prints %Y then,
// optionally and in order, %m %d %H %i %s (%S), each zero-padded, with
// literal separators: then its string order is time order and each
// output is one interval of time. fields is the number of specifiers.
func prefixFormat(f string) (fields int, ok bool) {
	const order = "Ymd His"
	next := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			if f[i] >= '0' && f[i] <= '9' {
				return 0, false // a digit separator would make the text ambiguous
			}
			continue
		}
		if i+1 >= len(f) {
			return 0, false
		}
		s := f[i+1]
		if s == 'S' {
			s = 's'
		}
		if s == '%' {
			i++
			continue
		}
		want := order[next]
		if want == ' ' {
			next++
			want = order[next]
		}
		if s != want {
			return 0, false
		}
		next++
		fields++
		i++
		if next == len(order) {
			// Nothing may follow the seconds but separators.
			for _, c := range f[i+1:] {
				if c == '%' {
					return 0, false
				}
			}
			break
		}
	}
	return fields, fields > 0
}

// parsePrefixFormat reads v printed with a prefix format and returns the
// interval of times that print as v.
func parsePrefixFormat(f string, fields int, v string) (lo, hi int64, ok bool) {
	vals := [6]int{0, 1, 1, 0, 0, 0}
	k, j := 0, 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			if j >= len(v) || v[j] != f[i] {
				return 0, 0, false
			}
			j++
			continue
		}
		i++
		if f[i] == '%' {
			if j >= len(v) || v[j] != '%' {
				return 0, 0, false
			}
			j++
			continue
		}
		w := 2
		if k == 0 {
			w = 4
		}
		if j+w > len(v) {
			return 0, 0, false
		}
		n := 0
		for _, c := range v[j : j+w] {
			if c < '0' || c > '9' {
				return 0, 0, false
			}
			n = n*10 + int(c-'0')
		}
		vals[k] = n
		k++
		j += w
	}
	if j != len(v) || vals[0] < 1 || vals[0] > 9998 {
		return 0, 0, false
	}
	t := time.Date(vals[0], time.Month(vals[1]), vals[2], vals[3], vals[4], vals[5], 0, time.UTC)
	if formatDate(t, f) != v {
		return 0, 0, false // month 13, day 31 of April ...
	}
	var end time.Time
	switch fields {
	case 1:
		end = addMonths(t, 12)
	case 2:
		end = addMonths(t, 1)
	case 3:
		end = t.AddDate(0, 0, 1)
	case 4:
		end = t.Add(time.Hour)
	case 5:
		end = t.Add(time.Minute)
	default:
		end = t.Add(time.Second)
	}
	return t.Unix(), end.Unix(), true
}

// blockExpr rewrites f(col) op vals for a monotone step function f.
func blockExpr(col int, blk block, op Op, vals []catalog.Datum) *Expr {
	between := func(v catalog.Datum) *Expr {
		if v.IsNull() {
			return pred(col, OpEQ, catalog.Null)
		}
		lo, hi, ok := blk(v)
		if !ok {
			return nil
		}
		return pred(col, OpBetween, catalog.Int(lo), catalog.Int(hi-1))
	}
	switch op {
	case OpEQ, OpNE:
		if len(vals) != 1 || vals[0].IsNull() {
			return nil
		}
		x := between(vals[0])
		if x != nil && op == OpNE {
			x = &Expr{Kind: ExprNot, Args: []*Expr{x}}
		}
		return x
	case OpLT, OpLE, OpGT, OpGE:
		if len(vals) != 1 || vals[0].IsNull() {
			return nil
		}
		lo, hi, ok := blk(vals[0])
		if !ok {
			return nil
		}
		switch op {
		case OpLT:
			return pred(col, OpLT, catalog.Int(lo))
		case OpLE:
			return pred(col, OpLT, catalog.Int(hi))
		case OpGT:
			return pred(col, OpGE, catalog.Int(hi))
		}
		return pred(col, OpGE, catalog.Int(lo))
	case OpBetween:
		if len(vals) != 2 || vals[0].IsNull() || vals[1].IsNull() {
			return nil
		}
		lo, _, ok1 := blk(vals[0])
		_, hi, ok2 := blk(vals[1])
		if !ok1 || !ok2 {
			return nil
		}
		return pred(col, OpBetween, catalog.Int(lo), catalog.Int(hi-1))
	case OpIn, OpNotIn:
		return orOf(vals, op == OpNotIn, between)
	}
	return nil
}

// orOf builds OR(each(v)) over vals (NOT of it when neg); nil when some
// value has no form.
func orOf(vals []catalog.Datum, neg bool, each func(v catalog.Datum) *Expr) *Expr {
	if len(vals) == 0 {
		return nil
	}
	args := make([]*Expr, 0, len(vals))
	for _, v := range vals {
		x := each(v)
		if x == nil {
			return nil
		}
		args = append(args, x)
	}
	x := args[0]
	if len(args) > 1 {
		x = &Expr{Kind: ExprOr, Args: args}
	}
	if neg {
		x = &Expr{Kind: ExprNot, Args: []*Expr{x}}
	}
	return x
}

// prefixExpr rewrites LEFT(col, n) op vals: LEFT(s, n) = v is s LIKE
// 'v%' when v has n characters and s = v when it has fewer.
func prefixExpr(col int, n int64, op Op, vals []catalog.Datum) *Expr {
	if n <= 0 || n > math.MaxInt32 {
		return nil
	}
	eq := func(v catalog.Datum) *Expr {
		if v.IsNull() {
			return pred(col, OpEQ, catalog.Null)
		}
		if v.Kind != catalog.KindString {
			return nil
		}
		switch k := int64(utf8.RuneCountInString(v.S)); {
		case k == n:
			return pred(col, OpLike, catalog.String(escapeLike(v.S)+"%"))
		case k < n:
			return pred(col, OpEQ, v)
		}
		return nil
	}
	switch op {
	case OpEQ, OpNE:
		if len(vals) != 1 || vals[0].IsNull() {
			return nil
		}
		x := eq(vals[0])
		if x == nil || op == OpEQ {
			return x
		}
		if x.Pred.Op == OpLike {
			x.Pred.Op = OpNotLike
		} else {
			x.Pred.Op = OpNE
		}
		return x
	case OpIn, OpNotIn:
		return orOf(vals, op == OpNotIn, eq)
	}
	return nil
}

// escapeLike escapes the LIKE wildcards of s with backslashes.
func escapeLike(s string) string {
	if !strings.ContainsAny(s, `%_\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '%' || c == '_' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
