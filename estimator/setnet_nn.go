package estimator

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
)

// This file holds the neural-network math of the multi-set convolutional
// network (see setnet.go): dense layers stored input-major over one flat
// parameter slice, the forward/backward pass of the whole network for one
// encoded query, and the Adam optimiser. Everything is plain float64
// slices with gonum/floats kernels; nothing here allocates per example
// once a workspace has grown to the largest query.

// snSparse is a sparse input vector: val[k] at position idx[k].
type snSparse struct {
	idx []int32
	val []float64
}

// snDense is a fully connected layer stored input-major: w[i*out+j] is the
// weight from input i to output j, so the forward pass of a sparse input
// touches only the rows of its non-zero entries.
type snDense struct {
	in, out int
	w, b    []float64
}

func (l *snDense) row(i int) []float64 { return l.w[i*l.out : (i+1)*l.out] }

// forward sets y = b + W x.
func (l *snDense) forward(x, y []float64) {
	copy(y, l.b)
	for i, xi := range x {
		if xi != 0 {
			floats.AddScaled(y, xi, l.row(i))
		}
	}
}

// forwardSparse sets y = b + W x for a sparse x.
func (l *snDense) forwardSparse(x snSparse, y []float64) {
	copy(y, l.b)
	for k, i := range x.idx {
		floats.AddScaled(y, x.val[k], l.row(int(i)))
	}
}

// backward accumulates the gradient of the layer for input x and output
// gradient dy into g, and writes the input gradient into dx when non-nil.
// dx[i] is written as zero where x[i] is zero: every caller's x is a ReLU
// output (or pooled ReLU outputs), whose gradient is masked there anyway,
// so the dot product is skipped.
func (l *snDense) backward(x, dy []float64, g *snDense, dx []float64) {
	floats.Add(g.b, dy)
	for i, xi := range x {
		if xi == 0 {
			if dx != nil {
				dx[i] = 0
			}
			continue
		}
		if dx != nil {
			dx[i] = floats.Dot(l.row(i), dy)
		}
		floats.AddScaled(g.row(i), xi, dy)
	}
}

// backwardSparse accumulates the gradient for a sparse input (whose input
// gradient is never needed: it is the encoded query).
func (l *snDense) backwardSparse(x snSparse, dy []float64, g *snDense) {
	floats.Add(g.b, dy)
	for k, i := range x.idx {
		floats.AddScaled(g.row(int(i)), x.val[k], dy)
	}
}

// snShape is the architecture of a SetNet: input widths of the three sets
// and the global vector, and the hidden widths.
type snShape struct {
	TabIn, JoinIn, PredIn, GlobIn int
	Hidden                        int // width of both layers of each set MLP
	FinalHidden                   int // width of the hidden layer of the final MLP
}

// layerDims lists (in, out) of every layer in parameter order.
func (s snShape) layerDims() [][2]int {
	h := s.Hidden
	return [][2]int{
		{s.TabIn, h}, {h, h}, // table set MLP
		{s.JoinIn, h}, {h, h}, // join set MLP
		{s.PredIn, h}, {h, h}, // predicate set MLP
		{3*h + s.GlobIn, s.FinalHidden}, {s.FinalHidden, 1}, // final MLP
	}
}

// size returns the number of parameters.
func (s snShape) size() int {
	n := 0
	for _, d := range s.layerDims() {
		n += d[0]*d[1] + d[1]
	}
	return n
}

// snNet is the network: eight dense layers viewed over one flat slice
// (params), so that the optimiser and serialisation see a single vector
// and a gradient is just another snNet over another slice.
type snNet struct {
	shape  snShape
	params []float64
	layers [8]snDense
}

// Layer indices into snNet.layers.
const (
	snTab1 = iota
	snTab2
	snJoin1
	snJoin2
	snPred1
	snPred2
	snFin1
	snFin2
)

// newSNNet views buf (len shape.size()) as a network.
func newSNNet(s snShape, buf []float64) *snNet {
	n := &snNet{shape: s, params: buf}
	off := 0
	for i, d := range s.layerDims() {
		l := &n.layers[i]
		l.in, l.out = d[0], d[1]
		l.w = buf[off : off+d[0]*d[1] : off+d[0]*d[1]]
		off += d[0] * d[1]
		l.b = buf[off : off+d[1] : off+d[1]]
		off += d[1]
	}
	return n
}

// init fills the weights with He-normal values (He et al., 2015) drawn
// from rng and zeroes the biases; the output layer starts at zero so an
// untrained network predicts no correction over the baseline.
func (n *snNet) init(rng *rand.Rand) {
	for i := range n.layers {
		l := &n.layers[i]
		clear(l.b)
		if i == snFin2 {
			clear(l.w)
			continue
		}
		std := math.Sqrt(2 / float64(l.in))
		for j := range l.w {
			l.w[j] = rng.NormFloat64() * std
		}
	}
}

// snExample is one encoded query: the three sets, the global features, the
// baseline's log estimate the network corrects, and (for training) the log
// of the true count.
type snExample struct {
	tables, joins, preds []snSparse
	glob                 []float64
	baseLog              float64
	target               float64
}

// snSetWork holds the activations of one set for one example.
type snSetWork struct {
	a1, a2 [][]float64 // per element, after ReLU
	pooled []float64
	d1, d2 []float64 // scratch gradients
}

func (w *snSetWork) grow(n, h int) {
	for len(w.a1) < n {
		w.a1 = append(w.a1, make([]float64, h))
		w.a2 = append(w.a2, make([]float64, h))
	}
	if w.pooled == nil {
		w.pooled = make([]float64, h)
		w.d1 = make([]float64, h)
		w.d2 = make([]float64, h)
	}
}

// snWork is the scratch space of one forward/backward pass; one per
// goroutine.
type snWork struct {
	sets  [3]snSetWork
	z, dz []float64 // final MLP input
	h, dh []float64 // final MLP hidden
	out   [1]float64
}

func newSNWork(s snShape) *snWork {
	zn := 3*s.Hidden + s.GlobIn
	return &snWork{
		z: make([]float64, zn), dz: make([]float64, zn),
		h: make([]float64, s.FinalHidden), dh: make([]float64, s.FinalHidden),
	}
}

func snRelu(v []float64) {
	for i, x := range v {
		if x < 0 {
			v[i] = 0
		}
	}
}

// snReluGrad zeroes d where the activation a was clipped.
func snReluGrad(d, a []float64) {
	for i, x := range a {
		if x <= 0 {
			d[i] = 0
		}
	}
}

// forwardSet runs one set through its two-layer MLP and mean-pools into
// w.pooled (zero for an empty set).
func (n *snNet) forwardSet(l1, l2 *snDense, elems []snSparse, w *snSetWork) {
	w.grow(len(elems), n.shape.Hidden)
	clear(w.pooled)
	for e, x := range elems {
		l1.forwardSparse(x, w.a1[e])
		snRelu(w.a1[e])
		l2.forward(w.a1[e], w.a2[e])
		snRelu(w.a2[e])
		floats.Add(w.pooled, w.a2[e])
	}
	if len(elems) > 0 {
		floats.Scale(1/float64(len(elems)), w.pooled)
	}
}

// backwardSet propagates dpooled through the mean pooling and the set MLP,
// accumulating into g's layers.
func (n *snNet) backwardSet(li int, elems []snSparse, w *snSetWork, dpooled []float64, g *snNet) {
	if len(elems) == 0 {
		return
	}
	l1, l2 := &n.layers[li], &n.layers[li+1]
	inv := 1 / float64(len(elems))
	for e, x := range elems {
		copy(w.d2, dpooled)
		floats.Scale(inv, w.d2)
		snReluGrad(w.d2, w.a2[e])
		l2.backward(w.a1[e], w.d2, &g.layers[li+1], w.d1)
		snReluGrad(w.d1, w.a1[e])
		l1.backwardSparse(x, w.d1, &g.layers[li])
	}
}

// forward returns the network's log-count correction for ex.
func (n *snNet) forward(ex *snExample, w *snWork) float64 {
	h := n.shape.Hidden
	n.forwardSet(&n.layers[snTab1], &n.layers[snTab2], ex.tables, &w.sets[0])
	n.forwardSet(&n.layers[snJoin1], &n.layers[snJoin2], ex.joins, &w.sets[1])
	n.forwardSet(&n.layers[snPred1], &n.layers[snPred2], ex.preds, &w.sets[2])
	for s := range 3 {
		copy(w.z[s*h:(s+1)*h], w.sets[s].pooled)
	}
	copy(w.z[3*h:], ex.glob)
	n.layers[snFin1].forward(w.z, w.h)
	snRelu(w.h)
	n.layers[snFin2].forward(w.h, w.out[:])
	return w.out[0]
}

// backward accumulates into g the gradient of the loss given dout, the
// derivative of the loss with respect to the network output; forward must
// have just run on ex with the same w.
func (n *snNet) backward(ex *snExample, w *snWork, dout float64, g *snNet) {
	h := n.shape.Hidden
	d := [1]float64{dout}
	n.layers[snFin2].backward(w.h, d[:], &g.layers[snFin2], w.dh)
	snReluGrad(w.dh, w.h)
	n.layers[snFin1].backward(w.z, w.dh, &g.layers[snFin1], w.dz)
	n.backwardSet(snTab1, ex.tables, &w.sets[0], w.dz[0:h], g)
	n.backwardSet(snJoin1, ex.joins, &w.sets[1], w.dz[h:2*h], g)
	n.backwardSet(snPred1, ex.preds, &w.sets[2], w.dz[2*h:3*h], g)
}

// snAdam is the Adam optimiser (Kingma & Ba, 2015) over a flat parameter
// vector.
type snAdam struct {
	lr, beta1, beta2, eps float64
	m, v                  []float64
	t                     int
}

// Adam hyper-parameters: the defaults recommended by Kingma & Ba (2015).
const (
	snAdamBeta1 = 0.9
	snAdamBeta2 = 0.999
	snAdamEps   = 1e-8
)

func newSNAdam(n int, lr float64) *snAdam {
	return &snAdam{lr: lr, beta1: snAdamBeta1, beta2: snAdamBeta2, eps: snAdamEps,
		m: make([]float64, n), v: make([]float64, n)}
}

// step applies one bias-corrected Adam update of params along grad.
func (a *snAdam) step(params, grad []float64) {
	a.t++
	c1 := 1 - math.Pow(a.beta1, float64(a.t))
	c2 := 1 - math.Pow(a.beta2, float64(a.t))
	for i, g := range grad {
		a.m[i] = a.beta1*a.m[i] + (1-a.beta1)*g
		a.v[i] = a.beta2*a.v[i] + (1-a.beta2)*g*g
		mh := a.m[i] / c1
		vh := a.v[i] / c2
		params[i] -= a.lr * mh / (math.Sqrt(vh) + a.eps)
	}
}

// snClipNorm scales g down so its Euclidean norm is at most max; it
// reports the norm before clipping.
func snClipNorm(g []float64, max float64) float64 {
	norm := floats.Norm(g, 2)
	if norm > max && norm > 0 {
		floats.Scale(max/norm, g)
	}
	return norm
}
