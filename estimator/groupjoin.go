package estimator

import (
	"math"
	"math/bits"

	"github.com/cardinaldb/cardinal/features"
)

// Distinct keys among the rows that survive a join (groups.go).
//
//	occurrence o's sample rows passing its filter
//	   │  message passing over the samples rooted at o (joinsample.go):
//	   │  weight w_r = the sample join's rows through row r
//	   ├─ survivors: the rows with w_r > 0 (they reach every other table)
//	   └─ distinct key tuples of o among the survivors, scaled to the
//	        table by GEE (Charikar et al., PODS 2000) and Shlosser (Haas et
//	        al., VLDB 1995) as occDistinct does for the filtered rows
//
// Thinning the filtered distinct values by Cardenas' formula with the
// rows a join keeps assumes the join keeps rows at random; joins keep
// rows by their key (flights of the airports in one state), which
// correlates with the grouping keys (the origin of those flights). The
// survivors see that correlation directly. Edges that close a cycle are
// not enforced (a survivor may fail them), and a sample that misses a
// rare join partner drops its rows: the estimate is used only when every
// other table is sampled at minPartnerSampleFrac or more, and not with
// fewer than minGEERows survivors on an incomplete sample.

// minPartnerSampleFrac is the smallest sampled share of every other
// occurrence's table joinDistinct accepts: a row whose join value has k
// partner rows survives in the samples with probability 1 - (1-f)^k,
// at least 1 - 2^-k at f = 1/2; with smaller samples (independent samples
// of two fact tables) survivors drop out and the distinct count with them.
const minPartnerSampleFrac = 0.5

// joinDistinct is the distinct-value estimate of keys (all on occurrence
// occ) among its rows that survive the join of every occurrence of q; ok
// is false when it cannot be made (one table, outer or semi-joins, too
// few survivors).
func (d *DistinctGroups) joinDistinct(q *features.Query, occ int, keys []features.GroupKey) (distinctStats, bool) {
	if len(q.Tables) < 2 || q.HasShapes() || len(q.Tables) > maxJoinTables {
		return distinctStats{}, false
	}
	s := d.s
	tr := q.Tables[occ]
	st := &d.cat.Stats[tr.Table]
	ts := &s.tables[tr.Table]
	if ts.n == 0 || len(st.Sample) == 0 {
		return distinctStats{}, false
	}
	for i, o := range q.Tables {
		if ot := &s.tables[o.Table]; i != occ && !ot.complete && float64(ot.n) < minPartnerSampleFrac*ot.rows {
			return distinctStats{}, false
		}
	}
	sc := s.pool.Get().(*scratch)
	defer func() { sc.reset(); s.pool.Put(sc) }()
	var buf [8]tableProbe
	probes := s.probe(q, sc, buf[:0])
	edges := groupEdges(q)
	ws, ok := s.rootWeights(q, probes, edges, d.hist, occ, sc)
	if !ok {
		return distinctStats{}, false
	}
	freq := map[string]int{}
	var key []byte
	n, i := 0, 0
	for wi, word := range probes[occ].bits {
		for ; word != 0; word &= word - 1 {
			r := wi*64 + bits.TrailingZeros64(word)
			w := 1.0
			if ws != nil {
				w = ws[i]
			}
			i++
			if w <= 0 || r >= ts.n {
				continue
			}
			n++
			key = key[:0]
			for _, k := range keys {
				key = appendKeyDatum(key, k, st.Sample[k.Col][r])
			}
			freq[string(key)]++
		}
	}
	if n == 0 || (!ts.complete && n < minGEERows) {
		return distinctStats{}, false
	}
	f1, rest, counts := freqProfile(freq)
	dist := float64(len(freq))
	ds := distinctStats{sampleDistinct: dist, f1: f1, s: float64(n)}
	if ts.complete {
		ds.est, ds.shlosser = dist, dist
		return ds, true
	}
	capD := 1.0
	for _, k := range keys {
		capD *= keyDistinct(st, k)
	}
	pop := ts.rows * float64(n) / float64(ts.n) // the surviving rows
	capD = math.Min(capD, pop)
	ds.scaleUp(rest, counts, pop, float64(ts.n)/ts.rows, capD)
	return ds, true
}

// rootWeights returns the weights of root's passing sample rows (one per
// set bit of its probe, nil when every weight is 1) in the message
// passing over the spanning tree of q's pair edges rooted at root (the
// tree of joinTreeRows, buildTree; edges closing a cycle are left out of
// the weights). ok is false when the occurrences are not connected.
func (s *sampleSet) rootWeights(q *features.Query, probes []tableProbe, edges []pairEdge, hist *Histogram, root int, sc *scratch) ([]float64, bool) {
	t := new(joinTree)
	s.buildTree(t, q, probes, edges, hist, q.FullMask(), sc, nil, root)
	if t.n != len(q.Tables) {
		return nil, false
	}
	return t.weights(root), true
}
