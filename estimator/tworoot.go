package estimator

import (
	"math/bits"
	"strings"
	"sync"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Queries with two or more roots (issue 12, class 1): two fact tables
// meeting at a shared dimension (order_items and reviews at products), or
// a many-to-many join (customers and stores on (city, region)), are not a
// foreign-key tree, so no join synopsis covers them and join-sample
// message passing (joinsample.go) joins the fact tables' independent
// samples. What the independent samples lose is the correlation inside
// each fact table's own foreign-key tree: orders.order_date against
// order_items.id (both follow the order id), a review's product against
// its customer. Correlated sampling (Yu et al., "CS2: a new database
// synopsis for query estimation", SIGMOD 2013) keeps those rows together;
// the catalog's join synopses are that sample for each root. A sub-plan
// is estimated from one root's synopses and messages from the rest:
//
//	      T (synopsis of root r)          the other occurrences, in
//	  r ──fk──▶ d₁ ──fk──▶ d₂              connected parts C, each
//	            ▲                          joined to T by one edge at
//	            └── C (message M_C, keyed  a dimension d sampled whole
//	                 by d's join columns)  (or r itself)
//
//	|plan| ≈ |r|/n · Σ_{sampled rows x of r passing T's filters on the
//	                   synopses} Π_C M_C(key_d(x))
//
// T grows from r along foreign keys inside the sub-plan for which the
// catalog has a synopsis; M_C is C's join-sample message to d
// (key-stratified by the exact degrees, factorjoin.go), computed over C
// with d as the root. The root chosen covers the most occurrences (then
// the largest table). Each of T's rows is a real joined row, so every
// filter inside T is evaluated jointly, and only the joins between T and
// the parts C assume their filters independent given the key (FactorJoin's
// assumption, Wu et al., SIGMOD 2023).

// twoRootRows estimates sub-plan mask of q from a root's synopses and the
// messages of the occurrences they do not reach (see above): ok is false
// when the sub-plan has no such decomposition (fewer than three
// occurrences, no root with a synopsis reaching another occurrence, no
// sampled table outside T or none in T beside the root, a part joined to
// T by more than one edge or at a sampled dimension).
func (s *sampleSet) twoRootRows(q *features.Query, probes []tableProbe, edges []pairEdge, hist *Histogram, mask uint64, sc *scratch, memo *joinMemo) (rows float64, support int, ok bool) {
	if bits.OnesCount64(mask) < 3 || len(s.fks) == 0 {
		return 0, 0, false
	}
	if memo != nil && len(memo.ek) != len(edges) {
		memo = nil
	}
	fkOf := func(ei int) edgeFK { return s.edgeFK(q, edges, ei, memo) }
	inMask := func(e *pairEdge) bool { return mask&(1<<uint(e.l)) != 0 && mask&(1<<uint(e.r)) != 0 }
	// The best root: the most occurrences reached by its synopses.
	var best twoRootTree
	for r := range q.Tables {
		rt := q.Tables[r].Table
		if mask&(1<<uint(r)) == 0 || s.tables[rt].complete || len(s.syn[rt]) == 0 {
			continue
		}
		var t twoRootTree
		t.grow(s, q, edges, mask, r, fkOf, inMask)
		if bits.OnesCount64(t.in) < 2 {
			continue
		}
		if b := bits.OnesCount64(best.in); b == 0 || bits.OnesCount64(t.in) > b ||
			bits.OnesCount64(t.in) == b && s.tables[rt].rows > s.tables[q.Tables[best.root].Table].rows {
			best = t
		}
	}
	if best.in == 0 {
		return 0, 0, false
	}
	t := &best
	rt := q.Tables[t.root].Table
	// Edges inside T other than its tree edges close a cycle: not handled
	// (grow follows only the first maxJoinTables pair edges; a query may
	// have more, and those are never tree edges).
	for ei := range edges {
		e := &edges[ei]
		if inMask(e) && t.in&(1<<uint(e.l)) != 0 && t.in&(1<<uint(e.r)) != 0 && (ei >= len(t.treeEdge) || !t.treeEdge[ei]) {
			return 0, 0, false
		}
	}
	// The rows of the root sample passing every filter of T.
	p := &probes[t.root]
	b := sc.get(p.n)
	copy(b, p.bits)
	for v := range q.Tables {
		if t.in&(1<<uint(v)) == 0 || v == t.root {
			continue
		}
		sy := t.syn[v]
		if sy.missing != nil {
			b.andNot(sy.missing)
		}
		if f := q.Tables[v].Filter; f != nil {
			b.and(s.synopsisFilter(v, sy.vt, f, sc, memo))
		}
	}
	// The parts outside T, each with its message and the key ids of the
	// root's sampled rows on its edge.
	var msgs [maxJoinTables][]float64
	var keys [maxJoinTables][]int32
	nparts := 0
	extra := 1.0
	rest := mask &^ t.in
	sampledRest, sampledT := false, false
	for v := range q.Tables {
		if s.tables[q.Tables[v].Table].complete || mask&(1<<uint(v)) == 0 {
			continue
		}
		if rest&(1<<uint(v)) != 0 {
			sampledRest = true
		} else if v != t.root {
			sampledT = true
		}
	}
	if !sampledRest || !sampledT {
		// The synopsis adds the correlation between the root and
		// another sampled table, which independent samples lose; with
		// only dimensions sampled whole beside the root, message
		// passing rooted at one of them (exact degrees per key,
		// factorjoin.go) does better, and with one sampled table
		// there is nothing to correlate.
		return 0, 0, false
	}
	if sc.tree2 == nil {
		sc.tree2 = new(joinTree)
	}
	for rest != 0 {
		// The connected part of rest holding its lowest occurrence.
		part := rest & -rest
		for grown := true; grown; {
			grown = false
			for ei := range edges {
				e := &edges[ei]
				l, r := uint64(1)<<uint(e.l), uint64(1)<<uint(e.r)
				if !inMask(e) || rest&l == 0 || rest&r == 0 || (part&l == 0) == (part&r == 0) {
					continue
				}
				part |= l | r
				grown = true
			}
		}
		rest &^= part
		// Its one edge to T, at the root or a dimension sampled whole.
		link, d := -1, -1
		for ei := range edges {
			e := &edges[ei]
			if !inMask(e) {
				continue
			}
			var in int
			switch {
			case part&(1<<uint(e.l)) != 0 && t.in&(1<<uint(e.r)) != 0:
				in = e.r
			case part&(1<<uint(e.r)) != 0 && t.in&(1<<uint(e.l)) != 0:
				in = e.l
			default:
				continue
			}
			if link >= 0 {
				return 0, 0, false
			}
			link, d = ei, in
		}
		if link < 0 || d != t.root && !s.tables[q.Tables[d].Table].complete {
			return 0, 0, false
		}
		tr := sc.tree2
		extra *= s.buildTree(tr, q, probes, edges, hist, part|1<<uint(d), sc, memo, d)
		if tr.end[d]-tr.first[d] != 1 {
			return 0, 0, false
		}
		c := tr.order[tr.first[d]]
		msgs[nparts] = tr.message(d, c)
		e := &edges[link]
		ek := s.edgeKeysOf(q, edges, link, memo)
		side, dcols := 0, e.lcol
		if d == e.r {
			side, dcols = 1, e.rcol
		}
		if d == t.root {
			keys[nparts] = ek.a
			if side == 1 {
				keys[nparts] = ek.b
			}
		} else {
			keys[nparts] = s.synopsisKeyIDs(ek, t.syn[d].vt, dcols)
		}
		nparts++
	}
	sum := 0.0
	for wi, word := range b {
		for ; word != 0; word &= word - 1 {
			r := wi*64 + bits.TrailingZeros64(word)
			x := 1.0
			for k := range nparts {
				kr := keys[k]
				if r >= len(kr) || kr[r] < 0 {
					x = 0
					break
				}
				if x *= msgs[k][kr[r]]; x == 0 {
					break
				}
			}
			if x != 0 {
				sum += x
				support++
			}
		}
	}
	if n := p.n; n > 0 {
		sum *= s.tables[rt].rows / float64(n)
	}
	return sanitize(sum * extra), support, true
}

// twoRootTree is the part T of a sub-plan reached from root along foreign
// keys with a synopsis: in its occurrences, syn[v] the synopsis of the
// path from root to v, treeEdge the pair edges followed.
type twoRootTree struct {
	root     int
	in       uint64
	syn      [maxJoinTables]*synopsis
	path     [maxJoinTables][]int
	treeEdge [maxJoinTables]bool
}

// grow fills t from root r: breadth first, each edge of mask that is a
// foreign key from an occurrence of T to one outside it, whose path from r
// has a synopsis, adds its parent.
func (t *twoRootTree) grow(s *sampleSet, q *features.Query, edges []pairEdge, mask uint64, r int, fkOf func(int) edgeFK, inMask func(*pairEdge) bool) {
	t.root, t.in = r, 1<<uint(r)
	rt := q.Tables[r].Table
	for grown := true; grown; {
		grown = false
		for ei := range edges {
			e := &edges[ei]
			if ei >= maxJoinTables || !inMask(e) || t.treeEdge[ei] {
				continue
			}
			m := fkOf(ei)
			if m.fk < 0 || t.in&(1<<uint(m.child)) == 0 || t.in&(1<<uint(m.parent)) != 0 {
				continue
			}
			if len(t.path[m.child]) >= maxSynopsisHops {
				continue
			}
			path := append(append([]int(nil), t.path[m.child]...), m.fk)
			sy := s.synopsisOf(rt, path)
			if sy == nil {
				continue
			}
			t.in |= 1 << uint(m.parent)
			t.syn[m.parent], t.path[m.parent], t.treeEdge[ei] = sy, path, true
			grown = true
		}
	}
}

// synKeyCache memoises synopsisKeyIDs.
type synKeyCache struct {
	mu sync.Mutex
	m  map[synKeyKey][]int32
}

type synKeyKey struct {
	ek   *edgeKeys
	vt   int
	cols string
}

// synopsisKeyIDs returns, per row of virtual sample vt (a synopsis), the
// id in ek's key dictionary of its values on columns cols (-1 for a NULL
// or a value ek does not hold), computed once.
func (s *sampleSet) synopsisKeyIDs(ek *edgeKeys, vt int, cols []int) []int32 {
	k := synKeyKey{ek: ek, vt: vt, cols: colsKey(cols)}
	s.synKeys.mu.Lock()
	defer s.synKeys.mu.Unlock()
	if ids, ok := s.synKeys.m[k]; ok {
		return ids
	}
	dict := make(map[string]int32, len(ek.vals))
	for id, vals := range ek.vals {
		dict[keyString(vals)] = int32(id)
	}
	ts := &s.tables[vt]
	ids := make([]int32, ts.n)
	vals := make([]catalog.Datum, len(cols))
	for r := range ids {
		ids[r] = -1
		null := false
		for j, c := range cols {
			if c >= len(ts.cols) || r >= len(ts.cols[c].rows) || ts.cols[c].rows[r].IsNull() {
				null = true
				break
			}
			vals[j] = canonicalKey(ts.cols[c].rows[r])
		}
		if null {
			continue
		}
		if id, ok := dict[keyString(vals)]; ok {
			ids[r] = id
		}
	}
	if s.synKeys.m == nil {
		s.synKeys.m = make(map[synKeyKey][]int32)
	}
	s.synKeys.m[k] = ids
	return ids
}

// keyString is a map key of canonical key values.
func keyString(vals []catalog.Datum) string {
	var sb strings.Builder
	for _, d := range vals {
		sb.WriteByte(byte(d.Kind))
		sb.WriteString(d.Format(catalog.TypeInt))
		sb.WriteByte(0)
	}
	return sb.String()
}
