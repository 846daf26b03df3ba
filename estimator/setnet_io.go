package estimator

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cardinaldb/cardinal/catalog"
)

// Payload formats of the learned models inside a model file (the envelope
// is written by Save): little-endian, fixed-width fields, parameters as
// IEEE-754 float64, so that a model's bytes depend only on its weights.
//
//	setnet: "CSN3" | u8 baseline | u32 nTables nCols | options |
//	        vocabulary (join edges, seen-column and seen-table flags, size
//	        limits) | band | shape | u32 nParams | f64 × nParams
//	linear: "CLN3" | u8 baseline | u32 nTables nFeatures sampleRows | f64
//	        lambda yMean resLo resHi | f64 × nFeatures (mu, sd, coef) |
//	        conformal band
//
// conformal band is u32 n | f64 × n (conformalBand.floats; also at the end
// of setnet's). Version 2 ("CSN2", "CLN2") had no conformal band (the
// pooled resLo/resHi band applies); it still loads.
// baseline is 0 for the histogram, 1 for the join-sample baseline.
// Version 1 ("CSN1", "CLN1") had no baseline byte (always the histogram)
// and fewer global features (setnet 5, linear 10); it still loads.

func init() {
	registerKind(kindSpec{name: KindSetNet, rank: 3, learned: true,
		train: func(ctx context.Context, cat *catalog.Catalog, ex []Example, o TrainOptions) (Model, error) {
			return nilOnError(TrainSetNet(ctx, cat, ex, o.SetNet))
		},
		load: func(b []byte, cat *catalog.Catalog, _ int) (Model, error) {
			return nilOnError(loadSetNetPayload(bytes.NewReader(b), cat))
		},
	})
}

func (m *SetNet) kind() string                   { return KindSetNet }
func (m *SetNet) modelCatalog() *catalog.Catalog { return m.cat }

// Errors of model payloads. Match with errors.Is.
var (
	// ErrBadPayload: a model payload is truncated, corrupt, or does not
	// fit the catalog it is loaded against.
	ErrBadPayload = errors.New("estimator: bad model payload")
	// ErrNotSaveable: the model corrects a baseline other than the
	// histogram and cannot be restored from a model file.
	ErrNotSaveable = errors.New("estimator: model with a custom baseline cannot be saved")
)

// Payload magics and limits.
const (
	snMagic    = "CSN3"
	snMagicV2  = "CSN2" // no conformal band
	snMagicV1  = "CSN1" // histogram baseline, 5 global features
	linMagic   = "CLN3"
	linMagicV2 = "CLN2" // no conformal band
	linMagicV1 = "CLN1" // histogram baseline, 10 global features
)

// savePayload writes the SetNet's payload (see the format above).
func (m *SetNet) savePayload(w io.Writer) error {
	bk, err := baselineCode(m.base, m.enc.figs)
	if err != nil {
		return err
	}
	bw := &fieldWriter{w: bufio.NewWriter(w)}
	v := m.enc.vocab
	o := m.opts
	if m.net.shape.GlobIn == snGlobInV1 {
		// A loaded version-1 model is saved as it was read.
		if bk != baseCodeHistogram {
			return fmt.Errorf("%w: version-1 setnet model with baseline %q", ErrNotSaveable, m.base.Name())
		}
		bw.write([]byte(snMagicV1))
	} else {
		bw.write([]byte(snMagic))
		bw.write([]byte{bk})
	}
	bw.u32(len(v.colOff))
	bw.u32(v.nCols)
	bw.u64(o.Seed)
	for _, x := range []int{o.Hidden, o.FinalHidden, o.Epochs, o.Patience, o.BatchSize, o.SampleRows, o.Bits} {
		bw.u32(x)
	}
	bw.f64(o.LearningRate)
	bw.f64(o.ValFraction)
	bw.u32(len(v.edges))
	for _, e := range v.edges {
		bw.u32(e.T1)
		bw.u32(e.C1)
		bw.u32(e.T2)
		bw.u32(e.C2)
	}
	for _, flags := range [][]bool{v.seenCol, v.seenTable} {
		for _, s := range flags {
			if s {
				bw.write([]byte{1})
			} else {
				bw.write([]byte{0})
			}
		}
	}
	bw.u32(v.maxTables)
	bw.u32(v.maxJoins)
	bw.f64(v.logScale)
	bw.f64(m.resLo)
	bw.f64(m.resHi)
	bw.u32(m.epochs)
	bw.u32(len(m.net.params))
	bw.f64s(m.net.params)
	if m.net.shape.GlobIn != snGlobInV1 {
		writeConformal(bw, &m.band)
	}
	return bw.flush()
}

// loadSetNetPayload reads a SetNet payload written by savePayload and
// binds it to cat, which must have the schema it was trained on (same
// tables and columns); the baseline is NewHistogram(cat).
func loadSetNetPayload(r io.Reader, cat *catalog.Catalog) (*SetNet, error) {
	rd, version, base, err := readPayloadHeader(r, cat, [payloadVersions]string{snMagicV1, snMagicV2, snMagic})
	if err != nil {
		return nil, err
	}
	v1 := version == 1
	globIn := snGlobIn
	if v1 {
		globIn = snGlobInV1
	}
	nT := rd.dim("tables", maxPayloadTables)
	nC := rd.dim("columns", maxPayloadDim)
	if rd.err != nil {
		return nil, rd.err
	}
	vocab := newSNVocab(cat.Schema)
	if nT != len(vocab.colOff) || nC != vocab.nCols || len(cat.Stats) < nT {
		return nil, fmt.Errorf("%w: payload for %d tables/%d columns, catalog has %d/%d",
			ErrBadPayload, nT, nC, len(vocab.colOff), vocab.nCols)
	}
	var o SetNetOptions
	o.Seed = rd.u64()
	for _, p := range []*int{&o.Hidden, &o.FinalHidden, &o.Epochs, &o.Patience, &o.BatchSize, &o.SampleRows, &o.Bits} {
		*p = rd.dim("option", maxPayloadDim)
	}
	o.LearningRate = rd.f64()
	o.ValFraction = rd.f64()
	if rd.err == nil && (o.Hidden == 0 || o.FinalHidden == 0 || o.Hidden > 1<<12 || o.FinalHidden > 1<<12 || o.Bits > 1<<16) {
		rd.fail("layer widths %d/%d, %d bits", o.Hidden, o.FinalHidden, o.Bits)
	}
	nE := rd.dim("join edges", 1<<16)
	for range nE {
		e := joinEdge{rd.u32(), rd.u32(), rd.u32(), rd.u32()}
		if rd.err != nil {
			return nil, rd.err
		}
		if e.T1 >= nT || e.T2 >= nT || e.C1 >= len(cat.Schema.Tables[e.T1].Columns) || e.C2 >= len(cat.Schema.Tables[e.T2].Columns) {
			return nil, fmt.Errorf("%w: join edge %v outside the schema", ErrBadPayload, e)
		}
		if _, dup := vocab.edgeIdx[e]; dup {
			return nil, fmt.Errorf("%w: duplicate join edge %v", ErrBadPayload, e)
		}
		vocab.addEdge(e)
	}
	vocab.finishEdges()
	for _, flags := range [][]bool{vocab.seenCol, vocab.seenTable} {
		for i := range flags {
			b := rd.read(1)[0]
			if rd.err == nil && b > 1 {
				rd.fail("seen flag %d", b)
			}
			flags[i] = b == 1
		}
	}
	vocab.maxTables = rd.dim("max tables", maxPayloadTables)
	vocab.maxJoins = rd.dim("max joins", maxPayloadDim)
	vocab.logScale = rd.f64()
	resLo, resHi := rd.f64(), rd.f64()
	epochs := rd.dim("epochs", maxPayloadDim)
	if rd.err != nil {
		return nil, rd.err
	}
	if vocab.logScale < 1 || resLo > 0 || resHi < 0 {
		return nil, fmt.Errorf("%w: log scale %v, band [%v, %v]", ErrBadPayload, vocab.logScale, resLo, resHi)
	}
	be, err := baselineFromCode(base, cat)
	if err != nil {
		return nil, err
	}
	m := newSetNet(cat, be, vocab, o, globIn)
	m.enc.figs.synopsisCap = base == baseCodeSampleCapped
	nP := rd.dim("parameters", maxPayloadDim)
	if rd.err == nil && nP != len(m.net.params) {
		return nil, fmt.Errorf("%w: %d parameters, the architecture has %d", ErrBadPayload, nP, len(m.net.params))
	}
	params := rd.f64s(nP)
	if rd.err != nil {
		return nil, rd.err
	}
	copy(m.net.params, params)
	m.resLo, m.resHi, m.epochs = resLo, resHi, epochs
	if version >= 3 {
		if m.band, err = readConformal3(rd); err != nil {
			return nil, err
		}
	}
	return m, nil
}
