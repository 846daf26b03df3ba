package estimator

import (
	"math"
	"math/bits"
	"slices"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// The baseline is the non-learned estimate every learned model of this
// package (GBDT, SetNet, Linear) corrects: a learned model predicts only
// Δ = ln(true rows / baseline rows), and estimates baseline · e^Δ (see
// learned.go). Per sub-plan (a set of a query's table occurrences with the
// joins among them) it is the first that applies of:
//
//	a filter no row satisfies (literals, or no bin of ─► 0 rows (exact)
//	      a functional dependency admits it, fd.go)
//	every table completely sampled ────────────────────► join sample (exact)
//	one table, a filter on one column ─────────────────► its MCVs + histogram
//	      (a point or a list of them: each value's catalog count, else
//	      the posterior of its sampled rows and the histogram's count,
//	      poststrat.go)
//	sampled rows survive the filters (support > 0) ───► join synopsis, else
//	      join-sample message passing (joins: shrunk toward the histogram
//	      estimate with weight support/(support+blendK) in logs; one
//	      table with a point conjunct: post-stratified on the point)
//	nothing survives ──────────────────────────────────► min(histogram,
//	                                                        zeroHitCap × textbook,
//	                                                        a join synopsis's 3/n
//	                                                        of its root when
//	                                                        chosen: Linear)
//
// Join synopses (Acharya et al., "Join synopses for approximate query
// answering", SIGMOD 1999) sample a table together with the rows its
// foreign keys reach, so a join along them needs no independent-sample
// meeting; join-sample message passing (joinsample.go) counts the joining
// pairs of independent samples. The histogram and textbook figures
// (independence and containment, Selinger et al., SIGMOD 1979) are also
// handed to the learned models as features; the histogram's selectivity
// of a filter on a determinant and its dependents (a date and its month)
// is their joint selectivity over the catalog's dependency bins, not the
// product (fd.go).
//
// Its constants, and the bounds of the learned corrections over it, are
// here and nowhere else.
const (
	// zeroHitCap caps the histogram fallback when no sampled row survives
	// at the rule of three (3/n per table; Hanley & Lippman-Hand, JAMA
	// 1983) over the textbook estimate, which uses the 0.5/n continuity
	// correction: 3/0.5 = 6.
	zeroHitCap = 6.0
	// maxBlendK is the largest blend constant (joinBaseline.blendK) a
	// model file may carry.
	maxBlendK = 1e6
	// maxCorrection bounds a learned log-correction of the GBDT and of
	// Online's feedback: e^30 ~ 1e13 keeps every estimate finite while
	// allowing any correction real data needs (a tree's correction is a
	// sum of leaf values fitted to observed errors, so it cannot run away).
	maxCorrection = 30.0
	// maxNetCorrection is the tighter bound of the SetNet and Linear
	// corrections, e^20 ~ 5e8: a network or a linear model extrapolates
	// without bound on inputs unlike its training data, so it is not
	// allowed the trees' range.
	maxNetCorrection = 20.0
	// maxLogRows bounds log estimates (e^700 is near float64's limit).
	maxLogRows = 700.0
)

// blendGrid are the candidates of joinBaseline.blendK. Independent samples
// of big tables meet on few rows (10,000-row samples of 1M orders and 3M
// order items share ~100 joining pairs unfiltered), and the join-sample
// estimate is then noisy; on small tables it is near exact.
var blendGrid = [...]float64{0, 3, 10, 30, 100, 300, 1000}

// Baseline sources (Explanation.BaselineSource, Estimate.Source of the
// sample baseline).
const (
	sourceJoinSample   = "join-sample"
	sourceJoinSynopsis = "join-synopsis"
	// sourceContradiction is the baseline source of a sub-plan with an
	// unsatisfiable filter (estimated at zero rows, exactly).
	sourceContradiction = "contradiction"
	// sourceZeroHit is the baseline source of a join whose samples found
	// no surviving row, estimated with the zero-hit tables relaxed
	// (zerohit.go).
	sourceZeroHit = "join-sample-relaxed"
)

// joinBaseline computes the baseline over samples s and histograms hist.
// blendK is the join-sample support at which a join's baseline weighs the
// join-sample and histogram estimates equally (in logs); 0 keeps the
// join-sample estimate. The GBDT chooses it in training (bestBlendK);
// SetNet and Linear use 0.
type joinBaseline struct {
	s      *sampleSet
	hist   *Histogram
	blendK float64
	// synopsisCap caps a join whose synopsis found none of its n sampled
	// root rows at the rule of three's 3/n of the root (each root row
	// joins at most one row along each foreign key). Linear chooses it in
	// training (chooseSynopsisCap); GBDT and SetNet, which see the
	// synopsis support among their features, leave it off.
	synopsisCap bool
}

// innerFigures computes the baseline figures of sub-plan mask of the
// prepared query p, without its subqueries and with its outer joins as
// inner joins (figures adds them, semijoin.go).
func (b *joinBaseline) innerFigures(p *prepared, mask uint64) subPlanInputs {
	s, hist, q := b.s, b.hist, p.q
	in := subPlanInputs{exact: true}
	in.hist, in.textbook = 1, 1
	if mask&(mask-1) != 0 && !q.HasShapes() && joinContradiction(q, p.edges, mask, p.memo) {
		// Filters on joined columns that no pair of equal values
		// satisfies (keytransfer.go).
		in.hist, in.textbook, in.base, in.baseSource = 0, 0, 0, sourceContradiction
		in.joins = bits.OnesCount64(mask) - 1
		return in
	}
	for i := range q.Tables {
		if mask&(1<<uint(i)) != 0 && p.occ[i].unsat {
			// A filter that is never TRUE: no rows, whatever the data.
			in.hist, in.textbook, in.base, in.baseSource = 0, 0, 0, sourceContradiction
			in.joins = bits.OnesCount64(mask) - 1
			return in
		}
	}
	for i, tr := range q.Tables {
		if mask&(1<<uint(i)) == 0 {
			continue
		}
		rows := s.tables[tr.Table].rows
		in.hist *= rows * p.occ[i].histSel
		in.textbook *= p.probes[i].rows
		if !s.tables[tr.Table].complete {
			in.exact = false
		}
	}
	for _, j := range q.Joins {
		if mask&(1<<uint(j.Left)) != 0 && mask&(1<<uint(j.Right)) != 0 {
			js := hist.joinSel(q, j)
			in.hist *= js
			in.textbook *= js
		}
	}
	in.hist, in.textbook = sanitize(in.hist), sanitize(in.textbook)
	// The sampled joins see the sub-plan without its unfiltered
	// dimensions joined on their primary key (fkelim.go).
	jm := mask
	if mask&(mask-1) != 0 {
		jm = s.eliminateDims(q, p.edges, mask, p.memo)
	}
	synCap := math.Inf(1)
	if rows, unit, support, exact, ok := s.synopsisRows(q, p.probes, p.edges, jm, p.sc, p.memo); ok {
		in.joinSample, in.support, in.synopsis = rows, support, true
		in.exact = in.exact || exact
		// Each sampled root row joins at most one row along each
		// foreign key: none of n passing bounds the sub-plan at the
		// rule of three's 3/n of the root (zeroHitCap × 0.5/n).
		if b.synopsisCap {
			synCap = zeroHitCap * 0.5 * unit
		}
	} else if rows, support, ok := s.twoRootRows(q, p.probes, p.edges, hist, jm, p.sc, p.memo); ok && (support == 0 || support >= fewHits) {
		in.joinSample, in.support = rows, support
	} else if ok {
		// A correlated sample that found a few joint rows (fewer than
		// fewHits) rests on one or two of them: the message passing,
		// whose selective filters spread the histogram's count by key
		// (factorjoin.go), unless it found fewer still. (None at all is
		// evidence of its own: the zero-hit rules below.)
		in.joinSample, in.support = s.joinSampleRows(q, p.probes, p.edges, hist, jm, p.sc, p.memo)
		if in.support < support {
			in.joinSample, in.support = rows, support
		}
	} else {
		in.joinSample, in.support = s.joinSampleRows(q, p.probes, p.edges, hist, jm, p.sc, p.memo)
	}
	sampleSource := sourceJoinSample
	if in.synopsis {
		sampleSource = sourceJoinSynopsis
	}
	colSel := -1.0
	if mask&(mask-1) == 0 && !in.exact {
		colSel = singleColumnSel(hist, q, p.occ, mask)
	}
	switch {
	case in.exact:
		in.base, in.baseSource = in.joinSample, sampleSource
	case colSel >= 0:
		// One filtered column: its MCVs and histogram are the exact
		// statistics a sample only approximates.
		in.base = sanitize(s.tables[q.Tables[bits.TrailingZeros64(mask)].Table].rows * colSel)
		in.baseSource = KindHistogram
		if r, ok := b.pointsRows(p, bits.TrailingZeros64(mask)); ok {
			// Points: their catalog counts, else the sample and
			// the histogram together (poststrat.go).
			in.base, in.baseSource = r, sourceStratified
		}
	case in.support > 0:
		in.base, in.baseSource, in.sampled = in.joinSample, sampleSource, in.support
		if mask&(mask-1) == 0 {
			// One table: a point conjunct the catalog counts
			// stratifies the sample (poststrat.go).
			if r, ok := b.postStratified(p, bits.TrailingZeros64(mask)); ok {
				in.base, in.baseSource = r, sourceStratified
			}
		}
		if b.blendK > 0 && mask&(mask-1) != 0 && !in.synopsis {
			// A join of independent samples: they find few joining
			// rows, so the estimate is noisy; shrink its log toward
			// the histogram's with weight support/(support+k). (A
			// synopsis has every sampled root row as support.)
			w := float64(in.support) / (float64(in.support) + b.blendK)
			in.base = math.Exp(w*math.Log(math.Max(in.joinSample, 1)) + (1-w)*math.Log(math.Max(in.hist, 1)))
			in.baseSource, in.sampled = sourceJoinSample+"+"+KindHistogram, 0
		}
	default:
		if mask&(mask-1) != 0 {
			// A join: complete tables may prove it empty, else the
			// zero-hit tables relaxed (zerohit.go).
			if rows, exact, ok := b.zeroHitRows(p, jm); ok {
				in.base, in.baseSource, in.exact = math.Min(rows, synCap), sourceZeroHit, exact
				if exact {
					in.joinSample, in.baseSource = 0, sourceContradiction
				}
				break
			}
		}
		// No sampled row survives: the histogram estimate, capped by
		// what a sample that found nothing allows (rule of three: 3/n
		// per table, 6x the 0.5/n continuity correction).
		// A join synopsis that found none of its sampled root rows
		// bounds it likewise (synCap).
		in.base, in.baseSource = math.Min(math.Min(in.hist, zeroHitCap*in.textbook), synCap), KindHistogram
	}
	return in
}

// singleColumnSel returns the histogram selectivity of the filter of the
// one occurrence of mask when it filters a single column with plain
// predicates (no LIKE, OR or NOT): the interval between the conjuncts'
// bounds for ranges (so lo <= x AND x < hi is one range, not two
// independent ones), else the column's histogram selectivity (conjuncts
// listing values merged, see mergedValuesSel). It returns -1 for any
// other filter.
func singleColumnSel(hist *Histogram, q *features.Query, occ []occFeat, mask uint64) float64 {
	i := bits.TrailingZeros64(mask)
	if i >= len(occ) || len(occ[i].cols) != 1 {
		return -1
	}
	cf := &occ[i].cols[0]
	op := int(cf.op)
	if op&(opFlagLike|opFlagComplex) != 0 {
		return -1
	}
	if op == opFlagRange {
		hc := hist.col(q.Tables[i].Table, cf.col)
		if hc == nil {
			return -1
		}
		return math.Max(0, cf.hi-cf.lo) * hc.notNull()
	}
	return cf.hsel
}

// Estimate implements Estimator.

// blendFig is one training join's baseline figures, for bestBlendK.
type blendFig struct {
	js, hist, truth float64 // logs of the join-sample, histogram and true rows
	support         int     // 0: not a join with join-sample support only
}

// bestBlendK returns the candidate of blendGrid whose join baselines have
// the least mean absolute log error on figs.
func bestBlendK(figs []blendFig) float64 {
	best, bestErr := 0.0, math.Inf(1)
	for _, k := range blendGrid {
		e := 0.0
		for _, f := range figs {
			if f.support > 0 {
				w := float64(f.support) / (float64(f.support) + k)
				e += math.Abs(w*f.js + (1-w)*f.hist - f.truth)
			}
		}
		if e < bestErr-1e-9 {
			best, bestErr = k, e
		}
	}
	return best
}

// baseLogRows is the log estimate a learned model corrects: logRows of the
// baseline's (sanitized) row estimate, at most maxLogRows.
func baseLogRows(rows float64) float64 { return math.Min(logRows(sanitize(rows)), maxLogRows) }

// sampleBaseline is the baseline as an Estimator over whole queries
// (Name and Source "join-sample"), with no blend (blendK 0): the default
// baseline of SetNet and Linear. It also hands those models the
// individual figures (histogram, textbook and join-sample estimates,
// join-sample support) as features. Its samples are the model's
// SampleRows-row samples (stridedCatalog), shared with the filter
// encoder.
type sampleBaseline struct {
	joinBaseline
}

// baseFigures are the baseline figures of one query.
type baseFigures struct {
	base, hist, textbook, joinSample float64
	support                          int
	sampled                          int // subPlanInputs.sampled
}

// newSampleBaseline returns the baseline over the samples s (which may be
// cut from cat's, see stridedCatalog) and cat's histograms.
func newSampleBaseline(cat *catalog.Catalog, s *sampleSet) *sampleBaseline {
	return &sampleBaseline{joinBaseline{s: s, hist: NewHistogram(cat)}}
}

// Name returns "join-sample".
func (b *sampleBaseline) Name() string { return sourceJoinSample }

// baseProbe is the per-call sample work of one query, shared by the
// baseline figures and the encoders: every occurrence's filter evaluated
// on the samples (bitmaps in sc) and by the histogram.
type baseProbe struct {
	sc     *scratch
	probes []tableProbe
	occ    []occFeat // only histSel is set
	edges  []pairEdge
	memo   joinMemo // join-sample scratch (reused, so nothing is allocated)
}

// start evaluates q's filters into w, taking scratch from b's pool; finish
// returns it.
func (b *sampleBaseline) start(q *features.Query, w *baseProbe) {
	w.sc = b.s.pool.Get().(*scratch)
	w.probes = b.s.probe(q, w.sc, w.probes[:0])
	w.occ = w.occ[:0]
	for _, tr := range q.Tables {
		sel, unsat := b.hist.fdAdjust(tr.Table, tr.Filter, b.hist.filterSel(tr.Table, tr.Filter),
			features.Unsatisfiable(q.Schema.Tables[tr.Table], tr.Filter))
		w.occ = append(w.occ, occFeat{histSel: sel, unsat: unsat})
	}
	b.s.setCounts(q, w.probes, w.occ)
}

func (b *sampleBaseline) finish(w *baseProbe) {
	w.sc.reset()
	b.s.pool.Put(w.sc)
	w.sc = nil
}

// figures computes the baseline figures of the whole query q (checked)
// from its probe w.
func (b *sampleBaseline) figures(q *features.Query, w *baseProbe) baseFigures {
	w.edges = appendEdges(w.edges, q)
	w.memo.reset(len(w.edges))
	p := prepared{q: q, probes: w.probes, occ: w.occ, edges: w.edges, sc: w.sc, memo: &w.memo}
	in := b.joinBaseline.figures(&p, q.FullMask())
	return baseFigures{base: sanitize(in.base), hist: in.hist, textbook: in.textbook,
		joinSample: in.joinSample, support: in.support, sampled: in.sampled}
}

// probeBaseline probes q into w (call figs.finish(w) afterwards) and returns
// the corrected baseline's estimate of the checked query q and the sample
// baseline figures (computed once when base is figs).
func probeBaseline(base Estimator, figs *sampleBaseline, q *features.Query, w *baseProbe) (Estimate, baseFigures, error) {
	figs.start(q, w)
	f := figs.figures(q, w)
	if b, ok := base.(*sampleBaseline); ok && b == figs {
		return figs.estimate(q, f), f, nil
	}
	be, err := base.Estimate(q)
	return be, f, err
}

// Estimate implements Estimator. The band is a factor sampleJoinSpread
// per join either side (the join-sample estimate is exact on complete
// samples and unbiased otherwise, but its variance grows with each join).
func (b *sampleBaseline) Estimate(q *features.Query) (Estimate, error) {
	q, err := canonicalQuery(b.s.cat, q)
	if err != nil {
		return Estimate{}, err
	}
	var w baseProbe
	b.start(q, &w)
	defer b.finish(&w)
	return b.estimate(q, b.figures(q, &w)), nil
}

// estimate is Estimate from q's figures f.
func (b *sampleBaseline) estimate(q *features.Query, f baseFigures) Estimate {
	spread := math.Pow(sampleJoinSpread, float64(len(q.Joins)))
	return Estimate{Rows: f.base, Low: sanitize(f.base / spread), High: sanitize(f.base * spread), Source: sourceJoinSample}
}

// stridedCatalog returns cat with every table's sample cut to at most
// sampleRows rows at an even stride; cat itself when nothing is cut.
func stridedCatalog(cat *catalog.Catalog, sampleRows int) *catalog.Catalog {
	cut := false
	for ti := range cat.Stats {
		if cat.Stats[ti].SampleSize() > sampleRows {
			cut = true
		}
	}
	if !cut {
		return cat
	}
	sub := &catalog.Catalog{Schema: cat.Schema, Stats: slices.Clone(cat.Stats)}
	for ti := range sub.Stats {
		st := &sub.Stats[ti]
		n := st.SampleSize()
		m := min(n, sampleRows)
		if m == n {
			continue
		}
		st.Sample = strideColumns(st.Sample, n, m)
		joins := make([]catalog.JoinSample, len(st.Joins))
		for k, j := range st.Joins {
			joins[k] = catalog.JoinSample{Path: j.Path, Sample: strideColumns(j.Sample, n, m)}
			if j.Missing != nil {
				joins[k].Missing = make([]bool, m)
				for i := range m {
					if r := i * n / m; r < len(j.Missing) {
						joins[k].Missing[i] = j.Missing[r]
					}
				}
			}
		}
		st.Joins = joins
	}
	return sub
}

// strideColumns keeps m of the n sampled rows of cols, evenly spaced.
func strideColumns(cols [][]catalog.Datum, n, m int) [][]catalog.Datum {
	out := make([][]catalog.Datum, len(cols))
	for c, col := range cols {
		o := make([]catalog.Datum, m)
		for i := range m {
			if r := i * n / m; r < len(col) {
				o[i] = col[r]
			} else {
				o[i] = catalog.Null
			}
		}
		out[c] = o
	}
	return out
}
