package estimator

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/progress"
)

// SetNet is a multi-set convolutional network (MSCN; Kipf et al., "Learned
// Cardinalities: Estimating Correlated Joins with Deep Learning", CIDR
// 2019) that learns a log-count correction over a baseline, by default
// the join-sample estimate on the catalog's row samples (see
// setnet_base.go; the GBDT corrects the same estimate):
//
//	tables ──► MLP ─► mean ─┐
//	joins  ──► MLP ─► mean ─┼─► concat ─► MLP ─► Δ;  rows = baseline · e^Δ
//	preds  ──► MLP ─► mean ─┤
//	global (baseline, histogram, textbook,
//	        join-sample logs, support) ──┘
//
// Each set MLP has two ReLU layers shared by every element of its set, so
// queries of any size map to fixed-width vectors. Training minimises the
// Huber loss of the log error (quadratic within snHuberDelta, linear
// beyond) with Adam (Kingma & Ba, ICLR 2015) over seeded mini-batches,
// each batch's gradient computed by snShards goroutines and summed in a
// fixed order, with early stopping on a validation split that keeps each
// Example.Group whole. Examples are encoded once, before the first
// epoch. Low and High are the
// 5th and 95th percentiles of the validation residuals. A query outside
// the training distribution falls back toward the baseline: with more
// tables or joins than any training query SetNet returns the baseline's
// estimate (Source "setnet:fallback"; the join-sample estimate is
// unbiased for any number of joins, so this is far better than the
// histogram there); with columns or join edges never
// seen in training the correction is damped by snOODDamp per unseen
// element. A *SetNet is safe for concurrent use.
type SetNet struct {
	cat    *catalog.Catalog
	base   Estimator
	enc    *snEncoder
	net    *snNet
	opts   SetNetOptions // resolved
	resLo  float64       // pooled conformal band of validation log residuals (<= 0)
	resHi  float64       // (>= 0); used when band is not calibrated
	band   conformalBand // split-conformal band (conformal.go)
	epochs int           // epochs run
	work   sync.Pool     // *snScratch

	groupSlot // the learned group model, when trained (groups_io.go)
}

// SetNetOptions configures TrainSetNet. The zero value gives the defaults.
type SetNetOptions struct {
	Seed         uint64  // seeds initialisation, split and shuffling
	Hidden       int     // width of each set MLP's layers; default 32
	FinalHidden  int     // width of the final MLP's hidden layer; default 64
	Epochs       int     // maximum epochs; default 20
	Patience     int     // stop after this many epochs without validation gain; default 5
	BatchSize    int     // mini-batch size; default 64
	LearningRate float64 `opt:"max=1"`   // Adam step size; default 2e-3
	ValFraction  float64 `opt:"max=0.9"` // share of examples held out for early stopping and Low/High; default calibFraction
	// CalibFolds is the number of models whose held-out residuals
	// calibrate the band (crossfit.go): 1 (the default) the split's
	// alone; k > 1 trains k−1 more networks, each holding out another
	// fold of the split's size, for their residuals only (the estimates
	// stay the split network's), while fewer than crossFitQueries (4,500)
	// whole queries calibrate. Training takes up to k times as long;
	// `cardinal train` and `cardinal bench` use DefaultCalibFolds.
	CalibFolds int `opt:"max=10"`
	// SampleRows is how many rows of each table's catalog sample filters
	// and joins are evaluated on; default 10000 (catalog.DefaultSampleSize,
	// so every sampled row of a default catalog except the larger samples
	// of fact tables meeting at a shared dimension, which are cut to it at
	// an even stride; MSCN uses 1000, which makes the join-sample baseline
	// miss most selective joins).
	SampleRows int
	Bits       int // sample bits exposed raw to the table MLP; default 64
	// Baseline is the estimator whose log estimate is corrected; nil
	// means the join-sample baseline. Only a SetNet correcting the
	// join-sample baseline or a *Histogram can be saved.
	Baseline Estimator
	// Progress, when non-nil, gets a report after every epoch (Stage
	// "setnet", Done epochs of Total at most; early stopping may end
	// before), the Detail giving the losses: mean squared log errors (ln
	// q-error squared) and the best epoch so far.
	Progress progress.Func
}

// Defaults of SetNetOptions. Widths are smaller than MSCN's 256 so that
// training on a few thousand queries takes seconds on two cores.
const (
	snDefaultHidden      = 32
	snDefaultFinalHidden = 64
	// 20 epochs over the 36k demo examples reach the test q-errors of 45
	// epochs (joins p95 1.45 vs 1.47, p99 3.4 vs 3.2) in a third of the
	// time (14 s on two cores; TestSetNetLinearDemoAccuracy).
	snDefaultEpochs   = 20
	snDefaultPatience = 5
	snDefaultBatch    = 64
	snDefaultLR       = 2e-3
	snDefaultValFrac  = 0.1
	snDefaultBits     = 64
	// The default ValFraction is a tenth, or enough to hold out
	// calibQueries whole queries for the band (calibFraction); a tenth of
	// the demo's 5,000 queries left 100 per join count and coverage
	// anywhere in 0.89-0.96.
)

// Training constants.
const (
	// snShards is how many goroutines compute each mini-batch's gradient
	// (the target machine has two cores); the sum is always taken in shard
	// order so results do not depend on scheduling.
	snShards = 2
	// snHuberDelta is the log error (about 10%) below which the
	// training loss is quadratic and above which it is linear (Huber,
	// 1964): large errors do not dominate, so the many queries the
	// baseline already gets right stay right.
	snHuberDelta = 0.1
	// snClip bounds the gradient norm of one step (Pascanu et al., 2013).
	snClip = 5.0
	// snOODDamp multiplies the correction once per unseen column or join
	// edge, moving the estimate toward the baseline.
	snOODDamp = 0.5
)

func (o SetNetOptions) withDefaults() SetNetOptions {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Hidden, snDefaultHidden)
	def(&o.FinalHidden, snDefaultFinalHidden)
	def(&o.Epochs, snDefaultEpochs)
	def(&o.Patience, snDefaultPatience)
	def(&o.BatchSize, snDefaultBatch)
	def(&o.SampleRows, defaultSampleRows)
	def(&o.Bits, snDefaultBits)
	if !(o.LearningRate > 0) {
		o.LearningRate = snDefaultLR
	}
	if !(o.ValFraction > 0 && o.ValFraction < 1) {
		o.ValFraction = snDefaultValFrac
	}
	return o
}

// TrainSetNet trains a SetNet on labelled queries over cat. Training is
// deterministic for a given Seed: the same examples and options give the
// same model, byte for byte. It stops early when the validation loss has
// not improved for Patience epochs and keeps the best epoch's weights.
func TrainSetNet(ctx context.Context, cat *catalog.Catalog, train []Example, opts SetNetOptions) (*SetNet, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := checkExamples(cat, train); err != nil {
		return nil, err
	}
	train = canonicalExamples(train)
	if !(opts.ValFraction > 0 && opts.ValFraction < 1) {
		opts.ValFraction = calibFraction(train, snDefaultValFrac)
	}
	opts = opts.withDefaults()
	vocab := newSNVocab(cat.Schema)
	for _, fk := range cat.Schema.ResolveForeignKeys() {
		for k, c1 := range fk.FromCols { // nil when a table is unknown
			if c2 := fk.ToCols[k]; c1 >= 0 && c2 >= 0 {
				vocab.addEdge(canonEdge(fk.From, c1, fk.To, c2))
			}
		}
	}
	for _, ex := range train {
		vocab.observe(ex.Query)
		vocab.logScale = math.Max(vocab.logScale, logRows(ex.Rows))
	}
	for _, st := range cat.Stats {
		vocab.logScale = math.Max(vocab.logScale, logRows(float64(st.Rows)))
	}
	vocab.finishEdges()
	m := newSetNet(cat, opts.Baseline, vocab, opts, snGlobIn)

	// Encode every example (two goroutines, each owning a stride).
	exs := make([]snExample, len(train))
	errs := make([]error, snShards)
	var wg sync.WaitGroup
	for w := range snShards {
		wg.Go(func() {
			var pr baseProbe
			for i := w; i < len(train); i += snShards {
				if i%64 == w && ctx.Err() != nil {
					errs[w] = ctx.Err()
					return
				}
				be, fig, err := probeBaseline(m.base, m.enc.figs, train[i].Query, &pr)
				if err != nil {
					m.enc.figs.finish(&pr)
					errs[w] = fmt.Errorf("example %d: baseline: %w", i, err)
					return
				}
				m.enc.encode(train[i].Query, baseLogRows(be.Rows), fig, &pr, &exs[i])
				m.enc.figs.finish(&pr)
				exs[i].target = logRows(train[i].Rows)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}

	rng := rand.New(rand.NewPCG(opts.Seed, snSeedStream))
	m.net.init(rng)
	tr, val, rest := snSplit(train, opts.ValFraction, rng)
	if err := m.fit(ctx, exs, tr, val, rng); err != nil {
		return nil, err
	}
	held := []snHeldOut{{m, val}}
	// Cross-fitting (crossfit.go): network j trains on every example but
	// fold j's, from its own seed, and gives the residuals of fold j.
	restIdx := make([]int, len(rest))
	for k := range restIdx {
		restIdx[k] = k
	}
	whole, splitWhole := wholeQueries(train), 0
	for _, i := range val {
		if whole[i] {
			splitWhole++
		}
	}
	folds := calibFolds(opts.CalibFolds, splitWhole)
	for j, f := range extraFolds(restIdx, len(val), folds, func(k int) int { return len(rest[k]) }) {
		in := slices.Clone(val)
		var out []int
		for k, g := range rest {
			if k >= f[0] && k < f[1] {
				out = append(out, g...)
			} else {
				in = append(in, g...)
			}
		}
		oj := m.opts
		oj.Progress = nil
		mj := &SetNet{net: newSNNet(m.net.shape, make([]float64, m.net.shape.size())), opts: oj}
		rj := rand.New(rand.NewPCG(opts.Seed^(uint64(j+1)*crossFitSeed), snSeedStream))
		mj.net.init(rj)
		if err := mj.fit(ctx, exs, in, out, rj); err != nil {
			return nil, err
		}
		held = append(held, snHeldOut{mj, out})
	}
	m.calibrate(exs, held, train)
	return m, nil
}

// snHeldOut is a network and the examples held out of its fit.
type snHeldOut struct {
	m   *SetNet
	idx []int
}

// snSplit splits example indexes into training and validation sets, about
// valFrac of the examples validating, keeping every Group on one side;
// rest lists the training side's groups in the drawn order (the folds of
// cross-fitting are cut from it).
func snSplit(train []Example, valFrac float64, rng *rand.Rand) (tr, val []int, rest [][]int) {
	groupOf := map[int]int{} // Example.Group -> group number
	var groups [][]int
	for i, ex := range train {
		g, ok := groupOf[ex.Group]
		if ex.Group == 0 || !ok {
			g = len(groups)
			groups = append(groups, nil)
			if ex.Group != 0 {
				groupOf[ex.Group] = g
			}
		}
		groups[g] = append(groups[g], i)
	}
	if len(groups) == 1 { // nothing to hold out: validate on the training set
		return groups[0], groups[0], nil
	}
	want := max(1, int(math.Round(valFrac*float64(len(train)))))
	for k, g := range rng.Perm(len(groups)) {
		// The first group always validates; no group is left to train.
		if k == 0 || (len(val) < want && k < len(groups)-1) {
			val = append(val, groups[g]...)
		} else {
			tr = append(tr, groups[g]...)
			rest = append(rest, groups[g])
		}
	}
	return tr, val, rest
}

// snSeedStream is the PCG stream constant of SetNet's generator.
const snSeedStream = 0x5e7ee7

// newSetNet returns an untrained SetNet; a nil base means the sample
// baseline, globIn is the width of the global vector the network reads.
func newSetNet(cat *catalog.Catalog, base Estimator, vocab *snVocab, opts SetNetOptions, globIn int) *SetNet {
	shape := vocab.shape(opts.Bits)
	shape.Hidden, shape.FinalHidden = opts.Hidden, opts.FinalHidden
	shape.GlobIn = globIn
	enc := newSNEncoder(cat, vocab, opts.SampleRows, opts.Bits)
	if base == nil {
		base = enc.figs
	}
	m := &SetNet{
		cat:  cat,
		base: base,
		enc:  enc,
		net:  newSNNet(shape, make([]float64, shape.size())),
		opts: opts,
	}
	m.work.New = func() any { return &snScratch{work: newSNWork(shape)} }
	return m
}

// snScratch is the per-call scratch of Estimate.
type snScratch struct {
	work  *snWork
	ex    snExample
	probe baseProbe
}

// fit runs Adam over mini-batches with early stopping on the validation
// loss, leaving the best epoch's weights in m.net.
func (m *SetNet) fit(ctx context.Context, exs []snExample, tr, val []int, rng *rand.Rand) error {
	shape := m.net.shape
	opt := newSNAdam(shape.size(), m.opts.LearningRate)
	grads := make([]*snNet, snShards)
	works := make([]*snWork, snShards)
	losses := make([]float64, snShards)
	for s := range grads {
		grads[s] = newSNNet(shape, make([]float64, shape.size()))
		works[s] = newSNWork(shape)
	}
	best := slices.Clone(m.net.params)
	bestLoss, bestEpoch := math.Inf(1), 0
	for epoch := 1; epoch <= m.opts.Epochs; epoch++ {
		rng.Shuffle(len(tr), func(i, j int) { tr[i], tr[j] = tr[j], tr[i] })
		trainLoss := 0.0
		for b := 0; b < len(tr); b += m.opts.BatchSize {
			if err := ctx.Err(); err != nil {
				return err
			}
			batch := tr[b:min(b+m.opts.BatchSize, len(tr))]
			scale := 1 / float64(len(batch))
			var wg sync.WaitGroup
			for s := range snShards {
				wg.Go(func() {
					g, w := grads[s], works[s]
					clear(g.params)
					losses[s] = 0
					for k := s; k < len(batch); k += snShards {
						ex := &exs[batch[k]]
						d := ex.baseLog + m.net.forward(ex, w) - ex.target
						losses[s] += d * d
						m.net.backward(ex, w, snLossGrad(d)*scale, g)
					}
				})
			}
			wg.Wait()
			for s := 1; s < snShards; s++ {
				for i, x := range grads[s].params {
					grads[0].params[i] += x
				}
			}
			for _, l := range losses {
				trainLoss += l
			}
			snClipNorm(grads[0].params, snClip)
			opt.step(m.net.params, grads[0].params)
		}
		trainLoss /= float64(max(len(tr), 1))
		valLoss := m.loss(exs, val, works[0])
		if valLoss < bestLoss {
			bestLoss, bestEpoch = valLoss, epoch
			copy(best, m.net.params)
		}
		m.epochs = epoch
		if m.opts.Progress != nil {
			m.opts.Progress(progress.Report{Stage: KindSetNet, Done: epoch, Total: m.opts.Epochs,
				Detail: fmt.Sprintf("train %.4f  validation %.4f  best epoch %d", trainLoss, valLoss, bestEpoch)})
		}
		if epoch-bestEpoch >= m.opts.Patience {
			break
		}
	}
	copy(m.net.params, best)
	return nil
}

// snLossGrad is the derivative of the Huber loss (scaled so that it is
// d² near zero) at log error d.
func snLossGrad(d float64) float64 {
	if math.Abs(d) <= snHuberDelta {
		return 2 * d
	}
	return 2 * snHuberDelta * math.Copysign(1, d)
}

// predictLog returns the clamped log estimate for an encoded example.
func (m *SetNet) predictLog(ex *snExample, w *snWork, ood snOOD) float64 {
	c := m.net.forward(ex, w)
	c = math.Max(-maxNetCorrection, math.Min(maxNetCorrection, c))
	if math.IsNaN(c) {
		c = 0
	}
	c *= math.Pow(snOODDamp, float64(ood.unseen))
	return math.Max(0, math.Min(maxLogRows, ex.baseLog+c))
}

// loss is the mean squared log error over the examples idx.
func (m *SetNet) loss(exs []snExample, idx []int, w *snWork) float64 {
	if len(idx) == 0 {
		return 0
	}
	s := 0.0
	for _, i := range idx {
		d := m.predictLog(&exs[i], w, snOOD{}) - exs[i].target
		s += d * d
	}
	return s / float64(len(idx))
}

// calibrate sets the split-conformal band from the validation examples
// of each held-out set (held out of its network's fit; they only chose
// the epoch; the first is m's own split, the others cross-fitted folds):
// residuals of the estimate in distribution and, for the
// out-of-distribution class, of the bare baseline (what SetNet falls
// back to on queries beyond its shape, and an upper bound on the damping
// of unseen elements), per join count.
func (m *SetNet) calibrate(exs []snExample, sets []snHeldOut, train []Example) {
	w := newSNWork(m.net.shape)
	var res []calibResidual
	var pooled []float64
	whole := wholeQueries(train)
	held := make([]bool, len(train))
	for _, set := range sets {
		for _, i := range set.idx {
			held[i] = true
			r := exs[i].target - set.m.predictLog(&exs[i], w, snOOD{})
			b := exs[i].target - exs[i].baseLog
			res = append(res, calibResidual{joins: len(train[i].Query.Tables) - 1, whole: whole[i], shaped: train[i].Query.HasShapes(),
				in: r, ood: b, base: b})
			pooled = append(pooled, r)
		}
	}
	// The other whole queries calibrate through their baseline residuals
	// (poststratify).
	for i, ex := range train {
		if whole[i] && !held[i] {
			res = append(res, calibResidual{joins: len(ex.Query.Tables) - 1, whole: true, shaped: ex.Query.HasShapes(),
				base: exs[i].target - exs[i].baseLog, aux: true})
		}
	}
	m.band = fitConformal(res)
	m.resLo, m.resHi = conformalQuantiles(pooled)
}

// Name returns "setnet".
func (m *SetNet) Name() string { return KindSetNet }

// Epochs returns the number of epochs training ran.
func (m *SetNet) Epochs() int { return m.epochs }

// Estimate implements Estimator: a disconnected query is the product of
// its connected parts, and the estimate is at most the product of its
// tables' row counts (see estimateGuarded).
func (m *SetNet) Estimate(q *features.Query) (Estimate, error) {
	return estimateGuarded(m.cat, q, m.estimateConnected)
}

// estimateConnected estimates a query whose tables are connected by joins.
func (m *SetNet) estimateConnected(q *features.Query) (Estimate, error) {
	if unsatisfiable(q) {
		return Estimate{Source: KindSetNet}, nil
	}
	sc := m.work.Get().(*snScratch)
	defer m.work.Put(sc)
	be, fig, err := probeBaseline(m.base, m.enc.figs, q, &sc.probe)
	defer m.enc.figs.finish(&sc.probe)
	if err != nil {
		return Estimate{}, err
	}
	joins := len(q.Tables) - 1
	if m.enc.vocab.tooLarge(q) {
		rows := sanitize(be.Rows)
		low, high := be.Low, be.High
		if lo, hi, ok := m.band.at(joins, true, false); ok {
			low, high = rows*math.Exp(lo), rows*math.Exp(hi)
		}
		return Estimate{Rows: rows, Low: math.Min(sanitize(low), rows),
			High: math.Max(sanitize(high), rows), Source: KindSetNet + ":fallback"}, nil
	}
	baseLog := baseLogRows(be.Rows)
	ood := m.enc.encode(q, baseLog, fig, &sc.probe, &sc.ex)
	lg := m.predictLog(&sc.ex, sc.work, ood)
	// Unseen elements also widen the band by the distance moved from the
	// undamped prediction's certainty.
	lo, hi, ok := m.band.atShaped(joins, ood.unseen > 0, completelySampled(m.enc.figs.s, q), q.HasShapes())
	if !ok {
		// A model of payload version 2: its pooled band.
		lo, hi = m.resLo, m.resHi
		if ood.unseen > 0 {
			lo -= math.Abs(lg - baseLog)
			hi += math.Abs(lg - baseLog)
		}
	}
	rows := sanitize(math.Exp(lg))
	return Estimate{Rows: rows, Low: sanitize(math.Exp(lg + lo)), High: sanitize(math.Exp(lg + hi)), Source: KindSetNet}, nil
}

// String describes the model.
func (m *SetNet) String() string {
	s := m.net.shape
	return fmt.Sprintf("setnet(hidden %d/%d, %d params, %d epochs, band [%.2f, %.2f] ln)",
		s.Hidden, s.FinalHidden, len(m.net.params), m.epochs, m.resLo, m.resHi)
}
