package estimator

import (
	"math"
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

// pairEdges groups a query's join edges by occurrence pair.
type pairEdge struct {
	l, r       int // occurrences, l < r
	lcol, rcol []int
	joins      []features.Join
}

func groupEdges(q *features.Query) []pairEdge {
	var out []pairEdge
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
		if !found {
			out = append(out, pairEdge{l: l, r: r, lcol: []int{lc}, rcol: []int{rc}, joins: []features.Join{j}})
		}
	}
	return out
}

// joinSampleRows estimates the sub-plan mask of q by message passing over
// the samples; support is the number of root sample rows with a non-zero
// weight (0 means the samples found no joining row).
func (s *sampleSet) joinSampleRows(q *features.Query, probes []tableProbe, edges []pairEdge, hist *Histogram, mask uint64, sc *scratch) (rows float64, support int) {
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
	if mask == 1<<uint(root) {
		// One table: the sample estimate itself.
		p := probes[root]
		if p.hits == 0 {
			return 0, 0
		}
		return float64(p.hits) * s.tables[q.Tables[root].Table].rows / float64(p.n), p.hits
	}
	// Spanning tree by BFS over the pair edges inside the mask.
	type child struct {
		node int
		e    *pairEdge
	}
	children := make([][]child, len(q.Tables))
	inTree := uint64(1) << uint(root)
	extra := 1.0
	queue := []int{root}
	used := make([]bool, len(edges))
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
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
			children[u] = append(children[u], child{node: v, e: e})
			queue = append(queue, v)
		}
	}
	// weight(u, r) is the product of u's children's messages at row r's
	// keys (filter bits are checked by the caller).
	var message func(u int, c child) []float64
	weight := func(u, r int, msgs [][]float64, keys [][]int32) float64 {
		w := 1.0
		for k, m := range msgs {
			kr := keys[k]
			if r >= len(kr) || kr[r] < 0 {
				return 0
			}
			if w *= m[kr[r]]; w == 0 {
				return 0
			}
		}
		return w
	}
	// childMsgs computes the messages of u's children and u's key columns
	// toward each of them.
	childMsgs := func(u int) (msgs [][]float64, keys [][]int32) {
		for _, c := range children[u] {
			msgs = append(msgs, message(u, c))
			tu, tc := q.Tables[u].Table, q.Tables[c.node].Table
			if u == c.e.l {
				keys = append(keys, s.keys.get(s.cat, tu, c.e.lcol, tc, c.e.rcol).a)
			} else {
				keys = append(keys, s.keys.get(s.cat, tc, c.e.lcol, tu, c.e.rcol).b)
			}
		}
		return msgs, keys
	}
	// message is what child c sends its parent u: per key of their edge,
	// the scaled sum of c's sample rows' weights.
	message = func(u int, c child) []float64 {
		tu, tc := q.Tables[u].Table, q.Tables[c.node].Table
		var kc []int32
		var ek *edgeKeys
		if u == c.e.l {
			ek = s.keys.get(s.cat, tu, c.e.lcol, tc, c.e.rcol)
			kc = ek.b
		} else {
			ek = s.keys.get(s.cat, tc, c.e.lcol, tu, c.e.rcol)
			kc = ek.a
		}
		msg := sc.floats(ek.nkeys)
		scale := 1.0
		if cn := probes[c.node].n; cn > 0 {
			scale = s.tables[tc].rows / float64(cn)
		}
		msgs, keys := childMsgs(c.node)
		probes[c.node].bits.forEach(func(r int) {
			if r >= len(kc) || kc[r] < 0 {
				return
			}
			if w := weight(c.node, r, msgs, keys); w != 0 {
				msg[kc[r]] += w * scale
			}
		})
		return msg
	}
	msgs, keys := childMsgs(root)
	sum := 0.0
	probes[root].bits.forEach(func(r int) {
		if w := weight(root, r, msgs, keys); w != 0 {
			sum += w
			support++
		}
	})
	if n := probes[root].n; n > 0 {
		sum *= s.tables[q.Tables[root].Table].rows / float64(n)
	}
	return sanitize(sum * extra), support
}
