package estimator

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
)

// Gradient-boosted regression trees on histogram-binned features, squared
// or Huber loss (Huber, "Robust estimation of a location parameter", 1964;
// Friedman, "Greedy function approximation: a gradient boosting
// machine", Annals of Statistics 2001), grown leaf-wise with per-feature
// histograms and the sibling-subtraction trick (Ke et al., "LightGBM: A
// Highly Efficient Gradient Boosting Decision Tree", NeurIPS 2017).

// maxBins is the number of bins a feature is discretised into (a bin index
// fits a byte, as in LightGBM's default max_bin = 255).
const maxBins = 255

// maxRowsPerTree caps the rows one tree is grown on: beyond it the row
// subsampling rate shrinks (stochastic gradient boosting, Friedman 2002),
// which keeps training on 100,000 queries and their sub-plans within
// minutes on two cores.
const maxRowsPerTree = 100000

// boostParams are resolved training parameters (see GBDTOptions).
type boostParams struct {
	trees, leaves, depth, minLeaf, earlyStop, workers int
	lr, lambda, subsample, featureFrac, huber         float64
	seed                                              uint64
	progress                                          func(round int, trainLoss, valLoss float64)
}

// treeNode is a node of a regression tree: internal when feat >= 0 (rows
// with x[feat] <= thr go left). value is the node's output had it been a
// leaf (already scaled by the learning rate); for Saabas attribution the
// path's value differences are credited to the split features.
type treeNode struct {
	feat        int32
	left, right int32
	thr         float64
	value       float64
	bin         uint8 // training only: x <= thr exactly when bin(x) <= bin
}

type tree []treeNode

// leaf returns the index of the leaf x falls into.
func (t tree) leaf(x []float64) int {
	i := 0
	for t[i].feat >= 0 {
		if x[t[i].feat] <= t[i].thr {
			i = int(t[i].left)
		} else {
			i = int(t[i].right)
		}
	}
	return i
}

// leafBins returns the leaf of training row r of the feature-major bins.
func (t tree) leafBins(bins [][]uint8, r int) int {
	i := 0
	for t[i].feat >= 0 {
		if bins[t[i].feat][r] <= t[i].bin {
			i = int(t[i].left)
		} else {
			i = int(t[i].right)
		}
	}
	return i
}

// predictSet returns the ensemble's predictions for the rows of the binned
// set d.
func (e *ensemble) predictSet(d *binnedSet) []float64 {
	pred := make([]float64, len(d.y))
	for r := range pred {
		pred[r] = e.base
		for _, t := range e.trees {
			pred[r] += t[t.leafBins(d.bins, r)].value
		}
	}
	return pred
}

// ensemble is a trained boosted model.
type ensemble struct {
	nfeat int
	base  float64
	trees []tree
	// flat holds every tree's nodes in one array for prediction (see
	// compile); roots[i] is tree i's root in it.
	flat  []flatNode
	roots []int32
}

// flatNode is a node of the compiled ensemble: internal when feat >= 0
// (x[feat] <= thr goes to flat[left], else flat[right]), else a leaf whose
// value is in thr. 24 bytes, children indexed globally: prediction walks
// one contiguous array.
type flatNode struct {
	thr         float64
	feat        int32
	left, right int32
}

// compile lays the trees out in flat; call it whenever trees change.
func (e *ensemble) compile() {
	e.flat, e.roots = e.flat[:0], e.roots[:0]
	for _, t := range e.trees {
		off := int32(len(e.flat))
		e.roots = append(e.roots, off)
		for _, n := range t {
			f := flatNode{thr: n.value, feat: n.feat}
			if n.feat >= 0 {
				f.thr, f.left, f.right = n.thr, off+n.left, off+n.right
			}
			e.flat = append(e.flat, f)
		}
	}
}

// predict returns base plus every tree's leaf value for x, summed in tree
// order.
func (e *ensemble) predict(x []float64) float64 {
	s := e.base
	if len(e.roots) != len(e.trees) {
		for _, t := range e.trees {
			s += t[t.leaf(x)].value
		}
		return s
	}
	flat := e.flat
	for _, i := range e.roots {
		n := &flat[i]
		for n.feat >= 0 {
			if x[n.feat] <= n.thr {
				n = &flat[n.left]
			} else {
				n = &flat[n.right]
			}
		}
		s += n.thr
	}
	return s
}

// contributions adds to dst[f] the Saabas attribution of feature f to the
// prediction for x; the prediction equals base + sum(dst).
func (e *ensemble) contributions(x []float64, dst []float64) {
	for _, t := range e.trees {
		i := 0
		for t[i].feat >= 0 {
			next := int(t[i].left)
			if x[t[i].feat] > t[i].thr {
				next = int(t[i].right)
			}
			dst[t[i].feat] += t[next].value - t[i].value
			i = next
		}
		// The root's own value belongs to no feature: fold it into base.
	}
}

// rootSum is the sum of the trees' root values (the part of predictions
// no feature explains).
func (e *ensemble) rootSum() float64 {
	s := e.base
	for _, t := range e.trees {
		s += t[0].value
	}
	return s
}

// binning maps feature values to bins: bin(x) = the first i with
// x <= upper[i] (the last bin is unbounded).
type binning struct {
	upper [][]float64 // per feature, ascending
}

// newBinning chooses the bins of each feature from the rows of X (a
// sample of the training data).
func newBinning(X [][]float64, nfeat int) *binning {
	b := &binning{upper: make([][]float64, nfeat)}
	vals := make([]float64, len(X))
	for f := 0; f < nfeat; f++ {
		for i, x := range X {
			vals[i] = x[f]
		}
		sort.Float64s(vals)
		var uniq []float64
		for i, v := range vals {
			if i == 0 || v != vals[i-1] {
				uniq = append(uniq, v)
			}
		}
		var up []float64
		if len(uniq) <= maxBins {
			for i := 0; i+1 < len(uniq); i++ {
				up = append(up, uniq[i]+(uniq[i+1]-uniq[i])/2)
			}
		} else {
			for k := 1; k < maxBins; k++ {
				v := vals[k*len(vals)/maxBins]
				// The cut is between v and the next larger value.
				j := sort.SearchFloat64s(uniq, v)
				if j+1 < len(uniq) {
					c := uniq[j] + (uniq[j+1]-uniq[j])/2
					if len(up) == 0 || c > up[len(up)-1] {
						up = append(up, c)
					}
				}
			}
		}
		b.upper[f] = up
	}
	return b
}

func (b *binning) bin(f int, x float64) uint8 {
	return uint8(sort.SearchFloat64s(b.upper[f], x))
}

type histBin struct{ g, n float64 }

// splitInfo is the best split of a leaf.
type splitInfo struct {
	gain float64
	feat int
	bin  int
}

// grower holds the state of training.
type grower struct {
	p      boostParams
	nfeat  int
	bins   [][]uint8 // [feature][row]
	binner *binning
	grad   []float64
	active []bool    // features the current tree may split on
	pool   sync.Pool // []histBin of nfeat*(maxBins+1)
}

func (g *grower) newHist() []histBin {
	if h, ok := g.pool.Get().([]histBin); ok {
		for i := range h {
			h[i] = histBin{}
		}
		return h
	}
	return make([]histBin, g.nfeat*(maxBins+1))
}

// parallel runs f over feature ranges on p.workers goroutines.
func (g *grower) parallel(f func(lo, hi int)) {
	w := g.p.workers
	if w <= 1 || g.nfeat < 2*w {
		f(0, g.nfeat)
		return
	}
	var wg sync.WaitGroup
	chunk := (g.nfeat + w - 1) / w
	for lo := 0; lo < g.nfeat; lo += chunk {
		hi := min(lo+chunk, g.nfeat)
		wg.Add(1)
		go func() { defer wg.Done(); f(lo, hi) }()
	}
	wg.Wait()
}

// buildHist fills h with the gradient sums of rows, per feature and bin.
func (g *grower) buildHist(rows []int32, h []histBin) {
	g.parallel(func(lo, hi int) {
		for f := lo; f < hi; f++ {
			if !g.active[f] {
				continue
			}
			hf := h[f*(maxBins+1) : (f+1)*(maxBins+1)]
			bf := g.bins[f]
			for _, r := range rows {
				b := &hf[bf[r]]
				b.g += g.grad[r]
				b.n++
			}
		}
	})
}

// bestSplit scans the histograms for the split of largest gain.
func (g *grower) bestSplit(h []histBin, sumG, n float64) splitInfo {
	lam := g.p.lambda
	parent := sumG * sumG / (n + lam)
	minLeaf := float64(g.p.minLeaf)
	best := make([]splitInfo, g.nfeat)
	g.parallel(func(lo, hi int) {
		for f := lo; f < hi; f++ {
			best[f] = splitInfo{gain: 0, feat: -1}
			if !g.active[f] {
				continue
			}
			hf := h[f*(maxBins+1) : (f+1)*(maxBins+1)]
			nb := len(g.binner.upper[f]) + 1
			var gl, nl float64
			for b := 0; b < nb-1; b++ {
				gl += hf[b].g
				nl += hf[b].n
				nr := n - nl
				if nl < minLeaf {
					continue
				}
				if nr < minLeaf {
					break
				}
				gr := sumG - gl
				gain := gl*gl/(nl+lam) + gr*gr/(nr+lam) - parent
				if gain > best[f].gain {
					best[f] = splitInfo{gain: gain, feat: f, bin: b}
				}
			}
		}
	})
	out := splitInfo{feat: -1}
	for _, s := range best {
		if s.feat >= 0 && s.gain > out.gain {
			out = s
		}
	}
	return out
}

type leafState struct {
	node  int
	rows  []int32
	hist  []histBin
	sumG  float64
	depth int
	split splitInfo
}

// growTree grows one tree on rows and returns it.
func (g *grower) growTree(rows []int32) tree {
	lam, lr := g.p.lambda, g.p.lr
	leafValue := func(sumG, n float64) float64 { return -sumG / (n + lam) * lr }
	root := &leafState{rows: rows, hist: g.newHist()}
	g.buildHist(rows, root.hist)
	for _, r := range rows {
		root.sumG += g.grad[r]
	}
	t := tree{{feat: -1, value: leafValue(root.sumG, float64(len(rows)))}}
	root.split = g.bestSplit(root.hist, root.sumG, float64(len(rows)))
	leaves := []*leafState{root}
	for nleaves := 1; nleaves < g.p.leaves; nleaves++ {
		bi := -1
		for i, l := range leaves {
			if l.split.feat >= 0 && (g.p.depth <= 0 || l.depth < g.p.depth) && (bi < 0 || l.split.gain > leaves[bi].split.gain) {
				bi = i
			}
		}
		if bi < 0 {
			break
		}
		l := leaves[bi]
		f, b := l.split.feat, l.split.bin
		var lrows, rrows []int32
		bf := g.bins[f]
		for _, r := range l.rows {
			if int(bf[r]) <= b {
				lrows = append(lrows, r)
			} else {
				rrows = append(rrows, r)
			}
		}
		left := &leafState{rows: lrows, depth: l.depth + 1}
		right := &leafState{rows: rrows, depth: l.depth + 1}
		small, large := left, right
		if len(rrows) < len(lrows) {
			small, large = right, left
		}
		small.hist = g.newHist()
		g.buildHist(small.rows, small.hist)
		large.hist = l.hist
		for i := range large.hist {
			large.hist[i].g -= small.hist[i].g
			large.hist[i].n -= small.hist[i].n
		}
		for _, r := range lrows {
			left.sumG += g.grad[r]
		}
		right.sumG = l.sumG - left.sumG
		li, ri := len(t), len(t)+1
		t = append(t, treeNode{feat: -1, value: leafValue(left.sumG, float64(len(lrows)))},
			treeNode{feat: -1, value: leafValue(right.sumG, float64(len(rrows)))})
		t[l.node].feat = int32(f)
		t[l.node].thr = g.binner.upper[f][b]
		t[l.node].bin = uint8(b)
		t[l.node].left, t[l.node].right = int32(li), int32(ri)
		left.node, right.node = li, ri
		left.split = g.bestSplit(left.hist, left.sumG, float64(len(lrows)))
		right.split = g.bestSplit(right.hist, right.sumG, float64(len(rrows)))
		leaves[bi] = left
		leaves = append(leaves, right)
	}
	for _, l := range leaves {
		g.pool.Put(l.hist)
	}
	return t
}

// binnedSet is a binned data set: bins[f][r] is the bin of feature f of
// row r.
type binnedSet struct {
	bins [][]uint8
	y    []float64
}

func newBinnedSet(nfeat, rows int) *binnedSet {
	d := &binnedSet{bins: make([][]uint8, nfeat), y: make([]float64, rows)}
	for f := range d.bins {
		d.bins[f] = make([]uint8, rows)
	}
	return d
}

// set bins row r from x.
func (d *binnedSet) set(b *binning, r int, x []float64, y float64) {
	for f, v := range x {
		d.bins[f][r] = b.bin(f, v)
	}
	d.y[r] = y
}

// boost trains an ensemble on the binned training set, early-stopping on
// the validation set when it is not empty. Each tree sees at most
// maxRowsPerTree rows (row subsampling scaled down on large sets).
func boost(ctx context.Context, bn *binning, train, val *binnedSet, p boostParams) (*ensemble, error) {
	nfeat := len(bn.upper)
	y, vy := train.y, val.y
	g := &grower{p: p, nfeat: nfeat, binner: bn, grad: make([]float64, len(y)), bins: train.bins, active: make([]bool, nfeat)}
	e := &ensemble{nfeat: nfeat}
	for _, v := range y {
		e.base += v
	}
	if len(y) > 0 {
		e.base /= float64(len(y))
	}
	pred := make([]float64, len(y))
	for i := range pred {
		pred[i] = e.base
	}
	vpred := make([]float64, len(vy))
	for i := range vpred {
		vpred[i] = e.base
	}
	rng := rand.New(rand.NewPCG(p.seed, p.seed^0xda942042e4dd58b5))
	bestVal, bestIter := math.Inf(1), 0
	rows := make([]int32, 0, len(y))
	subsample := p.subsample
	if n := float64(len(y)); n*subsample > maxRowsPerTree {
		subsample = maxRowsPerTree / n
	}
	for it := 0; it < p.trees; it++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for i := range g.grad {
			g.grad[i] = pred[i] - y[i]
			if d := p.huber; d > 0 {
				// Huber loss: the gradient of the absolute part is
				// clipped; the hessian stays 1 (as for squared loss).
				g.grad[i] = math.Max(-d, math.Min(d, g.grad[i]))
			}
		}
		rows = rows[:0]
		for i := range y {
			if subsample >= 1 || rng.Float64() < subsample {
				rows = append(rows, int32(i))
			}
		}
		if len(rows) < 2*p.minLeaf {
			rows = rows[:0]
			for i := range y {
				rows = append(rows, int32(i))
			}
		}
		// Feature subsampling per tree (LightGBM feature_fraction);
		// constant features never split.
		for f := range g.active {
			g.active[f] = len(bn.upper[f]) > 0 && (p.featureFrac >= 1 || rng.Float64() < p.featureFrac)
		}
		t := g.growTree(rows)
		e.trees = append(e.trees, t)
		tl := 0.0
		for i := range y {
			pred[i] += t[t.leafBins(train.bins, i)].value
			d := pred[i] - y[i]
			tl += d * d
		}
		tl = math.Sqrt(tl / math.Max(1, float64(len(y))))
		vl := math.NaN()
		if len(vy) > 0 {
			s := 0.0
			for i := range vy {
				vpred[i] += t[t.leafBins(val.bins, i)].value
				d := vpred[i] - vy[i]
				s += d * d
			}
			vl = math.Sqrt(s / float64(len(vy)))
			if vl < bestVal-1e-12 {
				bestVal, bestIter = vl, it+1
			} else if p.earlyStop > 0 && it+1-bestIter >= p.earlyStop {
				if p.progress != nil {
					p.progress(it+1, tl, vl)
				}
				break
			}
		}
		if p.progress != nil {
			p.progress(it+1, tl, vl)
		}
	}
	if len(vy) > 0 && bestIter > 0 {
		e.trees = e.trees[:bestIter]
	}
	e.compile()
	return e, nil
}
