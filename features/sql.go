package features

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
)

// renderMode selects how a query is printed.
type renderMode uint8

const (
	modeSQL      renderMode = iota // MySQL text, every identifier quoted
	modeDescribe                   // readable: identifiers quoted only when needed
	modeShape                      // literal-free fingerprint text for Digest
)

type renderer struct {
	q    *Query
	mode renderMode
	b    strings.Builder
	// sub renders a subquery: its select list and the correlation
	// predicates, with outer its enclosing query's renderer (shapes_sql.go).
	sub   *Subquery
	outer *renderer
}

// SQL renders the query as MySQL text that Parse maps back to an equal
// Query:
//
//	SELECT COUNT(*) FROM `t` AS `a` JOIN `u` AS `b` ON `a`.`x` = `b`.`y` WHERE ...
//
// Each table after the first is joined with the ON conditions of its edges
// to earlier tables; a table without such an edge is CROSS JOINed inside
// parentheses so later ON clauses may still reference everything before
// it. Filters follow in WHERE, table by table. The select list is
// COUNT(*), or DISTINCT and its keys; GROUP BY, HAVING and ORDER BY list
// the kept keys and conditions (groupsql.go).
func (q *Query) SQL() string {
	w := &renderer{q: q, mode: modeSQL}
	w.b.WriteString(q.withText(modeSQL))
	w.query()
	return w.b.String()
}

// Digest returns a literal-free fingerprint of the query (32 hex digits of
// SHA-256 over a canonical shape text): queries that differ only in their
// literals, in the length of their IN lists or in their aliases have the
// same digest.
func (q *Query) Digest() string {
	w := &renderer{q: q, mode: modeShape}
	w.b.WriteString(q.withText(modeShape))
	w.query()
	sum := sha256.Sum256([]byte(w.b.String()))
	return hex.EncodeToString(sum[:16])
}

func (w *renderer) ident(s string) {
	if w.mode == modeSQL || !simpleIdent(s) {
		w.b.WriteString(catalog.QuoteIdent(s))
		return
	}
	w.b.WriteString(s)
}

// simpleIdent reports whether s needs no quoting for a human reader.
func simpleIdent(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

func (q *Query) tableDef(occ int) *catalog.Table {
	if q.Schema == nil || occ < 0 || occ >= len(q.Tables) {
		return nil
	}
	t := q.Tables[occ].Table
	if t < 0 || t >= len(q.Schema.Tables) {
		return nil
	}
	return q.Schema.Tables[t]
}

func (q *Query) column(occ, col int) catalog.Column {
	t := q.tableDef(occ)
	if t == nil || col < 0 || col >= len(t.Columns) {
		return catalog.Column{Name: "?col" + strconv.Itoa(col), Type: catalog.TypeString}
	}
	return t.Columns[col]
}

func (q *Query) tableName(occ int) string {
	if t := q.tableDef(occ); t != nil {
		return t.Name
	}
	return "?table"
}

func (w *renderer) alias(occ int) {
	if w.mode == modeShape {
		w.b.WriteString("#" + strconv.Itoa(occ))
		return
	}
	a := "?"
	if occ >= 0 && occ < len(w.q.Tables) {
		a = w.q.Tables[occ].Alias
	}
	w.ident(a)
}

func (w *renderer) col(occ, col int) {
	w.alias(occ)
	w.b.WriteByte('.')
	w.ident(w.q.column(occ, col).Name)
}

func (w *renderer) lit(t catalog.Type, d catalog.Datum) {
	if w.mode == modeShape {
		w.b.WriteByte('?')
		return
	}
	w.b.WriteString(formatLit(t, d))
}

func (w *renderer) tableRef(occ int) {
	w.ident(w.q.tableName(occ))
	if w.mode != modeShape {
		w.b.WriteString(" AS ")
		w.alias(occ)
	}
}

func (w *renderer) query() {
	q := w.q
	w.b.WriteString("SELECT " + w.selectList() + " FROM ")
	if len(q.Tables) == 0 {
		w.b.WriteString("DUAL")
		return
	}
	// Edges in canonical order (Left < Right, sorted), so hand-built
	// queries render (and digest) like parsed ones.
	edges := make([]Join, 0, len(q.Joins))
	for _, j := range q.Joins {
		if j.Left > j.Right {
			j = Join{Left: j.Right, Right: j.Left, LeftCol: j.RightCol, RightCol: j.LeftCol}
		}
		edges = append(edges, j)
	}
	edges = normJoins(edges)
	if len(q.Outer) > 0 {
		w.outerQuery(edges)
		return
	}
	var from renderer
	from.q, from.mode = q, w.mode
	from.tableRef(0)
	for i := 1; i < len(q.Tables); i++ {
		n := 0
		for _, j := range edges {
			if j.Right != i || j.Left < 0 {
				continue
			}
			if n == 0 {
				from.b.WriteString(" JOIN ")
				from.tableRef(i)
				from.b.WriteString(" ON ")
			} else {
				from.b.WriteString(" AND ")
			}
			from.edge(j)
			n++
		}
		if n == 0 {
			prev := from.b.String()
			from.b.Reset()
			from.b.WriteString("(" + prev + " CROSS JOIN ")
			from.tableRef(i)
			from.b.WriteByte(')')
		}
	}
	w.b.WriteString(from.b.String())
	first := true
	for i, t := range q.Tables {
		if t.Filter == nil {
			continue
		}
		args := []*Expr{t.Filter}
		if t.Filter.Kind == ExprAnd {
			args = t.Filter.Args
		}
		for _, a := range args {
			if first {
				w.b.WriteString(" WHERE ")
				first = false
			} else {
				w.b.WriteString(" AND ")
			}
			w.expr(i, a, true)
		}
	}
	w.shapeConjuncts(w.residuals(first))
	if q.Group == nil {
		w.keys(" GROUP BY ", q.GroupBy, nil)
	} else {
		w.grouping()
	}
	w.keys(" ORDER BY ", q.OrderBy, q.OrderDesc)
}

// keys renders a GROUP BY / ORDER BY list; desc (parallel, may be nil)
// marks DESC items. LIMIT is not rendered: SQL is the counted query.
func (w *renderer) keys(kw string, cs []ColRef, desc []bool) {
	for i, c := range cs {
		if i == 0 {
			w.b.WriteString(kw)
		} else {
			w.b.WriteString(", ")
		}
		w.col(c.Table, c.Col)
		if i < len(desc) && desc[i] {
			w.b.WriteString(" DESC")
		}
	}
}

func (w *renderer) edge(j Join) {
	w.col(j.Left, j.LeftCol)
	w.b.WriteString(" = ")
	w.col(j.Right, j.RightCol)
}

// expr renders e; nested compound expressions are parenthesised.
func (w *renderer) expr(occ int, e *Expr, nested bool) {
	if e == nil {
		w.b.WriteString("TRUE")
		return
	}
	switch e.Kind {
	case ExprPred:
		w.pred(occ, &e.Pred)
	case ExprFunc:
		w.funcPred(occ, &e.Pred)
	case ExprCols:
		w.colsPred(occ, &e.Pred)
	case ExprAnd, ExprOr, ExprNot:
		compound(w, e.Kind, e.Args, nested, func(a *Expr, nested bool) { w.expr(occ, a, nested) })
	default:
		w.b.WriteString("?expr")
	}
}

// compound writes an AND, OR or NOT node over args (filters and HAVING
// conditions alike), rendering each argument with item; a nested AND or
// OR is parenthesised, NOT always is.
func compound[T any](w *renderer, kind ExprKind, args []T, nested bool, item func(a T, nested bool)) {
	if kind == ExprNot {
		w.b.WriteString("NOT (")
		for _, a := range args {
			item(a, false)
		}
		w.b.WriteByte(')')
		return
	}
	if nested {
		w.b.WriteByte('(')
	}
	sep := " AND "
	if kind == ExprOr {
		sep = " OR "
	}
	for i, a := range args {
		if i > 0 {
			w.b.WriteString(sep)
		}
		item(a, true)
	}
	if nested {
		w.b.WriteByte(')')
	}
}

func (w *renderer) pred(occ int, p *Pred) {
	w.col(occ, p.Col)
	w.predRest(w.q.column(occ, p.Col).Type, p)
}

// predRest renders the operator and literals of p, typed as t.
func (w *renderer) predRest(t catalog.Type, p *Pred) {
	val := func(i int) {
		d := catalog.Null
		if i < len(p.Values) {
			d = p.Values[i]
		}
		w.lit(t, d)
	}
	switch p.Op {
	case OpEQ, OpNE, OpLT, OpLE, OpGT, OpGE:
		w.b.WriteString(" " + p.Op.String() + " ")
		val(0)
	case OpBetween:
		w.b.WriteString(" BETWEEN ")
		val(0)
		w.b.WriteString(" AND ")
		val(1)
	case OpIn, OpNotIn:
		if p.Op == OpNotIn {
			w.b.WriteString(" NOT")
		}
		w.b.WriteString(" IN (")
		if w.mode == modeShape {
			w.b.WriteString("?)")
			return
		}
		for i := range p.Values {
			if i > 0 {
				w.b.WriteString(", ")
			}
			val(i)
		}
		if len(p.Values) == 0 {
			w.b.WriteString("NULL")
		}
		w.b.WriteByte(')')
	case OpIsNull:
		w.b.WriteString(" IS NULL")
	case OpIsNotNull:
		w.b.WriteString(" IS NOT NULL")
	case OpLike:
		w.b.WriteString(" LIKE ")
		val(0)
	case OpNotLike:
		w.b.WriteString(" NOT LIKE ")
		val(0)
	default:
		w.b.WriteString(" ?op" + strconv.Itoa(int(p.Op)))
	}
}
