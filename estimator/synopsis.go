package estimator

import (
	"math/bits"
	"slices"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Join-synopsis estimation (Acharya et al., SIGMOD 1999; see
// catalog.JoinSample). A sub-plan whose joins all follow foreign keys away
// from one root occurrence (a tree of child → parent edges, each parent
// reached once) is a uniform sample of the join when evaluated on the
// root's sample and its synopses: every other occurrence's filter is
// evaluated on the synopsis of its path from the root, and
//
//	|plan| ≈ |root| / n × #{sampled root rows passing every filter}
//
// exactly when the root's sample is the whole table. Sub-plans of another
// shape (many-to-many joins, cycles, non-key joins) use the independent
// samples (joinSampleRows).

// synopsis is one join synopsis of a table, indexed like a table sample.
type synopsis struct {
	path    []int  // foreign keys, as in catalog.JoinSample.Path
	vt      int    // index of its virtual sample in sampleSet.tables
	missing bitmap // sampled rows reaching no row; nil when none
}

// addSynopses indexes the join synopses of cat as virtual table samples
// appended to s.tables.
func (s *sampleSet) addSynopses(cat *catalog.Catalog) {
	sch := cat.Schema
	s.fks = sch.ResolveForeignKeys()
	s.syn = make([][]synopsis, len(sch.Tables))
	for ti := range sch.Tables {
		if ti >= len(cat.Stats) {
			break
		}
		st := &cat.Stats[ti]
		n := st.SampleSize()
		for _, j := range st.Joins {
			end := j.EndTable(sch)
			if end < 0 || len(j.Sample) == 0 || len(j.Sample[0]) != n {
				continue
			}
			sy := synopsis{path: j.Path, vt: len(s.tables)}
			if j.Missing != nil {
				sy.missing = make(bitmap, words(n))
				for i, m := range j.Missing {
					if m {
						sy.missing.set(int32(i))
					}
				}
			}
			vs := tableSample{n: n, rows: s.tables[end].rows}
			vs.cols = make([]*colIndex, len(j.Sample))
			for ci, col := range j.Sample {
				vs.cols[ci] = newColIndex(col)
			}
			s.tables = append(s.tables, vs)
			s.syn[ti] = append(s.syn[ti], sy)
		}
	}
}

// synopsisOf returns the synopsis of table ti along path, or nil.
func (s *sampleSet) synopsisOf(ti int, path []int) *synopsis {
	for k := range s.syn[ti] {
		if sy := &s.syn[ti][k]; slices.Equal(sy.path, path) {
			return sy
		}
	}
	return nil
}

// edgeFK is a pair edge matched to a foreign key: child is the pair's
// referencing occurrence; fk < 0 when no foreign key matches.
type edgeFK struct {
	fk, child, parent int
}

// matchFK matches pair edge e of q to the first foreign key whose column
// pairs are exactly the edge's, in either direction.
func (s *sampleSet) matchFK(q *features.Query, e *pairEdge) edgeFK {
	for f := range s.fks {
		fk := &s.fks[f]
		if len(fk.FromCols) != len(e.lcol) {
			continue
		}
		for dir := 0; dir < 2; dir++ {
			child, parent, ccols, pcols := e.l, e.r, e.lcol, e.rcol
			if dir == 1 {
				child, parent, ccols, pcols = e.r, e.l, e.rcol, e.lcol
			}
			if q.Tables[child].Table != fk.From || q.Tables[parent].Table != fk.To {
				continue
			}
			if samePairs(fk.FromCols, fk.ToCols, ccols, pcols) {
				return edgeFK{fk: f, child: child, parent: parent}
			}
		}
	}
	return edgeFK{fk: -1}
}

// samePairs reports whether the column pairs (a[i], b[i]) and (c[j], d[j])
// are the same sets (lengths equal, pairs distinct).
func samePairs(a, b, c, d []int) bool {
	for i := range a {
		found := false
		for j := range c {
			if a[i] == c[j] && b[i] == d[j] {
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

// synBits is a memoised filter evaluation on a synopsis.
type synBits struct {
	occ, vt int
	b       bitmap
}

// maxSynopsisHops bounds the paths synopsisRows follows (the catalog
// builds catalog.DefaultJoinDepth hops; deeper paths have no synopsis).
const maxSynopsisHops = 8

// synopsisRows estimates sub-plan mask of q from the join synopses of its
// root (see the comment at the top of this file): ok is false when the
// sub-plan is not a foreign-key tree with a synopsis for every path;
// support is the number of passing sampled root rows, unit the rows each
// stands for (the root's rows over its sample size); exact when the
// root's sample is its whole table.
func (s *sampleSet) synopsisRows(q *features.Query, probes []tableProbe, edges []pairEdge, mask uint64, sc *scratch, memo *joinMemo) (rows, unit float64, support int, exact, ok bool) {
	ntab := bits.OnesCount64(mask)
	if ntab < 2 || len(s.fks) == 0 {
		return 0, 0, 0, false, false
	}
	if memo != nil && len(memo.ek) != len(edges) {
		memo = nil
	}
	// The edges inside the mask: n-1 of them, each a foreign key, each
	// occurrence but the root referenced once.
	var inEdgeBuf [maxJoinTables]int8 // per occurrence: index into fkBuf + 1
	var fkBuf [maxJoinTables]edgeFK
	nin := 0
	for ei := range edges {
		e := &edges[ei]
		if mask&(1<<uint(e.l)) == 0 || mask&(1<<uint(e.r)) == 0 {
			continue
		}
		if nin == ntab-1 {
			return 0, 0, 0, false, false // a cycle
		}
		m := s.edgeFK(q, edges, ei, memo)
		if m.fk < 0 || inEdgeBuf[m.parent] != 0 {
			return 0, 0, 0, false, false
		}
		fkBuf[nin] = m
		nin++
		inEdgeBuf[m.parent] = int8(nin)
	}
	if nin != ntab-1 {
		return 0, 0, 0, false, false
	}
	root := -1
	for i := range q.Tables {
		if mask&(1<<uint(i)) != 0 && inEdgeBuf[i] == 0 {
			root = i
			break
		}
	}
	if root < 0 {
		return 0, 0, 0, false, false
	}
	rt := q.Tables[root].Table
	if len(s.syn[rt]) == 0 {
		return 0, 0, 0, false, false
	}
	p := &probes[root]
	b := sc.get(p.n)
	copy(b, p.bits)
	// Each non-root occurrence's path: its parent edge's foreign key
	// after the path of the edge's child, built by walking up to the root.
	var path [maxSynopsisHops]int
	for v := range q.Tables {
		if mask&(1<<uint(v)) == 0 || v == root {
			continue
		}
		hops := 0
		for u := v; u != root; {
			if hops == maxSynopsisHops {
				return 0, 0, 0, false, false
			}
			m := fkBuf[inEdgeBuf[u]-1]
			path[hops] = m.fk
			hops++
			u = m.child
		}
		// path holds the hops from v up to the root: reverse it.
		for i, j := 0, hops-1; i < j; i, j = i+1, j-1 {
			path[i], path[j] = path[j], path[i]
		}
		sy := s.synopsisOf(rt, path[:hops])
		if sy == nil {
			return 0, 0, 0, false, false
		}
		if sy.missing != nil {
			b.andNot(sy.missing)
		}
		if f := q.Tables[v].Filter; f != nil {
			b.and(s.synopsisFilter(v, sy.vt, f, sc, memo))
		}
	}
	support = b.count()
	ts := &s.tables[rt]
	if ts.n > 0 {
		unit = ts.rows / float64(ts.n)
		rows = float64(support) * unit
	}
	return sanitize(rows), unit, support, ts.complete, true
}

// synopsisFilter evaluates occurrence occ's filter f on virtual sample vt,
// memoised per query.
func (s *sampleSet) synopsisFilter(occ, vt int, f *features.Expr, sc *scratch, memo *joinMemo) bitmap {
	if memo != nil {
		for _, sb := range memo.syn {
			if sb.occ == occ && sb.vt == vt {
				return sb.b
			}
		}
	}
	b, _ := s.filterBits(vt, f, sc, false)
	if memo != nil {
		memo.syn = append(memo.syn, synBits{occ: occ, vt: vt, b: b})
	}
	return b
}
