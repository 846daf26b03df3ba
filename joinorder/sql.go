package joinorder

import (
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// HintedSQL returns the plan's query with MySQL 8's optimizer hint
//
//	SELECT /*+ JOIN_ORDER(`a`, `b`, `c`) */ COUNT(*) FROM ...
//
// naming the aliases in Plan.Order (MySQL executes left-deep trees, so a
// bushy plan is hinted by its linearisation). The FROM clause is the
// query's own (features.Query.SQL); the hint only fixes the order. The
// result is that of the original query: the hint changes no semantics.
func (p *Plan) HintedSQL() string {
	order := p.Order()
	var b strings.Builder
	b.WriteString("SELECT /*+ JOIN_ORDER(")
	for i, o := range order {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(catalog.QuoteIdent(p.Query.Tables[o].Alias))
	}
	b.WriteString(") */ ")
	return b.String() + strings.TrimPrefix(p.Query.SQL(), "SELECT ")
}

// StraightJoinSQL returns the plan's query rewritten for MariaDB (and
// MySQL): the FROM clause lists the occurrences in Plan.Order and SELECT
// STRAIGHT_JOIN makes the server join them in that order, left-deep:
//
//	SELECT STRAIGHT_JOIN COUNT(*) FROM `t` AS `a` JOIN `u` AS `b` ON ... WHERE ...
//
// Each table is joined with the ON conditions of its edges to tables
// before it; filters stay in WHERE. Inner joins commute, so the result is
// that of the original query. A bushy plan is rewritten by its
// linearisation (the servers execute left-deep trees only).
func (p *Plan) StraightJoinSQL() string {
	return "SELECT STRAIGHT_JOIN " + strings.TrimPrefix(permute(p.Query, p.Order()).SQL(), "SELECT ")
}

// permute returns q with its occurrences in the given order.
func permute(q *features.Query, order []int) *features.Query {
	pos := make([]int, len(q.Tables))
	out := &features.Query{Schema: q.Schema, Tables: make([]features.TableRef, len(order))}
	for i, o := range order {
		pos[o] = i
		out.Tables[i] = q.Tables[o]
	}
	for _, j := range q.Joins {
		l, r, lc, rc := pos[j.Left], pos[j.Right], j.LeftCol, j.RightCol
		if l > r {
			l, r, lc, rc = r, l, rc, lc
		}
		out.Joins = append(out.Joins, features.Join{Left: l, Right: r, LeftCol: lc, RightCol: rc})
	}
	remap := func(cs []features.ColRef) []features.ColRef {
		var o []features.ColRef
		for _, c := range cs {
			o = append(o, features.ColRef{Table: pos[c.Table], Col: c.Col})
		}
		return o
	}
	out.GroupBy, out.OrderBy = remap(q.GroupBy), remap(q.OrderBy)
	// Subquery filters follow their occurrence.
	for _, sq := range q.Subqueries {
		sq.Table = pos[sq.Table]
		out.Subqueries = append(out.Subqueries, sq)
	}
	return out
}
