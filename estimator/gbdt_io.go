package estimator

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/bincodec"
)

func init() {
	registerKind(kindSpec{name: KindGBDT, rank: 4, learned: true,
		train: func(ctx context.Context, cat *catalog.Catalog, ex []Example, o TrainOptions) (Model, error) {
			return nilOnError(TrainGBDT(ctx, cat, ex, o.GBDT))
		},
		load: func(b []byte, cat *catalog.Catalog, version int) (Model, error) {
			return nilOnError(loadGBDTPayload(b, cat, version))
		},
	})
}

func (g *GBDT) kind() string                   { return KindGBDT }
func (g *GBDT) modelCatalog() *catalog.Catalog { return g.cat }

// GBDT payload (uvarints, little-endian float64s): the encoder's slots,
// seen columns and join edges, its size limits, the ensemble (base value,
// trees of nodes: feature, children and threshold of splits, value), the
// split-conformal band (conformalBand.floats: its number of values, then
// per Mondrian set the join counts, (low, high) per join count and the
// per-join growth), the baseline's blend constant and, from model file
// version 14, the shrink constant (shrink.go; 0 for older files, which
// did not shrink).

// Payload limits.
const (
	maxTreesInFile = 1 << 16
	maxNodesInTree = 1 << 16
	maxFeatures    = 1 << 20
	maxJoinsInFile = features.MaxTables - 1
)

// savePayload writes the GBDT's payload.
func (g *GBDT) savePayload(out io.Writer) error {
	var w bincodec.Encoder
	e := g.enc
	w.Uvarint(uint64(len(e.slots)))
	for _, n := range e.slots {
		w.Uvarint(uint64(n))
	}
	for _, cols := range e.seenCols {
		w.Uvarint(uint64(len(cols)))
		for _, s := range cols {
			w.Bool(s)
		}
	}
	w.Uvarint(uint64(len(e.edges)))
	for _, k := range e.edges {
		w.Uvarint(uint64(k.sa))
		w.Uvarint(uint64(k.ca))
		w.Uvarint(uint64(k.sb))
		w.Uvarint(uint64(k.cb))
	}
	w.Uvarint(uint64(e.maxJoins))
	w.Uvarint(uint64(e.maxTables))
	w.Uvarint(uint64(g.ens.nfeat))
	w.F64(g.ens.base)
	writeTrees(&w, g.ens)
	bf := g.band.floats()
	w.Uvarint(uint64(len(bf)))
	for _, x := range bf {
		w.F64(x)
	}
	w.F64(g.base.blendK)
	w.F64(g.shrinkTau)
	_, err := out.Write(w.B)
	return err
}

// loadGBDTPayload reads a GBDT payload against cat.
func loadGBDTPayload(b []byte, cat *catalog.Catalog, version int) (*GBDT, error) {
	g := newGBDTShell(cat)
	e := g.enc
	r := bincodec.NewDecoder(b, "payload")
	nt := len(cat.Schema.Tables)
	if r.Count("tables", nt, 0) != nt {
		r.Fail("payload is for another number of tables")
	}
	for t := 0; t < nt && r.Err() == nil; t++ {
		e.slots[t] = r.Count("slots", maxSlotsPerTable, 0)
	}
	for t := 0; t < nt && r.Err() == nil; t++ {
		if r.Count("columns", len(e.seenCols[t]), 0) != len(e.seenCols[t]) {
			r.Fail("payload is for another number of columns of table %d", t)
		}
		for c := range e.seenCols[t] {
			e.seenCols[t][c] = r.Bool("seen column")
		}
	}
	ne := r.Count("edges", maxFeatures, 0)
	for i := 0; i < ne && r.Err() == nil; i++ {
		k := edgeKey{r.Count("slot", nt*maxSlotsPerTable-1, 0), r.Count("column", math.MaxInt32, 0),
			r.Count("slot", nt*maxSlotsPerTable-1, 0), r.Count("column", math.MaxInt32, 0)}
		if r.Err() == nil && (k.ca >= len(cat.Schema.Tables[k.sa/maxSlotsPerTable].Columns) ||
			k.cb >= len(cat.Schema.Tables[k.sb/maxSlotsPerTable].Columns)) {
			r.Fail("edge column out of range")
		}
		e.edges = append(e.edges, k)
	}
	e.maxJoins = r.Count("max joins", maxJoinsInFile, 0)
	e.maxTables = r.Count("max tables", maxJoinsInFile+1, 0)
	if r.Err() != nil {
		return nil, r.Err()
	}
	e.finalize(nil)
	ens := &ensemble{nfeat: r.Count("features", maxFeatures, 0)}
	if r.Err() == nil && ens.nfeat == e.nfeat+shapeFeatures {
		// Trained with outer joins or subqueries: their block follows
		// the edges (files without it load as before).
		e.shapes = true
		e.finalize(nil)
	}
	if r.Err() == nil && ens.nfeat != e.nfeat {
		r.Fail("%d features, the encoding has %d", ens.nfeat, e.nfeat)
	}
	ens.base = r.Finite("base")
	readTrees(r, ens)
	nb := r.Count("band", maxBandValues, 8)
	left := nb
	band, err := readConformal(func() (float64, error) {
		if left == 0 || r.Err() != nil {
			return 0, fmt.Errorf("band of %d values ends early", nb)
		}
		left--
		return r.F64("band"), r.Err()
	}, nb)
	if r.Err() == nil && (err != nil || left != 0) {
		r.Fail("conformal band: %v (%d values left)", err, left)
	}
	g.band = band
	g.base.blendK = r.Finite("blend k")
	if r.Err() == nil && !(g.base.blendK >= 0 && g.base.blendK <= maxBlendK) {
		r.Fail("blend k %v out of [0, %v]", g.base.blendK, maxBlendK)
	}
	if version >= shrinkMinVersion {
		g.shrinkTau = r.Finite("shrink tau")
		if r.Err() == nil && !(g.shrinkTau >= 0 && g.shrinkTau <= maxShrinkTau) {
			r.Fail("shrink tau %v out of [0, %v]", g.shrinkTau, maxShrinkTau)
		}
	}
	if r.Err() == nil && r.Left() != 0 {
		r.Fail("%d trailing bytes", r.Left())
	}
	if r.Err() != nil {
		return nil, r.Err()
	}
	ens.compile()
	g.ens = ens
	return g, nil
}

// writeTrees writes an ensemble's trees: their number, then per tree its
// nodes (feature, children and threshold of splits, value).
func writeTrees(w *bincodec.Encoder, ens *ensemble) {
	w.Uvarint(uint64(len(ens.trees)))
	for _, t := range ens.trees {
		w.Uvarint(uint64(len(t)))
		for _, n := range t {
			w.Varint(int64(int(n.feat)))
			if n.feat >= 0 {
				w.Uvarint(uint64(int(n.left)))
				w.Uvarint(uint64(int(n.right)))
				w.F64(n.thr)
			}
			w.F64(n.value)
		}
	}
}

// readTrees reads what writeTrees wrote into ens (whose nfeat bounds the
// features), children after their parents.
func readTrees(r *bincodec.Decoder, ens *ensemble) {
	ntrees := r.Count("trees", maxTreesInFile, 0)
	for i := 0; i < ntrees && r.Err() == nil; i++ {
		nn := r.Count("nodes", maxNodesInTree, 0)
		if r.Err() == nil && nn == 0 {
			r.Fail("empty tree")
		}
		t := make(tree, 0, nn)
		for j := 0; j < nn && r.Err() == nil; j++ {
			n := treeNode{feat: int32(r.Int("feature", -1, ens.nfeat-1))}
			if n.feat >= 0 {
				// Children come after their parent: no cycles.
				n.left = int32(r.Count("child", nn-1, 0))
				n.right = int32(r.Count("child", nn-1, 0))
				if r.Err() == nil && (int(n.left) <= j || int(n.right) <= j) {
					r.Fail("child before parent")
				}
				n.thr = r.Finite("threshold")
			}
			n.value = r.Finite("value")
			t = append(t, n)
		}
		ens.trees = append(ens.trees, t)
	}
}
