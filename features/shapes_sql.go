package features

import (
	"math/bits"
	"strconv"
	"strings"
)

// Rendering of outer joins and subqueries (see SQL): groups render as
// LEFT JOIN (core first, then each group with its nested groups, the
// order normalizeOuter gives the occurrences), with their filters in the
// ON; subqueries render as the WHERE conjuncts they were.

// selectList is COUNT(*) for a query, and for a subquery what it selects.
func (w *renderer) selectList() string {
	sq := w.sub
	if sq == nil {
		return w.groupSelect()
	}
	switch {
	case sq.Kind == SubScalar:
		var b strings.Builder
		if sq.Scale != 1 {
			if w.mode == modeShape {
				b.WriteString("? * ")
			} else {
				b.WriteString(strconv.FormatFloat(sq.Scale, 'g', -1, 64) + " * ")
			}
		}
		b.WriteString(sq.Agg.String() + "(")
		if sq.AggCol.Table < 0 {
			b.WriteString("*")
		} else {
			b.WriteString(w.colText(sq.AggCol.Table, sq.AggCol.Col))
		}
		b.WriteString(")")
		return b.String()
	case sq.In && len(sq.Corr) > 0:
		return w.colText(sq.Corr[0].Inner.Table, sq.Corr[0].Inner.Col)
	}
	return "*"
}

// colText renders a column of this renderer's query.
func (w *renderer) colText(occ, col int) string {
	t := &renderer{q: w.q, mode: w.mode}
	t.col(occ, col)
	return t.b.String()
}

// outerColText renders a column of the enclosing query.
func (w *renderer) outerColText(occ, col int) string {
	if w.outer == nil {
		return "?outer"
	}
	s := w.outer.colText(occ, col)
	if w.mode == modeShape {
		return "^" + s
	}
	return s
}

// shapeConjuncts appends a subquery's correlation predicates and the
// query's subquery filters to WHERE (first: no WHERE written yet).
func (w *renderer) shapeConjuncts(first bool) {
	sep := func() {
		if first {
			w.b.WriteString(" WHERE ")
			first = false
		} else {
			w.b.WriteString(" AND ")
		}
	}
	if sq := w.sub; sq != nil {
		for k, c := range sq.Corr {
			if k == 0 && sq.In {
				continue
			}
			sep()
			op := " = "
			if c.NotEqual {
				op = " <> "
			}
			w.b.WriteString(w.colText(c.Inner.Table, c.Inner.Col) + op + w.outerColText(w.sub.Table, c.Outer))
		}
	}
	for k := range w.q.Subqueries {
		sep()
		w.subquery(&w.q.Subqueries[k])
	}
}

// subquery renders one subquery filter.
func (w *renderer) subquery(sq *Subquery) {
	inner := &renderer{q: sq.Query, mode: w.mode, sub: sq, outer: w}
	if sq.Query != nil {
		inner.query()
	}
	text := "(" + inner.b.String() + ")"
	switch sq.Kind {
	case SubExists, SubNotIn:
		if sq.In && len(sq.Corr) > 0 {
			w.b.WriteString(w.colText(sq.Table, sq.Corr[0].Outer))
			if sq.Kind == SubNotIn {
				w.b.WriteString(" NOT")
			}
			w.b.WriteString(" IN " + text)
			return
		}
		w.b.WriteString("EXISTS " + text)
	case SubNotExists:
		w.b.WriteString("NOT EXISTS " + text)
	case SubScalar:
		w.b.WriteString(w.colText(sq.Table, sq.Col) + " " + sq.Op.String() + " " + text)
	default:
		w.b.WriteString("?subquery")
	}
}

// outerQuery renders FROM with LEFT JOINs, then WHERE (the core's
// filters and the subqueries), GROUP BY and ORDER BY.
func (w *renderer) outerQuery(edges []Join) {
	q := w.q
	core := q.PreservedCore()
	w.b.WriteString(w.chain(maskMembers(core), edges))
	for _, o := range q.Outer {
		if q.outerDepthOfGroup(o) == 0 {
			w.leftJoin(o, edges)
		}
	}
	first := true
	for i, t := range q.Tables {
		if t.Filter == nil || core&(1<<uint(i)) == 0 {
			continue
		}
		for _, a := range conjunctsOf(t.Filter) {
			if first {
				w.b.WriteString(" WHERE ")
				first = false
			} else {
				w.b.WriteString(" AND ")
			}
			w.expr(i, a, true)
		}
	}
	w.shapeConjuncts(first)
	if q.Group == nil {
		w.keys(" GROUP BY ", q.GroupBy, nil)
	} else {
		w.grouping()
	}
	w.keys(" ORDER BY ", q.OrderBy, q.OrderDesc)
}

func conjunctsOf(e *Expr) []*Expr {
	if e.Kind == ExprAnd {
		return e.Args
	}
	return []*Expr{e}
}

func maskMembers(m uint64) []int {
	var out []int
	for ; m != 0; m &= m - 1 {
		out = append(out, bits.TrailingZeros64(m))
	}
	return out
}

// chain renders occurrences joined by the edges among them (CROSS JOIN
// when an occurrence has none to the earlier ones).
func (w *renderer) chain(members []int, edges []Join) string {
	from := &renderer{q: w.q, mode: w.mode}
	if len(members) == 0 {
		return "DUAL"
	}
	var in uint64
	from.tableRef(members[0])
	in |= 1 << uint(members[0])
	for _, i := range members[1:] {
		n := 0
		for _, j := range edges {
			if j.Right != i || in&(1<<uint(j.Left)) == 0 {
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
		in |= 1 << uint(i)
	}
	return from.b.String()
}

// leftJoin renders " LEFT JOIN <group> ON <attach edges> AND <filters>".
func (w *renderer) leftJoin(o OuterJoin, edges []Join) {
	q := w.q
	var nested []OuterJoin
	direct := o.Inner
	for _, p := range q.Outer {
		if p.Inner != o.Inner && p.Inner&^o.Inner == 0 {
			direct &^= p.Inner
			if q.outerDepthOfGroup(p) == q.outerDepthOfGroup(o)+1 {
				nested = append(nested, p)
			}
		}
	}
	w.b.WriteString(" LEFT JOIN ")
	members := maskMembers(direct)
	if len(members) == 1 && len(nested) == 0 {
		t := &renderer{q: q, mode: w.mode}
		t.tableRef(members[0])
		w.b.WriteString(t.b.String())
	} else {
		w.b.WriteString("(" + w.chain(members, edges))
		for _, p := range nested {
			w.leftJoin(p, edges)
		}
		w.b.WriteString(")")
	}
	w.b.WriteString(" ON ")
	n := 0
	a, b := o.Attach[0], o.Attach[1]
	for _, j := range edges {
		if (j.Left == a && j.Right == b) || (j.Left == b && j.Right == a) {
			if n > 0 {
				w.b.WriteString(" AND ")
			}
			w.edge(j)
			n++
		}
	}
	for _, i := range members {
		if f := q.Tables[i].Filter; f != nil {
			for _, x := range conjunctsOf(f) {
				if n > 0 {
					w.b.WriteString(" AND ")
				}
				w.expr(i, x, true)
				n++
			}
		}
	}
	if n == 0 {
		w.b.WriteString("TRUE")
	}
}

// describeShapes renders the outer joins and subquery filters for
// Describe.
func (q *Query) describeShapes() (outer, subs []string) {
	for _, o := range q.Outer {
		w := &renderer{q: q, mode: modeDescribe}
		w.b.WriteString("LEFT JOIN " + strings.Join(q.Aliases(o.Inner), ", ") + " ON ")
		n := 0
		for _, j := range q.Joins {
			if (j.Left == o.Attach[0] && j.Right == o.Attach[1]) || (j.Left == o.Attach[1] && j.Right == o.Attach[0]) {
				if n > 0 {
					w.b.WriteString(" AND ")
				}
				w.edge(j)
				n++
			}
		}
		outer = append(outer, w.b.String())
	}
	for k := range q.Subqueries {
		w := &renderer{q: q, mode: modeDescribe}
		w.subquery(&q.Subqueries[k])
		subs = append(subs, w.b.String())
	}
	return outer, subs
}
