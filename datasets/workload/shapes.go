package workload

import (
	"fmt"

	"github.com/cardinaldb/cardinal/features"
)

// Shapes (Options.Shapes). A generated join is a tree; a leaf occurrence
// L joined to its parent P becomes, with equal probability:
//
//	LEFT JOIN      P LEFT JOIN L ON <the join> AND <L's filter>
//	EXISTS / IN    P WHERE EXISTS (SELECT * FROM L WHERE L.k = P.k AND ...)
//	               (x IN (SELECT ...) when the join has one column)
//	NOT EXISTS     the anti-join, NOT IN when the join has one column
//
// With Options.ShapeHaving the subquery of a semi- or anti-join sometimes
// groups by its correlated column: ... GROUP BY L.k HAVING COUNT(*) > c.
//
// so the workload holds outer, semi and anti joins over the same foreign
// keys and filters as its inner joins. The query is rendered and parsed
// back, which puts it in the model's normal form.

// shapeHavingCounts are the thresholds c of a semi- or anti-join's
// HAVING COUNT(*) > c (Options.ShapeHaving): a key's rows in the
// subquery, from "more than one" to a heavy hitter's.
var shapeHavingCounts = []float64{1, 2, 3, 5, 10, 20}

// shape turns q into one of the shapes above.
func (gen *generator) shape(q *features.Query) (*features.Query, error) {
	// Leaves: occurrences with one neighbour (not the root, occurrence 0,
	// so the preserved side keeps the walk's start).
	deg := make([]int, len(q.Tables))
	parent := make([]int, len(q.Tables))
	for _, j := range q.Joins {
		deg[j.Left]++
		deg[j.Right]++
	}
	var leaves []int
	for o := 1; o < len(q.Tables); o++ {
		seen := map[int]bool{}
		for _, j := range q.Joins {
			if j.Right == o {
				seen[j.Left] = true
				parent[o] = j.Left
			}
			if j.Left == o {
				seen[j.Right] = true
			}
		}
		if len(seen) == 1 {
			leaves = append(leaves, o)
		}
	}
	if len(leaves) == 0 {
		return q, nil
	}
	l := leaves[gen.rng.IntN(len(leaves))]
	p := parent[l]
	var pairs [][2]int // (P column, L column)
	for _, j := range q.Joins {
		switch {
		case j.Left == p && j.Right == l:
			pairs = append(pairs, [2]int{j.LeftCol, j.RightCol})
		case j.Left == l && j.Right == p:
			pairs = append(pairs, [2]int{j.RightCol, j.LeftCol})
		}
	}
	out := q
	switch gen.rng.IntN(3) {
	case 0:
		out = &features.Query{Schema: q.Schema, Tables: q.Tables, Joins: q.Joins,
			Outer: []features.OuterJoin{{Inner: 1 << uint(l), Attach: [2]int{p, l}}}}
	default:
		anti := gen.rng.IntN(2) == 0
		in := len(pairs) == 1 && gen.rng.IntN(2) == 0
		sub := &features.Query{Schema: q.Schema, Tables: []features.TableRef{q.Tables[l]}}
		sq := features.Subquery{Kind: features.SubExists, Scale: 1, AggCol: features.ColRef{Table: -1, Col: -1}, Query: sub, In: in}
		if anti {
			sq.Kind = features.SubNotExists
			if in {
				sq.Kind = features.SubNotIn
			}
		}
		for _, pr := range pairs {
			sq.Corr = append(sq.Corr, features.Correlation{Outer: pr[0], Inner: features.ColRef{Table: 0, Col: pr[1]}})
		}
		if gen.opts.ShapeHaving > 0 && gen.rng.Float64() < gen.opts.ShapeHaving {
			// GROUP BY the (IN) column HAVING COUNT(*) > c.
			k := features.ColRef{Table: 0, Col: pairs[0][1]}
			sub.Group = &features.Grouping{Keys: []features.GroupKey{{ColRef: k}},
				Aggs:   []features.Agg{{Func: features.AggCount, Table: -1}},
				Having: &features.Having{Kind: features.ExprPred, Op: features.OpGT, Values: []float64{shapeHavingCounts[gen.rng.IntN(len(shapeHavingCounts))]}}}
			sub.GroupBy = []features.ColRef{k}
		}
		// Drop L from the enclosing query.
		idx := make([]int, len(q.Tables))
		rest := &features.Query{Schema: q.Schema}
		for o, t := range q.Tables {
			idx[o] = -1
			if o != l {
				idx[o] = len(rest.Tables)
				rest.Tables = append(rest.Tables, t)
			}
		}
		for _, j := range q.Joins {
			if j.Left != l && j.Right != l {
				rest.Joins = append(rest.Joins, features.Join{Left: idx[j.Left], Right: idx[j.Right], LeftCol: j.LeftCol, RightCol: j.RightCol})
			}
		}
		sq.Table = idx[p]
		rest.Subqueries = []features.Subquery{sq}
		out = rest
	}
	back, err := features.Parse(q.Schema, out.SQL())
	if err != nil {
		return nil, fmt.Errorf("workload: generated shape does not parse back: %w\n%s", err, out.SQL())
	}
	return back, nil
}
