package features

import (
	"errors"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// Parsing of the shapes of shapes.go / outer.go / subquery.go: LEFT and
// RIGHT joins, derived tables and CTEs that flatten, and subqueries in
// WHERE.

// shapeState is the resolver's bookkeeping for outer joins, derived tables
// and subqueries.
type shapeState struct {
	groups   []pendingGroup
	onOf     map[int]int // index into resolver.on -> group index (LEFT JOIN ONs)
	onScope  map[int]uint64
	edgeOrig []origin   // parallel to resolver.q.Joins (before normJoins)
	filtOrig [][]origin // parallel to resolver.conj
	pending  []pendingSub
	inOn     bool
	ctes     map[string]*ast.SelectStmt
	corr     []corrPending // a subquery's correlation predicates
	// Name scopes (scope.go): flattened derived tables, the scope of
	// each occurrence and of each ON, and the scope names resolve in.
	scopes   []dscope
	occScope []int    // parallel to resolver.q.Tables
	occName  []string // parallel to resolver.q.Tables: the name written
	occAt    []int    // parallel to resolver.q.Tables: a table's name's text offset (-1: a grouped derived table's, or unknown)
	onName   []int    // parallel to resolver.on
	cur      int
}

// origin says where a conjunct came from: the ON of group own (-1: WHERE
// or an inner join's ON), whose join covers scope.
type origin struct {
	scope uint64
	own   int
}

type pendingGroup struct {
	mask uint64
	on   []Join // equalities of its ON (or USING) crossing the group
	off  int    // position of LEFT/RIGHT
	kw   string
}

// pendingSub is a subquery conjunct waiting for the enclosing query's
// joins: its outer columns may move along inner equi-joins to one
// occurrence.
type pendingSub struct {
	sq    Subquery
	outer []ColRef // per Corr, the outer column (any occurrence)
	col   ColRef   // the compared column of a scalar subquery
	off   int
}

// errDerivedExpr marks a reference to a derived-table column that is an
// expression, not a column: GROUP BY / ORDER BY skip it. It is
// ErrUnsupported for errors.Is.
var errDerivedExpr error = derivedExprErr{}

type derivedExprErr struct{}

func (derivedExprErr) Error() string        { return ErrUnsupported.Error() }
func (derivedExprErr) Is(target error) bool { return target == ErrUnsupported }

func (r *resolver) scopeAll() uint64 { return ^uint64(0) }

// column resolves a column reference to (occurrence, column index): in
// the current scope of this query's FROM (derived-table columns
// included); a column of an enclosing query is an error unless it
// appears in a correlation predicate (see correlation). A flattened
// derived table sees no enclosing query.
func (r *resolver) column(cn *ast.ColumnNameExpr) (int, int, error) {
	occ, col, err := r.localOrDerived(cn)
	if err == nil || errors.Is(err, errDerivedExpr) || r.parent == nil || r.sh.cur != 0 {
		return occ, col, err
	}
	if errors.Is(err, ErrUnknownColumn) || errors.Is(err, ErrUnknownTable) {
		for p := r.parent; p != nil; p = p.parent {
			_, _, perr := p.column(cn)
			if perr == nil || errors.Is(perr, errDerivedExpr) { // a column, or a derived table's computed one
				return 0, 0, r.errAt(cn.OriginTextPosition(), ErrUnsupported, "outer reference "+cn.Name.String(),
					"a column of an enclosing query may appear in a subquery only in an equality (or one <>) with a column of the subquery, at the top level of its WHERE, of the directly enclosing query")
			}
			if errors.Is(err, ErrUnknownTable) && errors.Is(perr, ErrUnknownColumn) {
				err = perr // t.nope of an enclosing query's t: its column is unknown
			}
		}
	}
	return 0, 0, err
}

// withClause registers non-recursive CTEs; each reference in FROM is
// flattened like a derived table.
func (r *resolver) withClause(w *ast.WithClause) error {
	if w.IsRecursive {
		return r.errAt(r.loc.word(false, "RECURSIVE"), ErrUnsupported, "WITH RECURSIVE", "recursive common table expressions are not modelled")
	}
	var sels []*ast.SelectStmt
	for _, cte := range w.CTEs {
		sel, ok := cte.Query.Query.(*ast.SelectStmt)
		if !ok {
			return r.errAt(cte.Query.OriginTextPosition(), ErrUnsupported, "CTE "+cte.Name.O, "only a plain SELECT can be inlined")
		}
		if _, dup := r.sh.ctes[cte.Name.L]; dup {
			return r.errAt(cte.Query.OriginTextPosition(), ErrDuplicateAlias, "CTE "+cte.Name.O, "one WITH clause names two common table expressions alike")
		}
		r.cteColumns(cte, sel)
		if r.sh.ctes == nil {
			r.sh.ctes = map[string]*ast.SelectStmt{}
		}
		r.sh.ctes[cte.Name.L] = sel
		sels = append(sels, sel)
	}
	reg := r.reg()
	if reg.hide == nil {
		reg.hide = map[*ast.SelectStmt][]*ast.SelectStmt{}
	}
	for i, sel := range sels {
		reg.hide[sel] = sels[i:]
	}
	return nil
}

// cte returns the CTE named by tn, from this query or an enclosing one.
func (r *resolver) cte(tn *ast.TableName) *ast.SelectStmt {
	if tn.Schema.L != "" {
		return nil
	}
	for p := r; p != nil; p = p.parent {
		if s, ok := p.sh.ctes[tn.Name.L]; ok && !r.cteHidden(s) {
			return s
		}
	}
	return nil
}

// derivedTable flattens FROM (SELECT ...) AS alias into the enclosing
// query: its tables join the FROM, its WHERE joins the conditions and its
// select list names columns. Only a plain SELECT-FROM-WHERE flattens.
func (r *resolver) derivedTable(s *ast.SelectStmt, alias string, off int) error {
	if groupedSelect(s) {
		return r.groupedDerived(s, alias, alias, off, nil) // a derived relation (derived.go)
	}
	bad := ""
	switch {
	case s.With != nil:
		bad = "WITH"
	case s.Kind != ast.SelectStmtKindSelect:
		bad = strings.ToUpper(s.Kind.String())
	case s.From == nil || s.From.TableRefs == nil:
		bad = "no FROM"
	case s.GroupBy != nil:
		bad = "GROUP BY"
	case s.Having != nil:
		bad = "HAVING"
	case s.Distinct:
		bad = "DISTINCT"
	case s.Limit != nil:
		bad = "LIMIT"
	case len(s.WindowSpecs) > 0:
		bad = "WINDOW"
	}
	if bad == "" && s.Fields != nil {
		for _, f := range s.Fields.Fields {
			if f.Expr != nil && hasAggregate(f.Expr) {
				bad = "aggregates"
			}
		}
	}
	if bad != "" {
		return r.errAt(off, ErrUnsupported, "derived table with "+bad, "only a plain SELECT ... FROM ... WHERE flattens into the enclosing query")
	}
	if alias == "" {
		return r.errAt(off, ErrUnsupported, "derived table without alias", "name it")
	}
	if r.nameTaken(alias, true, -1) {
		return r.errAt(r.aliasAt(s, off, alias), ErrDuplicateAlias, alias, "give each derived table its own alias")
	}
	r.sh.scopes = append(r.sh.scopes, dscope{parent: r.sh.cur, alias: alias, hide: slices.Clone(r.reg().hidden)})
	k := len(r.sh.scopes)
	start := len(r.q.Tables)
	restore := r.inScope(k)
	if err := r.from(s.From.TableRefs); err != nil {
		return err
	}
	if s.Where != nil {
		if r.sh.onScope == nil {
			r.sh.onScope = map[int]uint64{}
		}
		r.sh.onScope[len(r.on)] = rangeMask(start, len(r.q.Tables))
		r.addOn(s.Where)
	}
	restore()
	d := r.dscope(k)
	d.lo, d.hi = start, len(r.q.Tables)
	return r.selectList(s, k)
}

// hasAggregate reports whether e has an aggregate outside subqueries.
func hasAggregate(e ast.ExprNode) bool {
	found := false
	e.Accept(inspector(func(n ast.Node) bool {
		switch n.(type) {
		case *ast.AggregateFuncExpr:
			found = true
			return false
		case *ast.SubqueryExpr:
			return false
		}
		return true
	}))
	return found
}

func rangeMask(lo, hi int) uint64 {
	var m uint64
	for i := lo; i < hi && i < MaxTables; i++ {
		m |= 1 << uint(i)
	}
	return m
}

// outerJoin resolves A LEFT JOIN B ON ... (and A RIGHT JOIN B, as B LEFT
// JOIN A): B's occurrences become a null-supplying group.
func (r *resolver) outerJoin(n *ast.Join, start int) error {
	left, right, kw := n.Left, n.Right, "LEFT"
	if n.Tp == ast.RightJoin {
		left, right, kw = right, left, "RIGHT"
	}
	off := r.loc.word(true, kw)
	back := -1
	if n.Tp == ast.RightJoin {
		// B, after RIGHT JOIN in the text, resolves first: its names
		// are searched from the keyword, A's from where A starts.
		back = r.loc.seekOff(off)
	}
	if err := r.from(left); err != nil {
		return err
	}
	mid := len(r.q.Tables)
	after := -1
	if back >= 0 {
		after = r.loc.pos()
		r.loc.seek(back)
	}
	if err := r.from(right); err != nil {
		return err
	}
	if after >= 0 {
		r.loc.seek(max(after, r.loc.pos()))
	}
	end := len(r.q.Tables)
	g := len(r.sh.groups)
	r.sh.groups = append(r.sh.groups, pendingGroup{mask: rangeMask(mid, end), off: off, kw: kw + " JOIN"})
	switch {
	case len(n.Using) > 0:
		nj := len(r.q.Joins)
		if n.Tp == ast.RightJoin {
			if err := r.usingJoin(n.Using, mid, end, end); err != nil {
				return err
			}
		}
		// USING's column pairs: the left operand's [start, mid) and the
		// group [mid, end).
		if err := r.usingJoin(n.Using, start, mid, end); err != nil {
			return err
		}
		for _, j := range r.q.Joins[nj:] {
			r.sh.groups[g].on = append(r.sh.groups[g].on, j)
		}
		for len(r.sh.edgeOrig) < len(r.q.Joins) {
			r.sh.edgeOrig = append(r.sh.edgeOrig, origin{scope: rangeMask(start, end), own: g})
		}
	case n.On != nil:
		if r.sh.onOf == nil {
			r.sh.onOf = map[int]int{}
		}
		r.sh.onOf[len(r.on)] = g
		r.addOn(n.On.Expr)
	default:
		return r.errAt(off, ErrUnsupported, kw+" JOIN without ON", "an outer join needs ON or USING equalities")
	}
	r.loc.skipJoinCond() // later names are after its condition
	return nil
}

// innerUsing is usingJoin for an inner join, recording the edges' origin.
func (r *resolver) innerUsing(cols []*ast.ColumnName, start, mid, end int) error {
	if err := r.usingJoin(cols, start, mid, end); err != nil {
		return err
	}
	for len(r.sh.edgeOrig) < len(r.q.Joins) {
		r.sh.edgeOrig = append(r.sh.edgeOrig, origin{scope: rangeMask(start, end), own: -1})
	}
	return nil
}

// conditions resolves the ON conditions and WHERE as conjuncts, recording
// where each came from (for outer-join simplification).
func (r *resolver) conditions(where ast.ExprNode) error {
	for len(r.sh.edgeOrig) < len(r.q.Joins) {
		r.sh.edgeOrig = append(r.sh.edgeOrig, origin{scope: r.scopeAll(), own: -1})
	}
	r.sh.filtOrig = make([][]origin, len(r.q.Tables))
	for i, on := range r.on {
		r.sh.cur = 0
		if i < len(r.sh.onName) {
			r.sh.cur = r.sh.onName[i]
		}
		o := origin{scope: r.scopeAll(), own: -1}
		if g, ok := r.sh.onOf[i]; ok {
			o.own = g
		}
		if s, ok := r.sh.onScope[i]; ok {
			o.scope = s
		}
		if err := r.conjuncts(on, o); err != nil {
			return err
		}
	}
	r.sh.cur = 0
	if where != nil {
		return r.conjuncts(where, origin{scope: r.scopeAll(), own: -1})
	}
	return nil
}

func (r *resolver) conjuncts(e ast.ExprNode, o origin) error {
	r.sh.inOn = o.own >= 0
	defer func() { r.sh.inOn = false }()
	for _, c := range chain(e, opcode.LogicAnd) {
		if err := r.conjunct(c); err != nil {
			return err
		}
		for len(r.sh.edgeOrig) < len(r.q.Joins) {
			r.sh.edgeOrig = append(r.sh.edgeOrig, o)
		}
		for i := range r.conj {
			for len(r.sh.filtOrig[i]) < len(r.conj[i]) {
				r.sh.filtOrig[i] = append(r.sh.filtOrig[i], o)
			}
		}
	}
	return nil
}

// finishOuter simplifies outer joins whose null-supplying side a WHERE (or
// inner-join ON) condition rejects NULL rows of, checks the rest and
// records them in Query.Outer. It runs before filters are assembled.
func (r *resolver) finishOuter() error {
	if len(r.sh.groups) == 0 {
		return nil
	}
	inner := make([]bool, len(r.sh.groups))
	rejects := func(o origin, touched uint64, nullRejecting bool) {
		for g, grp := range r.sh.groups {
			if o.own >= 0 || touched&grp.mask == 0 || o.scope&^grp.mask == 0 {
				continue // an outer join's ON, or inside the group
			}
			if nullRejecting {
				inner[g] = true
			}
		}
	}
	for k, j := range r.q.Joins {
		rejects(r.sh.edgeOrig[k], 1<<uint(j.Left)|1<<uint(j.Right), true)
	}
	for occ, xs := range r.conj {
		for k, x := range xs {
			rejects(r.sh.filtOrig[occ][k], 1<<uint(occ), nullRejecting(x))
		}
	}
	for _, p := range r.sh.pending {
		if p.sq.Kind == SubExists || p.sq.Kind == SubScalar {
			var m uint64
			for _, c := range p.outer {
				m |= 1 << uint(c.Table)
			}
			if p.sq.Kind == SubScalar {
				m |= 1 << uint(p.col.Table)
			}
			rejects(origin{scope: r.scopeAll(), own: -1}, m, true)
		}
	}
	// What stays outer must be well formed.
	for g, grp := range r.sh.groups {
		if inner[g] {
			continue
		}
		for occ, xs := range r.conj {
			for k, x := range xs {
				o := r.sh.filtOrig[occ][k]
				in := grp.mask&(1<<uint(occ)) != 0
				switch {
				case o.own == g && !in:
					return r.errAt(grp.off, ErrUnsupported, "ON condition on the preserved side of "+grp.kw,
						"%s's ON filters %s, which the outer join preserves; move the condition to WHERE", grp.kw, r.q.Tables[occ].Alias)
				case in && o.own < 0 && o.scope&^grp.mask != 0 && !nullRejecting(x):
					return r.errAt(grp.off, ErrUnsupported, "WHERE condition keeping NULL rows of "+grp.kw,
						"a condition on %s that is true for its NULL-extended rows (e.g. IS NULL) is not modelled; write NOT EXISTS for an anti-join", r.q.Tables[occ].Alias)
				}
			}
		}
		var attach [2]int
		n := 0
		for k, j := range r.q.Joins {
			if r.sh.edgeOrig[k].own != g {
				continue
			}
			a, b := j.Left, j.Right
			ain, bin := grp.mask&(1<<uint(a)) != 0, grp.mask&(1<<uint(b)) != 0
			switch {
			case ain && bin:
				continue
			case !ain && !bin:
				return r.errAt(grp.off, ErrUnsupported, grp.kw+" ON joining preserved tables",
					"%s.%s = %s.%s in the ON of %s joins two tables the outer join preserves", r.q.Tables[a].Alias, r.colName(a, j.LeftCol), r.q.Tables[b].Alias, r.colName(b, j.RightCol), grp.kw)
			case ain:
				a, b = b, a
			}
			if n > 0 && (attach[0] != a || attach[1] != b) {
				return r.errAt(grp.off, ErrUnsupported, grp.kw+" ON joining several tables",
					"the ON equalities of %s must all link one preserved table with one table of the joined side (%s-%s and %s-%s)",
					grp.kw, r.q.Tables[attach[0]].Alias, r.q.Tables[attach[1]].Alias, r.q.Tables[a].Alias, r.q.Tables[b].Alias)
			}
			attach, n = [2]int{a, b}, n+1
		}
		if n == 0 {
			return r.errAt(grp.off, ErrUnsupported, grp.kw+" without an equality", "the ON of an outer join needs an equality between a preserved column and a column of the joined side")
		}
		r.q.Outer = append(r.q.Outer, OuterJoin{Inner: grp.mask, Attach: attach})
	}
	return nil
}

// nullRejecting reports whether a filter is not TRUE on a row of NULLs.
func nullRejecting(x *Expr) bool {
	return x.Eval(func(int) catalog.Datum { return catalog.Null }) != True
}

// normalizeOuter renumbers occurrences so that the preserved core comes
// first, then each group (its own occurrences, then its nested groups),
// the order in which SQL renders and Parse reads them back.
func (r *resolver) normalizeOuter() error {
	q := r.q
	if len(q.Outer) == 0 {
		return nil
	}
	slices.SortFunc(q.Outer, func(a, b OuterJoin) int {
		return bits.TrailingZeros64(a.Inner) - bits.TrailingZeros64(b.Inner)
	})
	var order []int
	var emit func(mask uint64, depth int)
	emit = func(mask uint64, depth int) {
		for i := range q.Tables {
			if mask&(1<<uint(i)) != 0 && q.outerDepth(i) == depth {
				order = append(order, i)
			}
		}
		for _, o := range q.Outer {
			if o.Inner&^mask == 0 && o.Inner != mask && q.outerDepthOfGroup(o) == depth {
				emit(o.Inner, depth+1)
			}
		}
	}
	emit(q.FullMask(), 0)
	if len(order) != len(q.Tables) {
		return r.errAt(-1, ErrUnsupported, "outer join nesting", "outer-join groups that overlap without nesting are not modelled")
	}
	q.permute(order)
	r.permuteScopes(order)
	return nil
}

// outerDepthOfGroup returns how many other groups contain o.
func (q *Query) outerDepthOfGroup(o OuterJoin) int {
	n := 0
	for _, p := range q.Outer {
		if p.Inner != o.Inner && o.Inner&^p.Inner == 0 {
			n++
		}
	}
	return n
}

// permute reorders the occurrences: the new occurrence i is the old
// order[i].
func (q *Query) permute(order []int) {
	idx := make([]int, len(order))
	same := true
	for n, old := range order {
		idx[old] = n
		same = same && n == old
	}
	if same {
		return
	}
	tables := make([]TableRef, len(order))
	for n, old := range order {
		tables[n] = q.Tables[old]
	}
	q.Tables = tables
	for k, j := range q.Joins {
		q.Joins[k] = Join{Left: idx[j.Left], Right: idx[j.Right], LeftCol: j.LeftCol, RightCol: j.RightCol}
		if q.Joins[k].Left > q.Joins[k].Right {
			j := q.Joins[k]
			q.Joins[k] = Join{Left: j.Right, Right: j.Left, LeftCol: j.RightCol, RightCol: j.LeftCol}
		}
	}
	q.Joins = normJoins(q.Joins)
	remap := func(cs []ColRef) {
		for k := range cs {
			cs[k].Table = idx[cs[k].Table]
		}
	}
	remap(q.GroupBy)
	remap(q.OrderBy)
	remap(q.Reads)
	slices.SortFunc(q.Reads, func(a, b ColRef) int {
		if a.Table != b.Table {
			return a.Table - b.Table
		}
		return a.Col - b.Col
	})
	for k := range q.Subqueries {
		q.Subqueries[k].Table = idx[q.Subqueries[k].Table]
	}
	for k, o := range q.Outer {
		var m uint64
		for b := o.Inner; b != 0; b &= b - 1 {
			m |= 1 << uint(idx[bits.TrailingZeros64(b)])
		}
		q.Outer[k] = OuterJoin{Inner: m, Attach: [2]int{idx[o.Attach[0]], idx[o.Attach[1]]}}
	}
	slices.SortFunc(q.Outer, func(a, b OuterJoin) int {
		return bits.TrailingZeros64(a.Inner) - bits.TrailingZeros64(b.Inner)
	})
}

// subqueryConjunct handles a top-level conjunct that is a subquery
// predicate (ok true), or a correlation predicate of a subquery.
func (r *resolver) subqueryConjunct(e ast.ExprNode) (bool, error) {
	if r.parent != nil {
		if ok, err := r.correlation(e); ok || err != nil {
			return true, err
		}
	}
	var sq *ast.SubqueryExpr
	var kind SubKind
	var inExpr ast.ExprNode
	var cmpCol ast.ExprNode
	var op Op
	switch n := e.(type) {
	case *ast.ExistsSubqueryExpr:
		sq, _ = n.Sel.(*ast.SubqueryExpr)
		kind = SubExists
		if n.Not {
			kind = SubNotExists
		}
	case *ast.UnaryOperationExpr:
		if n.Op != opcode.Not && n.Op != opcode.Not2 {
			return false, nil
		}
		switch v := stripParens(n.V).(type) {
		case *ast.ExistsSubqueryExpr:
			sq, _ = v.Sel.(*ast.SubqueryExpr)
			kind = SubNotExists
			if v.Not {
				kind = SubExists
			}
		case *ast.PatternInExpr:
			if v.Sel == nil {
				return false, nil
			}
			sq, _ = v.Sel.(*ast.SubqueryExpr)
			kind, inExpr = SubNotIn, v.Expr
			if v.Not {
				kind = SubExists
			}
		default:
			return false, nil
		}
	case *ast.PatternInExpr:
		if n.Sel == nil {
			return false, nil
		}
		sq, _ = n.Sel.(*ast.SubqueryExpr)
		kind, inExpr = SubExists, n.Expr
		if n.Not {
			kind = SubNotIn
		}
	case *ast.CompareSubqueryExpr:
		return true, r.errAt(n.OriginTextPosition(), ErrUnsupported, "ANY/ALL subquery", "comparisons with ANY, SOME or ALL of a subquery are not modelled; write EXISTS")
	case *ast.BinaryOperationExpr:
		switch n.Op {
		case opcode.EQ, opcode.NE, opcode.LT, opcode.LE, opcode.GT, opcode.GE:
		default:
			return false, nil
		}
		if s, ok := stripParens(n.R).(*ast.SubqueryExpr); ok {
			sq, cmpCol, op = s, n.L, compareOp(n.Op, false)
		} else if s, ok := stripParens(n.L).(*ast.SubqueryExpr); ok {
			sq, cmpCol, op = s, n.R, compareOp(n.Op, true)
		} else {
			return false, nil
		}
		kind = SubScalar
	default:
		return false, nil
	}
	off := e.OriginTextPosition()
	if sq == nil {
		return true, r.errAt(off, ErrUnsupported, "subquery", "this subquery form is not modelled")
	}
	if r.sh.inOn {
		return true, r.errAt(off, ErrUnsupported, "subquery in ON", "move the subquery condition to WHERE")
	}
	return true, r.subquery(sq, kind, inExpr, cmpCol, op, off)
}

// subquery resolves one subquery predicate into a pending Subquery.
func (r *resolver) subquery(sq *ast.SubqueryExpr, kind SubKind, inExpr, cmpCol ast.ExprNode, op Op, off int) error {
	sel, ok := sq.Query.(*ast.SelectStmt)
	if !ok {
		if err := r.checkSubquery(sq); err != nil {
			return err // a name the server refuses first
		}
		return r.errAt(sq.OriginTextPosition(), ErrUnsupported, "UNION in subquery", "set operations are not modelled")
	}
	if err := r.checkDepth(sq); err != nil {
		return err
	}
	c := &resolver{schema: r.schema, src: r.src, loc: newLocatorAt(r.src, sq.OriginTextPosition()), q: &Query{Schema: r.schema}, parent: r, opts: r.opts}
	if err := c.statement(sel); err != nil {
		return err
	}
	p := pendingSub{sq: Subquery{Kind: kind, Query: c.q, Scale: 1, AggCol: ColRef{Table: -1, Col: -1}}, off: off}
	fields := sel.Fields
	single := func(what string) (ast.ExprNode, error) {
		if fields == nil || len(fields.Fields) != 1 || fields.Fields[0].WildCard != nil {
			return nil, r.errAt(sq.OriginTextPosition(), ErrUnsupported, what+" subquery", "the subquery must select exactly one expression")
		}
		return fields.Fields[0].Expr, nil
	}
	switch kind {
	case SubScalar:
		f, err := single("scalar")
		if err != nil {
			return err
		}
		if err := c.scalarField(f, &p.sq); err != nil {
			return err
		}
		cn, ok := stripParens(cmpCol).(*ast.ColumnNameExpr)
		if !ok {
			if _, isLit := literal(cmpCol); isLit {
				return r.errAt(off, ErrUnsupported, "constant condition", "a scalar subquery must be compared with a column")
			}
			return r.unsupported(stripParens(cmpCol))
		}
		occ, col, err := r.column(cn)
		if err != nil {
			return err
		}
		if r.colDef(occ, col).Type == catalog.TypeString {
			return r.errAt(off, ErrUnsupported, "scalar subquery on a string column", "only numeric and date columns are compared with scalar subqueries")
		}
		p.col, p.sq.Op = ColRef{Table: occ, Col: col}, op
	default:
		if inExpr != nil {
			f, err := single("IN")
			if err != nil {
				return err
			}
			icn, ok := stripParens(f).(*ast.ColumnNameExpr)
			if !ok {
				return c.unsupported(stripParens(f))
			}
			iocc, icol, err := c.column(icn)
			if err != nil {
				return err
			}
			ocn, ok := stripParens(inExpr).(*ast.ColumnNameExpr)
			if !ok {
				return r.unsupported(stripParens(inExpr))
			}
			occ, col, err := r.column(ocn)
			if err != nil {
				return err
			}
			if (r.colDef(occ, col).Type == catalog.TypeString) != (c.colDef(iocc, icol).Type == catalog.TypeString) {
				return r.errAt(off, ErrType, "IN subquery", "%s.%s and %s.%s are not both strings or both numbers", r.q.Tables[occ].Alias, r.colName(occ, col), c.q.Tables[iocc].Alias, c.colName(iocc, icol))
			}
			p.sq.In = true
			p.sq.Corr = append(p.sq.Corr, Correlation{Inner: ColRef{Table: iocc, Col: icol}})
			p.outer = append(p.outer, ColRef{Table: occ, Col: col})
		}
	}
	for _, cr := range c.sh.corr {
		p.sq.Corr = append(p.sq.Corr, cr.c)
		p.outer = append(p.outer, cr.outer)
	}
	ne := 0
	for _, cr := range p.sq.Corr {
		if cr.NotEqual {
			ne++
		}
	}
	if ne > 1 || (ne == 1 && kind != SubExists && kind != SubNotExists) {
		return r.errAt(off, ErrUnsupported, "<> correlation", "one <> correlation is modelled, in EXISTS or NOT EXISTS only")
	}
	if err := c.gatherInner(&p.sq, off); err != nil {
		return err
	}
	// Clear what the counted subquery does not use.
	c.q.Reads, c.q.OrderBy, c.q.OrderDesc, c.q.Limit, c.q.Offset = nil, nil, nil, 0, 0
	r.renameShadowed(c.q)
	r.sh.pending = append(r.sh.pending, p)
	return nil
}

// maxSubqueryDepth bounds the nesting of subqueries (TPC-H needs 3).
const maxSubqueryDepth = 8

// checkDepth refuses a subquery of r nested deeper than maxSubqueryDepth.
func (r *resolver) checkDepth(sq *ast.SubqueryExpr) error {
	depth := 0
	for p := r; p != nil; p = p.parent {
		depth++
	}
	if depth > maxSubqueryDepth {
		return r.errAt(sq.OriginTextPosition(), ErrTooComplex, "subquery", "nested deeper than %d", maxSubqueryDepth)
	}
	return nil
}

// renameShadowed renames the subquery's aliases that repeat an alias of an
// enclosing query (alias_2, ...), so rendered SQL resolves correlation
// columns to the right scope.
func (r *resolver) renameShadowed(sub *Query) {
	taken := func(a string) bool {
		for p := r; p != nil; p = p.parent {
			for _, t := range p.q.Tables {
				if strings.EqualFold(t.Alias, a) {
					return true
				}
			}
		}
		for _, t := range sub.Tables {
			if strings.EqualFold(t.Alias, a) {
				return true
			}
		}
		return false
	}
	for i, t := range sub.Tables {
		clash := false
		for p := r; p != nil && !clash; p = p.parent {
			for _, u := range p.q.Tables {
				if strings.EqualFold(t.Alias, u.Alias) {
					clash = true
					break
				}
			}
		}
		if !clash {
			continue
		}
		for k := 2; ; k++ {
			a := t.Alias + "_" + strconv.Itoa(k)
			if !taken(a) {
				sub.Tables[i].Alias = a
				break
			}
		}
	}
}

// corrPending is a correlation predicate found in a subquery's WHERE.
type corrPending struct {
	c     Correlation
	outer ColRef // in the parent's occurrences
}

// correlation recognises inner = outer (or <>) in a subquery's WHERE.
func (r *resolver) correlation(e ast.ExprNode) (bool, error) {
	if r.sh.cur != 0 {
		return false, nil // a derived table sees no enclosing query
	}
	b, ok := e.(*ast.BinaryOperationExpr)
	if !ok || (b.Op != opcode.EQ && b.Op != opcode.NE) {
		return false, nil
	}
	lc, lok := stripParens(b.L).(*ast.ColumnNameExpr)
	rc, rok := stripParens(b.R).(*ast.ColumnNameExpr)
	if !lok || !rok {
		return false, nil
	}
	li, lcol, lerr := r.localOrDerived(lc)
	ri, rcol, rerr := r.localOrDerived(rc)
	if lerr == nil && rerr == nil {
		return false, nil
	}
	if lerr != nil && rerr != nil {
		return false, nil // both outer, or unknown: the usual errors
	}
	in, incol, outer := li, lcol, rc
	if lerr != nil {
		in, incol, outer = ri, rcol, lc
	}
	oocc, ocol, err := r.parent.column(outer)
	if err != nil {
		return false, nil
	}
	it := r.colDef(in, incol).Type
	ot := r.parent.colDef(oocc, ocol).Type
	if (it == catalog.TypeString) != (ot == catalog.TypeString) {
		return true, r.errAt(e.OriginTextPosition(), ErrType, "correlation", "a string column is compared with a number")
	}
	r.sh.corr = append(r.sh.corr, corrPending{
		c:     Correlation{Inner: ColRef{Table: in, Col: incol}, NotEqual: b.Op == opcode.NE},
		outer: ColRef{Table: oocc, Col: ocol},
	})
	return true, nil
}

// localOrDerived resolves a column reference in the current scope of
// this query only; a derived table's computed column is errDerivedExpr.
func (r *resolver) localOrDerived(cn *ast.ColumnNameExpr) (int, int, error) {
	b, err := r.lookup(cn, r.sh.cur)
	switch {
	case err != nil:
		return 0, 0, err
	case b.expr != nil:
		return 0, 0, r.errAt(cn.OriginTextPosition(), errDerivedExpr, "derived column "+cn.Name.Name.O,
			"the derived table computes it; only its plain columns can be filtered")
	}
	return b.occ, b.col, nil
}

// scalarField parses [const *] AGG(col) [* const] of a scalar subquery.
func (r *resolver) scalarField(e ast.ExprNode, sq *Subquery) error {
	e = stripParens(e)
	if b, ok := e.(*ast.BinaryOperationExpr); ok && b.Op == opcode.Mul {
		l, lok := literal(b.L)
		x := b.R
		if !lok {
			l, lok = literal(b.R)
			x = b.L
		}
		if lok {
			f, ok := numericLit(l)
			if !ok {
				return r.errAt(b.OriginTextPosition(), ErrUnsupported, "scalar subquery", "the multiplier must be a number")
			}
			if err := r.scalarField(x, sq); err != nil {
				return err
			}
			sq.Scale *= f
			return nil
		}
	}
	a, ok := e.(*ast.AggregateFuncExpr)
	if !ok {
		return r.errAt(e.OriginTextPosition(), ErrUnsupported, "scalar subquery", "the subquery must select AGG(column), optionally times a number (COUNT, SUM, AVG, MIN, MAX)")
	}
	if a.Distinct {
		return r.errAt(e.OriginTextPosition(), ErrUnsupported, "aggregate "+strings.ToUpper(a.F)+"(DISTINCT)", "DISTINCT aggregates of scalar subqueries are not modelled")
	}
	switch strings.ToLower(a.F) {
	case ast.AggFuncCount:
		sq.Agg = AggCount
	case ast.AggFuncSum:
		sq.Agg = AggSum
	case ast.AggFuncAvg:
		sq.Agg = AggAvg
	case ast.AggFuncMin:
		sq.Agg = AggMin
	case ast.AggFuncMax:
		sq.Agg = AggMax
	default:
		return r.errAt(e.OriginTextPosition(), ErrUnsupported, "aggregate "+strings.ToUpper(a.F)+"()", "scalar subqueries may use COUNT, SUM, AVG, MIN or MAX")
	}
	if len(a.Args) != 1 {
		return r.errAt(e.OriginTextPosition(), ErrUnsupported, "aggregate "+strings.ToUpper(a.F)+"()", "one argument")
	}
	cn, ok := stripParens(a.Args[0]).(*ast.ColumnNameExpr)
	if !ok {
		if _, isLit := literal(a.Args[0]); isLit && sq.Agg == AggCount {
			return nil // COUNT(*)
		}
		return r.unsupported(stripParens(a.Args[0]))
	}
	occ, col, err := r.column(cn)
	if err != nil {
		return err
	}
	if r.colDef(occ, col).Type == catalog.TypeString && sq.Agg != AggCount {
		return r.errAt(e.OriginTextPosition(), ErrUnsupported, "aggregate of a string column", "scalar subqueries aggregate numeric or date columns")
	}
	sq.AggCol = ColRef{Table: occ, Col: col}
	return nil
}

// litFloat returns a numeric literal's value.
func numericLit(l lit) (float64, bool) {
	switch l.kind {
	case litInt:
		return float64(l.i), true
	case litUint:
		return float64(l.u), true
	case litFloat:
		return l.f, true
	case litDecimal:
		f, err := strconv.ParseFloat(l.s, 64)
		return f, err == nil
	}
	return 0, false
}

// finishSubqueries attaches each pending subquery to one occurrence: the
// compared column's (scalar) or the first outer column's, after moving
// every outer column there along inner equi-joins.
func (r *resolver) finishSubqueries() error {
	if len(r.sh.pending) == 0 {
		return nil
	}
	eq := r.equivalences()
	for _, p := range r.sh.pending {
		var cands []int
		if p.sq.Kind == SubScalar {
			cands = append(cands, p.col.Table)
		}
		for _, c := range p.outer {
			cands = append(cands, c.Table)
		}
		if len(cands) == 0 {
			cands = append(cands, 0) // uncorrelated EXISTS: all rows or none
		}
		target, cols := -1, []int(nil)
	cand:
		for _, t := range cands {
			cols = cols[:0]
			for _, c := range p.outer {
				m, ok := eq.onOccurrence(c, t)
				if !ok {
					continue cand
				}
				cols = append(cols, m)
			}
			target = t
			break
		}
		if target < 0 {
			return r.errAt(p.off, ErrUnsupported, "correlated subquery over several tables",
				"the correlation columns must belong to one table of the enclosing query (directly or through its equi-joins)")
		}
		if r.q.Nullable(target) {
			return r.errAt(p.off, ErrUnsupported, "subquery on the null-supplying side of an outer join", "filter %s inside the joined side instead", r.q.Tables[target].Alias)
		}
		sq := p.sq
		sq.Table = target
		for k := range sq.Corr {
			sq.Corr[k].Outer = cols[k]
		}
		if sq.Kind == SubScalar {
			sq.Col = p.col.Col
		}
		r.q.Subqueries = append(r.q.Subqueries, sq)
	}
	return nil
}

// colEquiv is the equivalence of columns under inner equi-joins.
type colEquiv struct {
	parent map[ColRef]ColRef
	q      *Query
}

func (r *resolver) equivalences() *colEquiv {
	e := &colEquiv{parent: map[ColRef]ColRef{}, q: r.q}
	for _, j := range r.q.Joins {
		if r.q.Nullable(j.Left) || r.q.Nullable(j.Right) {
			continue
		}
		a, b := e.find(ColRef{Table: j.Left, Col: j.LeftCol}), e.find(ColRef{Table: j.Right, Col: j.RightCol})
		if a != b {
			e.parent[a] = b
		}
	}
	return e
}

func (e *colEquiv) find(c ColRef) ColRef {
	for {
		p, ok := e.parent[c]
		if !ok || p == c {
			return c
		}
		c = p
	}
}

// onOccurrence returns a column of occurrence t equivalent to c.
func (e *colEquiv) onOccurrence(c ColRef, t int) (int, bool) {
	if c.Table == t {
		return c.Col, true
	}
	root := e.find(c)
	best := -1
	for k := range e.parent {
		if k.Table == t && e.find(k) == root && (best < 0 || k.Col < best) {
			best = k.Col
		}
	}
	if best < 0 {
		if root.Table == t && e.find(root) == root {
			return root.Col, true
		}
		return 0, false
	}
	return best, true
}

// newLocatorAt returns a locator whose scan starts at byte offset off (a
// subquery's text).
func newLocatorAt(src string, off int) *locator {
	l := newLocator(src)
	l.sync()
	for l.cursor < len(l.toks) && l.toks[l.cursor].off < off {
		l.cursor++
	}
	return l
}

// gatherInner moves the subquery's correlated and aggregated columns along
// its own inner equi-joins onto one occurrence (the engine decorrelates by
// grouping that occurrence's rows), or fails.
func (r *resolver) gatherInner(sq *Subquery, off int) error {
	var refs []*ColRef
	for k := range sq.Corr {
		refs = append(refs, &sq.Corr[k].Inner)
	}
	if sq.AggCol.Table >= 0 {
		refs = append(refs, &sq.AggCol)
	}
	if len(refs) == 0 {
		return nil
	}
	eq := r.equivalences()
	for _, cand := range refs {
		t := cand.Table
		cols := make([]int, 0, len(refs))
		for _, c := range refs {
			m, ok := eq.onOccurrence(*c, t)
			if !ok {
				break
			}
			cols = append(cols, m)
		}
		if len(cols) == len(refs) {
			for k, c := range refs {
				*c = ColRef{Table: t, Col: cols[k]}
			}
			return nil
		}
	}
	return r.parent.errAt(off, ErrUnsupported, "subquery columns on several tables",
		"the subquery's correlated, IN and aggregated columns must belong to one of its tables (directly or through its equi-joins)")
}
