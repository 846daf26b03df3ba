package features

import (
	"errors"
	"slices"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// limitOf returns the row count and offset of a LIMIT clause: (0, 0) when
// there is none or its count is not a non-negative integer literal (a
// placeholder).
func limitOf(l *ast.Limit) (count, offset int64) {
	if l == nil {
		return 0, 0
	}
	count, ok := intLiteral(l.Count)
	if !ok {
		return 0, 0
	}
	if l.Offset != nil {
		if offset, ok = intLiteral(l.Offset); !ok {
			return 0, 0
		}
	}
	return count, offset
}

func intLiteral(e ast.ExprNode) (int64, bool) {
	v, ok := e.(*test_driver.ValueExpr)
	if !ok {
		return 0, false
	}
	switch x := v.GetValue().(type) {
	case int64:
		return x, x >= 0
	case uint64:
		return int64(min(x, 1<<62)), true
	}
	return 0, false
}

// reads collects the columns the query reads: the select list's, the
// filters' and joins' (already resolved), GROUP BY's and ORDER BY's.
// Called after FROM, WHERE, GROUP BY and ORDER BY are resolved. A select-list
// column that names no column of the query's tables (ErrUnknownColumn,
// ErrUnknownTable), a t.* of no table of them (ErrUnknownTable) or a column
// of more than one (ErrAmbiguousColumn) is an error, as it
// is on the server: counting the statement's rows anyway would answer a
// statement MySQL refuses. A * or d.* over a flattened derived table (or
// CTE) reads the columns it selects, not every column of its tables, and
// a derived table's computed column the columns of its expression
// (derivedReads), so that an index holding them covers the statement.
func (r *resolver) reads(fields *ast.FieldList) ([]ColRef, error) {
	var out []ColRef
	everything := func() {
		for i := range r.q.Tables {
			r.allReads(i, &out)
		}
	}
	if fields != nil {
		for _, f := range fields.Fields {
			if f.WildCard != nil {
				if !r.starReads(r.sh.cur, f.WildCard.Table, &out) {
					q := f.WildCard.Table
					return nil, r.errAt(f.Offset, ErrUnknownTable, q.O+".*", "no table or alias of that name in FROM")
				}
				continue
			}
			c := &colCollector{src: r.src}
			f.Expr.Accept(c)
			for _, cn := range c.cols {
				occ, col, err := r.column(cn)
				if err != nil && badSelectColumn(err) {
					return nil, err
				}
				switch {
				case c.sub:
					// A subquery's columns may belong to its own tables:
					// reading everything is the safe answer for covering.
				case err == nil:
					out = append(out, ColRef{Table: occ, Col: col})
				case errors.Is(err, errDerivedExpr):
					b, _ := r.lookup(cn, r.sh.cur)
					r.exprReads(b.expr, b.scope, &out)
				default:
					everything()
				}
			}
			if c.sub {
				everything()
			}
			for _, sq := range c.subs {
				// Not counted, but its names must be right.
				if err := r.checkSubquery(sq); err != nil {
					return nil, err
				}
			}
		}
	}
	for i, t := range r.q.Tables {
		for _, c := range FilterColumns(t.Filter) {
			out = append(out, ColRef{Table: i, Col: c})
		}
	}
	for _, res := range r.q.Residuals {
		for _, t := range res.Terms {
			for _, f := range t {
				for _, c := range FilterColumns(f.Filter) {
					out = append(out, ColRef{Table: f.Table, Col: c})
				}
			}
		}
	}
	for _, j := range r.q.Joins {
		out = append(out, ColRef{Table: j.Left, Col: j.LeftCol}, ColRef{Table: j.Right, Col: j.RightCol})
	}
	out = append(out, r.q.GroupBy...)
	out = append(out, r.q.OrderBy...)
	slices.SortFunc(out, func(a, b ColRef) int {
		if a.Table != b.Table {
			return a.Table - b.Table
		}
		return a.Col - b.Col
	})
	return slices.Compact(out), nil
}

// allReads appends every column of occurrence i.
func (r *resolver) allReads(i int, out *[]ColRef) {
	for c := range r.schema.Tables[r.q.Tables[i].Table].Columns {
		*out = append(*out, ColRef{Table: i, Col: c})
	}
}

// starReads appends the columns a * (qual empty) or qual.* of scope s
// reads: every column of its tables (the named one's), and of each
// flattened derived table (the named one) the columns it selects. It
// reports false when qual names nothing in scope s.
func (r *resolver) starReads(s int, qual ast.CIStr, out *[]ColRef) bool {
	found := false
	for i, o := range r.sh.occScope {
		if o == s && (qual.L == "" || strings.EqualFold(r.sh.occName[i], qual.O)) {
			r.allReads(i, out)
			found = true
		}
	}
	for k := 1; k <= len(r.sh.scopes); k++ {
		if d := r.dscope(k); d.parent == s && (qual.L == "" || strings.EqualFold(d.alias, qual.O)) {
			r.derivedReads(k, out)
			found = true
		}
	}
	return found || qual.L == ""
}

// derivedReads appends the columns flattened derived table k selects:
// its stars' and its named columns' (a computed one's, its expression's).
func (r *resolver) derivedReads(k int, out *[]ColRef) {
	d := r.dscope(k)
	for _, q := range d.stars {
		r.starReads(k, q, out)
	}
	for _, name := range d.names {
		r.exprReads(d.cols[name], k, out)
	}
}

// exprReads appends the columns expression e of scope s reads: its
// columns, resolved there (a derived table's computed column through its
// expression). A subquery, or a name that does not resolve (the select
// list was checked: not expected), reads every column of the scope's
// tables, the safe answer for covering.
func (r *resolver) exprReads(e ast.ExprNode, s int, out *[]ColRef) {
	c := &colCollector{src: r.src}
	e.Accept(c)
	everything := func() {
		m := r.subtree(s)
		for i := range r.q.Tables {
			if i < MaxTables && m&(1<<uint(i)) != 0 {
				r.allReads(i, out)
			}
		}
	}
	if c.sub {
		everything()
		return
	}
	for _, cn := range c.cols {
		b, err := r.lookup(cn, s)
		switch {
		case err != nil:
			everything()
			return
		case b.expr != nil:
			r.exprReads(b.expr, b.scope, out)
		default:
			*out = append(*out, ColRef{Table: b.occ, Col: b.col})
		}
	}
}

// badSelectColumn reports whether err, from resolving a select-list column,
// means the statement itself is wrong (the server would refuse it) rather
// than that the column is one the query model does not resolve to a table
// column (a derived table's computed column).
func badSelectColumn(err error) bool {
	return errors.Is(err, ErrUnknownColumn) || errors.Is(err, ErrUnknownTable) || errors.Is(err, ErrAmbiguousColumn)
}

// FilterColumns returns the columns e's predicates test, ascending without
// duplicates (nil for a nil filter).
func FilterColumns(e *Expr) []int {
	var out []int
	var walk func(*Expr)
	walk = func(e *Expr) {
		if e == nil {
			return
		}
		if e.Kind.Atomic() {
			out = append(out, e.Pred.Col)
			if e.Kind == ExprCols {
				out = append(out, e.Pred.Col2)
			}
			return
		}
		for _, a := range e.Args {
			walk(a)
		}
	}
	walk(e)
	slices.Sort(out)
	return slices.Compact(out)
}

// colCollector gathers the column references of a select-list expression
// and notes subqueries (whose columns may belong to other tables).
type colCollector struct {
	src  string // the statement's text, to position names (name)
	cols []*ast.ColumnNameExpr
	sub  bool
	subs []*ast.SubqueryExpr
}

func (c *colCollector) Enter(n ast.Node) (ast.Node, bool) {
	switch n := n.(type) {
	case *ast.SubqueryExpr:
		c.sub = true
		c.subs = append(c.subs, n)
		return n, true
	case *ast.ColumnNameExpr:
		c.cols = append(c.cols, n)
	case *ast.MatchAgainst:
		// Its columns are names, not expressions (MariaDB 10.11 checks
		// them: SELECT MATCH (nope) AGAINST ('x') FROM flights is an
		// unknown column).
		for _, name := range n.ColumnNames {
			c.name(name, n.OriginTextPosition())
		}
	case *ast.DefaultExpr:
		if n.Name != nil {
			c.name(n.Name, n.OriginTextPosition()) // DEFAULT(nope) likewise
		}
	}
	return n, false
}

// name collects a column name that is no expression, of the construct
// at off: positioned at its first part there (the parser records none).
func (c *colCollector) name(name *ast.ColumnName, off int) {
	first := name.Name.O
	switch {
	case name.Schema.O != "":
		first = name.Schema.O
	case name.Table.O != "":
		first = name.Table.O
	}
	if c.src != "" && off >= 0 {
		l := newLocatorAt(c.src, off)
		l.ident(first)
		if p := l.lastIdent(); p >= 0 {
			off = p
		}
	}
	cn := &ast.ColumnNameExpr{Name: name}
	cn.SetOriginTextPosition(off)
	c.cols = append(c.cols, cn)
}

func (c *colCollector) Leave(n ast.Node) (ast.Node, bool) { return n, true }
