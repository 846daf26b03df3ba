package joinorder

import (
	"fmt"
	"math/bits"

	"github.com/cardinaldb/cardinal/features"
)

// graph is a query's join graph as adjacency masks.
type graph struct {
	n   int
	adj []uint64 // adj[i]: occurrences joined to occurrence i
	all uint64
}

func newGraph(q *features.Query) (graph, error) {
	if q == nil || len(q.Tables) == 0 {
		return graph{}, fmt.Errorf("%w: nil query or no tables", ErrQuery)
	}
	n := len(q.Tables)
	if len(q.Outer) > 0 {
		// An outer join fixes part of the order (features.Query.ValidJoin):
		// the planners, their costs and the agent assume commuting inner
		// joins, so they refuse rather than emit an invalid order.
		// Semi- and anti-join subqueries are filters of one occurrence
		// and plan like any filter.
		return graph{}, fmt.Errorf("%w: %d outer join(s): an outer join constrains the join order, which the planners do not model", ErrQuery, len(q.Outer))
	}
	if n > features.MaxTables {
		return graph{}, fmt.Errorf("%w: %d table occurrences, more than the %d a 64-bit sub-plan mask holds", ErrQuery, n, features.MaxTables)
	}
	if q.HasDerived() {
		// A derived relation (grouped derived table or CTE) has no
		// catalog statistics for the cost models.
		return graph{}, fmt.Errorf("%w: %d derived relation(s) (grouped derived tables or CTEs) are not planned", ErrQuery, len(q.Derived))
	}
	g := graph{n: n, adj: make([]uint64, n), all: q.FullMask()}
	for _, j := range q.Joins {
		if j.Left < 0 || j.Right < 0 || j.Left >= n || j.Right >= n || j.Left == j.Right {
			return graph{}, fmt.Errorf("%w: join edge %d-%d out of range for %d tables", ErrQuery, j.Left, j.Right, n)
		}
		g.adj[j.Left] |= 1 << uint(j.Right)
		g.adj[j.Right] |= 1 << uint(j.Left)
	}
	return g, nil
}

// nb returns the occurrences joined to any member of s (members included
// when they join each other).
func (g *graph) nb(s uint64) uint64 {
	var n uint64
	for m := s; m != 0; m &= m - 1 {
		n |= g.adj[bits.TrailingZeros64(m)]
	}
	return n
}

// connected reports whether mask is non-empty and connected.
func (g *graph) connected(mask uint64) bool {
	if mask == 0 {
		return false
	}
	seen := mask & -mask
	for frontier := seen; frontier != 0; {
		next := g.nb(frontier) & mask &^ seen
		seen |= next
		frontier = next
	}
	return seen == mask
}

// components returns the connected components of mask, ordered by their
// lowest occurrence.
func (g *graph) components(mask uint64) []uint64 {
	var out []uint64
	for rest := mask; rest != 0; {
		seen := rest & -rest
		for frontier := seen; frontier != 0; {
			next := g.nb(frontier) & rest &^ seen
			seen |= next
			frontier = next
		}
		out = append(out, seen)
		rest &^= seen
	}
	return out
}

// joined reports whether a join edge links a and b.
func (g *graph) joined(a, b uint64) bool { return g.nb(a)&b != 0 }
