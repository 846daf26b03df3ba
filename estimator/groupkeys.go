package estimator

import (
	"math"
	"slices"

	"github.com/cardinaldb/cardinal/features"
)

// Grouping keys reduced by the query's join equalities and keys.
//
//	GROUP BY r.origin, a.name, f.origin    r.origin = a.iata = f.origin
//	   │
//	   ├─ classes: columns equal by the joins (union-find over the equi-join
//	   │    edges): r.origin, a.iata and f.origin are one class, one unit
//	   ├─ units: keys of one class with the same function count once
//	   ├─ keyed: a unit whose class holds a unique column of an occurrence
//	   │    (a.iata) keys that occurrence's row; the occurrences reached from
//	   │    it by joins onto their own unique columns are keyed too, and the
//	   │    units on keyed occurrences (a.name) add no groups
//	   └─ each unit's distinct values are at most the fewest distinct values
//	        any member column of its class has among its occurrence's
//	        filtered rows (a value must be on every side of the join)
//
// The same classes bound the rows of an occurrence that survive the join
// (semiJoinShare): its share of rows whose join value is among the other
// side's filtered distinct values, assuming the smaller value set is
// contained in the larger (the containment assumption of System R's join
// selectivity, Selinger et al., SIGMOD 1979).

// groupUnit is a set of grouping keys equal by the joins: one class of
// columns (members) under one key function.
type groupUnit struct {
	key     features.GroupKey // the first key of the unit, as written
	members []features.ColRef // the columns of its class, the key's first
	keying  bool              // some member is a unique column of its occurrence
}

// joinClasses returns, per occurrence and column, the class id of the
// columns equal by q's equi-join edges (-1 for a column in no join).
func joinClasses(q *features.Query) map[features.ColRef]int {
	parent := map[features.ColRef]features.ColRef{}
	var find func(c features.ColRef) features.ColRef
	find = func(c features.ColRef) features.ColRef {
		p, ok := parent[c]
		if !ok || p == c {
			return c
		}
		r := find(p)
		parent[c] = r
		return r
	}
	for _, j := range q.Joins {
		a, b := find(features.ColRef{Table: j.Left, Col: j.LeftCol}), find(features.ColRef{Table: j.Right, Col: j.RightCol})
		if _, ok := parent[a]; !ok {
			parent[a] = a
		}
		if _, ok := parent[b]; !ok {
			parent[b] = b
		}
		if a != b {
			parent[b] = a
		}
	}
	ids := map[features.ColRef]int{}
	roots := map[features.ColRef]int{}
	for c := range parent {
		r := find(c)
		id, ok := roots[r]
		if !ok {
			id = len(roots)
			roots[r] = id
		}
		ids[c] = id
	}
	return ids
}

// sortedCols lists the columns of classes by occurrence and column.
func sortedCols(classes map[features.ColRef]int) []features.ColRef {
	out := make([]features.ColRef, 0, len(classes))
	for c := range classes {
		out = append(out, c)
	}
	slices.SortFunc(out, cmpColRef)
	return out
}

func cmpColRef(a, b features.ColRef) int {
	if a.Table != b.Table {
		return a.Table - b.Table
	}
	return a.Col - b.Col
}

// classMembers lists the columns of c's class (c first), or c alone.
func classMembers(classes map[features.ColRef]int, c features.ColRef) []features.ColRef {
	id, ok := classes[c]
	if !ok {
		return []features.ColRef{c}
	}
	out := []features.ColRef{c}
	for m, mid := range classes {
		if mid == id && m != c {
			out = append(out, m)
		}
	}
	slices.SortFunc(out[1:], cmpColRef)
	return out
}

// unique reports whether column col of occurrence occ is a key of its
// table (its distinct values reach uniqueShare of the rows).
func (d *DistinctGroups) unique(q *features.Query, occ, col int) bool {
	st := &d.cat.Stats[q.Tables[occ].Table]
	return st.Rows > 0 && col < len(st.Columns) && float64(st.Columns[col].Distinct) >= uniqueShare*float64(st.Rows)
}

// keyUnits reduces q's grouping keys to the units that add groups (see
// the comment at the top of the file).
func (d *DistinctGroups) keyUnits(q *features.Query, classes map[features.ColRef]int) []groupUnit {
	var units []groupUnit
	seen := map[[4]int]bool{}
	for _, k := range q.Group.Keys {
		id := [4]int{k.Table, k.Col, int(k.Func), k.N} // a column in no join
		if cls, ok := classes[k.ColRef]; ok {
			id = [4]int{-1 - cls, -1, int(k.Func), k.N}
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		u := groupUnit{key: k, members: classMembers(classes, k.ColRef)}
		if k.Func == features.KeyColumn {
			for _, m := range u.members {
				u.keying = u.keying || d.unique(q, m.Table, m.Col)
			}
		}
		units = append(units, u)
	}
	// Keying units first, the ones that key the most occurrences first;
	// then the others. A unit with a member on a keyed occurrence is a
	// function of the units kept before it.
	reach := func(u groupUnit, keyed []bool) []bool {
		r := slices.Clone(keyed)
		if u.keying {
			for _, m := range u.members {
				if d.unique(q, m.Table, m.Col) {
					r[m.Table] = true
				}
			}
		}
		for changed := true; changed; {
			changed = false
			for _, j := range q.Joins {
				for _, e := range [][3]int{{j.Left, j.Right, j.RightCol}, {j.Right, j.Left, j.LeftCol}} {
					if r[e[0]] && !r[e[1]] && d.unique(q, e[1], e[2]) {
						r[e[1]], changed = true, true
					}
				}
			}
		}
		return r
	}
	count := func(b []bool) int {
		n := 0
		for _, x := range b {
			if x {
				n++
			}
		}
		return n
	}
	none := make([]bool, len(q.Tables))
	order := make([]int, len(units))
	size := make([]int, len(units))
	for i, u := range units {
		order[i] = i
		if u.keying {
			size[i] = 1 + count(reach(u, none))
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return size[b] - size[a] })
	keyed := none
	var kept []groupUnit
	for _, i := range order {
		u := units[i]
		det := false
		for _, m := range u.members {
			det = det || keyed[m.Table]
		}
		if det {
			continue
		}
		kept = append(kept, u)
		keyed = reach(u, keyed)
	}
	return kept
}

// semiJoinShare is the share of occurrence occ's filtered rows whose join
// values are among the filtered distinct values of every other member of
// their class (the containment assumption), one factor per joined column.
// dist returns a column's distinct values among its occurrence's filtered
// rows.
func semiJoinShare(q *features.Query, classes map[features.ColRef]int, occ int, dist func(features.ColRef) float64) float64 {
	share := 1.0
	for _, c := range sortedCols(classes) {
		if c.Table != occ {
			continue
		}
		own := dist(c)
		if own <= 0 {
			continue
		}
		least := own
		for _, m := range classMembers(classes, c)[1:] {
			if m.Table != occ {
				least = math.Min(least, dist(m))
			}
		}
		share *= math.Min(1, least/own)
	}
	return share
}
