package estimator

import (
	"math"
	"slices"
	"sync"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Key-stratified join-sample messages: the FactorJoin idea (Wu et al.,
// "FactorJoin: A New Cardinality Estimation Framework for Join Queries",
// SIGMOD 2023) of per-join-key statistics combined across tables, with
// the exact per-key degree tables of the catalog (catalog.KeyDegrees) as
// the bins and the sample as each bin's conditional distribution.
//
// A join through a shared key has Σ_k Π_t deg_t(k)·sel_t(k) rows (deg_t(k)
// the rows of table t with key k, sel_t(k) the share of them passing t's
// filter and joining on below t). Join-sample message passing
// (joinsample.go) estimates each child's term as |t|/n·#{sampled rows of
// key k passing}: on two big tables meeting at a shared dimension, the
// samples miss most small keys (no meeting, an estimate of 0 and the
// histogram's independence fallback) and weigh each sampled hub row as
// |t|/n rows whatever its key's degree. Stratified by key, a child sends
//
//	M(k) = S(k) + (deg(k) - m(k)) · (S(k) + a·w̄) / (m(k) + a)   (m(k) > 0)
//	M(k) = deg(k) · w̄                                             (m(k) = 0)
//
//	S(k): the weights of its passing sampled rows with key k (1 for a leaf)
//	m(k): its sampled rows with key k, passing or not
//	w̄:   the mean weight of the sampled rows of k's bin (keys in value
//	      order cut into runs of binRows sampled rows: FactorJoin's bins,
//	      as key ranges)
//	a:    stratumPrior pseudo-rows at w̄ (shrinks keys sampled a few
//	      times), 0 when the child's filter reads a key column (its pass
//	      rate depends on the key); a and w̄ are 0 when a child of the
//	      child joins on a key column (its weights are that join's
//	      messages: the mean would leak rows into keys they exclude, so
//	      an unsampled key counts 0 as in the plain message)
//
// (the finite-population estimate of the key's total: its sampled rows as
// they are, its other deg(k)-m(k) rows at the key's mean weight) so an
// unfiltered child's message is its exact degrees, a filtered one's is
// the exact degree times the pass rate among the key's sampled rows
// (shrunk toward the table's), a key its sample missed still counts
// deg(k)·w̄ instead of 0, and a key sampled whole counts exactly. The root of the message passing is then the
// largest completely sampled table of the sub-plan when there is one (a
// shared dimension: every key is summed exactly, each weighted by its
// children's stratified messages), else the largest table as before.
// Tables completely sampled, or without a degree table on the joined
// columns (a primary key: every degree is 1), send the plain messages: a
// sampled dimension row's weight carries its correlation with the rows
// that reference it, which the table's mean weight would lose.
//
// When the child's filter is selective (fewer than fewHits expected
// sampled rows; setCounts) and reads no key column, its message is instead
//
//	M(k) = S(k) + (deg(k) - m(k)) · (C - hits)⁺ / Σ_k (deg(k) - m(k)) · w̄ₚ
//
//	C:   the histogram's count of the child's passing rows
//	w̄ₚ: the mean weight of its passing sampled rows
//
// so a unique row the sample holds (reviews.id = 11884) is that row's key
// alone, not spread over its bin.

// stratumPrior is a in the message above: one pseudo-row at the table's
// mean weight per key, the add-one (Laplace) shrinkage of a key's pass
// rate toward the table's.
const stratumPrior = 1.0

// stratKeys is one side of an edge's stratification, built once per edge
// side (the degrees and sample counts depend on the data only).
type stratKeys struct {
	once sync.Once
	// deg[id] is the rows of the side's table holding key id (nil: the
	// side is not stratified); cnt[id] its sampled rows holding it;
	// nonNull the sampled rows with a non-NULL key.
	deg, cnt []float64
	nonNull  float64
	// exact reports whether deg holds every key's exact degree (the
	// degree table keeps every key: a key it lacks has no row), so a
	// degree of 0 proves that no row holds the key (degreeZero).
	exact bool
	// bin[id] is key id's bin: keys in value order, cut into runs of
	// about binRows sampled rows; binCnt the sampled rows of each bin.
	bin    []int32
	binCnt []float64
}

// binRows is the number of sampled rows per key bin (FactorJoin's bins,
// here contiguous key ranges): a key its sample missed takes the mean
// weight of the sampled keys next to it, which keeps what a filter
// correlated with the key's order (an order's items' ids, a range on the
// key itself) does to it. 32 rows bound a bin mean's relative error near
// 1/sqrt(32) ~ 18%.
const binRows = 32

// stratOf returns the stratification of side side (0: a, 1: b) of ek,
// whose table is table joined on cols with key ids kc per sampled row; nil
// when the table's sample is complete or it has no degree table on cols.
func (s *sampleSet) stratOf(ek *edgeKeys, side, table int, cols []int, kc []int32) *stratKeys {
	st := &ek.strat[side]
	st.once.Do(func() {
		if !s.degrees || table >= len(s.cat.Stats) || s.tables[table].complete {
			return
		}
		kd := s.cat.Stats[table].KeyDegreesOf(cols)
		if kd == nil {
			return
		}
		// The degree table's key columns as positions in cols.
		perm := make([]int, len(kd.Columns))
		for j, c := range kd.Columns {
			perm[j] = slices.Index(cols, c)
		}
		idx := kd.Index()
		deg := make([]float64, ek.nkeys)
		var b []byte
		for id, vals := range ek.vals {
			b = b[:0]
			for _, p := range perm {
				b = catalog.AppendKey(b, vals[p])
			}
			deg[id] = kd.Degree(idx, b)
		}
		st.cnt, st.nonNull = sampleCounts(ek.nkeys, kc)
		st.bin, st.binCnt = keyBins(ek.vals, st.cnt)
		st.deg = deg
		st.exact = kd.RestKeys == 0
	})
	if st.deg == nil {
		return nil
	}
	return st
}

// stratifiedMessage is what child c sends over an edge stratified by st,
// its key ids per sampled row kc (see the comment at the top).
func (t *joinTree) stratifiedMessage(c int, st *stratKeys, kc []int32, ccols []int) []float64 {
	p := &t.probes[c]
	if t.first[c] == t.end[c] && p.hits == p.n {
		// An unfiltered leaf: its exact degrees.
		return st.deg
	}
	msg := t.keySums(c, kc, len(st.deg), 1)
	if st.nonNull == 0 {
		return msg
	}
	if filterOnKey, childOnKey := t.keyCorrelated(c, ccols); p.count > 0 && !filterOnKey && !childOnKey {
		// A selective filter on columns other than the key: its few
		// sampled rows count as themselves, and the other passing rows
		// the histogram expects are spread over the keys' unsampled
		// rows at the passing rows' mean weight (the filter independent
		// of the key, as FactorJoin has it). A key's own sampled pass
		// rate, from a row or two, says little about the rest, and the
		// bin means would spread a unique row (reviews.id = 11884) over
		// every key near it.
		rest, unsampled, wsum := math.Max(0, p.count-float64(p.hits)), 0.0, 0.0
		for k, d := range st.deg {
			unsampled += max(0, d-st.cnt[k])
			wsum += msg[k]
		}
		if unsampled > 0 && rest > 0 && p.hits > 0 {
			// At the passing rows' mean weight.
			f := rest / unsampled * wsum / float64(p.hits)
			for k, d := range st.deg {
				msg[k] += max(0, d-st.cnt[k]) * f
			}
		}
		return msg
	}
	// The mean weight per sampled row of each key bin.
	wbin := t.sc.floats(len(st.binCnt))
	for k, b := range st.bin {
		wbin[b] += msg[k]
	}
	for b, n := range st.binCnt {
		if n > 0 {
			wbin[b] /= n
		}
	}
	prior, leak := stratumPrior, 1.0
	switch filterOnKey, childOnKey := t.keyCorrelated(c, ccols); {
	case childOnKey:
		// The weights are the messages of a join on the key: a bin's
		// mean would leak rows into keys they exclude.
		prior, leak = 0, 0
	case filterOnKey:
		// The pass rate depends on the key: no shrinkage toward the
		// bin's mean for sampled keys.
		prior = 0
	}
	for k, d := range st.deg {
		wbar := leak * wbin[st.bin[k]]
		if n := st.cnt[k]; n > 0 {
			// The key's sampled rows count as themselves, its other
			// rows at their (smoothed) mean weight.
			msg[k] += max(0, d-n) * (msg[k] + prior*wbar) / (n + prior)
		} else {
			msg[k] = d * wbar
		}
	}
	return msg
}

// keyCorrelated reports whether the weights of c's sampled rows depend on
// its key columns ccols: its filter reads one, or one of its children
// joins on one.
func (t *joinTree) keyCorrelated(c int, ccols []int) (filterOnKey, childOnKey bool) {
	onKey := func(col int) bool { return slices.Contains(ccols, col) }
	if f := t.q.Tables[c].Filter; f != nil && slices.ContainsFunc(f.Columns(), onKey) {
		filterOnKey = true
	}
	for _, g := range t.order[t.first[c]:t.end[c]] {
		e := &t.edges[t.pedge[g]]
		cols := e.lcol
		if e.l != c {
			cols = e.rcol
		}
		if slices.ContainsFunc(cols, onKey) {
			return filterOnKey, true
		}
	}
	return filterOnKey, false
}

// stratRoot returns the root of sub-plan mask's message passing: the
// largest completely sampled occurrence when the catalog has degree tables
// and root (the largest occurrence) is sampled, else root.
func (s *sampleSet) stratRoot(q *features.Query, mask uint64, root int) int {
	if !s.degrees || s.tables[q.Tables[root].Table].complete {
		return root
	}
	best := -1
	for i, tr := range q.Tables {
		if mask&(1<<uint(i)) == 0 || !s.tables[tr.Table].complete {
			continue
		}
		if best < 0 || s.tables[tr.Table].rows > s.tables[q.Tables[best].Table].rows {
			best = i
		}
	}
	if best < 0 {
		return root
	}
	return best
}

// hasKeyDegrees reports whether any table of cat has a degree table.
func hasKeyDegrees(cat *catalog.Catalog) bool {
	for i := range cat.Stats {
		if len(cat.Stats[i].KeyDegrees) > 0 {
			return true
		}
	}
	return false
}

// sampleCounts counts the sampled rows per key id of kc, and those with a
// non-NULL key.
func sampleCounts(nkeys int, kc []int32) (cnt []float64, nonNull float64) {
	cnt = make([]float64, nkeys)
	for _, k := range kc {
		if k >= 0 {
			cnt[k]++
			nonNull++
		}
	}
	return cnt, nonNull
}

// keyBins sorts the keys (vals, in value order column by column) and cuts
// them into bins of about binRows sampled rows (cnt per key), keys the
// sample missed joining the bin of the sampled keys before them.
func keyBins(vals [][]catalog.Datum, cnt []float64) (bin []int32, binCnt []float64) {
	order := make([]int32, len(vals))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		va, vb := vals[a], vals[b]
		for i := range min(len(va), len(vb)) {
			if c := catalog.Compare(va[i], vb[i]); c != 0 {
				return c
			}
		}
		return int(a - b)
	})
	bin = make([]int32, len(vals))
	b, run := int32(0), 0.0
	binCnt = []float64{0}
	for _, id := range order {
		if run >= binRows && cnt[id] > 0 {
			b++
			binCnt = append(binCnt, 0)
			run = 0
		}
		bin[id] = b
		run += cnt[id]
		binCnt[b] += cnt[id]
	}
	return bin, binCnt
}

// fewHits is the number of sampled rows below which a filter's pass rate
// per key comes from the histogram's count instead (tableProbe.count): at
// 10 expected hits a key's sampled pass rate rests on one row or none.
const fewHits = 10

// setCounts sets the count of each occurrence of q whose filter the
// sample expects to pass fewer than fewHits rows: rows × the histogram
// selectivity occ[i].histSel, for filters without LIKE (a pattern's
// selectivity is a guess).
func (s *sampleSet) setCounts(q *features.Query, probes []tableProbe, occ []occFeat) {
	for i, tr := range q.Tables {
		probes[i].count = 0
		ts := &s.tables[tr.Table]
		if tr.Filter == nil || ts.complete || ts.n == 0 || i >= len(occ) || hasLike(tr.Filter) {
			continue
		}
		c := ts.rows * occ[i].histSel
		if c*float64(ts.n)/ts.rows < fewHits {
			probes[i].count = c
		}
	}
}
