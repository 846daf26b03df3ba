package features

import "math/bits"

// Outer joins. A LEFT JOIN (a RIGHT JOIN is the LEFT JOIN with its sides
// swapped) makes its right operand a null-supplying group: the join keeps
// every row of the rest, and a row that matches nothing in the group gets
// one row of NULLs for the group's columns. So
//
//	|A LEFT JOIN B ON a.x = b.y AND <B's ON filter>|
//	   = |A ⋈ σ(B)| + |{a ∈ A : no b ∈ σ(B) matches a}|
//
// In the model the group is OuterJoin.Inner, a set of occurrences; the
// filters of its occurrences (TableRef.Filter) are the ON filters that
// decide what matches, and the join edges between the group and the rest
// are its ON equalities, all between one pair of occurrences (Attach).
// Groups nest (a LEFT JOIN inside the null-supplying side of another) or
// are disjoint. A WHERE condition that rejects NULL rows of a group (any
// comparison, equi-join or LIKE on its columns; IS NULL does not) turns
// the outer join into an inner join, as every optimiser does (Galindo-
// Legaria & Rosenthal, "Outerjoin Simplification and Reordering for Query
// Optimization", TODS 1997), so what stays in Outer really is outer.
//
// Join-order constraint. An outer join is not associative with the inner
// joins around it: a plan must join the preserved side first and the
// whole group as one operand. Every valid join tree therefore has, for
// each group, a node whose occurrences are exactly Inner joined to a node
// that contains Attach's preserved occurrence (Moerkotte & Neumann,
// "Dynamic Programming Strikes Back", SIGMOD 2008, model such operators
// with hyperedges (Preserved, Inner)). ValidJoin(left, right) tells a
// join enumerator whether joining two disjoint sub-plans respects every
// group; the joinorder package only builds trees out of such joins.

// OuterJoin is a null-supplying group of a LEFT JOIN.
type OuterJoin struct {
	// Inner is the bitmask (over Query.Tables) of the null-supplying
	// occurrences.
	Inner uint64
	// Attach is the ON equality pair: Attach[0] is the preserved-side
	// occurrence and Attach[1] the group's occurrence every ON equality
	// links it with.
	Attach [2]int
}

// Nullable reports whether occurrence occ is on the null-supplying side of
// an outer join.
func (q *Query) Nullable(occ int) bool {
	for _, o := range q.Outer {
		if o.Inner&(1<<uint(occ)) != 0 {
			return true
		}
	}
	return false
}

// OuterEdge returns the group whose attach edge joins occurrences a and b
// with b on the null-supplying side, and whether there is one.
func (q *Query) OuterEdge(a, b int) (OuterJoin, bool) {
	for _, o := range q.Outer {
		if o.Attach[0] == a && o.Attach[1] == b {
			return o, true
		}
	}
	return OuterJoin{}, false
}

// ValidJoin reports whether joining the disjoint sub-plans left and right
// (bitmasks over Query.Tables) respects the outer-join constraints: for
// every group G, the join is inside G, does not touch G, or joins the
// whole of G as one operand with a side holding G's preserved attach
// occurrence, or joins a side that already holds all of G. This refuses
// some orders that outer-join reassociation would allow (it never allows
// an invalid one). With no outer joins every pair is valid. Semi- and
// anti-join subqueries are filters of one occurrence and constrain
// nothing.
func (q *Query) ValidJoin(left, right uint64) bool {
	for _, o := range q.Outer {
		g := o.Inner
		lg, rg := left&g, right&g
		switch {
		case lg == 0 && rg == 0:
			continue // not involved
		case left&^g == 0 && right&^g == 0:
			continue // inside the group
		case lg != 0 && rg != 0:
			return false // the group split across both operands
		}
		side, other := left, right
		if rg != 0 {
			side, other = right, left
		}
		if side&g != g {
			return false // part of the group joined with the outside
		}
		if side == g && other&(1<<uint(o.Attach[0])) == 0 {
			return false // the group joined to anything but its preserved side
		}
	}
	return true
}

// PreservedCore returns the occurrences on no null-supplying side.
func (q *Query) PreservedCore() uint64 {
	core := q.FullMask()
	for _, o := range q.Outer {
		core &^= o.Inner
	}
	return core
}

// outerDepth returns how many groups contain occ.
func (q *Query) outerDepth(occ int) int {
	n := 0
	for _, o := range q.Outer {
		if o.Inner&(1<<uint(occ)) != 0 {
			n++
		}
	}
	return n
}

// subOuter restricts the groups to mask, re-indexed by idx: a group keeps
// the occurrences inside mask, and disappears when none are, or when the
// sub-plan lies inside the group (its preserved side is absent).
func (q *Query) subOuter(mask uint64, idx []int) []OuterJoin {
	var out []OuterJoin
	for _, o := range q.Outer {
		g := o.Inner & mask
		if g == 0 || g == mask || idx[o.Attach[0]] < 0 || idx[o.Attach[1]] < 0 {
			continue
		}
		var ng uint64
		for m := g; m != 0; m &= m - 1 {
			ng |= 1 << uint(idx[bits.TrailingZeros64(m)])
		}
		out = append(out, OuterJoin{Inner: ng, Attach: [2]int{idx[o.Attach[0]], idx[o.Attach[1]]}})
	}
	return out
}
