package features

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// Parser parses SELECT statements into Query values. It reuses the TiDB
// parser's buffers between calls; it is not safe for concurrent use (use
// one Parser per goroutine, or the package-level Parse).
type Parser struct {
	p    *parser.Parser
	opts Options
}

// NewParser returns a Parser.
func NewParser() *Parser { return &Parser{p: parser.New()} }

// Parse parses one MySQL SELECT statement against schema. See the package
// documentation for the supported subset; anything else is an *Error
// wrapping one of the Err* sentinels, positioned at the construct.
func Parse(schema *catalog.Schema, sql string) (*Query, error) {
	return NewParser().Parse(schema, sql)
}

// Parse is the package-level Parse with a reusable parser.
func (p *Parser) Parse(schema *catalog.Schema, sql string) (*Query, error) {
	if schema == nil {
		return nil, fmt.Errorf("features: Parse needs a schema")
	}
	if err := checkLimits(sql); err != nil {
		return nil, err
	}
	stmts, _, err := p.p.ParseSQL(sql)
	if err != nil {
		return nil, syntaxErr(sql, err)
	}
	loc := newLocator(sql)
	switch len(stmts) {
	case 0:
		return nil, &Error{Err: ErrSyntax, Line: 1, Col: 1, Msg: "empty statement"}
	case 1:
	default:
		off := -1
		loc.sync()
		for i, t := range loc.toks {
			if t.text == ";" && i+1 < len(loc.toks) {
				off = loc.toks[i+1].off
				break
			}
		}
		return nil, newErr(sql, off, ErrUnsupported, "multiple statements", "parse one statement at a time")
	}
	r := &resolver{schema: schema, src: sql, loc: loc, q: &Query{Schema: schema}, opts: p.opts}
	r.reg().withAt = withStart(stmts[0])
	if err := r.statement(stmts[0]); err != nil {
		return nil, err
	}
	r.finishDerived()
	return r.q, nil
}

// resolver turns a TiDB AST into a Query.
type resolver struct {
	schema  *catalog.Schema
	src     string
	loc     *locator
	q       *Query
	on      []ast.ExprNode      // ON conditions in source order
	conj    [][]*Expr           // per table occurrence, its filter conjuncts
	using   map[string][]uint64 // column name -> groups of occurrences coalesced by USING
	aliases map[string]bool     // select-list aliases (lower case)
	opts    Options
	parent  *resolver   // the enclosing query of a subquery
	sh      shapeState  // outer joins, derived tables, subqueries (shapes_parse.go)
	dr      *derivedReg // grouped derived tables and CTEs (derived.go); the outermost resolver's
	// fromDone: the FROM of the SELECT resolved in full (restNames).
	fromDone bool
}

func (r *resolver) errAt(off int, sentinel error, construct, format string, args ...any) error {
	return newErr(r.src, off, sentinel, construct, format, args...)
}

func (r *resolver) statement(stmt ast.StmtNode) error {
	switch s := stmt.(type) {
	case *ast.SelectStmt:
		return r.selectStmt(s)
	case *ast.SetOprStmt:
		// A name the server refuses first (each SELECT checked as a
		// subquery of this empty query, seeing its WITH's CTEs).
		if s.With == nil || r.withClause(s.With) == nil {
			if err := r.checkQuery(s.SelectList, r.loc.first()); err != nil {
				return err
			}
			if err := r.checkSetOrder(s.SelectList, s.OrderBy, r.loc.first()); err != nil {
				return err
			}
		}
		off := r.loc.word(false, "UNION", "EXCEPT", "INTERSECT")
		return r.errAt(off, ErrUnsupported, "UNION", "set operations (UNION, EXCEPT, INTERSECT) are not modelled; estimate each SELECT separately")
	}
	name := strings.TrimPrefix(fmt.Sprintf("%T", stmt), "*ast.")
	name = strings.ToUpper(strings.TrimSuffix(name, "Stmt"))
	return r.errAt(r.loc.first(), ErrUnsupported, "non-SELECT statement", "%s: only SELECT is modelled", name)
}

func (r *resolver) selectStmt(s *ast.SelectStmt) error {
	switch {
	case s.Kind != ast.SelectStmtKindSelect:
		return r.errAt(r.loc.first(), ErrUnsupported, "non-SELECT statement", "%s: only SELECT is modelled", strings.ToUpper(s.Kind.String()))
	case s.From == nil || s.From.TableRefs == nil:
		return r.errAt(r.loc.first(), ErrUnsupported, "SELECT without FROM", "the query reads no table")
	case len(s.WindowSpecs) > 0:
		return r.errAt(r.loc.word(false, "WINDOW"), ErrUnsupported, "WINDOW", "named windows are not modelled")
	case s.SelectIntoOpt != nil:
		return r.errAt(r.loc.word(false, "INTO"), ErrUnsupported, "SELECT ... INTO", "only plain SELECT is modelled")
	}
	if s.With != nil {
		if err := r.withClause(s.With); err != nil {
			return err
		}
	}
	if s.Fields != nil {
		for _, f := range s.Fields.Fields {
			if f.AsName.L != "" {
				if r.aliases == nil {
					r.aliases = map[string]bool{}
				}
				r.aliases[f.AsName.L] = true
			}
		}
	}
	r.loc.skipPast("FROM")
	if err := r.from(s.From.TableRefs); err != nil {
		return err
	}
	r.fromDone = true
	r.conj = make([][]*Expr, len(r.q.Tables))
	if err := r.conditions(s.Where); err != nil {
		return err
	}
	r.sh.cur = 0
	if err := r.finishOuter(); err != nil {
		return err
	}
	for i := range r.q.Tables {
		r.q.Tables[i].Filter = andOf(r.conj[i])
	}
	r.q.Joins = normJoins(r.q.Joins)
	if err := r.finishSubqueries(); err != nil {
		return err
	}
	var err error
	if s.GroupBy != nil {
		for _, it := range s.GroupBy.Items {
			if r.q.GroupBy, err = r.keyColumn(it.Expr, r.q.GroupBy); err != nil {
				return err
			}
		}
	}
	if err := r.grouping(s); err != nil {
		return err
	}
	if s.OrderBy != nil {
		for _, it := range s.OrderBy.Items {
			if p, ok := r.positionOf(it.Expr); ok {
				if err := r.checkPosition(p, r.selectFields(s), "ORDER"); err != nil {
					return err
				}
			}
			n := len(r.q.OrderBy)
			if r.q.OrderBy, err = r.keyColumn(it.Expr, r.q.OrderBy); err != nil {
				return err
			}
			if len(r.q.OrderBy) > n {
				r.q.OrderDesc = append(r.q.OrderDesc, it.Desc)
			}
		}
	}
	if !slices.Contains(r.q.OrderDesc, true) {
		r.q.OrderDesc = nil
	}
	r.q.Limit, r.q.Offset = limitOf(s.Limit)
	if r.q.Reads, err = r.reads(s.Fields); err != nil {
		return err
	}
	r.uniqueAliases()
	return r.normalizeOuter()
}

// keyColumn appends the column of a GROUP BY / ORDER BY item to out. Items
// that are not plain columns (expressions, positions, select-list aliases)
// are skipped: they are kept for index advice only; their names (and
// their subqueries') are checked (checkKeyExpr).
func (r *resolver) keyColumn(e ast.ExprNode, out []ColRef) ([]ColRef, error) {
	cn, ok := stripParens(e).(*ast.ColumnNameExpr)
	if !ok {
		return out, r.checkKeyExpr(e)
	}
	if cn.Name.Table.L == "" && r.aliases[cn.Name.Name.L] && !r.visible(cn.Name.Name.O) {
		return out, nil
	}
	occ, col, err := r.column(cn)
	if errors.Is(err, errDerivedExpr) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	return append(out, ColRef{Table: occ, Col: col}), nil
}

// from walks the FROM clause in source order.
func (r *resolver) from(n ast.ResultSetNode) error {
	switch n := n.(type) {
	case *ast.Join:
		start := len(r.q.Tables)
		if n.Right != nil && (n.Tp == ast.LeftJoin || n.Tp == ast.RightJoin) && !n.NaturalJoin {
			return r.outerJoin(n, start)
		}
		if err := r.from(n.Left); err != nil {
			return err
		}
		if n.Right == nil {
			return nil
		}
		mid := len(r.q.Tables)
		switch {
		case n.NaturalJoin:
			return r.errAt(r.loc.word(false, "NATURAL"), ErrUnsupported, "NATURAL JOIN", "name the join columns with ON or USING")
		}
		if err := r.from(n.Right); err != nil {
			return err
		}
		if n.On != nil {
			r.addOn(n.On.Expr)
		}
		if len(n.Using) > 0 {
			if err := r.innerUsing(n.Using, start, mid, len(r.q.Tables)); err != nil {
				return err
			}
		}
		r.loc.skipJoinCond() // later names are after its condition
		return nil
	case *ast.TableSource:
		switch src := n.Source.(type) {
		case *ast.TableName:
			return r.table(src, n.AsName.O)
		case *ast.Join:
			return r.from(src)
		case *ast.SelectStmt:
			off := r.loc.word(false, "SELECT")
			if err := r.derivedTable(src, n.AsName.O, off); err != nil {
				return err
			}
			r.loc.skipDerived(off) // later names are after it
			return nil
		case *ast.SetOprStmt:
			off := r.loc.word(false, "SELECT", "WITH", "VALUES", "TABLE")
			if err := r.checkQuery(src, off); err != nil {
				return err // a name the server refuses first
			}
			return r.errAt(off, ErrUnsupported, "UNION in FROM", "derived tables with set operations are not modelled")
		default:
			return r.errAt(-1, ErrUnsupported, fmt.Sprintf("%T in FROM", src), "only tables and joins are modelled")
		}
	case *ast.TableName:
		return r.table(n, "")
	}
	return r.errAt(-1, ErrUnsupported, fmt.Sprintf("%T in FROM", n), "only tables and joins are modelled")
}

func (r *resolver) table(tn *ast.TableName, alias string) error {
	if cte := r.cte(tn); cte != nil {
		return r.cteTable(tn, cte, alias)
	}
	r.loc.ident(tn.Name.O)
	if len(r.q.Tables) >= MaxTables {
		return r.errAt(r.loc.lastIdent(), ErrTooManyTables, "", "more than %d table occurrences", MaxTables)
	}
	idx := r.schema.TableIndex(tn.Name.O)
	if idx < 0 {
		off := r.loc.lastIdent()
		if off < 0 {
			off = r.loc.next() // a name the lexer reads otherwise (invalid UTF-8)
		}
		return r.errAt(off, ErrUnknownTable, tn.Name.O, "not in the schema")
	}
	switch {
	case tn.TableSample != nil:
		return r.errAt(r.loc.word(false, "TABLESAMPLE"), ErrUnsupported, "TABLESAMPLE", "sampling clauses are not modelled")
	case len(tn.PartitionNames) > 0:
		return r.errAt(r.loc.word(false, "PARTITION"), ErrUnsupported, "PARTITION", "partition selection is not modelled")
	case tn.AsOf != nil:
		return r.errAt(r.loc.word(false, "AS"), ErrUnsupported, "AS OF", "time travel is not modelled")
	}
	if alias == "" {
		alias = tn.Name.O
	} else {
		r.loc.ident(alias)
	}
	at := r.loc.lastIdent()
	if r.nameTaken(alias, false, at) {
		return r.errAt(at, ErrDuplicateAlias, alias, "give each occurrence of a table its own alias")
	}
	r.addOccurrence(TableRef{Table: idx, Alias: alias}, at)
	return nil
}

// usingJoin adds the edges of JOIN ... USING (cols) between the left
// occurrences [start, mid) and the right ones [mid, end), and records the
// coalesced columns so unqualified references to them resolve.
func (r *resolver) usingJoin(cols []*ast.ColumnName, start, mid, end int) error {
	off := r.loc.word(false, "USING")
	for _, c := range cols {
		cn := &ast.ColumnNameExpr{Name: &ast.ColumnName{Name: c.Name}}
		cn.SetOriginTextPosition(off)
		lb, lerr := r.unqualified(cn, r.sh.cur, start, mid)
		rb, rerr := r.unqualified(cn, r.sh.cur, mid, end)
		if lerr != nil || rerr != nil {
			sentinel := ErrUnknownColumn
			if errors.Is(lerr, ErrAmbiguousColumn) || errors.Is(rerr, ErrAmbiguousColumn) {
				sentinel = ErrAmbiguousColumn
			}
			return r.errAt(off, sentinel, c.Name.O, "USING needs the column on both sides of the join, once each")
		}
		if lb.expr != nil || rb.expr != nil {
			return r.errAt(off, ErrUnsupported, "USING "+c.Name.O, "a derived table computes the column; join on its plain columns")
		}
		l, rr := lb.occ, rb.occ
		if err := r.addJoin(off, l, lb.col, rr, rb.col); err != nil {
			return err
		}
		if r.using == nil {
			r.using = map[string][]uint64{}
		}
		name := strings.ToLower(c.Name.O)
		merged := uint64(1)<<l | uint64(1)<<rr
		groups := r.using[name][:0:0]
		for _, g := range r.using[name] {
			if g&merged != 0 {
				merged |= g
			} else {
				groups = append(groups, g)
			}
		}
		r.using[name] = append(groups, merged)
	}
	return nil
}

func (t TableRef) colIndex(s *catalog.Schema, name string) int {
	return s.Tables[t.Table].ColumnIndex(name)
}

func (r *resolver) addJoin(off, a, ac, b, bc int) error {
	ta := r.schema.Tables[r.q.Tables[a].Table].Columns[ac]
	tb := r.schema.Tables[r.q.Tables[b].Table].Columns[bc]
	if (ta.Type == catalog.TypeString) != (tb.Type == catalog.TypeString) {
		return r.errAt(off, ErrType, "join", "%s.%s (%s) = %s.%s (%s)", r.q.Tables[a].Alias, ta.Name, ta.Type, r.q.Tables[b].Alias, tb.Name, tb.Type)
	}
	if a > b {
		a, ac, b, bc = b, bc, a, ac
	}
	r.q.Joins = append(r.q.Joins, Join{Left: a, Right: b, LeftCol: ac, RightCol: bc})
	return nil
}

// normJoins sorts join edges by (Left, Right, LeftCol, RightCol) and drops
// duplicates, so equal queries have equal Joins.
func normJoins(js []Join) []Join {
	slices.SortFunc(js, func(x, y Join) int {
		switch {
		case x.Left != y.Left:
			return x.Left - y.Left
		case x.Right != y.Right:
			return x.Right - y.Right
		case x.LeftCol != y.LeftCol:
			return x.LeftCol - y.LeftCol
		}
		return x.RightCol - y.RightCol
	})
	return slices.Compact(js)
}

// andOf combines conjuncts: nil, the single one, or a flat AND.
func andOf(xs []*Expr) *Expr {
	switch len(xs) {
	case 0:
		return nil
	case 1:
		return xs[0]
	}
	var args []*Expr
	for _, x := range xs {
		args = appendFlat(args, x, ExprAnd)
	}
	return &Expr{Kind: ExprAnd, Args: args}
}

// appendFlat appends x to args, splicing x's arguments when x is of kind k.
func appendFlat(args []*Expr, x *Expr, k ExprKind) []*Expr {
	if x.Kind == k {
		return append(args, x.Args...)
	}
	return append(args, x)
}

func stripParens(e ast.ExprNode) ast.ExprNode {
	for {
		p, ok := e.(*ast.ParenthesesExpr)
		if !ok {
			return e
		}
		e = p.Expr
	}
}

// where splits a condition into top-level conjuncts: equi-join edges and
// single-table filters.
func (r *resolver) where(e ast.ExprNode) error {
	for _, c := range chain(e, opcode.LogicAnd) {
		if err := r.conjunct(c); err != nil {
			return err
		}
	}
	return nil
}

// chain returns the operands of a chain of op (a AND b AND c, however
// parenthesised) in source order, without recursion: a left-deep chain is
// as long as the statement allows.
func chain(e ast.ExprNode, op opcode.Op) []ast.ExprNode {
	var out []ast.ExprNode
	stack := []ast.ExprNode{e}
	for len(stack) > 0 {
		n := stripParens(stack[len(stack)-1])
		stack = stack[:len(stack)-1]
		if b, ok := n.(*ast.BinaryOperationExpr); ok && b.Op == op {
			stack = append(stack, b.R, b.L)
			continue
		}
		out = append(out, n)
	}
	return out
}

// conjunct adds one top-level conjunct of WHERE or ON: an equi-join edge or
// a single-table filter.
func (r *resolver) conjunct(e ast.ExprNode) error {
	if ok, err := r.subqueryConjunct(e); ok || err != nil {
		return err
	}
	if b, ok := e.(*ast.BinaryOperationExpr); ok && b.Op == opcode.EQ {
		lc, lok := stripParens(b.L).(*ast.ColumnNameExpr)
		rc, rok := stripParens(b.R).(*ast.ColumnNameExpr)
		if lok && rok {
			a, ac, err := r.column(lc)
			if err != nil {
				return err
			}
			bo, bc, err := r.column(rc)
			if err != nil {
				return err
			}
			if a == bo {
				x, err := r.colsExpr(e.OriginTextPosition(), a, ac, OpEQ, bc)
				if err != nil {
					return err
				}
				r.conj[a] = append(r.conj[a], x)
				return nil
			}
			return r.addJoin(e.OriginTextPosition(), a, ac, bo, bc)
		}
	}
	x, occ, err := r.filter(e)
	if err != nil {
		if ok, rerr := r.residualConjunct(e, err); ok {
			return rerr
		}
		return err
	}
	r.conj[occ] = append(r.conj[occ], x)
	return nil
}

func (r *resolver) colName(occ, col int) string { return r.colDef(occ, col).Name }

func (r *resolver) colDef(occ, col int) catalog.Column {
	return r.schema.Tables[r.q.Tables[occ].Table].Columns[col]
}

// filter converts a boolean expression over one table occurrence. It
// returns the expression and the occurrence.
func (r *resolver) filter(e ast.ExprNode) (*Expr, int, error) {
	e = stripParens(e)
	if x, occ, ok, err := r.exprFilter(e); ok {
		return x, occ, err
	}
	switch n := e.(type) {
	case *ast.BinaryOperationExpr:
		switch n.Op {
		case opcode.LogicAnd, opcode.LogicOr:
			kind, word := ExprAnd, "AND"
			if n.Op == opcode.LogicOr {
				kind, word = ExprOr, "OR"
			}
			var args []*Expr
			first := -1
			for _, c := range chain(n, n.Op) {
				x, occ, err := r.filter(c)
				if err != nil {
					return nil, 0, err
				}
				if first < 0 {
					first = occ
				} else if occ != first {
					return nil, 0, r.errAt(n.OriginTextPosition(), ErrUnsupported, word+" across tables",
						"%s combines conditions on %s and %s; only conditions on one table may be combined with OR or NOT",
						word, r.q.Tables[first].Alias, r.q.Tables[occ].Alias)
				}
				args = appendFlat(args, x, kind)
			}
			return &Expr{Kind: kind, Args: args}, first, nil
		case opcode.EQ, opcode.NE, opcode.LT, opcode.LE, opcode.GT, opcode.GE:
			return r.compare(n)
		}
	case *ast.UnaryOperationExpr:
		if n.Op == opcode.Not || n.Op == opcode.Not2 {
			x, occ, err := r.filter(n.V)
			if err != nil {
				return nil, 0, err
			}
			return &Expr{Kind: ExprNot, Args: []*Expr{x}}, occ, nil
		}
	case *ast.BetweenExpr:
		occ, col, err := r.operandColumn(n.Expr, n)
		if err != nil {
			return nil, 0, err
		}
		lo, err := r.value(occ, col, n.Left)
		if err != nil {
			return nil, 0, err
		}
		hi, err := r.value(occ, col, n.Right)
		if err != nil {
			return nil, 0, err
		}
		x := pred(col, OpBetween, lo, hi)
		if n.Not {
			x = &Expr{Kind: ExprNot, Args: []*Expr{x}}
		}
		return x, occ, nil
	case *ast.PatternInExpr:
		if n.Sel != nil {
			return nil, 0, r.errAt(n.Sel.OriginTextPosition(), ErrUnsupported, "subquery inside OR/NOT", "IN (SELECT ...) is modelled as a top-level conjunct of WHERE only")
		}
		occ, col, err := r.operandColumn(n.Expr, n)
		if err != nil {
			return nil, 0, err
		}
		vals := make([]catalog.Datum, 0, len(n.List))
		for _, it := range n.List {
			v, err := r.value(occ, col, it)
			if err != nil {
				return nil, 0, err
			}
			vals = append(vals, v)
		}
		op := OpIn
		if n.Not {
			op = OpNotIn
		}
		return pred(col, op, vals...), occ, nil
	case *ast.IsNullExpr:
		occ, col, err := r.operandColumn(n.Expr, n)
		if err != nil {
			return nil, 0, err
		}
		op := OpIsNull
		if n.Not {
			op = OpIsNotNull
		}
		return pred(col, op), occ, nil
	case *ast.PatternLikeOrIlikeExpr:
		if !n.IsLike {
			return nil, 0, r.errAt(n.OriginTextPosition(), ErrUnsupported, "ILIKE", "use LIKE")
		}
		occ, col, err := r.operandColumn(n.Expr, n)
		if err != nil {
			return nil, 0, err
		}
		c := r.colDef(occ, col)
		if c.Type != catalog.TypeString {
			return nil, 0, r.errAt(n.OriginTextPosition(), ErrType, "LIKE", "%s column %s.%s is not a string", c.Type, r.q.Tables[occ].Alias, c.Name)
		}
		v, err := r.value(occ, col, n.Pattern)
		if err != nil {
			return nil, 0, err
		}
		if n.Escape != '\\' && v.Kind == catalog.KindString {
			v.S = reescapeLike(v.S, n.Escape)
		}
		op := OpLike
		if n.Not {
			op = OpNotLike
		}
		return pred(col, op, v), occ, nil
	case *ast.ColumnNameExpr:
		return nil, 0, r.errAt(n.OriginTextPosition(), ErrUnsupported, "column as condition", "compare the column with a value (e.g. %s <> 0)", n.Name.Name.O)
	}
	if _, ok := literal(e); ok {
		return nil, 0, r.errAt(e.OriginTextPosition(), ErrUnsupported, "constant condition", "conditions must reference a column")
	}
	return nil, 0, r.unsupported(e)
}

func pred(col int, op Op, vals ...catalog.Datum) *Expr {
	if len(vals) == 0 {
		vals = nil
	}
	return &Expr{Kind: ExprPred, Pred: Pred{Col: col, Op: op, Values: vals}}
}

// compareOp maps a TiDB comparison opcode to Op; flip mirrors it for
// "literal op column".
func compareOp(o opcode.Op, flip bool) Op {
	switch o {
	case opcode.EQ:
		return OpEQ
	case opcode.NE:
		return OpNE
	case opcode.LT:
		if flip {
			return OpGT
		}
		return OpLT
	case opcode.LE:
		if flip {
			return OpGE
		}
		return OpLE
	case opcode.GT:
		if flip {
			return OpLT
		}
		return OpGT
	case opcode.GE:
		if flip {
			return OpLE
		}
		return OpGE
	}
	return 0
}

func (r *resolver) compare(n *ast.BinaryOperationExpr) (*Expr, int, error) {
	l, r2 := stripParens(n.L), stripParens(n.R)
	lc, lIsCol := l.(*ast.ColumnNameExpr)
	rc, rIsCol := r2.(*ast.ColumnNameExpr)
	switch {
	case lIsCol && rIsCol:
		a, _, err := r.column(lc)
		if err != nil {
			return nil, 0, err
		}
		b, _, err := r.column(rc)
		if err != nil {
			return nil, 0, err
		}
		if a == b {
			return nil, 0, r.errAt(n.OriginTextPosition(), ErrUnsupported, "column comparison", "comparing two columns of one table occurrence is not modelled")
		}
		if n.Op != opcode.EQ {
			return nil, 0, r.errAt(n.OriginTextPosition(), ErrUnsupported, "non-equi join", "only equality joins are modelled")
		}
		return nil, 0, r.errAt(n.OriginTextPosition(), ErrUnsupported, "join inside OR/NOT", "join conditions must be top-level conjuncts")
	case lIsCol:
		occ, col, err := r.column(lc)
		if err != nil {
			return nil, 0, err
		}
		v, err := r.value(occ, col, r2)
		if err != nil {
			return nil, 0, err
		}
		return pred(col, compareOp(n.Op, false), v), occ, nil
	case rIsCol:
		occ, col, err := r.column(rc)
		if err != nil {
			return nil, 0, err
		}
		v, err := r.value(occ, col, l)
		if err != nil {
			return nil, 0, err
		}
		return pred(col, compareOp(n.Op, true), v), occ, nil
	}
	if _, ok := literal(l); !ok {
		return nil, 0, r.unsupported(l)
	}
	if _, ok := literal(r2); !ok {
		return nil, 0, r.unsupported(r2)
	}
	return nil, 0, r.errAt(n.OriginTextPosition(), ErrUnsupported, "constant condition", "conditions must reference a column")
}

// operandColumn requires the tested operand of BETWEEN/IN/IS NULL/LIKE to be a column.
func (r *resolver) operandColumn(e ast.ExprNode, whole ast.ExprNode) (int, int, error) {
	e = stripParens(e)
	if cn, ok := e.(*ast.ColumnNameExpr); ok {
		return r.column(cn)
	}
	if _, ok := literal(e); ok {
		return 0, 0, r.errAt(whole.OriginTextPosition(), ErrUnsupported, "constant condition", "the tested operand must be a column")
	}
	return 0, 0, r.unsupported(e)
}

// value converts a literal operand to a datum typed for column col of occ.
func (r *resolver) value(occ, col int, e ast.ExprNode) (catalog.Datum, error) {
	e = stripParens(e)
	l, ok, err := r.fold(e)
	if err != nil {
		return catalog.Null, err
	}
	if !ok {
		if cn, isCol := e.(*ast.ColumnNameExpr); isCol {
			o2, _, err := r.column(cn)
			if err != nil {
				return catalog.Null, err
			}
			if o2 == occ {
				return catalog.Null, r.errAt(cn.OriginTextPosition(), ErrUnsupported, "column comparison", "comparing two columns of one table occurrence is not modelled")
			}
			return catalog.Null, r.errAt(cn.OriginTextPosition(), ErrUnsupported, "non-equi join", "only equality joins between two columns are modelled")
		}
		return catalog.Null, r.unsupported(e)
	}
	d, msg := typeLit(r.colDef(occ, col), l)
	if msg != "" {
		return catalog.Null, r.errAt(l.off, ErrType, "", "%s", msg)
	}
	return d, nil
}

// reescapeLike rewrites a LIKE pattern written with ESCAPE 'c' into the
// model's backslash-escaped form.
func reescapeLike(p string, esc byte) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == esc && i+1 < len(p):
			b.WriteByte('\\')
			b.WriteByte(p[i+1])
			i++
		case c == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unsupported names the construct of an expression outside the model.
func (r *resolver) unsupported(e ast.ExprNode) error {
	off := e.OriginTextPosition()
	construct, msg := "expression", "only comparisons of a column with literals are modelled"
	switch n := e.(type) {
	case *ast.FuncCallExpr:
		construct, msg = "function "+strings.ToUpper(n.FnName.O)+"()", "not a modelled function of a column or constant (see the features package documentation)"
	case *ast.AggregateFuncExpr:
		construct, msg = "aggregate "+strings.ToUpper(n.F)+"()", "aggregates are allowed only in the select list"
	case *ast.WindowFuncExpr:
		construct, msg = "window function "+strings.ToUpper(n.Name)+"()", "window functions are not modelled"
	case *ast.SubqueryExpr, *ast.ExistsSubqueryExpr, *ast.CompareSubqueryExpr:
		construct, msg = "subquery", "subqueries are modelled only as top-level conjuncts of WHERE: [NOT] EXISTS, [NOT] IN (SELECT ...), column op (SELECT AGG(...))"
	case *ast.BinaryOperationExpr:
		var b strings.Builder
		n.Op.Format(&b)
		construct, msg = "operator "+b.String(), "arithmetic and bit operations are not modelled"
		if n.Op == opcode.NullEQ {
			msg = "use IS NULL or ="
		}
	case *ast.UnaryOperationExpr:
		var b strings.Builder
		n.Op.Format(&b)
		construct, msg = "operator "+b.String(), "only NOT and the sign of a literal are modelled"
	case *ast.CaseExpr:
		construct, msg = "CASE", "conditional expressions are not modelled"
	case *ast.FuncCastExpr:
		construct, msg = "CAST", "conversions of columns are not modelled"
	case *ast.RowExpr:
		construct, msg = "row constructor", "compare columns one at a time"
	case *ast.PatternRegexpExpr:
		construct, msg = "REGEXP", "use LIKE"
	case *ast.IsTruthExpr:
		construct, msg = "IS TRUE/FALSE", "compare the column with a value"
	case *ast.VariableExpr:
		construct, msg = "variable", "use literals"
	case *test_driver.ParamMarkerExpr:
		construct, msg = "parameter marker ?", "use literals"
	case *test_driver.ValueExpr:
		construct, msg = "literal", "this kind of literal (bit/hex/binary) is not modelled"
	case *ast.MatchAgainst:
		construct, msg = "MATCH ... AGAINST", "full-text search is not modelled"
	case *ast.ColumnNameExpr:
		construct, msg = "column reference", "expected a literal"
	case *ast.DefaultExpr, *ast.ValuesExpr:
		construct = strings.TrimPrefix(fmt.Sprintf("%T", e), "*ast.")
	}
	return r.errAt(off, ErrUnsupported, construct, "%s", msg)
}
