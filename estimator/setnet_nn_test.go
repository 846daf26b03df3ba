package estimator

import (
	"math"
	"math/rand/v2"
	"testing"
)

func snRandSparse(rng *rand.Rand, width, nnz int) snSparse {
	var s snSparse
	seen := map[int32]bool{}
	for len(s.idx) < nnz {
		i := int32(rng.IntN(width))
		if seen[i] {
			continue
		}
		seen[i] = true
		s.idx = append(s.idx, i)
		s.val = append(s.val, rng.Float64()*2-1)
	}
	return s
}

func snRandExample(rng *rand.Rand, s snShape, nt, nj, np int) *snExample {
	ex := &snExample{glob: make([]float64, s.GlobIn), baseLog: rng.Float64() * 5, target: rng.Float64() * 5}
	for range nt {
		ex.tables = append(ex.tables, snRandSparse(rng, s.TabIn, 3))
	}
	for range nj {
		ex.joins = append(ex.joins, snRandSparse(rng, s.JoinIn, 1))
	}
	for range np {
		ex.preds = append(ex.preds, snRandSparse(rng, s.PredIn, 4))
	}
	for i := range ex.glob {
		ex.glob[i] = rng.Float64()
	}
	return ex
}

// snSSE is the summed squared log error of n over exs.
func snSSE(n *snNet, w *snWork, exs []*snExample) float64 {
	l := 0.0
	for _, ex := range exs {
		d := ex.baseLog + n.forward(ex, w) - ex.target
		l += d * d
	}
	return l
}

// TestSNGradient checks backpropagation against central finite differences
// of the squared-error loss on every parameter of a small network.
func TestSNGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := snShape{TabIn: 7, JoinIn: 4, PredIn: 9, GlobIn: 3, Hidden: 5, FinalHidden: 6}
	n := newSNNet(s, make([]float64, s.size()))
	n.init(rng)
	// A non-zero output layer so every gradient path is exercised.
	for i := range n.layers[snFin2].w {
		n.layers[snFin2].w[i] = rng.NormFloat64()
	}
	exs := []*snExample{
		snRandExample(rng, s, 2, 1, 3),
		snRandExample(rng, s, 1, 0, 0),
		snRandExample(rng, s, 3, 2, 5),
	}
	w := newSNWork(s)
	loss := func() float64 { return snSSE(n, w, exs) }
	g := newSNNet(s, make([]float64, s.size()))
	for _, ex := range exs {
		out := n.forward(ex, w)
		n.backward(ex, w, 2*(ex.baseLog+out-ex.target), g)
	}
	const h = 1e-6
	bad := 0
	for i := range n.params {
		old := n.params[i]
		n.params[i] = old + h
		lp := loss()
		n.params[i] = old - h
		lm := loss()
		n.params[i] = old
		num := (lp - lm) / (2 * h)
		if diff := math.Abs(num - g.params[i]); diff > 1e-4*math.Max(1, math.Abs(num)) {
			if bad < 5 {
				t.Errorf("param %d: backprop %.8g, numeric %.8g", i, g.params[i], num)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d gradients wrong", bad, len(n.params))
	}
}

// TestSNAdamFits trains the network with Adam on a synthetic set task
// (target = baseline + count of table elements with a given feature) and
// checks that the loss drops by two orders of magnitude.
func TestSNAdamFits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	s := snShape{TabIn: 6, JoinIn: 2, PredIn: 4, GlobIn: 1, Hidden: 16, FinalHidden: 16}
	n := newSNNet(s, make([]float64, s.size()))
	n.init(rng)
	var exs []*snExample
	for range 200 {
		ex := snRandExample(rng, s, 1+rng.IntN(3), rng.IntN(2), rng.IntN(3))
		hits := 0.0
		for _, tb := range ex.tables {
			for _, i := range tb.idx {
				if i == 0 {
					hits++
				}
			}
		}
		ex.target = ex.baseLog + hits/float64(len(ex.tables))*2
		exs = append(exs, ex)
	}
	w := newSNWork(s)
	mse := func() float64 { return snSSE(n, w, exs) / float64(len(exs)) }
	before := mse()
	opt := newSNAdam(s.size(), 0.01)
	g := newSNNet(s, make([]float64, s.size()))
	for range 300 {
		clear(g.params)
		for _, ex := range exs {
			out := n.forward(ex, w)
			n.backward(ex, w, 2*(ex.baseLog+out-ex.target)/float64(len(exs)), g)
		}
		opt.step(n.params, g.params)
	}
	after := mse()
	if !(after < before/100) {
		t.Fatalf("mse %.4g -> %.4g, want a 100x drop", before, after)
	}
}

func TestSNClipNorm(t *testing.T) {
	g := []float64{3, 4}
	if n := snClipNorm(g, 1); n != 5 || math.Abs(g[0]-0.6) > 1e-12 || math.Abs(g[1]-0.8) > 1e-12 {
		t.Fatalf("clip: norm %v g %v", n, g)
	}
	g = []float64{0.3, 0.4}
	snClipNorm(g, 1)
	if g[0] != 0.3 || g[1] != 0.4 {
		t.Fatalf("clip changed a small vector: %v", g)
	}
}

// TestSNSplit: about the requested share validates, groups never straddle
// the split, and every example lands on exactly one side.
func TestSNSplit(t *testing.T) {
	var exs []Example
	for i := range 300 {
		exs = append(exs, Example{Group: i / 3}) // group 0: three independent examples
	}
	tr, val, _ := snSplit(exs, 0.1, rand.New(rand.NewPCG(1, 1)))
	if len(tr)+len(val) != len(exs) || len(val) < 27 || len(val) > 33 {
		t.Fatalf("split %d/%d", len(tr), len(val))
	}
	side := map[int]bool{}
	seen := map[int]bool{}
	for _, set := range [][]int{tr, val} {
		for _, i := range set {
			if seen[i] {
				t.Fatalf("example %d on both sides", i)
			}
			seen[i] = true
			g := exs[i].Group
			if g == 0 {
				continue
			}
			isVal := len(set) == len(val) && &set[0] == &val[0]
			if v, ok := side[g]; ok && v != isVal {
				t.Fatalf("group %d straddles the split", g)
			}
			side[g] = isVal
		}
	}
}
