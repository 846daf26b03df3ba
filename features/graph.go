package features

import (
	"fmt"
	"math/bits"
	"slices"
)

// Aliases returns the aliases of the table occurrences in mask, in FROM
// order (how query logs name a sub-plan).
func (q *Query) Aliases(mask uint64) []string {
	names := make([]string, 0, bits.OnesCount64(mask))
	for i, t := range q.Tables {
		if mask&(1<<uint(i)) != 0 {
			names = append(names, t.Alias)
		}
	}
	return names
}

// FullMask returns the bitmask of all table occurrences.
func (q *Query) FullMask() uint64 {
	if len(q.Tables) >= 64 {
		return ^uint64(0)
	}
	return uint64(1)<<len(q.Tables) - 1
}

// adjacency returns, per occurrence, the mask of occurrences it joins.
func (q *Query) adjacency() []uint64 {
	adj := make([]uint64, len(q.Tables))
	for _, j := range q.Joins {
		if j.Left < 0 || j.Right < 0 || j.Left >= len(adj) || j.Right >= len(adj) || j.Left == j.Right {
			continue
		}
		adj[j.Left] |= 1 << j.Right
		adj[j.Right] |= 1 << j.Left
	}
	return adj
}

// neighbours returns the occurrences joined to any member of s.
func neighbours(adj []uint64, s uint64) uint64 {
	var n uint64
	for m := s; m != 0; m &= m - 1 {
		n |= adj[bits.TrailingZeros64(m)]
	}
	return n
}

// Connected reports whether the occurrences in mask (restricted to the
// query's tables) are non-empty and connected by join edges among
// themselves.
func (q *Query) Connected(mask uint64) bool {
	mask &= q.FullMask()
	if mask == 0 {
		return false
	}
	adj := q.adjacency()
	seen := mask & -mask
	for frontier := seen; frontier != 0; {
		next := neighbours(adj, frontier) & mask &^ seen
		seen |= next
		frontier = next
	}
	return seen == mask
}

// DefaultMaxSubPlans is the bound ConnectedSubsets applies when given no
// limit: above the 13,246 connected sub-plans of the largest query of the
// Join Order Benchmark (29a, 17 tables; Leis et al., VLDB 2015) and the
// 2^14 + 14 of a star of 14 satellites, far below the 2^39 of a 40-table
// star.
const DefaultMaxSubPlans = 1 << 15

// CountConnectedSubsets returns the number of non-empty connected subsets
// of the table occurrences, or limit+1 if there are more than limit (the
// count stops there: it takes time proportional to min(count, limit)).
func (q *Query) CountConnectedSubsets(limit int) int {
	n := 0
	q.enumerateCsg(func(uint64) bool {
		n++
		return n <= limit
	})
	return n
}

// ConnectedSubsets returns every non-empty connected subset of the table
// occurrences (the sub-plans a join optimiser considers), ordered by
// popcount and then by value. Subsets are enumerated without duplicates by
// EnumerateCsg of DPccp (G. Moerkotte, T. Neumann, "Analysis of Two
// Existing and One New Dynamic Programming Algorithm for the Generation of
// Optimal Bushy Join Trees without Cross Products", VLDB 2006); the count
// is exponential for dense or star-shaped graphs (a star of n satellites
// has 2^n + n subsets), so they are counted first: more than limit (or
// DefaultMaxSubPlans when limit <= 0) is an error wrapping
// ErrTooManySubPlans, returned before anything is listed.
func (q *Query) ConnectedSubsets(limit int) ([]uint64, error) {
	if limit <= 0 {
		limit = DefaultMaxSubPlans
	}
	if c := q.CountConnectedSubsets(limit); c > limit {
		return nil, fmt.Errorf("%w: %d table occurrences have more than %d connected sub-plans", ErrTooManySubPlans, len(q.Tables), limit)
	}
	var out []uint64
	q.enumerateCsg(func(m uint64) bool {
		out = append(out, m)
		return true
	})
	slices.SortFunc(out, func(a, b uint64) int {
		pa, pb := bits.OnesCount64(a), bits.OnesCount64(b)
		switch {
		case pa != pb:
			return pa - pb
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	})
	return out, nil
}

// enumerateCsg calls visit with every connected subset until it returns
// false. The recursion is at most len(q.Tables) deep.
func (q *Query) enumerateCsg(visit func(uint64) bool) {
	n := min(len(q.Tables), MaxTables)
	adj := q.adjacency()
	var rec func(s, x uint64) bool
	rec = func(s, x uint64) bool {
		nb := neighbours(adj, s) &^ x
		if nb == 0 {
			return true
		}
		// Every non-empty subset of nb, in increasing order.
		for sub := nb & -nb; ; sub = (sub - nb) & nb {
			if !visit(s | sub) {
				return false
			}
			if sub == nb {
				break
			}
		}
		for sub := nb & -nb; ; sub = (sub - nb) & nb {
			if !rec(s|sub, x|nb) {
				return false
			}
			if sub == nb {
				break
			}
		}
		return true
	}
	for i := n - 1; i >= 0; i-- {
		v := uint64(1) << i
		if !visit(v) || !rec(v, v|(v-1)) {
			return
		}
	}
}

// Sub returns the query restricted to the occurrences in mask: tables
// re-indexed in their original order, the join edges inside the subset,
// their filters (shared, not copied: treat Expr values as immutable), and
// the GROUP BY / ORDER BY columns of those tables. The grouping (Group)
// and LIMIT stay with the whole query only.
func (q *Query) Sub(mask uint64) *Query {
	mask &= q.FullMask()
	idx := make([]int, len(q.Tables))
	sub := &Query{Schema: q.Schema, Derived: q.Derived, Tables: make([]TableRef, 0, bits.OnesCount64(mask))}
	for i, t := range q.Tables {
		idx[i] = -1
		if mask&(1<<i) != 0 {
			idx[i] = len(sub.Tables)
			sub.Tables = append(sub.Tables, t)
		}
	}
	for _, j := range q.Joins {
		if mask&(1<<j.Left) != 0 && mask&(1<<j.Right) != 0 {
			sub.Joins = append(sub.Joins, Join{Left: idx[j.Left], Right: idx[j.Right], LeftCol: j.LeftCol, RightCol: j.RightCol})
		}
	}
	keep := func(cs []ColRef) []ColRef {
		var out []ColRef
		for _, c := range cs {
			if c.Table >= 0 && c.Table < len(idx) && idx[c.Table] >= 0 {
				out = append(out, ColRef{Table: idx[c.Table], Col: c.Col})
			}
		}
		return out
	}
	sub.GroupBy = keep(q.GroupBy)
	sub.OrderBy = keep(q.OrderBy)
	for k, c := range q.OrderBy {
		if k < len(q.OrderDesc) && c.Table >= 0 && c.Table < len(idx) && idx[c.Table] >= 0 {
			sub.OrderDesc = append(sub.OrderDesc, q.OrderDesc[k])
		}
	}
	sub.Reads = keep(q.Reads)
	sub.Outer = q.subOuter(mask, idx)
	sub.Residuals = q.subResiduals(mask, idx)
	for _, sq := range q.Subqueries {
		if sq.Table >= 0 && sq.Table < len(idx) && idx[sq.Table] >= 0 {
			sq.Table = idx[sq.Table]
			sub.Subqueries = append(sub.Subqueries, sq)
		}
	}
	if mask == q.FullMask() {
		sub.Limit, sub.Offset = q.Limit, q.Offset
		sub.Group = q.Group // a proper sub-plan is a FROM + WHERE count
	}
	return sub
}
