package features

import (
	"strconv"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// HAVING thresholds that are uncorrelated scalar subqueries (TPC-H Q11):
//
//	GROUP BY ps_partkey HAVING SUM(ps_supplycost * ps_availqty) > (SELECT SUM(ps_supplycost * ps_availqty) * 0.0001 FROM ...)
//	                           └──── Grouping.Aggs[h.Agg] ────┘   └──────────────── Having.Sub ────────────────────┘
//
// The subquery is evaluated once, over its own FROM + WHERE, to one value
// (Scale × Agg; NULL for SUM, AVG, MIN and MAX of no row, which no group
// passes); each group's aggregate is then compared with that value as
// with a number. Counting and estimating resolve the value first
// (ResolveHaving): the engine exactly, estimators from their estimate of
// the subquery's rows and the sampled values of the aggregated columns.

// ScalarSub is an uncorrelated scalar subquery of HAVING: the value
// Scale × Agg over the rows of Query's FROM + WHERE.
type ScalarSub struct {
	Query *Query  // its FROM + WHERE (without GROUP BY)
	Agg   Agg     // Agg.Table indexes Query.Tables; -1 for COUNT(*)
	Scale float64 // 1 without a multiplier
}

// HavingSubs returns the scalar subqueries q's HAVING compares with, in
// condition order (nil when there are none).
func (q *Query) HavingSubs() []*ScalarSub {
	if q == nil || q.Group == nil {
		return nil
	}
	var out []*ScalarSub
	var walk func(h *Having)
	walk = func(h *Having) {
		if h == nil {
			return
		}
		if h.Sub != nil {
			out = append(out, h.Sub)
		}
		for _, a := range h.Args {
			walk(a)
		}
	}
	walk(q.Group.Having)
	return out
}

// ResolveHaving returns q with the HAVING thresholds that are scalar
// subqueries replaced by their values: val returns a subquery's value,
// ok false for NULL (the comparison is then UNKNOWN). q itself is not
// changed; a query without such thresholds is returned as is.
func (q *Query) ResolveHaving(val func(s *ScalarSub) (v float64, ok bool, err error)) (*Query, error) {
	if len(q.HavingSubs()) == 0 {
		return q, nil
	}
	var copyH func(h *Having) (*Having, error)
	copyH = func(h *Having) (*Having, error) {
		c := *h
		if h.Sub != nil {
			v, ok, err := val(h.Sub)
			if err != nil {
				return nil, err
			}
			c.Sub, c.Values = nil, nil
			if ok {
				c.Values = []float64{v}
			}
		}
		c.Args = make([]*Having, len(h.Args))
		for i, a := range h.Args {
			x, err := copyH(a)
			if err != nil {
				return nil, err
			}
			c.Args[i] = x
		}
		return &c, nil
	}
	h, err := copyH(q.Group.Having)
	if err != nil {
		return nil, err
	}
	g := *q.Group
	g.Having = h
	out := *q
	out.Group = &g
	return &out, nil
}

// havingSub resolves an uncorrelated scalar subquery compared with an
// aggregate in HAVING: SELECT [n *] AGG(arithmetic) [* n] FROM ... WHERE.
func (r *resolver) havingSub(sq *ast.SubqueryExpr) (*ScalarSub, error) {
	off := sq.OriginTextPosition()
	sel, ok := sq.Query.(*ast.SelectStmt)
	if !ok {
		if err := r.checkSubquery(sq); err != nil {
			return nil, err // a name the server refuses first
		}
		return nil, r.errAt(off, ErrUnsupported, "UNION in subquery", "set operations are not modelled")
	}
	if sel.From == nil || sel.From.TableRefs == nil {
		return nil, r.errAt(off, ErrUnsupported, "subquery in HAVING", "the subquery reads no table; compare the aggregate with a number")
	}
	depth := 0
	for p := r; p != nil; p = p.parent {
		depth++
	}
	if depth > maxSubqueryDepth {
		return nil, r.errAt(off, ErrTooComplex, "subquery", "nested deeper than %d", maxSubqueryDepth)
	}
	c := &resolver{schema: r.schema, src: r.src, loc: newLocatorAt(r.src, off), q: &Query{Schema: r.schema}, parent: r, opts: r.opts}
	if err := c.statement(sel); err != nil {
		return nil, err
	}
	switch {
	case len(c.sh.corr) > 0:
		return nil, r.errAt(off, ErrUnsupported, "correlated subquery in HAVING", "a HAVING threshold may be an uncorrelated scalar subquery only")
	case c.q.Group != nil:
		return nil, r.errAt(off, ErrUnsupported, "grouped subquery in HAVING", "the subquery must compute one value (no GROUP BY, DISTINCT or HAVING)")
	case sel.Fields == nil || len(sel.Fields.Fields) != 1 || sel.Fields.Fields[0].WildCard != nil:
		return nil, r.errAt(off, ErrUnsupported, "scalar subquery", "the subquery must select exactly one expression")
	}
	s := &ScalarSub{Query: c.q, Scale: 1}
	e := stripParens(sel.Fields.Fields[0].Expr)
	for {
		b, ok := e.(*ast.BinaryOperationExpr)
		if !ok || b.Op != opcode.Mul {
			break
		}
		l, lok := literal(b.L)
		x := b.R
		if !lok {
			l, lok = literal(b.R)
			x = b.L
		}
		if !lok {
			break
		}
		f, ok := numericLit(l)
		if !ok {
			return nil, r.errAt(b.OriginTextPosition(), ErrUnsupported, "scalar subquery", "the multiplier must be a number")
		}
		s.Scale *= f
		e = stripParens(x)
	}
	if _, ok := e.(*ast.AggregateFuncExpr); !ok {
		return nil, r.errAt(e.OriginTextPosition(), ErrUnsupported, "scalar subquery in HAVING", "the subquery must select AGG(expression), optionally times a number (COUNT, SUM, AVG, MIN, MAX)")
	}
	var g Grouping
	i, err := c.aggregate(e, sel.Fields.Fields, &g)
	if err != nil {
		return nil, err
	}
	s.Agg = g.Aggs[i]
	c.q.Reads, c.q.OrderBy, c.q.OrderDesc, c.q.Limit, c.q.Offset = nil, nil, nil, 0, 0
	r.renameShadowed(c.q)
	return s, nil
}

// havingSubText renders a HAVING threshold subquery.
func (w *renderer) havingSubText(s *ScalarSub) string {
	if s.Query == nil {
		return "(?subquery)"
	}
	inner := &renderer{q: s.Query, mode: w.mode}
	inner.query()
	var b strings.Builder
	b.WriteString("(SELECT ")
	if s.Scale != 1 {
		if w.mode == modeShape {
			b.WriteString("? * ")
		} else {
			b.WriteString(strconv.FormatFloat(s.Scale, 'g', -1, 64) + " * ")
		}
	}
	agg := &renderer{q: s.Query, mode: w.mode}
	agg.agg(s.Agg)
	b.WriteString(agg.b.String() + " ")
	b.WriteString(strings.TrimPrefix(inner.b.String(), "SELECT COUNT(*) "))
	b.WriteByte(')')
	return b.String()
}
