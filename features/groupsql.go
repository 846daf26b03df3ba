package features

import (
	"strconv"
	"strings"
)

// groupSelect returns the select list of the outer query: COUNT(*), or
// DISTINCT and its keys (DISTINCT COUNT(*) when a DISTINCT query has no
// keys).
func (w *renderer) groupSelect() string {
	g := w.q.Group
	if g == nil || !g.Distinct {
		return "COUNT(*)"
	}
	if len(g.Keys) == 0 {
		return "DISTINCT COUNT(*)"
	}
	var k renderer
	k.q, k.mode = w.q, w.mode
	k.groupKeys(g.Keys)
	return "DISTINCT " + k.b.String()
}

// grouping writes GROUP BY (unless the keys are DISTINCT's) and HAVING.
func (w *renderer) grouping() {
	g := w.q.Group
	if !g.Distinct && len(g.Keys) > 0 {
		w.b.WriteString(" GROUP BY ")
		w.groupKeys(g.Keys)
	}
	if g.Having != nil {
		w.b.WriteString(" HAVING ")
		w.having(g, g.Having, false)
	}
}

func (w *renderer) groupKeys(keys []GroupKey) {
	for i, k := range keys {
		if i > 0 {
			w.b.WriteString(", ")
		}
		switch k.Func {
		case KeyYear:
			w.b.WriteString("YEAR(")
		case KeyMonth:
			w.b.WriteString("MONTH(")
		case KeyDate:
			w.b.WriteString("DATE(")
		case KeyPrefix:
			w.b.WriteString("LEFT(")
		}
		w.col(k.Table, k.Col)
		switch k.Func {
		case KeyColumn:
		case KeyPrefix:
			w.b.WriteString(", " + strconv.Itoa(k.N) + ")")
		default:
			w.b.WriteByte(')')
		}
	}
}

func (w *renderer) num(v float64) {
	if w.mode == modeShape {
		w.b.WriteByte('?')
		return
	}
	w.b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
}

// having writes a HAVING condition; nested compound conditions are
// parenthesised.
func (w *renderer) having(g *Grouping, h *Having, nested bool) {
	switch h.Kind {
	case ExprPred:
		if h.Agg < 0 || h.Agg >= len(g.Aggs) {
			w.b.WriteString("?agg")
			return
		}
		w.agg(g.Aggs[h.Agg])
		val := func(i int) {
			if i < len(h.Values) {
				w.num(h.Values[i])
			} else {
				w.b.WriteString("NULL")
			}
		}
		if h.Op == OpBetween {
			w.b.WriteString(" BETWEEN ")
			val(0)
			w.b.WriteString(" AND ")
			val(1)
			return
		}
		w.b.WriteString(" " + h.Op.String() + " ")
		if h.Sub != nil {
			w.b.WriteString(w.havingSubText(h.Sub))
			return
		}
		val(0)
	case ExprAnd, ExprOr, ExprNot:
		compound(w, h.Kind, h.Args, nested, func(a *Having, nested bool) { w.having(g, a, nested) })
	default:
		w.b.WriteString("?having")
	}
}

func (w *renderer) agg(a Agg) {
	w.b.WriteString(a.Func.String() + "(")
	if a.Arg == nil {
		w.b.WriteString("*)")
		return
	}
	w.arith(a.Table, a.Arg, false)
	w.b.WriteByte(')')
}

// arith writes an aggregate argument, parenthesising nested operations.
func (w *renderer) arith(occ int, a *Arith, nested bool) {
	if a == nil {
		w.b.WriteString("NULL")
		return
	}
	switch a.Kind {
	case ArithCol:
		w.col(occ, a.Col)
		return
	case ArithConst:
		if a.Const < 0 {
			w.b.WriteByte('(')
			w.num(a.Const)
			w.b.WriteByte(')')
			return
		}
		w.num(a.Const)
		return
	case ArithNeg:
		w.b.WriteString("-(")
		if len(a.Args) == 1 {
			w.arith(occ, a.Args[0], false)
		}
		w.b.WriteByte(')')
		return
	}
	op := map[ArithKind]string{ArithAdd: " + ", ArithSub: " - ", ArithMul: " * ", ArithDiv: " / "}[a.Kind]
	if op == "" || len(a.Args) != 2 {
		w.b.WriteString("?arith")
		return
	}
	if nested {
		w.b.WriteByte('(')
	}
	w.arith(occ, a.Args[0], true)
	w.b.WriteString(op)
	w.arith(occ, a.Args[1], true)
	if nested {
		w.b.WriteByte(')')
	}
}

// GroupsSQL renders the statement whose COUNT(*) is the query's number of
// output groups, for a server to count them as the engine does:
//
//	SELECT COUNT(*) FROM (SELECT 1 FROM ... WHERE ... GROUP BY ... HAVING ...) AS `groups`
//	SELECT COUNT(*) FROM (SELECT DISTINCT k0 AS `k0`, ... FROM ... WHERE ...) AS `groups`
//
// A query that does not group renders as SQL.
func (q *Query) GroupsSQL() string {
	s := q.SQL()
	g := q.Group
	if g == nil {
		return s
	}
	with := q.withText(modeSQL)
	s = strings.TrimPrefix(s, with)
	w := &renderer{q: q, mode: modeSQL}
	head := "SELECT " + w.selectList()
	rest := strings.TrimPrefix(s, head)
	var inner strings.Builder
	switch {
	case g.Distinct && len(g.Keys) > 0:
		inner.WriteString("SELECT DISTINCT ")
		for i, k := range g.Keys {
			if i > 0 {
				inner.WriteString(", ")
			}
			var kw renderer
			kw.q, kw.mode = q, modeSQL
			kw.groupKeys([]GroupKey{k})
			inner.WriteString(kw.b.String() + " AS `k" + strconv.Itoa(i) + "`")
		}
	case g.Distinct:
		inner.WriteString("SELECT DISTINCT COUNT(*)")
	default:
		inner.WriteString("SELECT 1")
	}
	inner.WriteString(rest)
	return with + "SELECT COUNT(*) FROM (" + inner.String() + ") AS `groups`"
}
