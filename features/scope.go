package features

import (
	"errors"
	"maps"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// Name scopes of flattened derived tables and CTEs.
//
// A derived table (or CTE reference) that flattens puts its tables into
// the enclosing query's Tables, but not its names: as on the server, the
// enclosing query sees it only through its alias and the columns its
// select list names, and the derived table's own ON, WHERE and select list
// see only its own tables (no LATERAL, not even in a subquery).
//
//	SELECT ... FROM (SELECT origin FROM flights f WHERE ...) d JOIN airports f ON d.origin = f.code
//
//	scope 0 (the query)        occurrences: airports AS f        derived: d ──► scope 1
//	scope 1 (d)                occurrences: flights AS f         select list: origin
//
//	Query.Tables: flights AS f_2 (scope 1), airports AS f (scope 0)
//
// Each occurrence belongs to the scope whose FROM names it (occScope), under
// the name written there (occName); a name resolves in one scope: its own
// occurrences, and the derived tables whose alias it sees (d.col or an
// unqualified col they select, through their select lists, recursively).
// An alias an occurrence of another scope shares is renamed alias_2, ... in
// Query.Tables at the end (uniqueAliases), so the flattened query renders
// and parses back; the scope-0 occurrences keep theirs.

// dscope is the name scope of one flattened derived table or CTE
// reference (scope number k is r.sh.scopes[k-1]; 0 is the query's FROM).
type dscope struct {
	parent int    // the scope its alias belongs to
	alias  string // as written
	// cols are the select list's named columns (lower-case name ->
	// expression); stars its * (an empty qualifier) and t.* items.
	cols   map[string]ast.ExprNode
	names  []string // cols' names, in select-list order
	stars  []ast.CIStr
	lo, hi int // its occurrences (nested scopes' included) while FROM is read
	// hide are the CTE queries its body does not see (derivedReg.hide),
	// for its WHERE's subqueries, resolved after its FROM.
	hide []*ast.SelectStmt
}

// binding is what a column reference names: a column of an occurrence, or
// a derived table's computed column (expr, resolved in scope).
type binding struct {
	occ, col int
	expr     ast.ExprNode
	scope    int
}

func (r *resolver) dscope(k int) *dscope { return &r.sh.scopes[k-1] }

// cteHidden reports whether the CTE query s is out of sight where r
// resolves names now: within its own body or an earlier CTE's of its WITH
// (derivedReg.hide), also in a subquery of that body's WHERE.
func (r *resolver) cteHidden(s *ast.SelectStmt) bool {
	if slices.Contains(r.reg().hidden, s) {
		return true
	}
	for p := r; p != nil; p = p.parent {
		for k := p.sh.cur; k > 0; k = p.dscope(k).parent {
			if slices.Contains(p.dscope(k).hide, s) {
				return true
			}
		}
	}
	return false
}

// addOccurrence appends an occurrence to the FROM of the current scope,
// its name at text offset at (-1: none, or unknown).
func (r *resolver) addOccurrence(t TableRef, at int) {
	r.q.Tables = append(r.q.Tables, t)
	r.sh.occScope = append(r.sh.occScope, r.sh.cur)
	r.sh.occName = append(r.sh.occName, t.Alias)
	r.sh.occAt = append(r.sh.occAt, at)
}

// addOn queues an ON (or a flattened derived table's WHERE) resolved later
// in the current scope.
func (r *resolver) addOn(e ast.ExprNode) {
	for len(r.sh.onName) < len(r.on) {
		r.sh.onName = append(r.sh.onName, 0)
	}
	r.on = append(r.on, e)
	r.sh.onName = append(r.sh.onName, r.sh.cur)
}

// inScope makes k the current scope and returns the function restoring
// the previous one.
func (r *resolver) inScope(k int) func() {
	prev := r.sh.cur
	r.sh.cur = k
	return func() { r.sh.cur = prev }
}

// occOf returns the occurrence of scope s named name, or -1.
func (r *resolver) occOf(s int, name string) int {
	for i := range r.q.Tables {
		if r.sh.occScope[i] == s && strings.EqualFold(r.sh.occName[i], name) {
			return i
		}
	}
	return -1
}

// childScope returns the derived table of scope s named name, or 0.
func (r *resolver) childScope(s int, name string) int {
	for k := 1; k <= len(r.sh.scopes); k++ {
		if d := r.dscope(k); d.parent == s && strings.EqualFold(d.alias, name) {
			return k
		}
	}
	return 0
}

// nameTaken reports whether the current scope already has a table or
// derived table named alias that one of kind derived (or not, a table
// whose name is at text offset at) may not share its name with. MariaDB
// (10.11) lets a table and a derived table, flattened or grouped, share
// one (SELECT * FROM (SELECT id FROM title) d, title d is accepted; d.id
// is then ambiguous, d.title the table's), but not two tables, nor two
// derived tables; nor a table and a derived table when the table comes
// after a WITH clause in the text (withStart: WITH m AS (SELECT 1)
// SELECT * FROM (SELECT id FROM title) d, title d is "Not unique
// table/alias", while a WITH after title d, in WHERE or a later derived
// table, leaves it accepted).
func (r *resolver) nameTaken(alias string, derived bool, at int) bool {
	if r.childScope(r.sh.cur, alias) > 0 && (derived || r.afterWith(at)) {
		return true
	}
	nBase := r.nBase()
	for i := range r.q.Tables {
		if r.sh.occScope[i] != r.sh.cur || !strings.EqualFold(r.sh.occName[i], alias) {
			continue
		}
		// A grouped derived table is an occurrence of a virtual table.
		virtual := r.q.Tables[i].Table >= nBase
		switch {
		case virtual == derived: // two tables, or two derived tables
			return true
		case derived && r.afterWith(r.sh.occAt[i]): // the table i after a WITH
			return true
		case !derived && r.afterWith(at): // this table after a WITH
			return true
		}
	}
	return false
}

// afterWith reports whether a table whose name is at text offset at (-1:
// unknown) comes after the statement's first WITH clause (nameTaken).
func (r *resolver) afterWith(at int) bool {
	dr := r.root().dr
	return dr != nil && dr.withAt > 0 && (at < 0 || at > dr.withAt)
}

// root returns the statement's outermost resolver (a grouped derived
// table's body has its own, sharing the registry's fields).
func (r *resolver) root() *resolver {
	for r.parent != nil {
		r = r.parent
	}
	return r
}

// nBase returns the number of base tables: occurrences of tables past
// them are grouped derived tables'.
func (r *resolver) nBase() int {
	if dr := r.root().dr; dr != nil {
		return len(dr.base.Tables)
	}
	return len(r.schema.Tables) // no derived relation: the base schema
}

// withStart returns where the first WITH clause of a statement (at any
// depth) begins in its text, as the offset of its first CTE's body (no
// table can stand between the two), or 0 when it has none (see
// nameTaken).
func withStart(n ast.Node) int {
	first := 0
	n.Accept(inspector(func(n ast.Node) bool {
		if wc, ok := n.(*ast.WithClause); ok {
			for _, cte := range wc.CTEs {
				at := 1 // no offset: before everything
				if cte.Query != nil {
					at = max(cte.Query.OriginTextPosition(), 1)
				}
				if first == 0 || at < first {
					first = at
				}
			}
		}
		return true
	}))
	return first
}

// under returns the scope of s's FROM that occurrence scope o lies in (o
// itself, or the derived table of s containing it), or -1.
func (r *resolver) under(s, o int) int {
	for o != s {
		if o == 0 {
			return -1
		}
		p := r.dscope(o).parent
		if p == s {
			return o
		}
		o = p
	}
	return s
}

// subtree returns the occurrences of scope k and of the derived tables in it.
func (r *resolver) subtree(k int) uint64 {
	var m uint64
	for i, o := range r.sh.occScope {
		if r.under(k, o) >= 0 && i < MaxTables {
			m |= 1 << uint(i)
		}
	}
	return m
}

// lookup resolves a column reference in scope s (no enclosing query).
// A qualifier may name a table and a derived table of the scope at once
// (nameTaken): a column only one of them has is its; one both have is
// ambiguous.
func (r *resolver) lookup(cn *ast.ColumnNameExpr, s int) (binding, error) {
	name := cn.Name
	off := cn.OriginTextPosition()
	if name.Table.L == "" {
		return r.unqualified(cn, s, 0, len(r.q.Tables))
	}
	var found []binding
	var err error
	named := false
	for i, t := range r.q.Tables {
		if r.sh.occScope[i] != s || !strings.EqualFold(r.sh.occName[i], name.Table.O) {
			continue
		}
		named = true
		if c := t.colIndex(r.schema, name.Name.O); c >= 0 {
			found = append(found, binding{occ: i, col: c})
		} else if err == nil {
			err = r.errAt(off, ErrUnknownColumn, name.Table.O+"."+name.Name.O, "table %s has no such column", r.schema.Tables[t.Table].Name)
		}
	}
	if k := r.childScope(s, name.Table.O); k > 0 {
		b, derr := r.derivedLookup(cn, k)
		switch {
		case derr == nil:
			found = append(found, b)
		case !named:
			return b, derr
		}
		named = true
	}
	switch {
	case len(found) > 1:
		return binding{}, r.errAt(off, ErrAmbiguousColumn, name.Table.O+"."+name.Name.O, "a table and a derived table named %s both have it", name.Table.O)
	case len(found) == 1:
		return found[0], nil
	case named:
		return binding{}, err
	}
	return binding{}, r.errAt(off, ErrUnknownTable, name.Table.O, "no table or alias of that name in FROM")
}

// derivedLookup resolves the column cn names (its qualifier, if any, is
// the derived table's alias) among the columns derived table k selects.
func (r *resolver) derivedLookup(cn *ast.ColumnNameExpr, k int) (binding, error) {
	d := r.dscope(k)
	name := cn.Name.Name
	if e, ok := d.cols[name.L]; ok {
		if c, plain := stripParens(e).(*ast.ColumnNameExpr); plain {
			return r.lookup(c, k)
		}
		return binding{occ: -1, expr: e, scope: k}, nil
	}
	for _, q := range d.stars {
		x := &ast.ColumnNameExpr{Name: &ast.ColumnName{Table: q, Name: name}}
		x.SetOriginTextPosition(cn.OriginTextPosition())
		b, err := r.lookup(x, k)
		if err == nil || errors.Is(err, ErrAmbiguousColumn) {
			return b, err
		}
	}
	return binding{}, r.errAt(cn.OriginTextPosition(), ErrUnknownColumn, d.alias+"."+name.O, "the derived table selects no such column")
}

// unqualified resolves an unqualified column in scope s among the
// occurrences in [lo, hi) and the derived tables within it: exactly one
// must have it, or several coalesced by JOIN ... USING.
func (r *resolver) unqualified(cn *ast.ColumnNameExpr, s, lo, hi int) (binding, error) {
	name := cn.Name.Name.O
	off := cn.OriginTextPosition()
	var found []binding
	var where []string
	for i := lo; i < hi; i++ {
		if r.sh.occScope[i] != s {
			continue
		}
		if c := r.q.Tables[i].colIndex(r.schema, name); c >= 0 {
			found = append(found, binding{occ: i, col: c})
			where = append(where, r.sh.occName[i])
		}
	}
	for k := 1; k <= len(r.sh.scopes); k++ {
		d := r.dscope(k)
		if d.parent != s || d.lo < lo || d.hi > hi {
			continue
		}
		b, err := r.derivedLookup(cn, k)
		if errors.Is(err, ErrUnknownColumn) {
			continue
		}
		if err != nil {
			return binding{}, err
		}
		found = append(found, b)
		where = append(where, d.alias)
	}
	switch len(found) {
	case 0:
		return binding{}, r.errAt(off, ErrUnknownColumn, name, "no table in FROM has it")
	case 1:
		return found[0], nil
	}
	// Several: one column coalesced by USING is one.
	var m uint64
	for _, b := range found {
		if b.expr != nil {
			m = 0
			break
		}
		m |= 1 << uint(b.occ)
	}
	for _, g := range r.using[strings.ToLower(name)] {
		if m != 0 && m&^g == 0 {
			i := bits.TrailingZeros64(m)
			for _, b := range found {
				if b.occ == i {
					return b, nil
				}
			}
		}
	}
	return binding{}, r.errAt(off, ErrAmbiguousColumn, name, "in %s; qualify it", strings.Join(where, ", "))
}

// visible reports whether an unqualified name is a column the current
// scope sees (MySQL resolves GROUP BY and ORDER BY names in FROM before
// select-list aliases).
func (r *resolver) visible(name string) bool {
	cn := &ast.ColumnNameExpr{Name: &ast.ColumnName{Name: ast.NewCIStr(name)}}
	_, err := r.unqualified(cn, r.sh.cur, 0, len(r.q.Tables))
	return !errors.Is(err, ErrUnknownColumn)
}

// selectList records the columns the select list of derived table k
// names, and checks them (and its ORDER BY) in its scope, as the server
// does when it opens the derived table: an unknown, ambiguous or
// duplicate name is an error even when the enclosing query never reads it.
func (r *resolver) selectList(s *ast.SelectStmt, k int) error {
	defer r.inScope(k)()
	d := r.dscope(k)
	d.cols = map[string]ast.ExprNode{}
	dup := func(off int, name string) error {
		return r.errAt(off, ErrDuplicateAlias, d.alias+"."+name, "the derived table has two columns of that name")
	}
	var fields []*ast.SelectField
	if s.Fields != nil {
		fields = s.Fields.Fields
	}
	for _, f := range fields {
		if f.WildCard != nil {
			q := f.WildCard.Table
			if q.L != "" && r.occOf(k, q.O) < 0 && r.childScope(k, q.O) == 0 {
				return r.errAt(f.Offset, ErrUnknownTable, q.O+".*", "no table or alias of that name in the derived table's FROM")
			}
			d.stars = append(d.stars, q)
			continue
		}
		if err := r.checkColumns(f.Expr); err != nil {
			return err
		}
		name := f.AsName.L
		if name == "" {
			if cn, ok := stripParens(f.Expr).(*ast.ColumnNameExpr); ok {
				name = cn.Name.Name.L
			}
		}
		if name == "" {
			name = exprName(f)
		}
		if name == "" {
			continue // an empty string literal
		}
		if _, ok := d.cols[name]; ok {
			return dup(f.Expr.OriginTextPosition(), name)
		}
		d.cols[name] = f.Expr
		d.names = append(d.names, name)
	}
	// A name two items select (a named column and a *, two stars, or
	// the tables under one *, unless USING coalesces them) is a duplicate
	// too.
	seen := map[string]bool{}
	for _, name := range d.names {
		seen[name] = true
	}
	for _, q := range d.stars {
		names := r.starNames(k, q)
		for _, name := range slices.Sorted(maps.Keys(names)) {
			if seen[name] || names[name] > 1 && r.coalescedIn(k, name) != nil {
				return dup(s.Fields.Fields[0].Offset, name)
			}
			seen[name] = true
		}
	}
	if s.OrderBy != nil {
		for _, it := range s.OrderBy.Items {
			if p, ok := r.positionOf(it.Expr); ok {
				if err := r.checkPosition(p, fields, "ORDER"); err != nil {
					return err
				}
				continue
			}
			cn, ok := stripParens(it.Expr).(*ast.ColumnNameExpr)
			if ok && cn.Name.Table.L == "" && d.cols[cn.Name.Name.L] != nil && !r.visible(cn.Name.Name.O) {
				continue // a select-list alias
			}
			if err := r.checkColumns(it.Expr); err != nil {
				return err
			}
		}
	}
	return nil
}

// exprName returns the name the server gives an unaliased select-list
// expression, lower case: its text as written (MariaDB 10.11: SELECT
// `delay + 1` FROM (SELECT delay + 1 FROM flights) d), a string literal's
// value ('it”s' is it's).
func exprName(f *ast.SelectField) string {
	if v, ok := stripParens(f.Expr).(*test_driver.ValueExpr); ok && v.Kind() == test_driver.KindString {
		return strings.ToLower(v.GetString())
	}
	return strings.ToLower(strings.TrimSpace(f.OriginalText()))
}

// starNames returns the column names (lower case) a * (qual empty) or
// qual.* of scope k selects, each with the number of FROM items of k
// that have it.
func (r *resolver) starNames(k int, qual ast.CIStr) map[string]int {
	out := map[string]int{}
	table := func(i int) {
		for _, c := range r.schema.Tables[r.q.Tables[i].Table].Columns {
			out[strings.ToLower(c.Name)]++
		}
	}
	derived := func(c int) {
		for name := range r.derivedNames(c) {
			out[name]++
		}
	}
	for i, o := range r.sh.occScope {
		if o == k && (qual.L == "" || strings.EqualFold(r.sh.occName[i], qual.O)) {
			table(i)
		}
	}
	for c := 1; c <= len(r.sh.scopes); c++ {
		if d := r.dscope(c); d.parent == k && (qual.L == "" || strings.EqualFold(d.alias, qual.O)) {
			derived(c)
		}
	}
	return out
}

// derivedNames returns the names of the columns derived table k selects.
func (r *resolver) derivedNames(k int) map[string]int {
	d := r.dscope(k)
	out := map[string]int{}
	for _, name := range d.names {
		out[name] = 1
	}
	for _, q := range d.stars {
		for name := range r.starNames(k, q) {
			out[name] = 1
		}
	}
	return out
}

// coalescedIn returns nil when an unqualified name several FROM items of
// scope k have is one column (JOIN ... USING), else the error.
func (r *resolver) coalescedIn(k int, name string) error {
	cn := &ast.ColumnNameExpr{Name: &ast.ColumnName{Name: ast.NewCIStr(name)}}
	_, err := r.unqualified(cn, k, 0, len(r.q.Tables))
	return err
}

// checkColumns resolves the column references of an expression in the
// current scope (and the columns of its subqueries in theirs) and returns
// the first that names no column of the statement's tables, or several.
// Other errors (an expression the model does not resolve) are not its
// concern.
func (r *resolver) checkColumns(e ast.ExprNode) error {
	c := &colCollector{src: r.src}
	e.Accept(c)
	for _, cn := range c.cols {
		if _, _, err := r.column(cn); err != nil && badSelectColumn(err) {
			return err
		}
	}
	for _, sq := range c.subs {
		if err := r.checkSubquery(sq); err != nil {
			return err
		}
	}
	return nil
}

// checkKeyExpr checks the names of a GROUP BY or ORDER BY item that is
// not a plain column (an expression, a subquery), as the server does:
// SELECT id FROM title ORDER BY (SELECT nope FROM kind_type LIMIT 1) is
// ErrUnknownColumn. An unqualified name that is a select-list alias (of
// this query or an enclosing one) is the alias, also inside a subquery
// (MariaDB 10.11: SELECT id AS x FROM title ORDER BY (SELECT MAX(kind)
// FROM kind_type WHERE kind_type.id = x)). restNames checks each clause
// of an uncounted subquery with it.
func (r *resolver) checkKeyExpr(e ast.ExprNode) error {
	c := &colCollector{src: r.src}
	e.Accept(c)
	for _, cn := range c.cols {
		if _, _, err := r.column(cn); err != nil && badSelectColumn(err) && !r.anyAlias(cn) {
			return err
		}
	}
	for _, sq := range c.subs {
		if err := r.checkSubquery(sq); err != nil && !r.aliasError(err) {
			return err
		}
	}
	return nil
}

// selectWidth returns the number of columns a select list has, its * and
// t.* expanded (in the current scope).
func (r *resolver) selectWidth(fields []*ast.SelectField) int {
	n := 0
	for _, f := range fields {
		if f.WildCard == nil {
			n++
			continue
		}
		for name, c := range r.starNames(r.sh.cur, f.WildCard.Table) {
			n += c
			if f.WildCard.Table.L == "" {
				n -= r.usingMerged(r.sh.cur, name)
			}
		}
	}
	return n
}

// usingMerged returns how many of the columns named name that a * of
// scope s selects from several FROM items USING coalesces away: each
// group of items it joins is one column (MariaDB 10.11: SELECT * FROM
// flights f JOIN routes r USING (origin, destination) has 10 columns,
// not 12; f.* still has all of f's).
func (r *resolver) usingMerged(s int, name string) int {
	n := 0
	for _, g := range r.using[name] {
		items := map[int]bool{} // an occurrence of s, or (negated) a derived table of s
		for i := range r.q.Tables {
			if i >= MaxTables || g&(1<<uint(i)) == 0 {
				continue
			}
			switch u := r.under(s, r.sh.occScope[i]); {
			case u == s:
				items[i] = true
			case u > 0:
				items[-u] = true
			}
		}
		n += max(len(items)-1, 0)
	}
	return n
}

// checkPosition checks a GROUP BY or ORDER BY position (clause names it)
// against the select list: MariaDB 10.11 refuses ORDER BY 0 and one past
// its last column as an unknown column.
func (r *resolver) checkPosition(p *ast.PositionExpr, fields []*ast.SelectField, clause string) error {
	if p.P != nil || (p.N >= 1 && p.N <= r.selectWidth(fields)) {
		return nil
	}
	n := strconv.Itoa(p.N)
	off := p.OriginTextPosition()
	if off <= 0 {
		off = r.loc.afterWord(clause, writtenPosition(p)) // the parser records none
	}
	return r.errAt(off, ErrUnknownColumn, n, "%s BY position %s: the select list has %d columns", clause, n, r.selectWidth(fields))
}

// writtenPosition returns position p as the statement writes it, for the
// locator: its number, or the unwrapped one positionOf kept as its text.
func writtenPosition(p *ast.PositionExpr) string {
	if t := p.Text(); t != "" {
		return t
	}
	return strconv.Itoa(p.N)
}

// positionOf returns the GROUP BY or ORDER BY position item e is on
// MariaDB: a bare integer (the parser's PositionExpr), or an integer
// literal in parentheses or under one sign, which the parser reads as
// an expression but MariaDB 10.11 as a position (SELECT id FROM title
// ORDER BY (2), +2, -1 or -(1) is Unknown column '2' / '-1'; ORDER BY
// (1) sorts by the first column). - -1, 1.5, '2' and TRUE are
// expressions there too.
//
// MariaDB 10.11 reads a position as a 32-bit signed integer, wrapping
// larger ones: ORDER BY 3000000000 is Unknown column '-1294967296', ORDER
// BY 18446744073709551615 (which the parser reads as an unsigned
// literal) '-1', 9223372036854775808 '0', and ORDER BY 4294967297 sorts by
// the first column; the returned position's N is so wrapped.
func (r *resolver) positionOf(e ast.ExprNode) (*ast.PositionExpr, bool) {
	in := stripParens(e)
	if p, ok := in.(*ast.PositionExpr); ok {
		if p.P != nil || p.N == int(int32(p.N)) {
			return p, true
		}
		w := &ast.PositionExpr{N: int(int32(p.N))}
		w.SetOriginTextPosition(p.OriginTextPosition())
		w.SetText(nil, strconv.Itoa(p.N)) // as written, for checkPosition's locator
		return w, true
	}
	sign := int64(1)
	if u, ok := in.(*ast.UnaryOperationExpr); ok && (u.Op == opcode.Plus || u.Op == opcode.Minus) {
		if u.Op == opcode.Minus {
			sign = -1
		}
		in = stripParens(u.V)
	}
	v, ok := in.(*test_driver.ValueExpr)
	if !ok {
		return nil, false
	}
	var u uint64 // the literal, two's complement
	switch v.Kind() {
	case test_driver.KindInt64:
		u = uint64(v.GetInt64())
	case test_driver.KindUint64:
		u = v.GetUint64()
	default:
		return nil, false
	}
	if off := v.OriginTextPosition(); off < 0 || off >= len(r.src) || r.src[off] < '0' || r.src[off] > '9' {
		return nil, false // TRUE
	}
	if sign < 0 {
		u = -u
	}
	p := &ast.PositionExpr{N: int(int32(uint32(u)))}
	p.SetOriginTextPosition(e.OriginTextPosition())
	return p, true
}

// resultNames returns the names of the columns of a set operation (its
// first SELECT's, lower case), or nil when a * makes them unknown here,
// and their number (two may share a name).
func resultNames(l *ast.SetOprSelectList) (map[string]bool, int) {
	if len(l.Selects) == 0 {
		return nil, 0
	}
	first := l.Selects[0]
	for {
		// (SELECT ...) UNION ...: the parenthesised first SELECT.
		in, ok := first.(*ast.SetOprSelectList)
		if !ok || len(in.Selects) == 0 {
			break
		}
		first = in.Selects[0]
	}
	sel, ok := first.(*ast.SelectStmt)
	if !ok || sel.Fields == nil {
		return nil, 0
	}
	out := map[string]bool{}
	for _, f := range sel.Fields.Fields {
		switch {
		case f.WildCard != nil:
			return nil, 0
		case f.AsName.L != "":
			out[f.AsName.L] = true
		default:
			if cn, ok := stripParens(f.Expr).(*ast.ColumnNameExpr); ok {
				out[cn.Name.Name.L] = true
			} else {
				out[exprName(f)] = true
			}
		}
	}
	return out, len(sel.Fields.Fields)
}

// checkSetOrder checks the ORDER BY of a set operation: its names are
// the result's columns (MariaDB 10.11: SELECT kind FROM kind_type UNION
// SELECT 'x' ORDER BY nope is an unknown column, as is a name only a
// later SELECT or the enclosing query has).
func (r *resolver) checkSetOrder(l *ast.SetOprSelectList, order *ast.OrderByClause, start int) error {
	names, width := resultNames(l)
	if order == nil || names == nil {
		return nil
	}
	for _, it := range order.Items {
		c := &colCollector{src: r.src}
		it.Expr.Accept(c)
		for _, cn := range c.cols {
			if cn.Name.Table.L == "" && !names[cn.Name.Name.L] {
				return r.errAt(cn.OriginTextPosition(), ErrUnknownColumn, cn.Name.Name.O, "the set operation's result has no such column")
			}
		}
		if p, ok := r.positionOf(it.Expr); ok && p.P == nil && (p.N < 1 || p.N > width) {
			n, written := strconv.Itoa(p.N), writtenPosition(p)
			off := p.OriginTextPosition()
			if off <= 0 {
				off = newLocatorAt(r.src, innerStart(r.src, start)).afterWord("ORDER", written)
			}
			if off < 0 {
				// ((SELECT ...)) UNION ...: the statement's ORDER is
				// outside the parentheses innerStart skipped.
				off = newLocatorAt(r.src, start).afterWord("ORDER", written)
			}
			if off < 0 {
				off = start // (SELECT ... FROM ((SELECT ...) UNION ... ORDER BY 3)): at the set operation
			}
			return r.errAt(off, ErrUnknownColumn, n, "ORDER BY position %s: the set operation's result has %d columns", n, width)
		}
	}
	return nil
}

// checkSubquery resolves a subquery the model does not count (one of the
// select list, of GROUP BY or ORDER BY) as a subquery of r, to report the
// names it gets wrong: SELECT (SELECT nope FROM airports LIMIT 1) FROM
// flights is ErrUnknownColumn, as in WHERE. Each SELECT of a set
// operation is checked alike (checkQuery). What the resolution registers
// (derived relations) is undone.
func (r *resolver) checkSubquery(sq *ast.SubqueryExpr) error {
	if err := r.checkDepth(sq); err != nil {
		return err
	}
	q := sq.Query
	if so, ok := q.(*ast.SetOprStmt); ok && (sq.Exists || sq.MultiRows) && so.SelectList != nil {
		// MariaDB 10.11 drops the ORDER BY of EXISTS (... UNION ...
		// ORDER BY nope) unresolved, and of IN, NOT IN, ANY and ALL
		// (MultiRows: x IN (... UNION ... ORDER BY nope) runs).
		c, l := *so, *so.SelectList
		c.OrderBy, l.OrderBy, c.SelectList = nil, nil, &l
		q = &c
	}
	return r.checkQuery(q, sq.OriginTextPosition())
}

// checkQuery checks the names of a SELECT or set operation resolved as a
// subquery of r (see checkSubquery), its text starting at start: the
// first name error, nil for any other. A set operation with a WITH clause
// is not checked.
func (r *resolver) checkQuery(n ast.Node, start int) error {
	switch n := n.(type) {
	case *ast.SetOprStmt:
		if n.With != nil {
			return nil
		}
		if err := r.checkQuery(n.SelectList, start); err != nil {
			return err
		}
		return r.checkSetOrder(n.SelectList, n.OrderBy, start)
	case *ast.SetOprSelectList:
		if n.With != nil {
			return nil
		}
		if err := r.checkSetOrder(n, n.OrderBy, start); err != nil {
			return err
		}
		for _, b := range n.Selects {
			at := start
			if sel, ok := b.(*ast.SelectStmt); ok && sel.Fields != nil && len(sel.Fields.Fields) > 0 && sel.Fields.Fields[0].Offset > start {
				// A later SELECT's names are after its first field.
				at = sel.Fields.Fields[0].Offset
			}
			if err := r.checkQuery(b, at); err != nil {
				return err
			}
		}
		return nil
	case *ast.SelectStmt:
		return r.checkSelect(n, start)
	}
	return nil
}

// checkSelect checks one SELECT for checkQuery.
func (r *resolver) checkSelect(sel *ast.SelectStmt, start int) error {
	if sel.From == nil {
		// No FROM: its names are the enclosing query's (SELECT (SELECT
		// origin) FROM flights; (SELECT nope) is ErrUnknownColumn).
		if sel.Fields == nil {
			return nil
		}
		for _, f := range sel.Fields.Fields {
			if f.Expr == nil {
				continue
			}
			if err := r.checkColumns(f.Expr); err != nil {
				return err
			}
		}
		if sel.Where != nil {
			return r.checkColumns(sel.Where)
		}
		return nil
	}
	reg := r.reg()
	ext, nrels := reg.ext, len(reg.rels)
	var chain []*resolver
	for p := r; p != nil; p = p.parent {
		chain = append(chain, p)
	}
	schemas := make([]*catalog.Schema, len(chain))
	for i, p := range chain {
		schemas[i] = p.schema
	}
	// A select-list subquery's position is its "(": the locator starts
	// inside, at its SELECT.
	c := &resolver{schema: r.schema, src: r.src, loc: newLocatorAt(r.src, innerStart(r.src, start)), q: &Query{Schema: r.schema}, parent: r, opts: r.opts}
	err := c.statement(sel)
	if err != nil && !badSelectColumn(err) && c.fromDone {
		err = c.restNames(sel) // past what the model does not support
	}
	reg.ext, reg.rels = ext, reg.rels[:nrels]
	for s, i := range reg.ctes {
		if i >= nrels {
			delete(reg.ctes, s)
		}
	}
	for i, p := range chain {
		p.schema, p.q.Schema = schemas[i], schemas[i]
	}
	if err != nil && badSelectColumn(err) {
		return err
	}
	return nil
}

// uniqueAliases renames occurrences of derived tables whose alias another
// occurrence of the query has (alias_2, ...): the scope-0 occurrences
// keep theirs.
func (r *resolver) uniqueAliases() {
	shared := len(r.sh.scopes) > 0
	nBase := r.nBase()
	for i := 0; i < len(r.q.Tables) && !shared; i++ {
		shared = r.q.Tables[i].Table >= nBase
	}
	if !shared {
		return // no derived table: the aliases are unique
	}
	// The first scope-0 occurrence of each name keeps it; a later one
	// shares it with a table (a grouped derived table beside a table,
	// nameTaken) and is renamed with the inner ones.
	taken := map[string]bool{}
	keep := make([]bool, len(r.q.Tables))
	for i, t := range r.q.Tables {
		if a := strings.ToLower(t.Alias); r.sh.occScope[i] == 0 && !taken[a] {
			taken[a], keep[i] = true, true
		}
	}
	for i, t := range r.q.Tables {
		if keep[i] {
			continue
		}
		a := t.Alias
		for n := 2; taken[strings.ToLower(a)]; n++ {
			a = t.Alias + "_" + strconv.Itoa(n)
		}
		r.q.Tables[i].Alias = a
		taken[strings.ToLower(a)] = true
	}
}

// permuteScopes reorders the occurrences' scopes and names as Query.permute
// reorders the occurrences.
func (r *resolver) permuteScopes(order []int) {
	if len(r.sh.occScope) != len(order) {
		return
	}
	s, n, a := slices.Clone(r.sh.occScope), slices.Clone(r.sh.occName), slices.Clone(r.sh.occAt)
	for i, old := range order {
		r.sh.occScope[i], r.sh.occName[i], r.sh.occAt[i] = s[old], n[old], a[old]
	}
}
