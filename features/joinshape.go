package features

import (
	"math/bits"
	"strings"
)

// SharedKeyJoin reports whether the join of the occurrences in mask goes
// through a shared dimension or a many-to-many key (issue 12, class 1):
//
//	flights ──origin──▶ airports ◀──origin── routes      two roots meeting at
//	                                                      a shared dimension
//	airports(city, state) ═══ airports(city, state)      a key of neither side
//
// Each pair of joined occurrences is oriented from the side whose join
// columns are not its table's primary key (the referencing side) to the side
// whose columns cover the primary key (the referenced side). The join is in
// the class when some pair's columns cover the primary key of neither side
// (many-to-many), or when some occurrence is the referenced side of two or
// more pairs (two referencing occurrences meet at it). A snowflake (every
// join a lookup away from one root, as TPC-H Q2-Q10) is not; neither is a
// single table. Tables without a declared primary key are never a key side,
// so their joins count as many-to-many. mask is restricted to the query's
// occurrences.
func (q *Query) SharedKeyJoin(mask uint64) bool {
	mask &= q.FullMask()
	if bits.OnesCount64(mask) < 2 {
		return false
	}
	type pair struct{ l, r int }
	cols := map[pair][2][]int{}
	var order []pair
	for _, j := range q.Joins {
		l, r, lc, rc := j.Left, j.Right, j.LeftCol, j.RightCol
		if l < 0 || r < 0 || l >= len(q.Tables) || r >= len(q.Tables) || mask&(1<<uint(l)) == 0 || mask&(1<<uint(r)) == 0 {
			continue
		}
		if l > r {
			l, r, lc, rc = r, l, rc, lc
		}
		p := pair{l, r}
		c, seen := cols[p]
		if !seen {
			order = append(order, p)
		}
		c[0], c[1] = append(c[0], lc), append(c[1], rc)
		cols[p] = c
	}
	referenced := make(map[int]int, len(q.Tables))
	for _, p := range order {
		c := cols[p]
		lk, rk := q.coversKey(p.l, c[0]), q.coversKey(p.r, c[1])
		switch {
		case !lk && !rk:
			return true
		case lk && rk:
			// One-to-one: referenced either way, so neither counts.
		case lk:
			referenced[p.l]++
		default:
			referenced[p.r]++
		}
	}
	for _, n := range referenced {
		if n > 1 {
			return true
		}
	}
	return false
}

// coversKey reports whether the columns cols of occurrence occ include
// every column of its table's declared primary key.
func (q *Query) coversKey(occ int, cols []int) bool {
	if q.Schema == nil || q.Tables[occ].Table < 0 || q.Tables[occ].Table >= len(q.Schema.Tables) {
		return false
	}
	t := q.Schema.Tables[q.Tables[occ].Table]
	if len(t.PrimaryKey) == 0 {
		return false
	}
	for _, name := range t.PrimaryKey {
		found := false
		for _, c := range cols {
			if c >= 0 && c < len(t.Columns) && strings.EqualFold(t.Columns[c].Name, name) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
