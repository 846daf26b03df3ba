package estimator

import (
	"math"
	"slices"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// This file turns a query into the three sets of a SetNet (Kipf et al.,
// CIDR 2019, section 3.1):
//
//	table element:     one-hot table | sel, log sel, log rows, filtered,
//	                   baseline's log sel of the table alone | sample bits
//	join element:      one-hot join edge (last slot: an edge never seen)
//	predicate element: one-hot column | one-hot operator | literal CDFs,
//	                   atomic sel, log sel, log #values, under NOT, under OR,
//	                   share of literals that are MCVs, their log frequency
//	global vector:     baseline log estimate, log #tables, #joins, #preds,
//	                   log cross-product size, log histogram, textbook
//	                   and join-sample estimates, log join-sample support
//
// Selectivities come from evaluating the filter (and each atomic predicate)
// on the catalog's row sample, three-valued: only TRUE rows count.

// snNumOps is the number of features.Op values (OpEQ .. OpNotLike).
const snNumOps = int(features.OpNotLike)

// Fixed widths of the encoding blocks.
const (
	snTabExtra  = 5 // sel, log sel, log rows, has filter, baseline log sel
	snPredExtra = 9 // lit lo CDF, lit hi CDF, sel, log sel, log #values, under NOT, under OR, MCV share, MCV log freq
	snGlobIn    = 9 // see encode; payloads of version 1 read the first 5
	snGlobInV1  = 5
)

// snLogValuesScale normalises ln(1+#values) of an IN list: ln(1+1000),
// a long IN list, maps to about 1.
const snLogValuesScale = 7.0

// snVocab is what the encoder learned from the schema and the training
// queries: the column numbering, the join edges, which columns training
// predicates touched, and the largest queries seen.
type snVocab struct {
	colOff    []int // per table: first global column number
	nCols     int
	edges     []joinEdge // sorted
	edgeIdx   map[joinEdge]int
	seenCol   []bool // per global column: a training predicate used it
	seenTable []bool // per schema table: a training query read it
	maxTables int
	maxJoins  int
	logScale  float64 // ln of the largest row count in play, >= 1
}

func newSNVocab(s *catalog.Schema) *snVocab {
	v := &snVocab{edgeIdx: map[joinEdge]int{}, logScale: 1}
	for _, t := range s.Tables {
		v.colOff = append(v.colOff, v.nCols)
		v.nCols += len(t.Columns)
	}
	v.seenCol = make([]bool, v.nCols)
	v.seenTable = make([]bool, len(s.Tables))
	return v
}

// addEdge records a join edge (call finishEdges afterwards).
func (v *snVocab) addEdge(e joinEdge) {
	if _, ok := v.edgeIdx[e]; !ok {
		v.edgeIdx[e] = -1
		v.edges = append(v.edges, e)
	}
}

// finishEdges sorts the edges and numbers them.
func (v *snVocab) finishEdges() {
	slices.SortFunc(v.edges, joinEdgeLess)
	for i, e := range v.edges {
		v.edgeIdx[e] = i
	}
}

// observe widens the vocabulary with a training query.
func (v *snVocab) observe(q *features.Query) {
	v.maxTables = max(v.maxTables, len(q.Tables))
	v.maxJoins = max(v.maxJoins, len(q.Joins))
	for _, j := range q.Joins {
		v.addEdge(canonEdge(q.Tables[j.Left].Table, j.LeftCol, q.Tables[j.Right].Table, j.RightCol))
	}
	for _, tr := range q.Tables {
		v.seenTable[tr.Table] = true
		snWalkPreds(tr.Filter, false, false, func(p *features.Pred, _, _ bool) {
			if g := v.colOff[tr.Table] + p.Col; p.Col >= 0 && g < v.nCols {
				v.seenCol[g] = true
			}
		})
	}
}

// tooLarge reports whether q has more tables or joins than any training
// query.
func (v *snVocab) tooLarge(q *features.Query) bool {
	return len(q.Tables) > v.maxTables || len(q.Joins) > v.maxJoins
}

// shape returns the network input widths for this vocabulary.
func (v *snVocab) shape(bits int) snShape {
	return snShape{
		TabIn:  len(v.colOff) + snTabExtra + bits,
		JoinIn: len(v.edges) + 1,
		PredIn: v.nCols + snNumOps + snPredExtra,
		GlobIn: snGlobIn,
	}
}

// snWalkPreds calls f for every atomic predicate of e with whether it sits
// under an odd number of NOTs and under an OR.
func snWalkPreds(e *features.Expr, neg, inOr bool, f func(p *features.Pred, neg, inOr bool)) {
	if e == nil {
		return
	}
	switch e.Kind {
	case features.ExprPred:
		f(&e.Pred, neg, inOr)
	case features.ExprAnd:
		for _, a := range e.Args {
			snWalkPreds(a, neg, inOr, f)
		}
	case features.ExprOr:
		for _, a := range e.Args {
			snWalkPreds(a, neg, true, f)
		}
	case features.ExprNot:
		for _, a := range e.Args {
			snWalkPreds(a, !neg, inOr, f)
		}
	}
}

// snSamples is the part of the catalog's row samples the encoder evaluates
// filters on: per table up to SampleRows rows taken at an even stride (so
// that a whole-table sample in row order is still spread over the table),
// indexed by the sample baseline's per-column sorted indexes (see
// sampleindex.go), so that a filter costs a few bitmap passes instead of
// an expression evaluation per row; and per table the positions of the
// Bits rows exposed raw to the network.
type snSamples struct {
	ss      *sampleSet // over the strided rows
	bitRows [][]int32  // per table: sample positions of the raw bits
}

func newSNSamples(cat *catalog.Catalog, sampleRows, bits int) *snSamples {
	s := &snSamples{ss: newSampleSet(stridedCatalog(cat, sampleRows))}
	s.bitRows = make([][]int32, len(s.ss.cat.Schema.Tables))
	for ti := range s.bitRows {
		if m := s.ss.tables[ti].n; m > 0 {
			for k := range bits {
				s.bitRows[ti] = append(s.bitRows[ti], int32(k*m/bits))
			}
		}
	}
	return s
}

// n returns the number of sample rows of table ti.
func (s *snSamples) n(ti int) int { return s.ss.tables[ti].n }

// cdf returns the fraction of non-NULL sampled values of column c of
// table ti below v (ties count half), or 0.5 when unknown.
func (s *snSamples) cdf(ti, c int, v catalog.Datum) float64 {
	ts := &s.ss.tables[ti]
	if c < 0 || c >= len(ts.cols) || v.IsNull() {
		return 0.5
	}
	ci := ts.cols[c]
	nn := ci.n - ci.nulls
	if nn == 0 {
		return 0.5
	}
	lo, hi := ci.lower(v)-ci.nulls, ci.upper(v)-ci.nulls
	return (float64(lo) + float64(hi-lo)/2) / float64(nn)
}

// evalPred returns how many sample rows of table ti the atomic predicate
// p is TRUE on, using scratch from sc.
func (s *snSamples) evalPred(ti int, p *features.Pred, sc *scratch) int {
	ts := &s.ss.tables[ti]
	if p.Col < 0 || p.Col >= len(ts.cols) {
		return 0
	}
	t := sc.get(ts.n)
	ts.cols[p.Col].predTrue(t, p, s.ss.like)
	return t.count()
}

// snLogSel is ln of a selectivity measured as k of n sample rows, floored
// at half a row (so a filter no sampled row passes is not -Inf), scaled by
// ln(2n) into [-1, 0].
func snLogSel(k, n int) float64 {
	if n == 0 {
		return 0
	}
	f := math.Max(float64(k), 0.5) / float64(n)
	return math.Log(f) / math.Log(2*float64(n))
}

// snEncoder encodes queries against one catalog; read-only once built.
type snEncoder struct {
	cat   *catalog.Catalog
	vocab *snVocab
	smp   *snSamples
	figs  *sampleBaseline // over smp's samples
}

func newSNEncoder(cat *catalog.Catalog, v *snVocab, sampleRows, bits int) *snEncoder {
	enc := &snEncoder{cat: cat, vocab: v, smp: newSNSamples(cat, sampleRows, bits)}
	enc.figs = newSampleBaseline(cat, enc.smp.ss)
	return enc
}

// snOOD says how far a query lies outside what a SetNet was trained on.
type snOOD struct {
	unseen int // elements (columns, join edges, tables) never seen in training
}

// encode encodes q with the baseline's log estimate baseLog, the sample
// baseline figures fig and q's probe pr (filters already evaluated) into
// ex, reusing ex's slices. Predicates are evaluated on further bitmaps of
// pr's scratch, so the probe's bitmaps stay valid.
func (enc *snEncoder) encode(q *features.Query, baseLog float64, fig baseFigures, pr *baseProbe, ex *snExample) snOOD {
	v := enc.vocab
	var ood snOOD
	nT := len(v.colOff)
	ex.tables = ex.tables[:0]
	ex.joins = ex.joins[:0]
	ex.preds = ex.preds[:0]
	ex.baseLog = baseLog
	logCross := 0.0
	nPreds := 0
	smp := enc.smp
	sc := pr.sc
	for ti, tr := range q.Tables {
		rows := float64(max(enc.cat.Stats[tr.Table].Rows, 1))
		logCross += math.Log(rows)
		bm, k, n := pr.probes[ti].bits, pr.probes[ti].hits, pr.probes[ti].n
		sel := 1.0
		if n > 0 {
			sel = float64(k) / float64(n)
		}
		if !v.seenTable[tr.Table] {
			ood.unseen++
		}
		var el *snSparse
		ex.tables, el = snNextElem(ex.tables)
		el.add(tr.Table, 1)
		el.add(nT, sel)
		el.add(nT+1, snLogSel(k, n))
		el.add(nT+2, math.Log(rows)/v.logScale)
		if tr.Filter != nil {
			el.add(nT+3, 1)
			el.add(nT+4, enc.histLogSel(tr.Table, pr.occ[ti].histSel))
		}
		for b, i := range smp.bitRows[tr.Table] {
			if bm.has(int(i)) {
				el.add(nT+snTabExtra+b, 1)
			}
		}

		snWalkPreds(tr.Filter, false, false, func(p *features.Pred, neg, inOr bool) {
			nPreds++
			var pe *snSparse
			ex.preds, pe = snNextElem(ex.preds)
			hits := -1
			if tr.Filter.Kind == features.ExprPred {
				// The whole filter is this predicate: the probe counted it.
				hits = k
			}
			enc.encodePred(pe, tr.Table, p, neg, inOr, hits, sc, &ood)
		})
	}
	for _, j := range q.Joins {
		e := canonEdge(q.Tables[j.Left].Table, j.LeftCol, q.Tables[j.Right].Table, j.RightCol)
		i, ok := v.edgeIdx[e]
		if !ok {
			i = len(v.edges)
			ood.unseen++
		}
		var el *snSparse
		ex.joins, el = snNextElem(ex.joins)
		el.add(i, 1)
	}
	if cap(ex.glob) < snGlobIn {
		ex.glob = make([]float64, snGlobIn)
	}
	ex.glob = ex.glob[:snGlobIn]
	ex.glob[0] = baseLog / v.logScale
	ex.glob[1] = math.Log1p(float64(len(q.Tables)))
	ex.glob[2] = math.Log1p(float64(len(q.Joins)))
	ex.glob[3] = math.Log1p(float64(nPreds))
	ex.glob[4] = logCross / v.logScale
	ex.glob[5] = logRows(fig.hist) / v.logScale
	ex.glob[6] = logRows(fig.textbook) / v.logScale
	ex.glob[7] = logRows(fig.joinSample) / v.logScale
	ex.glob[8] = math.Log1p(float64(fig.support)) / v.logScale
	return ood
}

// histLogSel returns the log of the histogram's selectivity sel of a
// filter on table ti on its own, scaled by the vocabulary's log scale.
func (enc *snEncoder) histLogSel(ti int, sel float64) float64 {
	s := sanitize(sel)
	rows := float64(max(enc.cat.Stats[ti].Rows, 1))
	return math.Log(math.Max(s*rows, 0.5)/rows) / enc.vocab.logScale
}

// mcv returns the share of p's literals that are most-common values of
// its column and the log of their summed frequency (0 with no hit). A
// literal is an MCV when it compares equal to one (binary search over the
// histogram's value-ordered MCVs).
func (enc *snEncoder) mcv(ti int, p *features.Pred) (share, logFreq float64) {
	if len(p.Values) == 0 {
		return 0, 0
	}
	h := enc.figs.hist.col(ti, p.Col)
	if h == nil || len(h.mcvSorted) == 0 {
		return 0, 0
	}
	hits, freq := 0, 0.0
	for _, v := range p.Values {
		if v.IsNull() {
			continue
		}
		k, found := slices.BinarySearchFunc(h.mcvSorted, v, catalog.Compare)
		if found {
			hits++
			freq += h.mcvCum[k+1] - h.mcvCum[k]
		}
	}
	if hits == 0 {
		return 0, 0
	}
	return float64(hits) / float64(len(p.Values)), math.Log(freq) / enc.vocab.logScale
}

// encodePred encodes one atomic predicate on table ti; hits is the number
// of sample rows on which it is TRUE when already known (else -1), sc is
// scratch.
func (enc *snEncoder) encodePred(el *snSparse, ti int, p *features.Pred, neg, inOr bool, hits int, sc *scratch, ood *snOOD) {
	smp := enc.smp
	v := enc.vocab
	g := v.colOff[ti] + p.Col
	if p.Col >= 0 && g < v.nCols && p.Col < len(enc.cat.Schema.Tables[ti].Columns) {
		el.add(g, 1)
		if !v.seenCol[g] {
			ood.unseen++
		}
	} else {
		ood.unseen++
	}
	off := v.nCols
	if p.Op >= 1 && int(p.Op) <= snNumOps {
		el.add(off+int(p.Op)-1, 1)
	}
	off += snNumOps
	lo, hi := 0.5, 0.5
	switch {
	case len(p.Values) == 1:
		lo = smp.cdf(ti, p.Col, p.Values[0])
		hi = lo
	case len(p.Values) >= 2:
		lo, hi = 1.0, 0.0
		for _, d := range p.Values {
			c := smp.cdf(ti, p.Col, d)
			lo, hi = math.Min(lo, c), math.Max(hi, c)
		}
	}
	k := hits
	if k < 0 || p.Col < 0 || p.Col >= len(smp.ss.tables[ti].cols) {
		k = smp.evalPred(ti, p, sc)
	}
	n := smp.n(ti)
	sel := 1.0
	if n > 0 {
		sel = float64(k) / float64(n)
	}
	el.add(off, lo)
	el.add(off+1, hi)
	el.add(off+2, sel)
	el.add(off+3, snLogSel(k, n))
	el.add(off+4, math.Log1p(float64(len(p.Values)))/snLogValuesScale)
	if neg {
		el.add(off+5, 1)
	}
	if inOr {
		el.add(off+6, 1)
	}
	share, lf := enc.mcv(ti, p)
	el.add(off+7, share)
	el.add(off+8, lf)
}

// snNextElem appends an empty element to set, reusing the storage of an
// element a previous encoding left beyond len(set).
func snNextElem(set []snSparse) ([]snSparse, *snSparse) {
	if len(set) < cap(set) {
		set = set[:len(set)+1]
		el := &set[len(set)-1]
		el.idx, el.val = el.idx[:0], el.val[:0]
		return set, el
	}
	set = append(set, snSparse{})
	return set, &set[len(set)-1]
}

// add appends a non-zero entry.
func (s *snSparse) add(i int, v float64) {
	if v != 0 {
		s.idx = append(s.idx, int32(i))
		s.val = append(s.val, v)
	}
}
