package estimator

import (
	"context"
	"io"
	"math"
	"sync"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// sampleZ is the two-sided 90% normal quantile used for the binomial
// confidence band of a sample selectivity.
const sampleZ = 1.645

// sampleJoinSpread widens the sample baseline's band by this factor per
// join: the textbook join formula assumes uniform, independent keys.
const sampleJoinSpread = 3.0

// tableSample indexes one table's catalog sample.
type tableSample struct {
	n        int     // sampled rows
	rows     float64 // table rows
	complete bool    // the sample is the whole table
	cols     []*colIndex
}

// sampleSet holds the indexed samples of every table of a catalog; it is
// read-only after construction and shared by the estimators that evaluate
// predicates on samples.
type sampleSet struct {
	cat    *catalog.Catalog
	tables []tableSample
	like   likeCache
	pool   *sync.Pool // *scratch
	keys   *keyCache
	// Join synopses (synopsis.go): per schema table its synopses, whose
	// virtual samples follow the schema tables' in tables.
	syn [][]synopsis
	fks []catalog.ForeignKeyColumns
	// degrees: the catalog has key degree tables (factorjoin.go).
	degrees bool
	// synKeys: key ids of synopsis rows (tworoot.go).
	synKeys *synKeyCache
	// degIdx caches per table and column (ti<<16 | col) the index of its
	// degree table (pointCount).
	degIdx sync.Map
}

// degreeIndex returns the index of degree table kd of column col of
// table ti, built once.
func (s *sampleSet) degreeIndex(ti, col int, kd *catalog.KeyDegrees) map[string]int32 {
	k := ti<<16 | col
	if m, ok := s.degIdx.Load(k); ok {
		return m.(map[string]int32)
	}
	m, _ := s.degIdx.LoadOrStore(k, kd.Index())
	return m.(map[string]int32)
}

func newSampleSet(cat *catalog.Catalog) *sampleSet {
	s := &sampleSet{cat: cat, like: newLikeCache(), keys: newKeyCache(), degrees: hasKeyDegrees(cat), synKeys: &synKeyCache{}}
	maxN := 0
	s.tables = make([]tableSample, len(cat.Schema.Tables))
	for ti := range cat.Schema.Tables {
		if ti >= len(cat.Stats) {
			break
		}
		st := &cat.Stats[ti]
		n := st.SampleSize()
		ts := tableSample{n: n, rows: float64(st.Rows), complete: int64(n) >= st.Rows}
		ts.cols = make([]*colIndex, len(st.Sample))
		for ci, col := range st.Sample {
			ts.cols[ci] = newColIndex(col)
		}
		s.tables[ti] = ts
		if n > maxN {
			maxN = n
		}
	}
	s.addSynopses(cat)
	w := words(maxN)
	s.pool = &sync.Pool{New: func() any { return &scratch{w: w} }}
	return s
}

// scratch hands out zeroed bitmaps for one evaluation.
type scratch struct {
	w    int
	bufs []bitmap
	used int
	f64  [][]float64
	f64n int
	tree *joinTree // join-sample scratch without a joinMemo
	// tree2 is twoRootRows' scratch for its parts' messages.
	tree2 *joinTree
}

// floats returns a zeroed float slice of length n, valid until reset.
func (s *scratch) floats(n int) []float64 {
	if s.f64n == len(s.f64) {
		s.f64 = append(s.f64, nil)
	}
	b := s.f64[s.f64n]
	if cap(b) < n {
		b = make([]float64, n)
		s.f64[s.f64n] = b
	}
	s.f64n++
	b = b[:n]
	clear(b)
	return b
}

func (s *scratch) get(n int) bitmap {
	if s.used == len(s.bufs) {
		s.bufs = append(s.bufs, make(bitmap, s.w))
	}
	b := s.bufs[s.used][:words(n)]
	s.used++
	b.zero()
	return b
}

func (s *scratch) reset() { s.used, s.f64n = 0, 0 }

// filterBits returns the sample rows of table ti on which e is TRUE (and
// FALSE when wantF). A nil filter is TRUE everywhere.
func (s *sampleSet) filterBits(ti int, e *features.Expr, sc *scratch, wantF bool) (t, f bitmap) {
	ts := &s.tables[ti]
	if e == nil {
		t = sc.get(ts.n)
		t.fill(ts.n)
		if wantF {
			f = sc.get(ts.n)
		}
		return t, f
	}
	switch e.Kind {
	case features.ExprPred:
		t = sc.get(ts.n)
		if e.Pred.Col >= len(ts.cols) {
			t.fill(ts.n)
			return t, sc.get(ts.n)
		}
		ci := ts.cols[e.Pred.Col]
		ci.predTrue(t, &e.Pred, s.like)
		if wantF {
			f = sc.get(ts.n)
			if hasNullLiteral(&e.Pred) {
				ci.predFalseWithNull(f, &e.Pred)
				return t, f
			}
			f.fill(ts.n)
			f.andNot(t)
			if ci.null != nil && predNullable(e.Pred.Op) {
				f.andNot(ci.null)
			}
		}
		return t, f
	case features.ExprAnd, features.ExprOr:
		t, f = s.filterBits(ti, e.Args[0], sc, wantF)
		for _, a := range e.Args[1:] {
			t2, f2 := s.filterBits(ti, a, sc, wantF)
			if e.Kind == features.ExprAnd {
				t.and(t2)
				if wantF {
					f.or(f2)
				}
			} else {
				t.or(t2)
				if wantF {
					f.and(f2)
				}
			}
		}
		return t, f
	case features.ExprNot:
		t, f = s.filterBits(ti, e.Args[0], sc, true)
		return f, t
	case features.ExprFunc, features.ExprCols:
		return s.exprBits(ti, e, sc, wantF)
	}
	t = sc.get(ts.n)
	t.fill(ts.n)
	return t, sc.get(ts.n)
}

// tableProbe is the sample evaluation of one table occurrence's filter.
type tableProbe struct {
	bits bitmap // sample rows passing the filter
	hits int
	n    int
	sel  float64 // hits/n, or a zero-hit fallback (see zeroHitSel)
	rows float64 // table rows * sel, computed exactly for whole samples
	// count is the histogram's estimate of the table's rows passing a
	// selective filter (setCounts; 0: none), which the key-stratified
	// messages spread instead of the few sampled rows' (factorjoin.go).
	count float64
}

// zeroHitSel is the selectivity assumed for a filter no sampled row
// passes: half a row of the sample, i.e. 0.5/n (a continuity correction;
// the "rule of three" bounds it by 3/n at 95%).
func zeroHitSel(n int) float64 {
	if n == 0 {
		return 1
	}
	return 0.5 / float64(n)
}

// probe evaluates every table occurrence's filter on its sample. The
// bitmaps live in sc.
func (s *sampleSet) probe(q *features.Query, sc *scratch, dst []tableProbe) []tableProbe {
	dst = dst[:0]
	for _, tr := range q.Tables {
		ts := &s.tables[tr.Table]
		b, _ := s.filterBits(tr.Table, tr.Filter, sc, false)
		hits := b.count()
		p := tableProbe{bits: b, hits: hits, n: ts.n}
		switch {
		case ts.n == 0:
			p.sel, p.rows = 1, ts.rows
		case hits == 0 && !ts.complete:
			p.sel = zeroHitSel(ts.n)
			p.rows = ts.rows * p.sel
		default:
			// hits*rows/n, not rows*sel: exact for whole samples.
			p.sel = float64(hits) / float64(ts.n)
			p.rows = float64(hits) * ts.rows / float64(ts.n)
		}
		dst = append(dst, p)
	}
	return dst
}

// Sample is the "sample" baseline: each table's filter is evaluated on its
// catalog sample (bitmaps over per-column sorted indexes), and tables are
// joined by the textbook formula |R||S|/max(ndv_R, ndv_S) per edge.
// Single-table queries over completely sampled tables are exact.
type Sample struct {
	s    *sampleSet
	hist *Histogram
	// band is the conformal band calibrated on a training workload
	// (baseband.go); nil: binomial bands per table, sampleJoinSpread per
	// join.
	band *conformalBand
}

// NewSample returns the sample baseline over cat's samples.
func NewSample(cat *catalog.Catalog) *Sample {
	return &Sample{s: newSampleSet(cat), hist: NewHistogram(cat)}
}

// Name returns "sample".
func (s *Sample) Name() string { return KindSample }

// Estimate implements Estimator: a disconnected query is the product of
// its connected parts, and the estimate is at most the product of its
// tables' row counts (see estimateGuarded).
func (s *Sample) Estimate(q *features.Query) (Estimate, error) {
	return estimateGuarded(s.s.cat, q, s.estimateConnected)
}

// estimateConnected estimates a query whose tables are connected by joins.
func (s *Sample) estimateConnected(q *features.Query) (Estimate, error) {
	sc := s.s.pool.Get().(*scratch)
	defer func() { sc.reset(); s.s.pool.Put(sc) }()
	var buf [8]tableProbe
	probes := s.s.probe(q, sc, buf[:0])
	return s.band.widen(s.estimateMask(q, probes, s.shapes(q, probes, sc), q.FullMask()), len(q.Tables)-1, q.HasShapes()), nil
}

func (s *Sample) estimateSubPlans(q *features.Query, masks []uint64, dst []SubPlanEstimate) ([]SubPlanEstimate, error) {
	q, err := canonicalQuery(s.s.cat, q)
	if err != nil {
		return dst, err
	}
	sc := s.s.pool.Get().(*scratch)
	defer func() { sc.reset(); s.s.pool.Put(sc) }()
	var buf [8]tableProbe
	probes := s.s.probe(q, sc, buf[:0])
	f := s.shapes(q, probes, sc)
	for _, m := range masks {
		dst = append(dst, SubPlanEstimate{Mask: m, Estimate: s.estimateMask(q, probes, f, m)})
	}
	return dst, nil
}

// textbookRows is the sample baseline's row estimate of a sub-plan.
func (s *Sample) textbookRows(q *features.Query, probes []tableProbe, mask uint64) float64 {
	rows := 1.0
	for i := range q.Tables {
		if mask&(1<<uint(i)) != 0 {
			rows *= probes[i].rows
		}
	}
	for _, j := range q.Joins {
		if mask&(1<<uint(j.Left)) != 0 && mask&(1<<uint(j.Right)) != 0 {
			rows *= s.hist.joinSel(q, j)
		}
	}
	return sanitize(rows)
}

func (s *Sample) estimateMask(q *features.Query, probes []tableProbe, f *shapeFactors, mask uint64) Estimate {
	rows := s.shapeRows(q, probes, f, mask)
	// Band: binomial 90% interval per table, widened per join.
	lowF, highF := 1.0, 1.0
	for i := range q.Tables {
		if mask&(1<<uint(i)) == 0 {
			continue
		}
		p := probes[i]
		ts := &s.s.tables[q.Tables[i].Table]
		if ts.complete || p.n == 0 {
			continue
		}
		lo, hi := binomialBand(p.hits, p.n)
		lowF *= lo / p.sel
		highF *= hi / p.sel
	}
	if j := popcount(mask) - 1; j > 0 {
		f := math.Pow(sampleJoinSpread, float64(j))
		lowF /= f
		highF *= f
	}
	return Estimate{Rows: rows, Low: sanitize(rows * math.Min(lowF, 1)), High: sanitize(rows * math.Max(highF, 1)), Source: KindSample}
}

// binomialBand returns a 90% Wilson score interval for k successes of n.
func binomialBand(k, n int) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	nf := float64(n)
	p := float64(k) / nf
	z2 := sampleZ * sampleZ
	den := 1 + z2/nf
	c := (p + z2/(2*nf)) / den
	h := sampleZ * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / den
	return math.Max(0, c-h), math.Min(1, c+h)
}

func init() {
	registerKind(kindSpec{name: KindSample, rank: 1,
		train: func(ctx context.Context, cat *catalog.Catalog, exs []Example, _ TrainOptions) (Model, error) {
			s := NewSample(cat)
			band, err := calibrateBaseline(ctx, s, exs)
			s.band = band
			return nilOnError(s, err)
		},
		load: func(payload []byte, cat *catalog.Catalog, _ int) (Model, error) {
			s := NewSample(cat)
			band, err := loadBandPayload(payload)
			s.band = band
			return nilOnError(s, err)
		},
	})
}

// A sample estimator is rebuilt from the catalog of its model file; its
// payload is its conformal band when trained on a workload (baseband.go).
func (s *Sample) kind() string                   { return KindSample }
func (s *Sample) modelCatalog() *catalog.Catalog { return s.s.cat }
func (s *Sample) savePayload(w io.Writer) error  { return saveBandPayload(w, s.band) }
