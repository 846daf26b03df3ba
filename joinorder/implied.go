package joinorder

import (
	"slices"

	"github.com/cardinaldb/cardinal/features"
)

// Implied equalities. An equi-join query's join columns fall into
// equivalence classes (a.x = b.y AND b.y = c.z puts a.x, b.y and c.z in one
// class); every pair of a class is a join predicate the query implies, and
// MySQL and MariaDB use them (their equality propagation): they may join a
// to c directly. A planner that sees only the written edges cannot choose
// such an order, and prices one it is shown as a cross product.
//
//	written:  a ── b ── c   (a.x = b.y, b.y = c.z)
//	implied:  a ─────── c   (a.x = c.z)
//
// ImpliedJoins adds the missing edges; the sub-plans of the closed query
// are then the sets the server can join without a cross product, and a
// sub-plan's rows are those of its tables under every equality implied
// among them (what the server computes, whatever order it joins them in).

// equivClasses returns, for each equivalence class of q's join columns with
// members in at least two occurrences, its members sorted by (occurrence,
// column).
func equivClasses(q *features.Query) [][]features.ColRef {
	parent := map[features.ColRef]features.ColRef{}
	var find func(c features.ColRef) features.ColRef
	find = func(c features.ColRef) features.ColRef {
		p, ok := parent[c]
		if !ok {
			parent[c] = c
			return c
		}
		if p == c {
			return c
		}
		r := find(p)
		parent[c] = r
		return r
	}
	for _, j := range q.Joins {
		a, b := find(features.ColRef{Table: j.Left, Col: j.LeftCol}), find(features.ColRef{Table: j.Right, Col: j.RightCol})
		if a != b {
			parent[a] = b
		}
	}
	groups := map[features.ColRef][]features.ColRef{}
	for c := range parent {
		r := find(c)
		groups[r] = append(groups[r], c)
	}
	var out [][]features.ColRef
	for _, g := range groups {
		slices.SortFunc(g, cmpColRef)
		occs := 0
		for i, c := range g {
			if i == 0 || c.Table != g[i-1].Table {
				occs++
			}
		}
		if occs >= 2 {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b []features.ColRef) int { return cmpColRef(a[0], b[0]) })
	return out
}

func cmpColRef(a, b features.ColRef) int {
	if a.Table != b.Table {
		return a.Table - b.Table
	}
	return a.Col - b.Col
}

// ImpliedJoins returns q with the join edges its equalities imply by
// transitivity: for each equivalence class of join columns, an edge
// between every two occurrences of the class that no written edge of the
// class links (one edge per pair, on the first columns of each occurrence
// in the class). It returns q itself when nothing is implied, else a
// shallow copy with a longer Joins; q is never modified. The result has
// the same rows as q: the added predicates follow from q's.
//
// Pass the closed query to every Source of one comparison (true counts
// and estimates): Cards are keyed by the connected sets of their query's
// graph. Its SQL carries the implied predicates too, which a server
// derives anyway.
func ImpliedJoins(q *features.Query) *features.Query {
	if q == nil || len(q.Joins) < 2 {
		return q
	}
	var added []features.Join
	for _, cls := range equivClasses(q) {
		linked := map[[2]int]bool{}
		for _, j := range q.Joins {
			if slices.Contains(cls, features.ColRef{Table: j.Left, Col: j.LeftCol}) {
				linked[[2]int{j.Left, j.Right}] = true
			}
		}
		for i, a := range cls {
			if i > 0 && cls[i-1].Table == a.Table {
				continue // first column of each occurrence only
			}
			for k := i + 1; k < len(cls); k++ {
				b := cls[k]
				if b.Table == a.Table || (k > 0 && cls[k-1].Table == b.Table) || linked[[2]int{a.Table, b.Table}] {
					continue
				}
				added = append(added, features.Join{Left: a.Table, Right: b.Table, LeftCol: a.Col, RightCol: b.Col})
				linked[[2]int{a.Table, b.Table}] = true
			}
		}
	}
	if len(added) == 0 {
		return q
	}
	c := *q
	c.Joins = append(slices.Clip(q.Joins), added...)
	return &c
}

// redundantJoins reports whether q has a join class whose written edges
// are more than a spanning tree of its occurrences (a cycle of one
// equality, such as ImpliedJoins makes): estimators multiply the
// selectivities of every edge, so such queries are estimated per sub-plan
// on a spanning tree of each class (spanningSub).
func redundantJoins(q *features.Query) bool {
	for _, cls := range equivClasses(q) {
		occs := 0
		for i, c := range cls {
			if i == 0 || c.Table != cls[i-1].Table {
				occs++
			}
		}
		edges := 0
		for _, j := range q.Joins {
			if slices.Contains(cls, features.ColRef{Table: j.Left, Col: j.LeftCol}) {
				edges++
			}
		}
		if edges > occs-1 {
			return true
		}
	}
	return false
}

// spanningSub returns q restricted to the occurrences in mask with, per
// equivalence class, a spanning tree of the class's occurrences in mask:
// the written edges inside mask first (Kruskal order: q.Joins), then
// implied ones where the class's members in mask are not yet connected
// (a class whose only links run outside mask still equates its members
// in mask). It states the same predicates as the sub-plan's under
// transitivity, without the redundant edges an estimator would count
// twice.
func spanningSub(q *features.Query, classes [][]features.ColRef, mask uint64) *features.Query {
	sub := q.Sub(mask)
	idx := make([]int, len(q.Tables))
	n := 0
	for i := range q.Tables {
		idx[i] = -1
		if mask&(1<<uint(i)) != 0 {
			idx[i] = n
			n++
		}
	}
	parent := make([]int, n)
	var find func(int) int
	find = func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	sub.Joins = sub.Joins[:0:0]
	for _, cls := range classes {
		for i := range parent {
			parent[i] = i
		}
		in := func(c features.ColRef) bool { return idx[c.Table] >= 0 }
		for _, j := range q.Joins {
			a, b := features.ColRef{Table: j.Left, Col: j.LeftCol}, features.ColRef{Table: j.Right, Col: j.RightCol}
			if !slices.Contains(cls, a) || !in(a) || !in(b) {
				continue
			}
			if ra, rb := find(idx[a.Table]), find(idx[b.Table]); ra != rb {
				parent[ra] = rb
				sub.Joins = append(sub.Joins, features.Join{Left: idx[a.Table], Right: idx[b.Table], LeftCol: a.Col, RightCol: b.Col})
			}
		}
		var first []features.ColRef // first member of each occurrence in mask
		for i, c := range cls {
			if in(c) && (i == 0 || cls[i-1].Table != c.Table) {
				first = append(first, c)
			}
		}
		for i, a := range first {
			for _, b := range first[i+1:] {
				if ra, rb := find(idx[a.Table]), find(idx[b.Table]); ra != rb {
					parent[ra] = rb
					sub.Joins = append(sub.Joins, features.Join{Left: idx[a.Table], Right: idx[b.Table], LeftCol: a.Col, RightCol: b.Col})
				}
			}
		}
	}
	// Edges of no class (none: every join column is in a class) keep
	// q.Sub's order for the rest.
	return sub
}
