package estimator

import (
	"math/bits"
	"slices"

	"github.com/cardinaldb/cardinal/features"
)

// Unfiltered dimensions joined on their primary key (join elimination):
// a table occurrence with no filter, joined by one edge of the sub-plan
// and that edge a foreign key into its primary key, keeps every row of
// the other side and adds none when every key reaches a row:
//
//	|R ⋈ D| = |R|        (D unfiltered, R.fk → D's primary key, no NULL
//	                      or dangling R.fk)
//
// The sampled-join estimators (synopses, two roots, message passing,
// zero-hit relaxation) then see the sub-plan without D, so a sub-plan and
// the same sub-plan with an unfiltered dimension hung on it get the same
// estimate. Without it the message passing rooted at a completely sampled
// dimension (factorjoin.go's stratRoot) could lose what the sub-plan
// without it knew: `reviews.customer_id = 914 ⋈ products ⋈ order_items`
// estimated at 31,442 (true 18,300) fell to 14 with an unfiltered
// customers added, rooted at customers. Integrity is read off the
// sample: the one-hop join synopsis along the key has no Missing row
// (catalog.JoinSample), else the key columns have no NULL. Where keys
// dangle (flights' (origin, destination) into routes: 5% of flights have
// no route row; their airport codes all reach an airport), the synopses
// and messages that see them row by row stay.

// eliminateDims returns mask without its unfiltered leaf dimensions joined
// on their primary key under referential integrity (repeatedly, keeping at
// least two occurrences).
func (s *sampleSet) eliminateDims(q *features.Query, edges []pairEdge, mask uint64, memo *joinMemo) uint64 {
	if len(s.fks) == 0 || len(q.Residuals) > 0 || q.HasShapes() {
		return mask
	}
	for bits.OnesCount64(mask) > 2 {
		removed := false
		for i, tr := range q.Tables {
			if mask&(1<<uint(i)) == 0 || tr.Filter != nil {
				continue
			}
			only, n := -1, 0
			for ei := range edges {
				e := &edges[ei]
				if mask&(1<<uint(e.l)) == 0 || mask&(1<<uint(e.r)) == 0 || (e.l != i && e.r != i) {
					continue
				}
				only = ei
				n++
			}
			if n != 1 {
				continue
			}
			m := s.edgeFK(q, edges, only, memo)
			if m.fk < 0 || m.parent != i || !s.refersToPrimaryKey(m.fk) || s.fkMatch(m.fk) < 1 {
				continue
			}
			mask &^= 1 << uint(i)
			removed = true
			break
		}
		if !removed {
			break
		}
	}
	return mask
}

// refersToPrimaryKey reports whether foreign key f references exactly its
// table's declared primary key (so each referencing row meets at most one
// row).
func (s *sampleSet) refersToPrimaryKey(f int) bool {
	fk := &s.fks[f]
	if fk.To < 0 || fk.To >= len(s.cat.Schema.Tables) {
		return false
	}
	t := s.cat.Schema.Tables[fk.To]
	if len(t.PrimaryKey) == 0 || len(t.PrimaryKey) != len(fk.ToCols) {
		return false
	}
	for _, name := range t.PrimaryKey {
		if !slices.Contains(fk.ToCols, t.ColumnIndex(name)) {
			return false
		}
	}
	return true
}

// fkMatch is the share of foreign key f's referencing rows whose key
// reaches a row: from the one-hop synopsis along f, else 1 minus the key
// columns' NULL fractions.
func (s *sampleSet) fkMatch(f int) float64 {
	fk := &s.fks[f]
	if fk.From < 0 || fk.From >= len(s.syn) {
		return 1
	}
	for _, sy := range s.syn[fk.From] {
		if len(sy.path) != 1 || sy.path[0] != f {
			continue
		}
		n := s.tables[fk.From].n
		if sy.missing == nil || n == 0 {
			return 1
		}
		return clamp01(1 - float64(sy.missing.count())/float64(n))
	}
	keep := 1.0
	if fk.From < len(s.cat.Stats) {
		for _, c := range fk.FromCols {
			if c >= 0 && c < len(s.cat.Stats[fk.From].Columns) {
				keep -= s.cat.Stats[fk.From].Columns[c].NullFrac
			}
		}
	}
	return clamp01(keep)
}
