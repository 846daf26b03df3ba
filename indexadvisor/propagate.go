package indexadvisor

import (
	"math"
	"slices"

	"github.com/cardinaldb/cardinal/features"
)

// Equality propagation through equi-joins.
//
// MariaDB (like MySQL) turns a join condition and an equality to a
// constant on one side into a multiple equality, so the constant applies
// to every column joined to it: in
//
//	SELECT COUNT(*) FROM lineitem f JOIN partsupp d
//	  ON f.l_partkey = d.ps_partkey AND f.l_suppkey = d.ps_suppkey
//	WHERE d.ps_suppkey = 550
//
// lineitem's scan tests l_suppkey = 550 itself ("Using where") and joins
// only the rows that pass. Measured on maria5 (MariaDB 10.11, TPC-H SF1,
// development seed 9's #23, no index on lineitem(l_suppkey) or
// partsupp(ps_suppkey), 15:37 UTC, load 2.5): f ALL with attached
// condition f.l_suppkey = 550, then d eq_ref on (l_partkey, const);
// ANALYZE: 619 of 6,001,215 lineitem rows passed, 619 lookups, 1.17 s,
// about a scan of lineitem. The model, which knew only
// d's filter, charged that statement the blind join's eq_ref lookup per
// row of lineitem (blind.go) and the inner BNL compare per pair (bnl.go):
// 5.6M cost units, nine scans of lineitem, the largest statement of the
// seed's estimated workload, so lineitem(l_suppkey)'s saving on it was
// priced at 38% of the workload's estimated cost (measured: 7.7%), and the
// index pushed orders(o_custkey) and lineitem(l_shipdate) out of the 10%
// budget (README, index advice, fourth session).
//
// So an occurrence's conjuncts include the equalities to a constant its
// join columns inherit (propagated): the inner occurrence's BNL pairs and
// a blind plan's lookups count only the rows that pass them.
//
// Not modelled: MariaDB substitutes a range or an IN list on a join
// column too, but to one table only, the first of the join order that the
// multiple equality holds (EXPLAIN of the same join with d.ps_suppkey
// BETWEEN 550 AND 551 or IN (550, 551): "f.l_suppkey between 550 and 551"
// attached to f's scan in the blind plan), so it would filter a blind
// plan's lookups and not an inner BNL scan. The generated workloads filter
// joins by equalities only.

// propagated returns, per occurrence of q, the equality conjuncts its
// columns inherit through q's equi-joins (transitively) from the other
// occurrences' top-level equalities, leaving out columns the occurrence's
// own filter already binds by an equality.
func propagated(q *features.Query) [][]conjunct {
	type colRef struct{ t, col int }
	own := make([][]conjunct, len(q.Tables))
	val := map[colRef]*features.Expr{} // a bound column and the equality binding it
	for i, t := range q.Tables {
		own[i] = classify(t.Filter)
		for _, c := range own[i] {
			if c.kind == predEq && c.expr.Pred.Op != features.OpIsNull {
				if _, ok := val[colRef{i, c.col}]; !ok {
					val[colRef{i, c.col}] = c.expr
				}
			}
		}
	}
	out := make([][]conjunct, len(q.Tables))
	for changed := true; changed; {
		changed = false
		for _, j := range q.Joins {
			l, r := colRef{j.Left, j.LeftCol}, colRef{j.Right, j.RightCol}
			for _, p := range [][2]colRef{{l, r}, {r, l}} {
				from, to := p[0], p[1]
				e, ok := val[from]
				if _, bound := val[to]; !ok || bound {
					continue
				}
				pe := &features.Expr{Kind: features.ExprPred, Pred: features.Pred{Col: to.col, Op: features.OpEQ, Values: slices.Clone(e.Pred.Values)}}
				val[to] = pe
				out[to.t] = append(out[to.t], conjunct{col: to.col, kind: predEq, expr: pe})
				changed = true
			}
		}
	}
	return out
}

// propagatedSel is, per occurrence of q, the share of its table's rows
// that pass the equalities prop says it inherits (1 when none).
func (a *advisor) propagatedSel(q *features.Query, prop [][]conjunct) []float64 {
	sel := make([]float64, len(prop))
	for i, pc := range prop {
		sel[i] = 1
		if len(pc) == 0 {
			continue
		}
		sub := q.Sub(1 << i)
		sub.Tables[0].Filter = pc[0].expr
		if len(pc) > 1 {
			sub.Tables[0].Filter = &features.Expr{Kind: features.ExprAnd}
			for _, c := range pc {
				sub.Tables[0].Filter.Args = append(sub.Tables[0].Filter.Args, c.expr)
			}
		}
		sel[i] = clamp01(estimateRows(a.est, sub) / math.Max(a.tables[q.Tables[i].Table].rows, 1))
	}
	return sel
}
