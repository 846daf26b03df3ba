package estimator

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/progress"
)

// GBDTOptions configure TrainGBDT. The zero value gives the documented
// defaults.
type GBDTOptions struct {
	Trees        int     // boosting rounds (default 400)
	Leaves       int     // leaves per tree, leaf-wise growth (default 63)
	Depth        int     // maximum depth, 0 = default 12
	LearningRate float64 `opt:"max=1"` // shrinkage (default 0.1; at most 1)
	MinLeaf      int     // minimum examples per leaf (default 20)
	Lambda       float64 // L2 regularisation of leaf values (default 1)
	Subsample    float64 `opt:"max=1"` // row fraction per tree (default 0.8; at most 100,000 rows)
	// FeatureFraction is the fraction of features each tree may split on
	// (default 0.8).
	FeatureFraction float64 `opt:"max=1"`
	// ValidationFrac is the fraction of queries held out for early
	// stopping and the uncertainty band (default 0.1, or enough to hold
	// out 1,500 whole queries for the band, at most 0.3; examples sharing
	// a non-zero Group stay together).
	ValidationFrac      float64 `opt:"max=0.9"`
	EarlyStoppingRounds int     // stop after this many rounds without improvement (default 30)
	// HuberDelta is where the Huber loss on log rows turns from squared
	// to absolute (default 2, a factor of e^2); negative means squared loss
	// (the one signed option).
	// Empty results and join-key contradictions give log-targets far
	// from the rest; clipping their gradient keeps them from pulling
	// every other leaf.
	HuberDelta float64 `opt:"signed"`
	// MaxExamples caps the examples trained on (default 300,000): above
	// it a seeded uniform subset is kept, which bounds training time on
	// large logs with many sub-plans.
	MaxExamples int
	// CalibFolds is the number of models whose held-out residuals
	// calibrate the band (crossfit.go): 1 (the default) the split's
	// alone; k > 1 trains k−1 more models, each holding out another fold
	// of the split's size, for their residuals only (the estimates stay
	// the split model's), while fewer than crossFitQueries (4,500) whole
	// queries calibrate. Training takes up to k times as long; `cardinal
	// train` and `cardinal bench` use DefaultCalibFolds.
	CalibFolds int    `opt:"max=10"`
	Seed       uint64 // seeds the split and row subsampling
	Workers    int    // goroutines (default GOMAXPROCS)
	// Progress, when set, gets a report after every boosting round
	// (Stage "gbdt", Done rounds of Total at most; early stopping may end
	// before), the Detail giving the root mean squared error (log rows) on
	// the training and validation sets.
	Progress progress.Func
}

// Defaults of GBDTOptions.
const (
	defaultTrees     = 400
	defaultLeaves    = 63
	defaultDepth     = 12
	defaultLR        = 0.1
	defaultMinLeaf   = 20
	defaultLambda    = 1.0
	defaultSubsample = 0.8
	defaultFeatFrac  = 0.8
	defaultValFrac   = 0.1
	defaultEarlyStop = 30
	defaultMaxEx     = 300000
	defaultHuber     = 2.0
)

// Uncertainty and out-of-distribution handling.
const (
	// oodBlend scales the learned correction of an out-of-distribution
	// sub-plan (unseen join count, edge or column): halfway to the baseline.
	oodBlend = 0.5
)

func (o GBDTOptions) params() boostParams {
	p := boostParams{trees: o.Trees, leaves: o.Leaves, depth: o.Depth, minLeaf: o.MinLeaf,
		earlyStop: o.EarlyStoppingRounds, workers: o.Workers, lr: o.LearningRate, lambda: o.Lambda,
		subsample: o.Subsample, featureFrac: o.FeatureFraction, seed: o.Seed, huber: o.HuberDelta}
	if p.huber == 0 {
		p.huber = defaultHuber
	}
	if p.trees <= 0 {
		p.trees = defaultTrees
	}
	if o.Progress != nil {
		p.progress = func(round int, trainLoss, valLoss float64) {
			o.Progress(progress.Report{Stage: KindGBDT, Done: round, Total: p.trees,
				Detail: fmt.Sprintf("train rmse(log) %.4f  validation %.4f", trainLoss, valLoss)})
		}
	}
	if p.leaves <= 1 {
		p.leaves = defaultLeaves
	}
	if p.depth <= 0 {
		p.depth = defaultDepth
	}
	if p.minLeaf <= 0 {
		p.minLeaf = defaultMinLeaf
	}
	if p.earlyStop <= 0 {
		p.earlyStop = defaultEarlyStop
	}
	if p.workers <= 0 {
		p.workers = runtime.GOMAXPROCS(0)
	}
	if p.lr <= 0 {
		p.lr = defaultLR
	}
	if p.lambda <= 0 {
		p.lambda = defaultLambda
	}
	if p.subsample <= 0 || p.subsample > 1 {
		p.subsample = defaultSubsample
	}
	if p.featureFrac <= 0 || p.featureFrac > 1 {
		p.featureFrac = defaultFeatFrac
	}
	return p
}

// GBDT is the learned estimator: gradient-boosted trees over the flat
// encoding predict the correction ln(true rows / baseline rows) over the
// baseline (baseline.go: the join-synopsis or join-sample estimate when
// the samples find joining rows, the histogram for a filter on one
// column, else the histogram estimate).
type GBDT struct {
	cat *catalog.Catalog
	// base is the baseline corrected, its blendK chosen in training
	// (chooseBlendK).
	base joinBaseline
	enc  *encoder
	ens  *ensemble
	work sync.Pool // *gbdtWork
	// band is the split-conformal band, calibrated on the validation
	// split (conformal.go).
	band conformalBand
	// shrinkTau is the variance of the correction against which it is
	// shrunk by a sampled baseline's precision (shrink.go), chosen in
	// training; 0 (files before version 14) does not shrink.
	shrinkTau float64

	groupSlot // the learned group model, when trained (groups_io.go)
}

// chooseBlendK returns the blend constant (joinBaseline.blendK) that fits
// the examples idx best: bestBlendK over the joins with join-sample
// support only (not join synopses; the rest do not depend on it).
func (g *GBDT) chooseBlendK(ctx context.Context, workers int, train []Example, idx []int) float64 {
	figs := make([]blendFig, len(idx))
	unblended := joinBaseline{s: g.base.s, hist: g.base.hist}
	g.parallelFor(ctx, workers, len(idx), func(k int, _ []float64) {
		ex := train[idx[k]]
		if len(ex.Query.Tables) < 2 {
			return
		}
		p := g.prepare(ex.Query)
		in := unblended.figures(p, ex.Query.FullMask())
		g.release(p)
		if in.exact || in.support == 0 || in.synopsis {
			return
		}
		figs[k] = blendFig{js: logRows(in.joinSample), hist: logRows(in.hist), truth: logRows(ex.Rows), support: in.support}
	})
	return bestBlendK(figs)
}

// Name returns "gbdt".
func (g *GBDT) Name() string { return KindGBDT }

// NumTrees returns the number of trees of the ensemble.
func (g *GBDT) NumTrees() int { return len(g.ens.trees) }

func newGBDTShell(cat *catalog.Catalog) *GBDT {
	return &GBDT{cat: cat, base: joinBaseline{s: newSampleSet(cat), hist: NewHistogram(cat)}, enc: newEncoder(cat)}
}

// prepared is the per-query work shared by all sub-plans.
type prepared struct {
	q         *features.Query
	probes    []tableProbe
	occ       []occFeat
	slot, raw []int
	edges     []pairEdge
	sc        *scratch
	memo      *joinMemo // nil: no sharing between sub-plans
	work      *gbdtWork // the work p belongs to (GBDT.prepare only)
	// shapes are the shape factors of shapesFor (semijoin.go), computed
	// on first use.
	shapes    *shapeFactors
	shapesFor *features.Query
}

// gbdtWork is the reusable state of one estimate (GBDT.work): the
// prepared query, its buffers and the encoding scratch, so estimating
// allocates nothing in the steady state.
type gbdtWork struct {
	p      prepared
	memo   joinMemo
	counts []int // per schema table: occurrences seen (slot numbering)
	x      []float64
}

func (g *GBDT) prepare(q *features.Query) *prepared {
	w, _ := g.work.Get().(*gbdtWork)
	if w == nil {
		w = &gbdtWork{}
		w.p.sc = g.base.s.pool.Get().(*scratch)
	}
	p := &w.p
	p.q = q
	p.probes = g.base.s.probe(q, p.sc, p.probes)
	p.edges = appendEdges(p.edges, q)
	if cap(p.occ) < len(q.Tables) {
		p.occ = append(p.occ[:cap(p.occ)], make([]occFeat, len(q.Tables)-cap(p.occ))...)
	}
	p.occ = p.occ[:len(q.Tables)]
	for i, tr := range q.Tables {
		p.occ[i] = g.enc.occFeatures(g.base.hist, g.base.s, tr, p.occ[i].cols[:0])
		p.occ[i].setLogs(&p.probes[i])
	}
	g.base.s.setCounts(q, p.probes, p.occ)
	p.slot, p.raw, w.counts = g.enc.slotsInto(q, p.slot, p.raw, w.counts)
	w.memo.reset(len(p.edges))
	p.memo, p.work = &w.memo, w
	return p
}

func (g *GBDT) release(p *prepared) {
	p.sc.reset()
	p.q, p.shapes, p.shapesFor = nil, nil, nil
	g.work.Put(p.work)
}

// features returns the encoding scratch of p (len nfeat).
func (g *GBDT) features(p *prepared) []float64 {
	w := p.work
	if len(w.x) != g.enc.nfeat {
		w.x = make([]float64, g.enc.nfeat)
	}
	return w.x
}

// Estimate implements Estimator: a disconnected query is the product of
// its connected parts, and the estimate is at most the product of its
// tables' row counts (see estimateGuarded).
func (g *GBDT) Estimate(q *features.Query) (Estimate, error) {
	return estimateGuarded(g.cat, q, g.estimateConnected)
}

// estimateConnected estimates a query whose tables are connected by joins.
func (g *GBDT) estimateConnected(q *features.Query) (Estimate, error) {
	p := g.prepare(q)
	e, _, _ := g.estimateMask(p, q.FullMask(), g.features(p))
	g.release(p)
	return e, nil
}

func (g *GBDT) estimateSubPlans(q *features.Query, masks []uint64, dst []SubPlanEstimate) ([]SubPlanEstimate, error) {
	q, err := canonicalQuery(g.cat, q)
	if err != nil {
		return dst, err
	}
	p := g.prepare(q)
	defer g.release(p)
	x := g.features(p)
	for _, m := range masks {
		e, _, _ := g.estimateMask(p, m, x)
		dst = append(dst, SubPlanEstimate{Mask: m, Estimate: e})
	}
	return dst, nil
}

// estimateMask estimates one sub-plan; x is scratch of len nfeat and holds
// the encoding afterwards (when the plan was not exact).
func (g *GBDT) estimateMask(p *prepared, mask uint64, x []float64) (Estimate, subPlanInputs, float64) {
	in := g.base.figures(p, mask)
	if in.exact {
		r := sanitize(in.joinSample)
		return Estimate{Rows: r, Low: r, High: r, Source: KindGBDT}, in, 0
	}
	g.enc.encode(p.q, mask, p.occ, p.slot, p.raw, &in, x)
	corr := g.ens.predict(x)
	if in.ood {
		corr *= oodBlend
	}
	corr = shrinkCorrection(corr, in.sampled, g.shrinkTau)
	corr = math.Max(-maxCorrection, math.Min(maxCorrection, corr))
	rows := sanitize(math.Max(in.base, 1) * math.Exp(corr))
	lo, hi, ok := g.band.atShaped(in.joins, in.ood, false, p.q.HasShapes())
	if !ok {
		// Uncalibrated (everything answered exactly in training): the
		// histogram's spread per table.
		lo, hi = -math.Log(histSpread)*float64(in.joins+1), math.Log(histSpread)*float64(in.joins+1)
	}
	return Estimate{Rows: rows, Low: sanitize(rows * math.Exp(lo)), High: sanitize(rows * math.Exp(hi)), Source: KindGBDT}, in, corr
}

// TrainGBDT trains the learned estimator on labelled examples (include
// sub-plan labels as examples of their own: more data for joins).
// Examples over completely sampled tables are answered exactly and are not
// trained on. Training is deterministic for a given seed and data.
func TrainGBDT(ctx context.Context, cat *catalog.Catalog, train []Example, opts GBDTOptions) (*GBDT, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if cat == nil || cat.Schema == nil {
		return nil, fmt.Errorf("%w: no catalog", ErrQuery)
	}
	if len(train) == 0 {
		return nil, ErrNoExamples
	}
	params := opts.params()
	if maxEx := cmpOr(opts.MaxExamples, defaultMaxEx); len(train) > maxEx {
		rng := rand.New(rand.NewPCG(opts.Seed^0x9e3779b97f4a7c15, uint64(len(train))))
		idx := rng.Perm(len(train))[:maxEx]
		sort.Ints(idx)
		sub := make([]Example, maxEx)
		for k, i := range idx {
			sub[k] = train[i]
		}
		train = sub
	}
	g := newGBDTShell(cat)
	edgeSet := make(map[edgeKey]bool)
	for i, ex := range train {
		if err := checkQuery(cat, ex.Query); err != nil {
			return nil, fmt.Errorf("example %d: %w", i, err)
		}
		if err := checkLabelFor(cat, ex.Query, ex.Rows); err != nil {
			// ErrBadLabel, as SetNet and Linear report it; ErrQuery as
			// this function always has.
			return nil, fmt.Errorf("%w: example %d: %w", ErrQuery, i, err)
		}
	}
	train = canonicalExamples(train)
	for _, ex := range train {
		g.enc.observe(ex.Query, edgeSet)
	}
	g.enc.finalize(edgeSet)

	// Split by group: a seeded permutation of the groups, the first
	// ValidationFrac of them validate.
	valFrac := opts.ValidationFrac
	if valFrac <= 0 || valFrac >= 1 {
		valFrac = calibFraction(train, defaultValFrac)
	}
	groupOf := func(i int) int64 {
		if train[i].Group != 0 {
			return int64(train[i].Group)
		}
		return -int64(i) - 1
	}
	var groups []int64
	seen := make(map[int64]bool)
	for i := range train {
		if gid := groupOf(i); !seen[gid] {
			seen[gid] = true
			groups = append(groups, gid)
		}
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5851f42d4c957f2d))
	rng.Shuffle(len(groups), func(a, b int) { groups[a], groups[b] = groups[b], groups[a] })
	isVal := make(map[int64]bool)
	nVal := int(float64(len(groups)) * valFrac)
	for _, gid := range groups[:nVal] {
		isVal[gid] = true
	}
	if len(isVal) == len(groups) {
		isVal = nil
	}
	// The folds of the cross-fitted band beyond the split (crossfit.go):
	// foldOf is 1..k−1 for a group of fold j, 0 otherwise.
	foldOf := make(map[int64]int)
	if isVal != nil {
		rest := make([]int, len(groups)-nVal)
		for k := range rest {
			rest[k] = nVal + k
		}
		for j, f := range extraFolds(rest, nVal, calibFolds(opts.CalibFolds, nVal), nil) {
			for _, k := range rest[f[0]:f[1]] {
				foldOf[groups[k]] = j + 1
			}
		}
	}
	calibrated := func(i int) bool { return isVal[groupOf(i)] || foldOf[groupOf(i)] > 0 }

	// Bins come from an evenly spaced sample of the examples; then every
	// example is featurised and binned straight into its set (no float
	// matrix of the whole workload is kept).
	sampleIdx := make([]int, 0, min(len(train), binSampleRows))
	for k := 0; k < cap(sampleIdx); k++ {
		sampleIdx = append(sampleIdx, int(int64(k)*int64(len(train))/int64(cap(sampleIdx))))
	}
	g.base.blendK = g.chooseBlendK(ctx, params.workers, train, sampleIdx)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sampleX := make([][]float64, len(sampleIdx))
	g.parallelFor(ctx, params.workers, len(sampleIdx), func(k int, x []float64) {
		if _, _, skip := g.featurize(train[sampleIdx[k]], x); !skip {
			sampleX[k] = append([]float64(nil), x...)
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var binX [][]float64
	for _, x := range sampleX {
		if x != nil {
			binX = append(binX, x)
		}
	}
	if len(binX) == 0 {
		// Everything is answered exactly: an empty model suffices.
		g.ens = &ensemble{nfeat: g.enc.nfeat}
		return g, nil
	}
	bn := newBinning(binX, g.enc.nfeat)
	binX, sampleX = nil, nil

	pos := make([]int, len(train)) // row within its set
	nTrain := 0
	nVal = 0
	for i := range train {
		if isVal[groupOf(i)] {
			pos[i], nVal = nVal, nVal+1
		} else {
			pos[i], nTrain = nTrain, nTrain+1
		}
	}
	trainSet, valSet := newBinnedSet(g.enc.nfeat, nTrain), newBinnedSet(g.enc.nfeat, nVal)
	keepTrain, keepVal := make([]bool, nTrain), make([]bool, nVal)
	valJoins := make([]int, nVal)
	valCal := make([]calibExample, nVal)
	// What the folds' bands need of the training rows: their example,
	// join count and calibration figures (cross-fitting only).
	crossFit := len(foldOf) > 0
	var trainEx, trainJoins []int
	var trainCal []calibExample
	if crossFit {
		trainEx, trainJoins, trainCal = make([]int, nTrain), make([]int, nTrain), make([]calibExample, nTrain)
	}
	whole := wholeQueries(train)
	// Held-out queries answered exactly calibrate the band too (residual
	// 0, see conformal.go); exactVal marks them by example index.
	exactVal := make([]bool, len(train))
	// The other whole queries calibrate through their baseline residuals
	// (poststratify): auxBase[i] of example i when auxKept[i].
	auxBase, auxKept := make([]float64, len(train)), make([]bool, len(train))
	g.parallelFor(ctx, params.workers, len(train), func(i int, x []float64) {
		y, in, skip := g.featurize(train[i], x)
		joins := in.joins
		if whole[i] && !calibrated(i) {
			auxKept[i] = true
			if !skip {
				auxBase[i] = y
			}
		}
		if skip {
			exactVal[i] = calibrated(i)
			return
		}
		if isVal[groupOf(i)] {
			valSet.set(bn, pos[i], x, y)
			keepVal[pos[i]], valJoins[pos[i]] = true, joins
			valCal[pos[i]] = calibExample{base: in.base, sampled: in.sampled, whole: whole[i], shaped: train[i].Query.HasShapes()}
		} else {
			trainSet.set(bn, pos[i], x, y)
			keepTrain[pos[i]] = true
			if crossFit {
				trainEx[pos[i]], trainJoins[pos[i]] = i, joins
				trainCal[pos[i]] = calibExample{base: in.base, sampled: in.sampled, whole: whole[i], shaped: train[i].Query.HasShapes()}
			}
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	trainSet.compact(keepTrain)
	valSet.compact(keepVal)
	valJoins = compactKept(valJoins, keepVal)
	valCal = compactKept(valCal, keepVal)
	if crossFit {
		trainEx, trainJoins, trainCal = compactKept(trainEx, keepTrain), compactKept(trainJoins, keepTrain), compactKept(trainCal, keepTrain)
	}
	if len(trainSet.y) == 0 {
		trainSet, valSet, valJoins, valCal = valSet, newBinnedSet(g.enc.nfeat, 0), nil, nil
		crossFit = false
	}
	ens, err := boost(ctx, bn, trainSet, valSet, params)
	if err != nil {
		return nil, err
	}
	g.ens = ens
	valPred := ens.predictSet(valSet)
	g.shrinkTau = chooseShrinkTau(valPred, valSet.y, valCal)
	res := g.bandResiduals(valPred, valSet.y, valJoins, valCal)
	if crossFit {
		// Fold j's model trains on the split and the other folds'
		// training rows, early-stops on fold j, and gives its residuals.
		folds := 0
		for _, j := range foldOf {
			folds = max(folds, j)
		}
		allVal := make([]int, len(valSet.y))
		for r := range allVal {
			allVal[r] = r
		}
		for j := 1; j <= folds; j++ {
			var in, out []int
			for r, i := range trainEx {
				if foldOf[groupOf(i)] == j {
					out = append(out, r)
				} else {
					in = append(in, r)
				}
			}
			if len(out) == 0 || len(in) == 0 {
				continue
			}
			trJ := gatherRows(g.enc.nfeat, trainSet, in, valSet, allVal)
			vaJ := gatherRows(g.enc.nfeat, trainSet, out, nil, nil)
			pj := params
			pj.seed, pj.progress = params.seed^(uint64(j)*crossFitSeed), nil
			ensJ, err := boost(ctx, bn, trJ, vaJ, pj)
			if err != nil {
				return nil, err
			}
			joinsJ, calJ := make([]int, len(out)), make([]calibExample, len(out))
			for k, r := range out {
				joinsJ[k], calJ[k] = trainJoins[r], trainCal[r]
			}
			res = append(res, g.bandResiduals(ensJ.predictSet(vaJ), vaJ.y, joinsJ, calJ)...)
		}
	}
	var exact []calibResidual
	for i, ok := range exactVal {
		if ok {
			exact = append(exact, calibResidual{joins: len(train[i].Query.Tables) - 1, whole: whole[i], shaped: train[i].Query.HasShapes()})
		}
	}
	for i, ok := range auxKept {
		if ok {
			exact = append(exact, calibResidual{joins: len(train[i].Query.Tables) - 1, whole: true, shaped: train[i].Query.HasShapes(),
				base: auxBase[i], aux: true})
		}
	}
	if len(res) > 0 {
		g.band = fitConformal(append(res, exact...))
	}
	return g, nil
}

// gatherRows returns a new set of rows ra of a and rb of b (b may be nil).
func gatherRows(nfeat int, a *binnedSet, ra []int, b *binnedSet, rb []int) *binnedSet {
	d := newBinnedSet(nfeat, len(ra)+len(rb))
	n := 0
	for _, src := range []struct {
		s    *binnedSet
		rows []int
	}{{a, ra}, {b, rb}} {
		for _, r := range src.rows {
			for f := range d.bins {
				d.bins[f][n] = src.s.bins[f][r]
			}
			d.y[n] = src.s.y[r]
			n++
		}
	}
	return d
}

// binSampleRows is the number of examples the feature bins are chosen
// from.
const binSampleRows = 20000

// featurize encodes one example into x and returns its target (log true
// rows over baseline rows); skip is set when the example is answered
// exactly (every table completely sampled).
func (g *GBDT) featurize(ex Example, x []float64) (y float64, in subPlanInputs, skip bool) {
	p := g.prepare(ex.Query)
	defer g.release(p)
	mask := ex.Query.FullMask()
	in = g.base.figures(p, mask)
	if in.exact {
		return 0, in, true
	}
	g.enc.encode(p.q, mask, p.occ, p.slot, p.raw, &in, x)
	return logRows(ex.Rows) - logRows(in.base), in, false
}

// calibExample is what the band's calibration needs of a validation
// example beyond its features: its baseline rows and sampled support
// (subPlanInputs.sampled) and whether it is a whole query (see
// wholeQueries).
type calibExample struct {
	base          float64
	sampled       int
	whole, shaped bool
}

// parallelFor calls f(i, scratch) for i in [0, n) on workers goroutines;
// scratch is a per-worker slice of nfeat floats.
func (g *GBDT) parallelFor(ctx context.Context, workers, n int, f func(i int, x []float64)) {
	var wg sync.WaitGroup
	next := make(chan int, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := make([]float64, g.enc.nfeat)
			for i := range next {
				f(i, x)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// compact keeps the rows marked in keep.
func (d *binnedSet) compact(keep []bool) {
	for f, col := range d.bins {
		d.bins[f] = compactKept(col, keep)
	}
	d.y = compactKept(d.y, keep)
}

// compactKept keeps the elements of s marked in keep, in place.
func compactKept[T any](s []T, keep []bool) []T {
	n := 0
	for i, k := range keep {
		if k {
			s[n] = s[i]
			n++
		}
	}
	return s[:n]
}

// bandResiduals returns the calibration residuals of an ensemble's
// predictions pred on a held-out set with targets y (held out of the
// trees' fit; it only chose their number, by early stopping), shrunk as
// estimateMask shrinks them: residuals of the estimate in distribution
// and of the damped one given out of distribution, per join count.
//
// Residuals are taken between the clamped logs of the true count and of
// the estimate itself, max(base, 1)·e^correction, as QError and Covers compare
// them (an estimate of 0.2 rows for an empty result is exact there, while
// its correction's residual is not). Held-out examples answered exactly
// calibrate too (residual 0 in and out of distribution; TrainGBDT adds
// them).
func (g *GBDT) bandResiduals(pred, y []float64, vJoins []int, cal []calibExample) []calibResidual {
	res := make([]calibResidual, len(y))
	for i := range y {
		c := shrinkCorrection(pred[i], cal[i].sampled, g.shrinkTau)
		resid := func(c float64) float64 { return correctedResidual(y[i], cal[i].base, c) }
		res[i] = calibResidual{joins: vJoins[i], whole: cal[i].whole, shaped: cal[i].shaped, in: resid(c), ood: resid(oodBlend * c), base: resid(0)}
	}
	return res
}

// chooseShrinkTau returns the shrink constant (shrink.go) that fits the
// held-out predictions pred of targets y best (bestShrinkTau).
func chooseShrinkTau(pred, y []float64, cal []calibExample) float64 {
	figs := make([]shrinkFig, len(y))
	for i := range y {
		figs[i] = shrinkFig{pred: pred[i], y: y[i], base: cal[i].base, sampled: cal[i].sampled}
	}
	return bestShrinkTau(figs)
}

func cmpOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}
