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

// figures computes the baseline figures of the whole query q (checked).
func (b *snSampleBase) figures(q *features.Query) snBaseFigures {
	sc := b.s.pool.Get().(*scratch)
	defer func() { sc.reset(); b.s.pool.Put(sc) }()
	var pbuf [8]tableProbe
	var obuf [8]occFeat
	probes := b.s.probe(q, sc, pbuf[:0])
	occ := obuf[:0]
	for _, tr := range q.Tables {
		occ = append(occ, occFeat{histSel: b.hist.filterSel(tr.Table, tr.Filter)})
	}
	p := prepared{q: q, probes: probes, occ: occ, edges: groupEdges(q), sc: sc}
	in := baselines(b.s, b.hist, &p, fullMask(len(q.Tables)))
	return snBaseFigures{base: sanitize(in.base), hist: in.hist, textbook: in.textbook,
		joinSample: in.joinSample, support: in.support}
}

// Estimate implements Estimator. The band is a factor sampleJoinSpread
// per join either side (the join-sample estimate is exact on complete
// samples and unbiased otherwise, but its variance grows with each join).
func (b *snSampleBase) Estimate(q *features.Query) (Estimate, error) {
	if err := checkQuery(b.s.cat, q); err != nil {
		return Estimate{}, err
	}
	return b.estimate(q, b.figures(q)), nil
}

// estimate is Estimate from q's figures f.
func (b *snSampleBase) estimate(q *features.Query, f snBaseFigures) Estimate {
	spread := math.Pow(sampleJoinSpread, float64(len(q.Joins)))
	return Estimate{Rows: f.base, Low: sanitize(f.base / spread), High: sanitize(f.base * spread), Source: snBaseJoinSample}
}
