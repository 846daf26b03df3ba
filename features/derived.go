package features

import (
	"slices"
	"strconv"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Derived relations: a derived table or CTE that groups (GROUP BY,
// aggregates, DISTINCT or HAVING) does not flatten into the enclosing
// query; it becomes a relation of its own, whose rows are the inner
// query's output groups and whose columns are its group keys and
// aggregates (TPC-H Q13's c_orders, Q15's revenue0).
//
//	WITH r (k, total) AS (SELECT l_suppkey, SUM(x) FROM lineitem WHERE ... GROUP BY l_suppkey)
//	SELECT ... FROM supplier, r WHERE s_suppkey = k AND total = (SELECT MAX(total) FROM r)
//
//	Query.Schema   base tables ... | r (k int, total float)   ◄─ virtual table, appended
//	Query.Tables   supplier, r                               ◄─ r is an occurrence like any
//	Query.Derived  [{Table: index of r, Query: inner query (FROM + WHERE + Group),
//	                 Cols: [key 0, agg 0]}]
//
// The enclosing query sees the relation as a table of the extended schema:
// joins, filters, GROUP BY keys and subqueries over its columns are the
// ordinary model. The engine materialises each relation (its groups' key
// and aggregate values) and counts the enclosing query over them; the
// estimators estimate its rows as the inner query's groups (the
// group-count estimate), its key columns as unique per group, and filters
// on its aggregates with documented default selectivities. A CTE
// referenced twice (Q15's revenue0, again in a scalar subquery) is one
// relation with two occurrences.
//
// Subqueries that read a derived relation share the enclosing query's
// extended schema and Derived list; the others keep the base schema. The inner query is parsed on its own against
// the base schema: it cannot reference the enclosing query (no LATERAL).

// DerivedRel is a grouped derived table or CTE: a virtual table of the
// enclosing query's Schema whose rows are the output groups of Query.
type DerivedRel struct {
	// Table is the index of the virtual table in Query.Schema.Tables of
	// the enclosing query (after every base table).
	Table int
	// Query is the inner query: its FROM + WHERE and its Group (Keys,
	// Aggs, Having; a Grouping without keys when it aggregates without
	// GROUP BY: one row, even over no rows).
	Query *Query
	// Cols are the virtual table's columns, parallel to its definition.
	Cols []DerivedCol
}

// DerivedCol says what a column of a derived relation holds: a grouping
// key (Key >= 0, an index into Query.Group.Keys) or an aggregate (Agg >=
// 0, an index into Query.Group.Aggs).
type DerivedCol struct {
	Key, Agg int
}

// HasDerived reports whether the query reads a derived relation.
func (q *Query) HasDerived() bool { return q != nil && len(q.Derived) > 0 }

// DerivedOf returns the derived relation whose virtual table is schema
// table t, or nil when t is a base table.
func (q *Query) DerivedOf(t int) *DerivedRel {
	for i := range q.Derived {
		if q.Derived[i].Table == t {
			return &q.Derived[i]
		}
	}
	return nil
}

// BaseSchema returns the schema the query's virtual tables extend (its
// Schema when it reads no derived relation): the schema it was parsed
// against.
func (q *Query) BaseSchema() *catalog.Schema {
	if len(q.Derived) == 0 {
		return q.Schema
	}
	return &catalog.Schema{Tables: q.Schema.Tables[:q.Derived[0].Table], ForeignKeys: q.Schema.ForeignKeys}
}

// derivedReg is the bookkeeping of derived relations shared by a
// statement's resolver and the resolvers of its subqueries.
type derivedReg struct {
	base *catalog.Schema
	ext  *catalog.Schema
	rels []DerivedRel
	ctes map[*ast.SelectStmt]int // a grouped CTE's query -> index into rels
	cols map[string][]string     // CTE name (lower case) -> its column list
	at   map[*ast.SelectStmt]int // a CTE's query -> its offset in the text
	// A CTE's body sees the CTEs defined before it in its WITH, not
	// itself nor the later ones (no RECURSIVE): there its name is the
	// base table's (or an enclosing WITH's CTE's), as on the server.
	// hide maps a CTE's query to the queries it does not see; hidden
	// are those of the bodies being resolved.
	hide   map[*ast.SelectStmt][]*ast.SelectStmt
	hidden []*ast.SelectStmt
	// refs counts the statement's CTE references resolved (shared with
	// the registries of grouped bodies), against maxCTERefs.
	refs *int
	// withAt: where the statement's first WITH clause begins in its
	// text (its first CTE's body), 0 for none (nameTaken).
	withAt int
}

// maxCTERefs is the most CTE references one statement may resolve. Each
// reference resolves the CTE's body again, so references through
// subqueries multiply level by level: WITH c1 AS (SELECT ... FROM c0 x
// WHERE x.a IN (SELECT a FROM c0) AND ... five times), c2 AS (the same on
// c1), ... c6 resolved 6^6 bodies, 10.7 s and 127 MB for 1.5 KB of SQL.
// Four times MaxTables: every occurrence of a query a CTE reference, and
// room for its subqueries' (TPC-H Q15 has 2).
const maxCTERefs = 4 * MaxTables

// reg returns the statement's registry (the outermost resolver's).
func (r *resolver) reg() *derivedReg {
	root := r
	for root.parent != nil {
		root = root.parent
	}
	if root.dr == nil {
		root.dr = &derivedReg{base: root.schema, ext: root.schema, refs: new(int)}
	}
	return root.dr
}

// groupedSelect reports whether a derived table's SELECT groups its rows,
// so that it is a derived relation rather than a flattened one.
func groupedSelect(s *ast.SelectStmt) bool {
	if s.GroupBy != nil || s.Having != nil || s.Distinct {
		return true
	}
	if s.Fields != nil {
		for _, f := range s.Fields.Fields {
			if f.Expr != nil && hasAggregate(f.Expr) {
				return true
			}
		}
	}
	return false
}

// cteTable resolves a reference to a CTE in FROM: a grouped one is a
// derived relation, any other flattens (with its column list, if any,
// naming its columns).
func (r *resolver) cteTable(tn *ast.TableName, cte *ast.SelectStmt, alias string) error {
	r.loc.ident(tn.Name.O)
	off := r.loc.lastIdent()
	if alias == "" {
		alias = tn.Name.O
	}
	reg := r.reg()
	if *reg.refs++; *reg.refs > maxCTERefs {
		return r.errAt(off, ErrTooComplex, "CTE "+tn.Name.O, "more than %d CTE references resolved (each resolves its body again)", maxCTERefs)
	}
	names := reg.cols[tn.Name.L]
	n := len(reg.hidden)
	reg.hidden = append(reg.hidden, cte)
	reg.hidden = append(reg.hidden, reg.hide[cte]...)
	defer func() { reg.hidden = reg.hidden[:n] }()
	if groupedSelect(cte) {
		return r.groupedDerived(cte, tn.Name.O, alias, off, names)
	}
	if len(names) > 0 {
		return r.errAt(off, ErrUnsupported, "CTE "+tn.Name.O+" with a column list", "a column list is modelled only on a CTE that groups (GROUP BY or aggregates)")
	}
	// Its body's names are searched in its text (they had no position).
	if at, ok := reg.at[cte]; ok {
		main := r.loc
		r.loc = newLocatorAt(r.src, at)
		defer func() { r.loc = main }()
	}
	return r.derivedTable(cte, alias, off)
}

// aliasAt returns the position of the alias of a derived table (s, its
// SELECT at off) or of a CTE reference (off: the CTE's name), for an error
// about it: the name after the derived table's closing parenthesis, or
// after the CTE's name; off when there is none.
func (r *resolver) aliasAt(s *ast.SelectStmt, off int, alias string) int {
	if _, cte := r.reg().at[s]; cte {
		r.loc.seekOff(off)
		if r.loc.cursor < len(r.loc.toks) && strings.EqualFold(r.loc.toks[r.loc.cursor].text, alias) {
			return off // no alias: the CTE's name
		}
	} else {
		r.loc.skipDerived(off)
	}
	r.loc.ident(alias)
	if p := r.loc.lastIdent(); p >= 0 {
		return p
	}
	return off
}

// groupedDerived adds the derived relation of a grouped SELECT (a derived
// table, or a CTE, materialised once per statement) as an occurrence
// named alias.
func (r *resolver) groupedDerived(s *ast.SelectStmt, name, alias string, off int, names []string) error {
	if alias == "" {
		return r.errAt(off, ErrUnsupported, "derived table without alias", "name it")
	}
	if len(r.q.Tables) >= MaxTables {
		return r.errAt(off, ErrTooManyTables, "", "more than %d table occurrences", MaxTables)
	}
	if r.nameTaken(alias, true, -1) {
		return r.errAt(r.aliasAt(s, off, alias), ErrDuplicateAlias, alias, "give each derived table its own alias")
	}
	reg := r.reg()
	k, seen := reg.ctes[s]
	if !seen {
		var err error
		if k, err = r.newDerived(s, name, off, names); err != nil {
			return err
		}
	}
	r.addOccurrence(TableRef{Table: reg.rels[k].Table, Alias: alias}, -1)
	return nil
}

// newDerived parses a grouped SELECT into a new derived relation of the
// registry, its virtual table named after name, and returns its index.
func (r *resolver) newDerived(s *ast.SelectStmt, name string, off int, names []string) (int, error) {
	bad := ""
	switch {
	case s.Limit != nil:
		bad = "LIMIT"
	case s.Kind != ast.SelectStmtKindSelect:
		bad = strings.ToUpper(s.Kind.String())
	case s.Fields == nil:
		bad = "no select list"
	}
	if bad != "" {
		return 0, r.errAt(off, ErrUnsupported, "derived table with "+bad, "a grouped derived table is modelled as its groups: GROUP BY keys and aggregates, without LIMIT")
	}
	reg := r.reg()
	// The inner query: its own statement against the base schema, seeing
	// the CTEs visible here.
	start := off
	if at, ok := reg.at[s]; ok {
		start = at // a CTE: its text, not the reference's
	}
	c := &resolver{schema: reg.base, src: r.src, loc: newLocatorAt(r.src, start), q: &Query{Schema: reg.base}, opts: r.opts}
	for p := r; p != nil; p = p.parent {
		for name, sel := range p.sh.ctes {
			if r.cteHidden(sel) {
				continue // the CTE whose body this is, or a later one
			}
			if c.sh.ctes == nil {
				c.sh.ctes = map[string]*ast.SelectStmt{}
			}
			if _, shadowed := c.sh.ctes[name]; !shadowed {
				c.sh.ctes[name] = sel
			}
		}
	}
	c.dr = &derivedReg{base: reg.base, ext: reg.base, cols: reg.cols, at: reg.at, hide: reg.hide, refs: reg.refs, withAt: reg.withAt}
	if err := c.selectStmt(s); err != nil {
		return 0, err
	}
	c.finishDerived() // its own derived relations (nested)
	in := c.q
	if in.Group == nil {
		in.Group = &Grouping{} // aggregates without GROUP BY: one group
	}
	fields := s.Fields.Fields
	if len(names) > 0 && len(names) != len(fields) {
		return 0, r.errAt(off, ErrUnsupported, "column list of "+name, "%d names for %d select-list items", len(names), len(fields))
	}
	def := &catalog.Table{Name: r.virtualName(name)}
	var cols []DerivedCol
	for i, f := range fields {
		if f.WildCard != nil {
			return 0, r.errAt(off, ErrUnsupported, "* in a grouped derived table", "name its keys and aggregates")
		}
		name := f.AsName.O
		if i < len(names) {
			name = names[i]
		}
		e := stripParens(f.Expr)
		if name == "" {
			if cn, ok := e.(*ast.ColumnNameExpr); ok {
				name = cn.Name.Name.O
			}
		}
		if name == "" {
			return 0, r.errAt(e.OriginTextPosition(), ErrUnsupported, "unnamed derived column", "give the expression an alias or the CTE a column list")
		}
		if def.ColumnIndex(name) >= 0 {
			return 0, r.errAt(e.OriginTextPosition(), ErrDuplicateAlias, name, "the derived table has two columns of that name")
		}
		var col catalog.Column
		var dc DerivedCol
		if _, isAgg := e.(*ast.AggregateFuncExpr); isAgg {
			a, err := c.aggregate(e, fields, in.Group)
			if err != nil {
				return 0, err
			}
			dc = DerivedCol{Key: -1, Agg: a}
			col = catalog.Column{Name: name, Type: catalog.TypeFloat, Nullable: in.Group.Aggs[a].Func != AggCount}
			if in.Group.Aggs[a].Func == AggCount {
				col.Type = catalog.TypeInt
			}
		} else {
			if hasAggregate(e) {
				return 0, r.errAt(e.OriginTextPosition(), ErrUnsupported, "derived column "+name, "an expression of aggregates is not modelled; select the aggregate itself")
			}
			gk, err := c.groupKey(e, "SELECT")
			if err != nil {
				return 0, err
			}
			ki := slices.Index(in.Group.Keys, gk)
			if ki < 0 {
				return 0, r.errAt(e.OriginTextPosition(), ErrUnsupported, "derived column "+name, "neither a GROUP BY key nor an aggregate of the derived table")
			}
			src := c.colDef(gk.Table, gk.Col)
			col = catalog.Column{Name: name, Type: src.Type, Nullable: src.Nullable || in.Outer != nil}
			switch gk.Func {
			case KeyYear, KeyMonth:
				col.Type = catalog.TypeInt
			case KeyDate:
				col.Type = catalog.TypeDate
			}
			dc = DerivedCol{Key: ki, Agg: -1}
		}
		def.Columns = append(def.Columns, col)
		cols = append(cols, dc)
	}
	ext := &catalog.Schema{Tables: append(slices.Clip(reg.ext.Tables), def), ForeignKeys: reg.ext.ForeignKeys}
	reg.ext = ext
	reg.rels = append(reg.rels, DerivedRel{Table: len(ext.Tables) - 1, Query: in, Cols: cols})
	if reg.ctes == nil {
		reg.ctes = map[*ast.SelectStmt]int{}
	}
	reg.ctes[s] = len(reg.rels) - 1
	// The resolvers open now resolve against the extended schema.
	for p := r; p != nil; p = p.parent {
		p.schema, p.q.Schema = ext, ext
	}
	return len(reg.rels) - 1, nil
}

// virtualName returns a table name for the relation alias that no table
// of the extended schema has.
func (r *resolver) virtualName(alias string) string {
	s := r.reg().ext
	name := alias
	for n := 2; s.TableIndex(name) >= 0; n++ {
		name = alias + "_" + strconv.Itoa(n)
	}
	return name
}

// finishDerived gives the statement's query and those of its subqueries
// that read a derived relation (themselves or through their subqueries)
// the final extended schema and the list of derived relations; the
// others keep the base schema.
func (r *resolver) finishDerived() {
	reg := r.dr
	if reg == nil || len(reg.rels) == 0 {
		return
	}
	nBase := len(reg.base.Tables)
	var walk func(q *Query) bool
	walk = func(q *Query) bool {
		reads := false
		for i := range q.Subqueries {
			reads = walk(q.Subqueries[i].Query) || reads
		}
		for _, t := range q.Tables {
			reads = reads || t.Table >= nBase
		}
		if reads {
			q.Schema, q.Derived = reg.ext, reg.rels
		} else {
			q.Schema, q.Derived = reg.base, nil
		}
		return reads
	}
	walk(r.q)
}

// cteColumns records where a CTE's query starts and its column list
// (WITH name (a, b) AS ...).
func (r *resolver) cteColumns(cte *ast.CommonTableExpression, sel *ast.SelectStmt) {
	reg := r.reg()
	if reg.at == nil {
		reg.at = map[*ast.SelectStmt]int{}
	}
	reg.at[sel] = innerStart(r.src, cte.Query.OriginTextPosition()) // its SELECT, not its "("
	if len(cte.ColNameList) == 0 {
		return
	}
	if reg.cols == nil {
		reg.cols = map[string][]string{}
	}
	names := make([]string, len(cte.ColNameList))
	for i, n := range cte.ColNameList {
		names[i] = n.O
	}
	reg.cols[cte.Name.L] = names
}

// withText renders the WITH clause defining q's derived relations (empty
// when it has none), ending in a space:
//
//	WITH `r` (`k`, `total`) AS (SELECT `lineitem`.`l_suppkey`, SUM(...) FROM ... GROUP BY ...)
func (q *Query) withText(mode renderMode) string {
	if len(q.Derived) == 0 {
		return ""
	}
	w := &renderer{q: q, mode: mode}
	w.b.WriteString("WITH ")
	for i, d := range q.Derived {
		if i > 0 {
			w.b.WriteString(", ")
		}
		def := q.Schema.Tables[d.Table]
		w.ident(def.Name)
		w.b.WriteString(" (")
		for j, c := range def.Columns {
			if j > 0 {
				w.b.WriteString(", ")
			}
			w.ident(c.Name)
		}
		w.b.WriteString(") AS (" + d.selectText(mode) + ")")
	}
	w.b.WriteByte(' ')
	return w.b.String()
}

// selectText renders the inner query of d with its keys and aggregates as
// the select list.
func (d *DerivedRel) selectText(mode renderMode) string {
	in := d.Query
	w := &renderer{q: in, mode: mode}
	w.query()
	body := strings.TrimPrefix(w.b.String(), "SELECT "+w.selectList())
	var sel renderer
	sel.q, sel.mode = in, mode
	g := in.Group
	if g != nil && g.Distinct {
		sel.b.WriteString("DISTINCT ")
	}
	for j, c := range d.Cols {
		if j > 0 {
			sel.b.WriteString(", ")
		}
		switch {
		case g != nil && c.Key >= 0 && c.Key < len(g.Keys):
			sel.groupKeys(g.Keys[c.Key : c.Key+1])
		case g != nil && c.Agg >= 0 && c.Agg < len(g.Aggs):
			sel.agg(g.Aggs[c.Agg])
		default:
			sel.b.WriteString("?derived")
		}
	}
	return in.withText(mode) + "SELECT " + sel.b.String() + body
}
