package estimator

import (
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// snSampleBase is the default baseline of SetNet and Linear: the same
// sample-based estimate the GBDT corrects (see baselines in gbdt.go):
//
//	filters ──► sample bitmaps ──► join-sample message passing ─┐
//	                    (no joining sample row: min(histogram,  ├─► rows
//	                     6 × textbook sample estimate)) ─────────┘
//
// It also hands the learned models the individual figures (histogram,
// textbook and join-sample estimates, join-sample support) as features.
// Its samples are the model's SampleRows-row samples, shared with the
// filter encoder.
type snSampleBase struct {
	s    *sampleSet
	hist *Histogram
}

// snBaseJoinSample names snSampleBase (Estimate.Source, and the baseline
// kind recorded in a model payload).
const snBaseJoinSample = "join-sample"

// snBaseFigures are the baseline figures of one query.
type snBaseFigures struct {
	base, hist, textbook, joinSample float64
	support                          int
}

// newSNSampleBase returns the baseline over the samples s (which may be
// cut from cat's, see snStrided) and cat's histograms.
func newSNSampleBase(cat *catalog.Catalog, s *sampleSet) *snSampleBase {
	return &snSampleBase{s: s, hist: NewHistogram(cat)}
}

// Name returns "join-sample".
func (b *snSampleBase) Name() string { return snBaseJoinSample }

// snProbe is the per-call sample work of one query, shared by the
// baseline figures and the encoders: every occurrence's filter evaluated
// on the samples (bitmaps in sc) and by the histogram.
type snProbe struct {
	sc     *scratch
	probes []tableProbe
	occ    []occFeat // only histSel is set
	edges  []pairEdge
	memo   joinMemo // join-sample scratch (reused, so nothing is allocated)
}

// start evaluates q's filters into w, taking scratch from b's pool; finish
// returns it.
func (b *snSampleBase) start(q *features.Query, w *snProbe) {
	w.sc = b.s.pool.Get().(*scratch)
	w.probes = b.s.probe(q, w.sc, w.probes[:0])
	w.occ = w.occ[:0]
	for _, tr := range q.Tables {
		w.occ = append(w.occ, occFeat{histSel: b.hist.filterSel(tr.Table, tr.Filter),
			unsat: features.Unsatisfiable(q.Schema.Tables[tr.Table], tr.Filter)})
	}
}

func (b *snSampleBase) finish(w *snProbe) {
	w.sc.reset()
	b.s.pool.Put(w.sc)
	w.sc = nil
}

// figures computes the baseline figures of the whole query q (checked)
// from its probe w.
func (b *snSampleBase) figures(q *features.Query, w *snProbe) snBaseFigures {
	w.edges = appendEdges(w.edges, q)
	w.memo.reset(len(w.edges))
	p := prepared{q: q, probes: w.probes, occ: w.occ, edges: w.edges, sc: w.sc, memo: &w.memo}
	in := baselines(b.s, b.hist, &p, q.FullMask())
	return snBaseFigures{base: sanitize(in.base), hist: in.hist, textbook: in.textbook,
		joinSample: in.joinSample, support: in.support}
}

// snBaseline probes q into w (call figs.finish(w) afterwards) and returns
// the corrected baseline's estimate of the checked query q and the sample
// baseline figures (computed once when base is figs).
func snBaseline(base Estimator, figs *snSampleBase, q *features.Query, w *snProbe) (Estimate, snBaseFigures, error) {
	figs.start(q, w)
	f := figs.figures(q, w)
	if b, ok := base.(*snSampleBase); ok && b == figs {
		return figs.estimate(q, f), f, nil
	}
	be, err := base.Estimate(q)
	return be, f, err
}

// Estimate implements Estimator. The band is a factor sampleJoinSpread
// per join either side (the join-sample estimate is exact on complete
// samples and unbiased otherwise, but its variance grows with each join).
func (b *snSampleBase) Estimate(q *features.Query) (Estimate, error) {
	if err := checkQuery(b.s.cat, q); err != nil {
		return Estimate{}, err
	}
	var w snProbe
	b.start(q, &w)
	defer b.finish(&w)
	return b.estimate(q, b.figures(q, &w)), nil
}

// estimate is Estimate from q's figures f.
func (b *snSampleBase) estimate(q *features.Query, f snBaseFigures) Estimate {
	spread := math.Pow(sampleJoinSpread, float64(len(q.Joins)))
	return Estimate{Rows: f.base, Low: sanitize(f.base / spread), High: sanitize(f.base * spread), Source: snBaseJoinSample}
}
