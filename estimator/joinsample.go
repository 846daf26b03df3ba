package estimator

import (
	"math"
	"math/bits"
	"strings"
	"sync"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Join-sample estimation: the sub-plan's join tree is evaluated over the
// per-table samples by message passing (Yannakakis-style semi-join
// aggregation over a spanning tree of the join graph). Each table sends its
// parent, per join key, the scaled sum of its passing sample rows' weights:
//
//	M_c(k)  = |c|/n_c * sum_{r in sample(c), key(r)=k} w_c(r)
//	w_p(r)  = filter_p(r) * prod_{children c} M_c(key(r))
//	|plan| ~= |root|/n_root * sum_r w_root(r)
//
// With complete samples this is the exact join size; with uniform samples
// it is the unbiased estimator of independent-sample joins (Haas et al.,
// "Selectivity and cost estimation for joins based on random sampling",
// JCSS 1996; Leis et al., "Cardinality Estimation Done Right: Index-Based
// Join Sampling", CIDR 2017, when the inner sample is complete). Edges that
// close a cycle use the textbook selectivity.

// edgeKeys maps the sample rows of both sides of a join (one or more
// column pairs between two tables) to ids in a shared key dictionary; -1
// marks a NULL key, which never matches.
type edgeKeys struct {
	a, b  []int32
	nkeys int
	// full[side] is the message of an unfiltered leaf on side 0 (a) or 1
	// (b), computed once (see fullMessage).
	full     [2][]float64
	fullOnce [2]sync.Once
	// vals[id] are the values of key id, in the edge's column order
	// (canonicalKey'd); degree tables (factorjoin.go) look keys up by them.
	vals  [][]catalog.Datum
	strat [2]stratKeys
}

type keyCacheKey struct {
	ta, tb int
	ca, cb string
}

// keyCache memoises edgeKeys per (table, columns) pair; safe for concurrent
// use.
type keyCache struct {
	mu sync.Mutex
	m  map[keyCacheKey]*edgeKeys
}

func newKeyCache() *keyCache { return &keyCache{m: make(map[keyCacheKey]*edgeKeys)} }

func colsKey(cols []int) string {
	var b strings.Builder
	for _, c := range cols {
		b.WriteByte(byte(c))
		b.WriteByte(byte(c >> 8))
	}
	return b.String()
}

// canonicalKey makes equal join values equal map keys across int and
// float columns.
func canonicalKey(d catalog.Datum) catalog.Datum {
	if d.Kind == catalog.KindFloat && d.F == math.Trunc(d.F) && math.Abs(d.F) < 1<<53 {
		return catalog.Int(int64(d.F))
	}
	return d
}

func (kc *keyCache) get(cat *catalog.Catalog, ta int, ca []int, tb int, cb []int) *edgeKeys {
	k := keyCacheKey{ta: ta, tb: tb, ca: colsKey(ca), cb: colsKey(cb)}
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if ek, ok := kc.m[k]; ok {
		return ek
	}
	ek := &edgeKeys{}
	if len(ca) == 1 {
		dict := make(map[catalog.Datum]int32)
		enc := func(sample [][]catalog.Datum, col int) []int32 {
			if col >= len(sample) {
				return nil
			}
			out := make([]int32, len(sample[col]))
			for r, d := range sample[col] {
				if d.IsNull() {
					out[r] = -1
					continue
				}
				d = canonicalKey(d)
				id, ok := dict[d]
				if !ok {
					id = int32(len(dict))
					dict[d] = id
					ek.vals = append(ek.vals, []catalog.Datum{d})
				}
				out[r] = id
			}
			return out
		}
		ek.a = enc(cat.Stats[ta].Sample, ca[0])
		ek.b = enc(cat.Stats[tb].Sample, cb[0])
		ek.nkeys = len(dict)
	} else {
		dict := make(map[string]int32)
		enc := func(sample [][]catalog.Datum, cols []int) []int32 {
			n := 0
			if len(sample) > 0 {
				n = len(sample[0])
			}
			out := make([]int32, n)
			var sb strings.Builder
			for r := 0; r < n; r++ {
				sb.Reset()
				null := false
				for _, c := range cols {
					if c >= len(sample) || sample[c][r].IsNull() {
						null = true
						break
					}
					d := canonicalKey(sample[c][r])
					sb.WriteByte(byte(d.Kind))
					sb.WriteString(d.Format(catalog.TypeInt))
					sb.WriteByte(0)
				}
				if null {
					out[r] = -1
					continue
				}
				id, ok := dict[sb.String()]
				if !ok {
					id = int32(len(dict))
					dict[sb.String()] = id
					vals := make([]catalog.Datum, len(cols))
					for k, c := range cols {
						vals[k] = canonicalKey(sample[c][r])
					}
					ek.vals = append(ek.vals, vals)
				}
				out[r] = id
			}
			return out
		}
		ek.a = enc(cat.Stats[ta].Sample, ca)
		ek.b = enc(cat.Stats[tb].Sample, cb)
		ek.nkeys = len(dict)
	}
	kc.m[k] = ek
	return ek
}

// pairEdge groups the join edges of one occurrence pair.
type pairEdge struct {
	l, r       int // occurrences, l < r
	lcol, rcol []int
	joins      []features.Join
}

// groupEdges groups a query's join edges by occurrence pair.
func groupEdges(q *features.Query) []pairEdge { return appendEdges(nil, q) }

// appendEdges is groupEdges into dst[:0], reusing the column slices of
// dst's elements.
func appendEdges(dst []pairEdge, q *features.Query) []pairEdge {
	out := dst[:0]
	for _, j := range q.Joins {
		l, r, lc, rc := j.Left, j.Right, j.LeftCol, j.RightCol
		if l > r {
			l, r, lc, rc = r, l, rc, lc
		}
		found := false
		for i := range out {
			if out[i].l == l && out[i].r == r {
				out[i].lcol = append(out[i].lcol, lc)
				out[i].rcol = append(out[i].rcol, rc)
				out[i].joins = append(out[i].joins, j)
				found = true
				break
			}
		}
		if found {
			continue
		}
		if n := len(out); n < cap(out) {
			out = out[:n+1]
			e := &out[n]
			e.l, e.r = l, r
			e.lcol = append(e.lcol[:0], lc)
			e.rcol = append(e.rcol[:0], rc)
			e.joins = append(e.joins[:0], j)
			continue
		}
		out = append(out, pairEdge{l: l, r: r, lcol: []int{lc}, rcol: []int{rc}, joins: []features.Join{j}})
	}
	return out
}

// joinMemo memoises join-sample work across the sub-plans of one query:
// the resolved edge keys of each pair edge and the messages already sent.
// A message depends only on its child's subtree (the child, the edge to its
// parent and the tree edges below it, which fix the children's order), so
// sub-plans sharing a subtree share its message. A nil *joinMemo disables
// memoisation. Messages live in the query's scratch; reset the memo
// whenever the scratch is reset.
type joinMemo struct {
	ek   []*edgeKeys // per pair edge, resolved on first use
	msgs map[msgKey][]float64
	tree joinTree // scratch of joinSampleRows
	// Join synopses (synopsisRows): per pair edge its foreign key once
	// matched, and the filters already evaluated on synopses.
	fk     []edgeFK
	fkDone []bool
	syn    []synBits
	// contra[ei]: 0 not yet checked, 1 no, 2 pair edge ei is a
	// contradiction across the join (keytransfer.go).
	contra []int8
}

// msgKey identifies a message: the pair edge to the parent, the child and
// the set of pair edges (bits) of the child's subtree.
type msgKey struct {
	edge, child int
	sub         uint64
}

// edgeFK returns the foreign key pair edge ei of edges follows
// (s.matchFK), memoised in memo when memo was reset for edges (nil or
// another query's: computed).
func (s *sampleSet) edgeFK(q *features.Query, edges []pairEdge, ei int, memo *joinMemo) edgeFK {
	if memo == nil || len(memo.fkDone) != len(edges) {
		return s.matchFK(q, &edges[ei])
	}
	if !memo.fkDone[ei] {
		memo.fk[ei], memo.fkDone[ei] = s.matchFK(q, &edges[ei]), true
	}
	return memo.fk[ei]
}

// reset prepares m for a query with nedges pair edges.
func (m *joinMemo) reset(nedges int) {
	m.ek = m.ek[:0]
	for range nedges {
		m.ek = append(m.ek, nil)
	}
	if m.msgs == nil {
		m.msgs = make(map[msgKey][]float64)
	}
	clear(m.msgs)
	if cap(m.fk) < nedges {
		m.fk, m.fkDone = make([]edgeFK, nedges), make([]bool, nedges)
	}
	m.fk, m.fkDone = m.fk[:nedges], m.fkDone[:nedges]
	clear(m.fkDone)
	m.syn = m.syn[:0]
	if cap(m.contra) < nedges {
		m.contra = make([]int8, nedges)
	}
	m.contra = m.contra[:nedges]
	clear(m.contra)
}

// maxJoinTables bounds the occurrences of a query (features.MaxTables).
const maxJoinTables = features.MaxTables

// joinTree is the spanning tree of one sub-plan, children of a node
// contiguous in BFS order.
type joinTree struct {
	order      [maxJoinTables]int // BFS order, order[0] = root
	pedge      [maxJoinTables]int // pair edge to the parent
	first, end [maxJoinTables]int // children of u: order[first[u]:end[u]]
	sub        [maxJoinTables]uint64
	n          int
	memoizable bool // every pair edge index fits sub
	q          *features.Query
	probes     []tableProbe
	edges      []pairEdge
	sc         *scratch
	memo       *joinMemo
	s          *sampleSet
	msgBuf     [maxJoinTables][]float64
	keyBuf     [maxJoinTables][]int32
}

// edgeKeysOf returns the keys of pair edge ei.
func (s *sampleSet) edgeKeysOf(q *features.Query, edges []pairEdge, ei int, memo *joinMemo) *edgeKeys {
	if memo != nil && memo.ek[ei] != nil {
		return memo.ek[ei]
	}
	e := &edges[ei]
	ek := s.keys.get(s.cat, q.Tables[e.l].Table, e.lcol, q.Tables[e.r].Table, e.rcol)
	if memo != nil {
		memo.ek[ei] = ek
	}
	return ek
}

// joinSampleRows estimates the sub-plan mask of q by message passing over
// the samples; support is the number of root sample rows with a non-zero
// weight (0 means the samples found no joining row). memo, when not nil,
// shares keys and messages with other sub-plans of q (see joinMemo).
func (s *sampleSet) joinSampleRows(q *features.Query, probes []tableProbe, edges []pairEdge, hist *Histogram, mask uint64, sc *scratch, memo *joinMemo) (rows float64, support int) {
	// Root: the largest table of the mask (its sample drives the estimate).
	root := -1
	for i, tr := range q.Tables {
		if mask&(1<<uint(i)) == 0 {
			continue
		}
		if root < 0 || s.tables[tr.Table].rows > s.tables[q.Tables[root].Table].rows {
			root = i
		}
	}
	if root < 0 {
		return 0, 0
	}
	root = s.stratRoot(q, mask, root)
	if mask == 1<<uint(root) {
		// One table: the sample estimate itself.
		p := probes[root]
		if p.hits == 0 {
			return 0, 0
		}
		return float64(p.hits) * s.tables[q.Tables[root].Table].rows / float64(p.n), p.hits
	}
	if memo != nil && len(memo.ek) != len(edges) {
		memo = nil
	}
	// Spanning tree by BFS over the pair edges inside the mask; edges
	// closing a cycle multiply in their textbook selectivity.
	// The tree scratch is reused without clearing: every field a sub-plan
	// reads is written first (sub when a node joins).
	if memo == nil {
		if sc.tree == nil {
			sc.tree = new(joinTree)
		}
		return s.joinTreeRows(sc.tree, q, probes, edges, hist, mask, sc, nil, root)
	}
	return s.joinTreeRows(&memo.tree, q, probes, edges, hist, mask, sc, memo, root)
}

// joinTreeRows is joinSampleRows for a sub-plan of more than one table
// rooted at root, with t as scratch.
func (s *sampleSet) joinTreeRows(t *joinTree, q *features.Query, probes []tableProbe, edges []pairEdge, hist *Histogram, mask uint64, sc *scratch, memo *joinMemo, root int) (rows float64, support int) {
	extra := s.buildTree(t, q, probes, edges, hist, mask, sc, memo, root)
	sum := 0.0
	if ws := t.weights(root); ws != nil {
		for _, x := range ws {
			if x != 0 {
				sum += x
				support++
			}
		}
	} else {
		// Every passing row weighs 1: the sum of ones is exact.
		sum, support = float64(probes[root].hits), probes[root].hits
	}
	if n := probes[root].n; n > 0 {
		sum *= s.tables[q.Tables[root].Table].rows / float64(n)
	}
	return sanitize(sum * extra), support
}

// buildTree fills t with the spanning tree of sub-plan mask rooted at root
// (BFS over the pair edges inside mask) and returns the product of the
// textbook selectivities of the edges closing a cycle.
func (s *sampleSet) buildTree(t *joinTree, q *features.Query, probes []tableProbe, edges []pairEdge, hist *Histogram, mask uint64, sc *scratch, memo *joinMemo, root int) (extra float64) {
	t.q, t.probes, t.edges, t.sc, t.memo, t.s = q, probes, edges, sc, memo, s
	t.memoizable = memo != nil && len(edges) <= 64
	var usedBuf [64]bool
	var used []bool
	if len(edges) <= len(usedBuf) {
		used = usedBuf[:len(edges)]
	} else {
		used = make([]bool, len(edges))
	}
	inTree := uint64(1) << uint(root)
	extra = 1.0
	t.order[0], t.n, t.sub[root] = root, 1, 0
	for qi := 0; qi < t.n; qi++ {
		u := t.order[qi]
		t.first[u] = t.n
		for ei := range edges {
			e := &edges[ei]
			if used[ei] || mask&(1<<uint(e.l)) == 0 || mask&(1<<uint(e.r)) == 0 {
				continue
			}
			var v int
			switch u {
			case e.l:
				v = e.r
			case e.r:
				v = e.l
			default:
				continue
			}
			used[ei] = true
			if inTree&(1<<uint(v)) != 0 {
				for _, j := range e.joins {
					extra *= hist.joinSel(q, j)
				}
				continue
			}
			inTree |= 1 << uint(v)
			t.pedge[v], t.sub[v] = ei, 0
			t.order[t.n] = v
			t.n++
		}
		t.end[u] = t.n
	}
	if t.memoizable {
		for k := t.n - 1; k >= 0; k-- {
			v := t.order[k]
			for _, c := range t.order[t.first[v]:t.end[v]] {
				t.sub[v] |= 1<<uint(t.pedge[c]) | t.sub[c]
			}
		}
	}
	return extra
}

// children returns the messages of u's children and u's key columns toward
// each, in child order.
func (t *joinTree) children(u int) (msgs [][]float64, keys [][]int32) {
	// The slices are carved from the shared buffers at the children's
	// positions in BFS order, which no other node uses.
	lo, hi := t.first[u], t.end[u]
	if lo == hi {
		return nil, nil
	}
	msgs, keys = t.msgBuf[lo:hi:hi], t.keyBuf[lo:hi:hi]
	for k, c := range t.order[lo:hi] {
		ei := t.pedge[c]
		ek := t.s.edgeKeysOf(t.q, t.edges, ei, t.memo)
		if u == t.edges[ei].l {
			keys[k] = ek.a
		} else {
			keys[k] = ek.b
		}
		msgs[k] = t.message(u, c)
	}
	return msgs, keys
}

// weights returns the weights of u's passing sample rows (in row order,
// one per set bit of its filter bitmap): the product of its children's
// messages at the row's keys, left to right (0 as soon as a key is NULL
// or the product is 0); nil when u has no children (every weight is 1).
// Products are memoised per node and set of subtree edges, so a subtree
// that is the root of one sub-plan and a child in another is weighed once,
// and a sub-plan whose root's first children are those of an earlier
// sub-plan extends that product instead of starting over. Extending does
// the same floating-point operations in the same order.
func (t *joinTree) weights(u int) []float64 {
	lo, hi := t.first[u], t.end[u]
	if lo == hi {
		return nil
	}
	kids := t.order[lo:hi]
	// subs[k]: the subtree edges below u through its first k children.
	var subs [maxJoinTables]uint64
	for k, c := range kids {
		subs[k+1] = subs[k] | 1<<uint(t.pedge[c]) | t.sub[c]
	}
	var prev []float64
	start := 0
	if t.memoizable {
		for k := len(kids); k >= 1; k-- {
			if ws, ok := t.memo.msgs[msgKey{edge: -1, child: u, sub: subs[k]}]; ok {
				prev, start = ws, k
				break
			}
		}
		if start == len(kids) {
			return prev
		}
	}
	msgs, keys := t.children(u)
	msgs, keys = msgs[start:], keys[start:]
	p := &t.probes[u]
	ws := t.sc.floats(p.hits)
	i := 0
	if len(msgs) == 1 {
		m, kr := msgs[0], keys[0]
		for wi, word := range p.bits {
			for ; word != 0; word &= word - 1 {
				r := wi*64 + bits.TrailingZeros64(word)
				x := 0.0
				if (prev == nil || prev[i] != 0) && r < len(kr) && kr[r] >= 0 {
					if prev == nil {
						x = m[kr[r]]
					} else {
						x = prev[i] * m[kr[r]]
					}
				}
				ws[i] = x
				i++
			}
		}
	} else {
		// The remaining children in one pass (only the full product is
		// kept: sub-plans with fewer tables, evaluated first, leave the
		// shorter prefixes).
		for wi, word := range p.bits {
			for ; word != 0; word &= word - 1 {
				r := wi*64 + bits.TrailingZeros64(word)
				x := 1.0
				if prev != nil {
					x = prev[i]
				}
				for k, m := range msgs {
					if x == 0 {
						break
					}
					kr := keys[k]
					if r >= len(kr) || kr[r] < 0 {
						x = 0
						break
					}
					x *= m[kr[r]]
				}
				ws[i] = x
				i++
			}
		}
	}
	if t.memoizable {
		t.memo.msgs[msgKey{edge: -1, child: u, sub: subs[len(kids)]}] = ws
	}
	return ws
}

// message is what child c sends its parent u: per key of their edge, the
// scaled sum of c's sample rows' weights.
func (t *joinTree) message(u, c int) []float64 {
	ei := t.pedge[c]
	var key msgKey
	if t.memoizable {
		key = msgKey{edge: ei, child: c, sub: t.sub[c]}
		if m, ok := t.memo.msgs[key]; ok {
			return m
		}
	}
	e := &t.edges[ei]
	ek := t.s.edgeKeysOf(t.q, t.edges, ei, t.memo)
	side := 1 // c is e.r: its keys are ek.b
	kc := ek.b
	if u != e.l {
		side, kc = 0, ek.a
	}
	tc := t.q.Tables[c].Table
	scale := 1.0
	p := &t.probes[c]
	if p.n > 0 {
		scale = t.s.tables[tc].rows / float64(p.n)
	}
	ccols := e.rcol
	if side == 0 {
		ccols = e.lcol
	}
	var msg []float64
	if st := t.s.stratOf(ek, side, tc, ccols, kc); st != nil {
		msg = t.stratifiedMessage(c, st, kc, ccols)
	} else if t.first[c] == t.end[c] && p.hits == p.n {
		// An unfiltered leaf: its message depends on the edge alone and
		// is kept with the keys for every later query.
		msg = ek.fullMessage(side, kc, p.bits, scale)
	} else {
		msg = t.keySums(c, kc, ek.nkeys, scale)
	}
	if t.memoizable {
		t.memo.msgs[key] = msg
	}
	return msg
}

// keySums returns, per key id of kc (nkeys of them), the sum of child c's
// passing sample rows' weights times scale, in the query's scratch.
func (t *joinTree) keySums(c int, kc []int32, nkeys int, scale float64) []float64 {
	msg := t.sc.floats(nkeys)
	p := &t.probes[c]
	ws := t.weights(c)
	i := 0
	for wi, word := range p.bits {
		for ; word != 0; word &= word - 1 {
			r := wi*64 + bits.TrailingZeros64(word)
			x := 1.0
			if ws != nil {
				x = ws[i]
			}
			i++
			if x == 0 || r >= len(kc) {
				continue
			}
			if k := kc[r]; k >= 0 {
				msg[k] += x * scale
			}
		}
	}
	return msg
}

// fullMessage returns (computing once) the message of an unfiltered leaf
// on side side of the edge: per key, scale times its number of sample rows
// (summed row by row, as message does). bits selects every sample row.
func (ek *edgeKeys) fullMessage(side int, kc []int32, all bitmap, scale float64) []float64 {
	ek.fullOnce[side].Do(func() {
		msg := make([]float64, ek.nkeys)
		for wi, word := range all {
			for word != 0 {
				r := wi*64 + bits.TrailingZeros64(word)
				word &= word - 1
				if r < len(kc) && kc[r] >= 0 {
					msg[kc[r]] += scale
				}
			}
		}
		ek.full[side] = msg
	})
	return ek.full[side]
}
