package estimator

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Linear is a ridge regression, fitted with gonum (a Cholesky solve of
// the normal equations, see linFitRidge), of the log-count correction
// over a baseline (by default the join-sample baseline, see
// setnet_base.go) on a flat encoding of the query:
//
//	query ─► [baseline ln est, #tables, #joins, #preds, #OR, #NOT,
//	          Σ ln rows, Σ/min/max ln sample sel,
//	          per schema table: present, ln sample sel,
//	          ln histogram, textbook, join-sample est, ln(1+support)]
//	      ─► standardise
//	      ─► w·x + b = Δ;  rows = baseline · e^Δ
//
// The ridge penalty λ is added to the diagonal of the normal equations
// (Hoerl & Kennard, 1970). Features and target are centred first so that
// the (unpenalised) intercept is unaffected. Low and High are the
// cross-conformal band (conformal.go): residuals of every example from a
// fit without its fold (linCalibFolds); the model is then fitted on all. A *Linear is safe for
// concurrent use (it is read-only after training).
type Linear struct {
	cat    *catalog.Catalog
	base   Estimator
	figs   *sampleBaseline // over SampleRows-row samples
	probes sync.Pool       // *baseProbe
	opts   LinearOptions   // resolved
	mu, sd []float64       // feature standardisation
	coef   []float64
	yMean  float64 // intercept in standardised space
	resLo  float64 // pooled conformal band (used when band is not calibrated)
	resHi  float64
	band   conformalBand // split-conformal band (conformal.go)
	// shrinkTau shrinks the correction of a baseline the samples counted
	// by its precision (shrink.go), chosen on the cross-fitted folds; 0
	// (files before version 15) does not shrink.
	shrinkTau float64

	groupSlot // the learned group model, when trained (groups_io.go)
}

// LinearOptions configures TrainLinear. The zero value gives the defaults.
type LinearOptions struct {
	// Lambda is the ridge penalty per example on standardised features;
	// default 1e-2.
	Lambda float64
	// SampleRows is the number of sample rows filters and joins are
	// evaluated on per table; default 10000 (see SetNetOptions).
	SampleRows int
	// Baseline is the estimator whose log estimate is corrected; nil
	// means the join-sample baseline. Only a Linear correcting the
	// join-sample baseline or a *Histogram can be saved.
	Baseline Estimator
}

// Defaults of LinearOptions.
const (
	// linCalibFolds is the number of folds (whole groups) of the
	// cross-conformal band, and linCalibSeed seeds the assignment
	// (TrainLinear is deterministic). Five folds: each fit sees 80% of
	// the examples (Barber et al. 2021 use K = 5-10 for CV+).
	linCalibFolds    = 5
	linCalibSeed     = 0x11ea7
	linDefaultLambda = 1e-2
	// linGlobal is the number of query-wide features (see linEncode).
	linGlobal = 10
)

// ErrLinearFit: the least-squares solve failed (the normal equations are
// not positive definite, or a coefficient is not finite).
var ErrLinearFit = errors.New("estimator: linear regression fit failed")

func (o LinearOptions) withDefaults() LinearOptions {
	if !(o.Lambda > 0) {
		o.Lambda = linDefaultLambda
	}
	if o.SampleRows <= 0 {
		o.SampleRows = defaultSampleRows
	}
	return o
}

// linFigures is the number of sample-baseline figures after the
// per-table features (ln histogram, textbook and join-sample estimates,
// ln(1+join-sample support)); version-1 models have none.
const linFigures = 4

// linFeatures returns the number of features for a schema of nTables.
func linFeatures(nTables int) int { return linGlobal + 2*nTables + linFigures }

// linFeaturesV1 is linFeatures of version-1 payloads.
func linFeaturesV1(nTables int) int { return linGlobal + 2*nTables }

func newLinearShell(cat *catalog.Catalog, base Estimator, opts LinearOptions) *Linear {
	m := &Linear{cat: cat, base: base, opts: opts}
	m.figs = newSampleBaseline(cat, newSampleSet(stridedCatalog(cat, opts.SampleRows)))
	m.probes.New = func() any { return new(baseProbe) }
	if m.base == nil {
		m.base = m.figs
	}
	return m
}

// encode writes the raw (unstandardised) features of q into x and
// returns the baseline's log estimate and, when the baseline is the
// model's own sample baseline, the sampled rows it rests on
// (subPlanInputs.sampled, which shrink the correction). The
// sample-baseline figures are written only when x has room for them
// (version-2 models).
func (m *Linear) encode(q *features.Query, x []float64) (baseLog float64, sampled int, err error) {
	w := m.probes.Get().(*baseProbe)
	defer m.probes.Put(w)
	be, fig, err := probeBaseline(m.base, m.figs, q, w)
	defer m.figs.finish(w)
	if err != nil {
		return 0, 0, err
	}
	baseLog = baseLogRows(be.Rows)
	if m.base == Estimator(m.figs) {
		sampled = fig.sampled
	}
	clear(x)
	nOr, nNot, nPred := 0, 0, 0
	sumSel, minSel, maxSel := 0.0, 0.0, -math.MaxFloat64
	sumRows := 0.0
	for ti, tr := range q.Tables {
		k := w.probes[ti].hits
		ls := 0.0
		if n := w.probes[ti].n; n > 0 {
			ls = math.Log(math.Max(float64(k), 0.5) / float64(n))
		}
		sumSel += ls
		minSel = math.Min(minSel, ls)
		maxSel = math.Max(maxSel, ls)
		sumRows += math.Log(float64(max(m.cat.Stats[tr.Table].Rows, 1)))
		x[linGlobal+2*tr.Table]++
		x[linGlobal+2*tr.Table+1] += ls
		linCount(tr.Filter, &nOr, &nNot, &nPred)
	}
	x[0] = baseLog
	x[1] = float64(len(q.Tables))
	x[2] = float64(len(q.Joins))
	x[3] = float64(nPred)
	x[4] = float64(nOr)
	x[5] = float64(nNot)
	x[6] = sumRows
	x[7] = sumSel
	x[8] = minSel
	x[9] = maxSel
	if o := linGlobal + 2*len(m.cat.Schema.Tables); len(x) >= o+linFigures {
		x[o] = logRows(fig.hist)
		x[o+1] = logRows(fig.textbook)
		x[o+2] = logRows(fig.joinSample)
		x[o+3] = math.Log1p(float64(fig.support))
	}
	return baseLog, sampled, nil
}

// linCount counts the atomic predicates, ORs and NOTs of e.
func linCount(e *features.Expr, nOr, nNot, nPred *int) {
	if e == nil {
		return
	}
	switch e.Kind {
	case features.ExprPred:
		*nPred++
	case features.ExprOr:
		*nOr++
	case features.ExprNot:
		*nNot++
	}
	for _, a := range e.Args {
		linCount(a, nOr, nNot, nPred)
	}
}

// TrainLinear fits a Linear model on labelled queries over cat.
func TrainLinear(ctx context.Context, cat *catalog.Catalog, train []Example, opts LinearOptions) (*Linear, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := checkExamples(cat, train); err != nil {
		return nil, err
	}
	train = canonicalExamples(train)
	opts = opts.withDefaults()
	m := newLinearShell(cat, opts.Baseline, opts)
	if m.base == Estimator(m.figs) {
		m.figs.synopsisCap = m.chooseSynopsisCap(ctx, train)
	}
	k := linFeatures(len(cat.Schema.Tables))
	X := make([][]float64, len(train))
	y := make([]float64, len(train))
	sampled := make([]int, len(train))
	for i, ex := range train {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		X[i] = make([]float64, k)
		bl, s, err := m.encode(ex.Query, X[i])
		sampled[i] = s
		if err != nil {
			return nil, fmt.Errorf("example %d: baseline: %w", i, err)
		}
		y[i] = logRows(ex.Rows) - bl
	}
	// Cross-conformal band (Vovk 2015; CV+, Barber et al. 2021): the
	// groups fall into linCalibFolds folds; each fold's residuals come
	// from a fit on the others, so every whole query calibrates and none
	// is lost to training. The model is then fitted on every example
	// (ridge is stable: leaving out a fifth moves its predictions little,
	// which is what lets the full fit borrow the folds' residuals).
	folds := groupFolds(train, linCalibFolds, rand.New(rand.NewPCG(linCalibSeed, uint64(len(train)))))
	z := make([]float64, k)
	whole := wholeQueries(train)
	// Each example's correction by the fit without its fold; NaN when its
	// fold had too few groups.
	oof := make([]float64, len(train))
	for i := range oof {
		oof[i] = math.NaN()
	}
	for f := range linCalibFolds {
		var fx [][]float64
		var fy []float64
		for i, fi := range folds {
			if fi != f {
				fx, fy = append(fx, X[i]), append(fy, y[i])
			}
		}
		if len(fx) == 0 || len(fx) == len(X) {
			continue // too few groups for this fold
		}
		if err := m.fitRidge(fx, fy); err != nil {
			return nil, err
		}
		for i, fi := range folds {
			if fi != f {
				continue
			}
			m.standardise(X[i], z)
			oof[i] = m.correction(z)
		}
	}
	// The shrink constant fits the out-of-fold corrections best; the
	// band calibrates on them shrunk.
	var figs []shrinkFig
	for i, c := range oof {
		if !math.IsNaN(c) {
			figs = append(figs, shrinkFig{pred: c, y: y[i], base: math.Exp(logRows(train[i].Rows) - y[i]), sampled: sampled[i]})
		}
	}
	m.shrinkTau = bestShrinkTau(figs)
	res := make([]calibResidual, 0, len(train))
	pooled := make([]float64, 0, len(train))
	for i, c := range oof {
		if math.IsNaN(c) {
			continue
		}
		// The residual of the estimate as Estimate clamps it (at
		// least one row), against the true rows clamped as QError
		// and Covers clamp them.
		truth := logRows(train[i].Rows)
		lg := math.Max(0, math.Min(maxLogRows, truth-y[i]+shrinkCorrection(c, sampled[i], m.shrinkTau)))
		r := truth - lg
		// Linear cannot tell out-of-distribution queries apart: both
		// classes are its residuals (joins beyond the calibrated ones
		// extrapolate, see bandSet.at).
		res = append(res, calibResidual{joins: len(train[i].Query.Tables) - 1, whole: whole[i], shaped: train[i].Query.HasShapes(), in: r, ood: r})
		pooled = append(pooled, r)
	}
	m.band = fitConformal(res)
	m.resLo, m.resHi = conformalQuantiles(pooled)
	if err := m.fitRidge(X, y); err != nil {
		return nil, err
	}
	return m, nil
}

// fitRidge sets the standardisation, intercept and coefficients from the
// feature rows X (modified: standardised in place) and targets y.
func (m *Linear) fitRidge(X [][]float64, y []float64) error {
	k := len(X[0])
	m.mu, m.sd = make([]float64, k), make([]float64, k)
	for j := range k {
		s, s2 := 0.0, 0.0
		for i := range X {
			s += X[i][j]
		}
		mean := s / float64(len(X))
		for i := range X {
			d := X[i][j] - mean
			s2 += d * d
		}
		m.mu[j] = mean
		m.sd[j] = math.Sqrt(s2 / float64(len(X)))
		if m.sd[j] < 1e-9 {
			m.sd[j] = 1 // constant feature: its coefficient is penalised to zero
		}
	}
	Z := make([][]float64, len(X))
	for i, x := range X {
		Z[i] = make([]float64, k)
		m.standardise(x, Z[i])
	}
	m.yMean = 0
	for _, v := range y {
		m.yMean += v
	}
	m.yMean /= float64(len(y))
	yc := make([]float64, len(y))
	for i, v := range y {
		yc[i] = v - m.yMean
	}
	coef, err := linFitRidge(Z, yc, m.opts.Lambda*float64(len(Z)))
	if err != nil {
		return err
	}
	m.coef = coef
	return nil
}

func (m *Linear) standardise(x, z []float64) {
	for j := range x {
		z[j] = (x[j] - m.mu[j]) / m.sd[j]
	}
}

// correction returns the predicted log correction for standardised z.
func (m *Linear) correction(z []float64) float64 {
	c := m.yMean
	for j, w := range m.coef {
		c += w * z[j]
	}
	return math.Max(-maxNetCorrection, math.Min(maxNetCorrection, c))
}

// linFitRidge solves min ||Z w - y||² + lambda ||w||² with gonum, returning
// w (the intercept, zero for centred data, is not fitted).
//
// The normal equations A w = Zᵀy, A = ZᵀZ + lambda·I, are solved through
// the Cholesky factor A = LLᵀ: forward substitution t = L⁻¹Zᵀy, then back
// substitution Lᵀw = t. The k×k system is built in one pass over the
// examples (O(n·k²)), so memory does not grow with n; a triangular solve is
// deterministic, so training gives the same bytes every run.
func linFitRidge(Z [][]float64, y []float64, lambda float64) ([]float64, error) {
	k := len(Z[0])
	A := mat.NewSymDense(k, nil)
	zty := make([]float64, k)
	for i, z := range Z {
		for a := range k {
			zty[a] += z[a] * y[i]
			for b := a; b < k; b++ {
				A.SetSym(a, b, A.At(a, b)+z[a]*z[b])
			}
		}
	}
	for a := range k {
		A.SetSym(a, a, A.At(a, a)+lambda+linJitter*float64(len(Z)+1))
	}
	var chol mat.Cholesky
	if !chol.Factorize(A) {
		return nil, fmt.Errorf("%w: normal equations are not positive definite", ErrLinearFit)
	}
	var L mat.TriDense
	chol.LTo(&L)
	t := mat.NewVecDense(k, nil)
	if err := t.SolveVec(&L, mat.NewVecDense(k, zty)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLinearFit, err)
	}
	var w mat.VecDense
	if err := w.SolveVec(L.T(), t); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLinearFit, err)
	}
	coef := make([]float64, k)
	for j := range k {
		coef[j] = w.AtVec(j)
		if math.IsNaN(coef[j]) || math.IsInf(coef[j], 0) {
			return nil, fmt.Errorf("%w: coefficient %d is %v", ErrLinearFit, j, coef[j])
		}
	}
	return coef, nil
}

// linJitter (per example) keeps A positive definite when a feature is
// constant and lambda is zero; it is far below any penalty a caller uses.
const linJitter = 1e-9

// Name returns "linear".
func (m *Linear) Name() string { return KindLinear }

// Estimate implements Estimator: a disconnected query is the product of
// its connected parts, and the estimate is at most the product of its
// tables' row counts (see estimateGuarded).
func (m *Linear) Estimate(q *features.Query) (Estimate, error) {
	return estimateGuarded(m.cat, q, m.estimateConnected)
}

// estimateConnected estimates a query whose tables are connected by joins.
func (m *Linear) estimateConnected(q *features.Query) (Estimate, error) {
	if unsatisfiable(q) {
		return Estimate{Source: KindLinear}, nil
	}
	var buf [64]float64
	k := len(m.coef)
	var x []float64
	if k <= len(buf) {
		x = buf[:k]
	} else {
		x = make([]float64, k)
	}
	baseLog, sampled, err := m.encode(q, x)
	if err != nil {
		return Estimate{}, err
	}
	m.standardise(x, x)
	lg := math.Max(0, math.Min(maxLogRows, baseLog+shrinkCorrection(m.correction(x), sampled, m.shrinkTau)))
	rows := sanitize(math.Exp(lg))
	lo, hi, ok := m.band.atShaped(len(q.Tables)-1, false, completelySampled(m.figs.s, q), q.HasShapes())
	if !ok {
		lo, hi = m.resLo, m.resHi // a model of payload version 2
	}
	return Estimate{Rows: rows, Low: sanitize(math.Exp(lg + lo)), High: sanitize(math.Exp(lg + hi)), Source: KindLinear}, nil
}

// Coefficients returns the fitted weights of the standardised features
// (a copy).
func (m *Linear) Coefficients() []float64 { return append([]float64(nil), m.coef...) }

// String describes the model.
func (m *Linear) String() string {
	return fmt.Sprintf("linear(%d features, lambda %g, band [%.2f, %.2f] ln)", len(m.coef), m.opts.Lambda, m.resLo, m.resHi)
}

// synopsisCapSample bounds the joins chooseSynopsisCap weighs (at an even
// stride over the examples).
const synopsisCapSample = 20000

// chooseSynopsisCap reports whether the synopsis cap
// (joinBaseline.synopsisCap) brings the sample baseline nearer the true
// counts of the training joins it changes (least total absolute log
// error). A linear correction cannot tell a join whose synopsis found
// none of its root rows from one the histogram gets right (E-commerce:
// order items of the first orders to orders of the last weeks, 653,305
// rows by the histogram, true 0), so it takes the bound when the training
// workload says it holds.
func (m *Linear) chooseSynopsisCap(ctx context.Context, train []Example) bool {
	var joins []int
	for i, ex := range train {
		if len(ex.Query.Tables) > 1 {
			joins = append(joins, i)
		}
	}
	step := max(1, len(joins)/synopsisCapSample)
	var capped, plain float64
	for k := 0; k < len(joins) && ctx.Err() == nil; k += step {
		ex := train[joins[k]]
		m.figs.synopsisCap = false
		off, err := m.figs.Estimate(ex.Query)
		if err != nil {
			continue
		}
		m.figs.synopsisCap = true
		on, err := m.figs.Estimate(ex.Query)
		if err != nil || on.Rows == off.Rows {
			continue
		}
		t := logRows(ex.Rows)
		capped += math.Abs(logRows(on.Rows) - t)
		plain += math.Abs(logRows(off.Rows) - t)
	}
	m.figs.synopsisCap = false
	return capped < plain
}
