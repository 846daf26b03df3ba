package estimator

import (
	"context"
	"io"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

func init() {
	registerKind(kindSpec{name: KindGBDT, rank: 4, learned: true,
		train: func(ctx context.Context, cat *catalog.Catalog, ex []Example, o TrainOptions) (Model, error) {
			return nilOnError(TrainGBDT(ctx, cat, ex, o.GBDT))
		},
		load: func(b []byte, cat *catalog.Catalog) (Model, error) { return nilOnError(loadGBDTPayload(b, cat)) },
	})
}

func (g *GBDT) kind() string                   { return KindGBDT }
func (g *GBDT) modelCatalog() *catalog.Catalog { return g.cat }

// GBDT payload (uvarints, little-endian float64s): the encoder's slots,
// seen columns and join edges, its size limits, the ensemble (base value,
// trees of nodes: feature, children and threshold of splits, value), the
// band per join count, and the baseline's blend constant.

// Payload limits.
const (
	maxTreesInFile = 1 << 16
	maxNodesInTree = 1 << 16
	maxFeatures    = 1 << 20
	maxJoinsInFile = features.MaxTables - 1
)

// savePayload writes the GBDT's payload.
func (g *GBDT) savePayload(out io.Writer) error {
	var w payloadWriter
	e := g.enc
	w.uvarint(len(e.slots))
	for _, n := range e.slots {
		w.uvarint(n)
	}
	for _, cols := range e.seenCols {
		w.uvarint(len(cols))
		for _, s := range cols {
			w.bool(s)
		}
	}
	w.uvarint(len(e.edges))
	for _, k := range e.edges {
		w.uvarint(k.sa)
		w.uvarint(k.ca)
		w.uvarint(k.sb)
		w.uvarint(k.cb)
	}
	w.uvarint(e.maxJoins)
	w.uvarint(e.maxTables)
	w.uvarint(g.ens.nfeat)
	w.f64(g.ens.base)
	w.uvarint(len(g.ens.trees))
	for _, t := range g.ens.trees {
		w.uvarint(len(t))
		for _, n := range t {
			w.varint(int(n.feat))
			if n.feat >= 0 {
				w.uvarint(int(n.left))
				w.uvarint(int(n.right))
				w.f64(n.thr)
			}
			w.f64(n.value)
		}
	}
	w.uvarint(len(g.lowQ))
	for i := range g.lowQ {
		w.f64(g.lowQ[i])
		w.f64(g.highQ[i])
	}
	w.f64(g.base.blendK)
	_, err := out.Write(w.b)
	return err
}

// loadGBDTPayload reads a GBDT payload against cat.
func loadGBDTPayload(b []byte, cat *catalog.Catalog) (*GBDT, error) {
	g := newGBDTShell(cat)
	e := g.enc
	r := &payloadReader{b: b}
	nt := len(cat.Schema.Tables)
	if r.uvarint("tables", nt) != nt {
		r.fail("payload is for another number of tables")
	}
	for t := 0; t < nt && r.err == nil; t++ {
		e.slots[t] = r.uvarint("slots", maxSlotsPerTable)
	}
	for t := 0; t < nt && r.err == nil; t++ {
		if r.uvarint("columns", len(e.seenCols[t])) != len(e.seenCols[t]) {
			r.fail("payload is for another number of columns of table %d", t)
		}
		for c := range e.seenCols[t] {
			e.seenCols[t][c] = r.bool("seen column")
		}
	}
	ne := r.uvarint("edges", maxFeatures)
	for i := 0; i < ne && r.err == nil; i++ {
		k := edgeKey{r.uvarint("slot", nt*maxSlotsPerTable-1), r.uvarint("column", math.MaxInt32),
			r.uvarint("slot", nt*maxSlotsPerTable-1), r.uvarint("column", math.MaxInt32)}
		if r.err == nil && (k.ca >= len(cat.Schema.Tables[k.sa/maxSlotsPerTable].Columns) ||
			k.cb >= len(cat.Schema.Tables[k.sb/maxSlotsPerTable].Columns)) {
			r.fail("edge column out of range")
		}
		e.edges = append(e.edges, k)
	}
	e.maxJoins = r.uvarint("max joins", maxJoinsInFile)
	e.maxTables = r.uvarint("max tables", maxJoinsInFile+1)
	if r.err != nil {
		return nil, r.err
	}
	e.finalize(nil)
	ens := &ensemble{nfeat: r.uvarint("features", maxFeatures)}
	if r.err == nil && ens.nfeat != e.nfeat {
		r.fail("%d features, the encoding has %d", ens.nfeat, e.nfeat)
	}
	ens.base = r.f64("base")
	ntrees := r.uvarint("trees", maxTreesInFile)
	for i := 0; i < ntrees && r.err == nil; i++ {
		nn := r.uvarint("nodes", maxNodesInTree)
		if r.err == nil && nn == 0 {
			r.fail("empty tree")
		}
		t := make(tree, 0, nn)
		for j := 0; j < nn && r.err == nil; j++ {
			n := treeNode{feat: int32(r.varint("feature", -1, ens.nfeat-1))}
			if n.feat >= 0 {
				// Children come after their parent: no cycles.
				n.left = int32(r.uvarint("child", nn-1))
				n.right = int32(r.uvarint("child", nn-1))
				if r.err == nil && (int(n.left) <= j || int(n.right) <= j) {
					r.fail("child before parent")
				}
				n.thr = r.f64("threshold")
			}
			n.value = r.f64("value")
			t = append(t, n)
		}
		ens.trees = append(ens.trees, t)
	}
	nb := r.uvarint("band", maxJoinsInFile+1)
	for i := 0; i < nb && r.err == nil; i++ {
		lo, hi := r.f64("band low"), r.f64("band high")
		g.lowQ = append(g.lowQ, lo)
		g.highQ = append(g.highQ, hi)
	}
	g.base.blendK = r.f64("blend k")
	if r.err == nil && !(g.base.blendK >= 0 && g.base.blendK <= maxBlendK) {
		r.fail("blend k %v out of [0, %v]", g.base.blendK, maxBlendK)
	}
	if r.err == nil && r.off != len(b) {
		r.fail("%d trailing bytes", len(b)-r.off)
	}
	if r.err != nil {
		return nil, r.err
	}
	ens.compile()
	g.ens = ens
	return g, nil
}
