package features

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// grouping resolves GROUP BY, SELECT DISTINCT and HAVING into r.q.Group
// (nil when the query has none of them). It runs after FROM and WHERE.
func (r *resolver) grouping(s *ast.SelectStmt) error {
	if s.GroupBy == nil && !s.Distinct && s.Having == nil {
		return nil
	}
	if s.GroupBy != nil && s.GroupBy.Rollup {
		return r.errAt(r.loc.word(false, "ROLLUP"), ErrUnsupported, "WITH ROLLUP", "super-aggregate rows are not modelled")
	}
	g := &Grouping{}
	fields := r.selectFields(s)
	if s.GroupBy != nil {
		for _, it := range s.GroupBy.Items {
			e := stripParens(it.Expr)
			if p, ok := r.positionOf(e); ok {
				if err := r.checkPosition(p, fields, "GROUP"); err != nil {
					return err
				}
				if p.P != nil || p.N > len(fields) || fields[p.N-1].WildCard != nil {
					return r.errAt(e.OriginTextPosition(), ErrUnsupported, "GROUP BY position", "position %d is not a select-list expression", p.N)
				}
				e = stripParens(fields[p.N-1].Expr)
			} else if a := r.selectAlias(e, fields); a != nil {
				e = a
			}
			k, err := r.groupKey(e, "GROUP BY")
			if err != nil {
				return err
			}
			g.Keys = appendKey(g.Keys, k)
		}
		if s.Distinct {
			if err := r.distinctIsGroupBy(fields, g.Keys); err != nil {
				return err
			}
		}
	} else if s.Distinct {
		g.Distinct = true
		if err := r.distinctKeys(fields, g); err != nil {
			return err
		}
	}
	if s.Having != nil {
		if g.Distinct {
			return r.errAt(r.loc.word(false, "HAVING"), ErrUnsupported, "DISTINCT with HAVING", "HAVING without GROUP BY beside DISTINCT is not modelled")
		}
		h, err := r.having(s.Having.Expr, fields, g)
		if err != nil {
			return err
		}
		g.Having = h
	}
	if !g.Distinct {
		// GROUP BY's plain columns, for index advice, however written
		// (positions and aliases resolved).
		r.q.GroupBy = r.q.GroupBy[:0]
		for _, k := range g.Keys {
			if k.Func == KeyColumn {
				r.q.GroupBy = append(r.q.GroupBy, k.ColRef)
			}
		}
		if len(r.q.GroupBy) == 0 {
			r.q.GroupBy = nil
		}
	}
	r.q.Group = g
	return nil
}

func (r *resolver) selectFields(s *ast.SelectStmt) []*ast.SelectField {
	if s.Fields == nil {
		return nil
	}
	return s.Fields.Fields
}

// selectAlias returns the select-list expression an unqualified name that
// is no FROM column refers to (MySQL resolves GROUP BY and HAVING names
// in FROM first), or nil.
func (r *resolver) selectAlias(e ast.ExprNode, fields []*ast.SelectField) ast.ExprNode {
	cn, ok := e.(*ast.ColumnNameExpr)
	if !ok || cn.Name.Table.L != "" || r.visible(cn.Name.Name.O) {
		return nil
	}
	for _, f := range fields {
		if f.WildCard == nil && f.AsName.L == cn.Name.Name.L {
			return stripParens(f.Expr)
		}
	}
	return nil
}

func appendKey(keys []GroupKey, k GroupKey) []GroupKey {
	for _, x := range keys {
		if x == k {
			return keys
		}
	}
	return append(keys, k)
}

// groupKey resolves a grouping expression: a column, YEAR / MONTH / DATE /
// EXTRACT(YEAR|MONTH FROM ...) of a date column, or LEFT / SUBSTRING(col,
// 1, n) of a string column.
func (r *resolver) groupKey(e ast.ExprNode, clause string) (GroupKey, error) {
	e = stripParens(e)
	bad := func(msg string) (GroupKey, error) {
		return GroupKey{}, r.errAt(e.OriginTextPosition(), ErrUnsupported, clause+" expression", "%s", msg)
	}
	switch n := e.(type) {
	case *ast.ColumnNameExpr:
		if x, k := r.derivedKeyExpr(n); x != nil {
			return r.derivedGroupKey(n, x, k, clause) // a derived table's computed column
		}
		occ, col, err := r.column(n)
		if err != nil {
			return GroupKey{}, err
		}
		return GroupKey{ColRef: ColRef{Table: occ, Col: col}}, nil
	case *ast.FuncCallExpr:
		var f KeyFunc
		var arg ast.ExprNode
		length := 0
		switch n.FnName.L {
		case "year", "month", "date":
			if len(n.Args) != 1 {
				return bad(strings.ToUpper(n.FnName.O) + "() takes one argument")
			}
			f, arg = map[string]KeyFunc{"year": KeyYear, "month": KeyMonth, "date": KeyDate}[n.FnName.L], n.Args[0]
		case "extract":
			if len(n.Args) != 2 {
				return bad("EXTRACT(unit FROM column)")
			}
			u, ok := n.Args[0].(*ast.TimeUnitExpr)
			switch {
			case ok && u.Unit == ast.TimeUnitYear:
				f = KeyYear
			case ok && u.Unit == ast.TimeUnitMonth:
				f = KeyMonth
			default:
				return bad("only EXTRACT(YEAR|MONTH FROM column) is modelled")
			}
			arg = n.Args[1]
		case "left", "substring", "substr", "mid":
			var lenArg ast.ExprNode
			switch {
			case n.FnName.L == "left" && len(n.Args) == 2:
				lenArg = n.Args[1]
			case n.FnName.L != "left" && len(n.Args) == 3:
				if v, ok := intLiteral(stripParens(n.Args[1])); !ok || v != 1 {
					return bad("only prefixes SUBSTRING(column, 1, n) are modelled")
				}
				lenArg = n.Args[2]
			default:
				return bad("LEFT(column, n) or SUBSTRING(column, 1, n)")
			}
			v, ok := intLiteral(stripParens(lenArg))
			if !ok || v < 1 || v > 1<<20 {
				return bad("the prefix length must be a positive integer literal")
			}
			f, arg, length = KeyPrefix, n.Args[0], int(v)
		default:
			return bad("function " + strings.ToUpper(n.FnName.O) + "() is not a modelled grouping key (YEAR, MONTH, DATE, EXTRACT, LEFT, SUBSTRING are)")
		}
		cn, ok := stripParens(arg).(*ast.ColumnNameExpr)
		if !ok {
			return bad("the argument of " + strings.ToUpper(n.FnName.O) + "() must be a column")
		}
		occ, col, err := r.column(cn)
		if err != nil {
			return GroupKey{}, err
		}
		c := r.colDef(occ, col)
		switch {
		case f == KeyPrefix && c.Type != catalog.TypeString:
			return GroupKey{}, r.errAt(e.OriginTextPosition(), ErrType, strings.ToUpper(n.FnName.O)+"()", "%s column %s.%s is not a string", c.Type, r.q.Tables[occ].Alias, c.Name)
		case f != KeyPrefix && c.Type != catalog.TypeDate && c.Type != catalog.TypeDateTime:
			return GroupKey{}, r.errAt(e.OriginTextPosition(), ErrType, strings.ToUpper(n.FnName.O)+"()", "%s column %s.%s is not a date", c.Type, r.q.Tables[occ].Alias, c.Name)
		}
		return GroupKey{ColRef: ColRef{Table: occ, Col: col}, Func: f, N: length}, nil
	case *ast.AggregateFuncExpr:
		return bad("aggregates cannot be grouping keys")
	}
	return bad("only columns and YEAR, MONTH, DATE, EXTRACT, LEFT, SUBSTRING of a column are modelled grouping keys")
}

// distinctKeys sets the keys of SELECT DISTINCT without GROUP BY: every
// select-list item (a * expands to every column); constants add nothing.
// Aggregates alone make one row; aggregates beside columns are refused
// (only_full_group_by).
func (r *resolver) distinctKeys(fields []*ast.SelectField, g *Grouping) error {
	var aggOff = -1
	var cols bool
	for _, f := range fields {
		if f.WildCard != nil {
			if err := r.distinctStar(f, g); err != nil {
				return err
			}
			cols = true
			continue
		}
		e := stripParens(f.Expr)
		if hasAggregate(e) {
			aggOff = e.OriginTextPosition()
			continue
		}
		if _, ok := literal(e); ok {
			continue
		}
		k, err := r.groupKey(e, "DISTINCT")
		if err != nil {
			return err
		}
		g.Keys = appendKey(g.Keys, k)
		cols = true
	}
	if aggOff >= 0 && cols {
		return r.errAt(aggOff, ErrUnsupported, "DISTINCT with aggregates", "aggregates beside columns need GROUP BY")
	}
	return nil
}

// distinctIsGroupBy accepts SELECT DISTINCT with GROUP BY when DISTINCT
// removes nothing: the non-aggregate items are exactly the grouping keys.
func (r *resolver) distinctIsGroupBy(fields []*ast.SelectField, keys []GroupKey) error {
	var seen []GroupKey
	for _, f := range fields {
		if f.WildCard != nil {
			return r.errAt(r.loc.first(), ErrUnsupported, "DISTINCT * with GROUP BY", "list the grouping keys")
		}
		e := stripParens(f.Expr)
		if hasAggregate(e) {
			continue
		}
		if _, ok := literal(e); ok {
			continue
		}
		k, err := r.groupKey(e, "DISTINCT")
		if err != nil {
			return err
		}
		found := false
		for _, x := range keys {
			found = found || x == k
		}
		if !found {
			return r.errAt(e.OriginTextPosition(), ErrUnsupported, "DISTINCT with GROUP BY", "a DISTINCT item that is not a grouping key")
		}
		seen = appendKey(seen, k)
	}
	if len(seen) != len(keys) {
		off := -1
		if len(fields) > 0 {
			off = fields[0].Offset
		}
		return r.errAt(off, ErrUnsupported, "DISTINCT with GROUP BY", "DISTINCT over part of the grouping keys (or over aggregates) is not modelled")
	}
	return nil
}

// having converts a HAVING condition: AND / OR / NOT over comparisons of
// an aggregate (or a select-list alias of one) with numbers.
func (r *resolver) having(e ast.ExprNode, fields []*ast.SelectField, g *Grouping) (*Having, error) {
	e = stripParens(e)
	switch n := e.(type) {
	case *ast.BinaryOperationExpr:
		switch n.Op {
		case opcode.LogicAnd, opcode.LogicOr:
			kind := ExprAnd
			if n.Op == opcode.LogicOr {
				kind = ExprOr
			}
			h := &Having{Kind: kind}
			for _, c := range chain(n, n.Op) {
				x, err := r.having(c, fields, g)
				if err != nil {
					return nil, err
				}
				if x.Kind == kind {
					h.Args = append(h.Args, x.Args...)
				} else {
					h.Args = append(h.Args, x)
				}
			}
			return h, nil
		case opcode.EQ, opcode.NE, opcode.LT, opcode.LE, opcode.GT, opcode.GE:
			flip := false
			l, rr := stripParens(n.L), stripParens(n.R)
			_, lsub := l.(*ast.SubqueryExpr)
			if _, ok := literal(l); ok || lsub {
				l, rr, flip = rr, l, true
			}
			a, err := r.aggregate(l, fields, g)
			if err != nil {
				return nil, err
			}
			if sq, ok := rr.(*ast.SubqueryExpr); ok {
				s, err := r.havingSub(sq) // havingsub.go
				if err != nil {
					return nil, err
				}
				return &Having{Kind: ExprPred, Agg: a, Op: compareOp(n.Op, flip), Sub: s}, nil
			}
			v, err := r.number(rr)
			if err != nil {
				return nil, err
			}
			return &Having{Kind: ExprPred, Agg: a, Op: compareOp(n.Op, flip), Values: []float64{v}}, nil
		}
	case *ast.UnaryOperationExpr:
		if n.Op == opcode.Not || n.Op == opcode.Not2 {
			x, err := r.having(n.V, fields, g)
			if err != nil {
				return nil, err
			}
			return &Having{Kind: ExprNot, Args: []*Having{x}}, nil
		}
	case *ast.BetweenExpr:
		a, err := r.aggregate(n.Expr, fields, g)
		if err != nil {
			return nil, err
		}
		lo, err := r.number(n.Left)
		if err != nil {
			return nil, err
		}
		hi, err := r.number(n.Right)
		if err != nil {
			return nil, err
		}
		h := &Having{Kind: ExprPred, Agg: a, Op: OpBetween, Values: []float64{lo, hi}}
		if n.Not {
			h = &Having{Kind: ExprNot, Args: []*Having{h}}
		}
		return h, nil
	}
	return nil, r.errAt(e.OriginTextPosition(), ErrUnsupported, "HAVING condition", "only comparisons of an aggregate with numbers (AND, OR, NOT, BETWEEN) are modelled in HAVING")
}

// number converts a numeric literal of HAVING.
func (r *resolver) number(e ast.ExprNode) (float64, error) {
	e = stripParens(e)
	l, ok := literal(e)
	if !ok {
		switch e.(type) {
		case *ast.SubqueryExpr:
			return 0, r.errAt(e.OriginTextPosition(), ErrUnsupported, "subquery in HAVING", "a subquery is modelled as one operand of a comparison with an aggregate (not in BETWEEN)")
		}
		return 0, r.errAt(e.OriginTextPosition(), ErrUnsupported, "HAVING operand", "compare the aggregate with a number")
	}
	switch l.kind {
	case litInt:
		return float64(l.i), nil
	case litUint:
		return float64(l.u), nil
	case litFloat:
		return l.f, nil
	case litDecimal:
		if f, err := strconv.ParseFloat(l.s, 64); err == nil {
			return f, nil
		}
	}
	return 0, r.errAt(l.off, ErrType, "HAVING", "%s is not a number", l.describe())
}

// aggregate resolves an aggregate of HAVING (or the select-list alias of
// one) and returns its index in g.Aggs, adding it when new.
func (r *resolver) aggregate(e ast.ExprNode, fields []*ast.SelectField, g *Grouping) (int, error) {
	e = stripParens(e)
	if cn, ok := e.(*ast.ColumnNameExpr); ok && cn.Name.Table.L == "" {
		for _, f := range fields {
			if f.WildCard == nil && f.AsName.L == cn.Name.Name.L {
				if _, isAgg := stripParens(f.Expr).(*ast.AggregateFuncExpr); isAgg {
					e = stripParens(f.Expr)
				}
				break
			}
		}
	}
	n, ok := e.(*ast.AggregateFuncExpr)
	if !ok {
		return 0, r.errAt(e.OriginTextPosition(), ErrUnsupported, "HAVING operand", "HAVING compares aggregates (COUNT, SUM, AVG, MIN, MAX) with numbers")
	}
	fn := map[string]AggFunc{ast.AggFuncCount: AggCount, ast.AggFuncSum: AggSum, ast.AggFuncAvg: AggAvg, ast.AggFuncMin: AggMin, ast.AggFuncMax: AggMax}[strings.ToLower(n.F)]
	switch {
	case fn == 0:
		return 0, r.errAt(n.OriginTextPosition(), ErrUnsupported, "aggregate "+strings.ToUpper(n.F)+"()", "HAVING models COUNT, SUM, AVG, MIN and MAX")
	case n.Distinct:
		return 0, r.errAt(n.OriginTextPosition(), ErrUnsupported, strings.ToUpper(n.F)+"(DISTINCT ...) in HAVING", "distinct aggregates are not modelled in HAVING")
	case len(n.Args) != 1:
		return 0, r.errAt(n.OriginTextPosition(), ErrUnsupported, "aggregate "+strings.ToUpper(n.F)+"()", "one argument")
	}
	a := Agg{Func: fn, Table: -1}
	if l, isLit := literal(n.Args[0]); isLit && fn == AggCount {
		if l.kind == litNull {
			return 0, r.errAt(n.OriginTextPosition(), ErrUnsupported, "COUNT(NULL)", "counts nothing")
		}
		// COUNT(*) and COUNT(constant) count every row.
	} else {
		occ := -1
		var arg *Arith
		var err error
		if cn, isCol := stripParens(n.Args[0]).(*ast.ColumnNameExpr); isCol && fn == AggCount {
			// COUNT(column) counts the non-NULL values of any type.
			var col int
			if occ, col, err = r.column(cn); err != nil {
				return 0, err
			}
			arg = &Arith{Kind: ArithCol, Col: col}
		} else {
			arg, err = r.arith(n.Args[0], &occ)
		}
		if err != nil {
			return 0, err
		}
		if occ < 0 {
			return 0, r.errAt(n.OriginTextPosition(), ErrUnsupported, "aggregate of a constant", "aggregate a column")
		}
		a.Table, a.Arg = occ, arg
	}
	for i, x := range g.Aggs {
		if sameAgg(x, a) {
			return i, nil
		}
	}
	g.Aggs = append(g.Aggs, a)
	return len(g.Aggs) - 1, nil
}

// sameAgg reports whether two aggregates are the same computation.
func sameAgg(x, y Agg) bool {
	return x.Func == y.Func && x.Table == y.Table && sameArith(x.Arg, y.Arg)
}

func sameArith(x, y *Arith) bool {
	if x == nil || y == nil {
		return x == y
	}
	if x.Kind != y.Kind || x.Col != y.Col || x.Const != y.Const || len(x.Args) != len(y.Args) {
		return false
	}
	for i := range x.Args {
		if !sameArith(x.Args[i], y.Args[i]) {
			return false
		}
	}
	return true
}

// arith converts an aggregate's argument: + - * / and unary minus over
// numbers and the numeric columns of one table occurrence (*occ, set by
// the first column).
func (r *resolver) arith(e ast.ExprNode, occ *int) (*Arith, error) {
	e = stripParens(e)
	if _, ok := literal(e); ok {
		v, err := r.number(e)
		if err != nil {
			return nil, err
		}
		return &Arith{Kind: ArithConst, Const: v}, nil
	}
	switch n := e.(type) {
	case *ast.ColumnNameExpr:
		o, col, err := r.column(n)
		if err != nil {
			return nil, err
		}
		c := r.colDef(o, col)
		if c.Type != catalog.TypeInt && c.Type != catalog.TypeFloat {
			return nil, r.errAt(n.OriginTextPosition(), ErrType, "aggregate argument", "%s column %s.%s is not a number", c.Type, r.q.Tables[o].Alias, c.Name)
		}
		if *occ >= 0 && *occ != o {
			return nil, r.errAt(n.OriginTextPosition(), ErrUnsupported, "aggregate across tables", "the argument of an aggregate in HAVING must read one table (%s and %s)", r.q.Tables[*occ].Alias, r.q.Tables[o].Alias)
		}
		*occ = o
		return &Arith{Kind: ArithCol, Col: col}, nil
	case *ast.BinaryOperationExpr:
		kind := map[opcode.Op]ArithKind{opcode.Plus: ArithAdd, opcode.Minus: ArithSub, opcode.Mul: ArithMul, opcode.Div: ArithDiv}[n.Op]
		if kind == 0 {
			break
		}
		x, err := r.arith(n.L, occ)
		if err != nil {
			return nil, err
		}
		y, err := r.arith(n.R, occ)
		if err != nil {
			return nil, err
		}
		return &Arith{Kind: kind, Args: []*Arith{x, y}}, nil
	case *ast.UnaryOperationExpr:
		if n.Op == opcode.Minus {
			x, err := r.arith(n.V, occ)
			if err != nil {
				return nil, err
			}
			return &Arith{Kind: ArithNeg, Args: []*Arith{x}}, nil
		}
	case *test_driver.ValueExpr:
		return nil, r.errAt(n.OriginTextPosition(), ErrType, "aggregate argument", "not a number")
	}
	return nil, r.errAt(e.OriginTextPosition(), ErrUnsupported, "aggregate argument", "only + - * / over numbers and numeric columns of one table are modelled")
}

// distinctStar adds the keys of a * or t.* of SELECT DISTINCT: every
// column of a table, and of a flattened derived table (or CTE) the
// columns it selects, not every column of its tables: SELECT DISTINCT *
// FROM (SELECT origin FROM flights) d has one key, origin (220 groups on
// the bundled flights, not its 20,000 rows).
func (r *resolver) distinctStar(f *ast.SelectField, g *Grouping) error {
	return r.starKeys(f.Offset, r.sh.cur, f.WildCard.Table, g)
}

// starKeys adds the keys of a * (qual empty) or qual.* in scope s.
func (r *resolver) starKeys(off, s int, qual ast.CIStr, g *Grouping) error {
	table := func(i int) {
		for c := range r.schema.Tables[r.q.Tables[i].Table].Columns {
			g.Keys = appendKey(g.Keys, GroupKey{ColRef: ColRef{Table: i, Col: c}})
		}
	}
	if qual.L != "" {
		// A table, a derived table, or both of that name (nameTaken).
		found := false
		for i, o := range r.sh.occScope {
			if o == s && strings.EqualFold(r.sh.occName[i], qual.O) {
				table(i)
				found = true
			}
		}
		if k := r.childScope(s, qual.O); k > 0 {
			return r.derivedKeys(off, k, g)
		}
		if !found {
			return r.errAt(off, ErrUnknownTable, qual.O+".*", "no table or alias of that name in FROM")
		}
		return nil
	}
	// The FROM of s in order: its tables, and each derived table at its
	// first occurrence.
	done := map[int]bool{}
	for i, o := range r.sh.occScope {
		switch k := r.under(s, o); {
		case k == s:
			table(i)
		case k > 0 && !done[k]:
			done[k] = true
			if err := r.derivedKeys(off, k, g); err != nil {
				return err
			}
		}
	}
	return nil
}

// derivedKeys adds the columns flattened derived table k selects as
// DISTINCT keys: its stars' columns, then its named columns in name order.
func (r *resolver) derivedKeys(off, k int, g *Grouping) error {
	d := r.dscope(k)
	for _, q := range d.stars {
		if err := r.starKeys(off, k, q, g); err != nil {
			return err
		}
	}
	names := slices.Sorted(maps.Keys(d.cols))
	restore := r.inScope(d.parent)
	defer restore()
	for _, name := range names {
		// Resolved in its own select list, not through its alias (which
		// a table may share, nameTaken).
		cn := &ast.ColumnNameExpr{Name: &ast.ColumnName{Table: ast.NewCIStr(d.alias), Name: ast.NewCIStr(name)}}
		cn.SetOriginTextPosition(off)
		b, err := r.derivedLookup(cn, k)
		var key GroupKey
		switch {
		case err != nil:
			return err
		case b.expr != nil:
			key, err = r.derivedGroupKey(cn, b.expr, b.scope, "DISTINCT") // a computed column
			if err != nil {
				return err
			}
		default:
			key = GroupKey{ColRef: ColRef{Table: b.occ, Col: b.col}}
		}
		g.Keys = appendKey(g.Keys, key)
	}
	return nil
}
