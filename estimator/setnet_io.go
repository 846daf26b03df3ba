package estimator

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
)

// Payload formats of the learned models inside a model file (the envelope
// is written by Save): little-endian, fixed-width fields, parameters as
// IEEE-754 float64, so that a model's bytes depend only on its weights.
//
//	setnet: "CSN2" | u8 baseline | u32 nTables nCols | options |
//	        vocabulary (join edges, seen-column and seen-table flags, size
//	        limits) | band | shape | u32 nParams | f64 × nParams
//	linear: "CLN2" | u8 baseline | u32 nTables nFeatures sampleRows | f64
//	        lambda yMean resLo resHi | f64 × nFeatures (mu, sd, coef)
//
// baseline is 0 for the histogram, 1 for the join-sample baseline.
// Version 1 ("CSN1", "CLN1") had no baseline byte (always the histogram)
// and fewer global features (setnet 5, linear 10); it still loads.

func init() {
	registerKind(kindSpec{name: KindSetNet, rank: 3, learned: true,
		train: func(ctx context.Context, cat *catalog.Catalog, ex []Example, o TrainOptions) (Model, error) {
			return nilOnError(TrainSetNet(ctx, cat, ex, o.SetNet))
		},
		load: func(b []byte, cat *catalog.Catalog) (Model, error) {
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
	snMagic    = "CSN2"
	snMagicV1  = "CSN1" // histogram baseline, 5 global features
	linMagic   = "CLN2"
	linMagicV1 = "CLN1" // histogram baseline, 10 global features
)

// snWriter writes little-endian fields, remembering the first error.
type snWriter struct {
	w   *bufio.Writer
	err error
	b   [8]byte
}

func (w *snWriter) u32(v int) {
	binary.LittleEndian.PutUint32(w.b[:4], uint32(v))
	w.write(w.b[:4])
}

func (w *snWriter) u64(v uint64) {
	binary.LittleEndian.PutUint64(w.b[:], v)
	w.write(w.b[:])
}

func (w *snWriter) f64(v float64) { w.u64(math.Float64bits(v)) }

func (w *snWriter) f64s(vs []float64) {
	for _, v := range vs {
		w.f64(v)
	}
}

func (w *snWriter) write(p []byte) {
	if w.err == nil {
		_, w.err = w.w.Write(p)
	}
}

func (w *snWriter) flush() error {
	if w.err == nil {
		w.err = w.w.Flush()
	}
	return w.err
}

// snReader reads little-endian fields, remembering the first error.
type snReader struct {
	r   io.Reader
	err error
	b   [8]byte
}

func (r *snReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: "+format, append([]any{ErrBadPayload}, args...)...)
	}
}

func (r *snReader) read(n int) []byte {
	if r.err != nil {
		return r.b[:n]
	}
	if _, err := io.ReadFull(r.r, r.b[:n]); err != nil {
		r.fail("truncated: %w", err)
	}
	return r.b[:n]
}

func (r *snReader) u32() int { return int(binary.LittleEndian.Uint32(r.read(4))) }

// dim reads a count and checks it is at most limit.
func (r *snReader) dim(what string, limit int) int {
	v := r.u32()
	if r.err == nil && v > limit {
		r.fail("%s %d exceeds %d", what, v, limit)
		return 0
	}
	return v
}

func (r *snReader) u64() uint64 { return binary.LittleEndian.Uint64(r.read(8)) }

// f64 reads a finite float64.
func (r *snReader) f64() float64 {
	v := math.Float64frombits(r.u64())
	if r.err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
		r.fail("non-finite number")
		return 0
	}
	return v
}

func (r *snReader) f64s(n int) []float64 {
	if r.err != nil {
		return nil
	}
	out := make([]float64, 0, min(n, 1<<16))
	for range n {
		out = append(out, r.f64())
		if r.err != nil {
			return nil
		}
	}
	return out
}

// magicOf reads the magic of the current version cur or of the previous
// version old, and reports whether it was old.
func (r *snReader) magicOf(cur, old string) bool {
	got := string(r.read(4))
	if r.err == nil && got != cur && got != old {
		r.fail("magic %q, want %q or %q", got, cur, old)
	}
	return r.err == nil && got == old
}

// savePayload writes the SetNet's payload (see the format above).
func (m *SetNet) savePayload(w io.Writer) error {
	bk, err := baselineCode(m.base, m.enc.figs)
	if err != nil {
		return err
	}
	bw := &snWriter{w: bufio.NewWriter(w)}
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
	return bw.flush()
}

// loadSetNetPayload reads a SetNet payload written by savePayload and
// binds it to cat, which must have the schema it was trained on (same
// tables and columns); the baseline is NewHistogram(cat).
func loadSetNetPayload(r io.Reader, cat *catalog.Catalog) (*SetNet, error) {
	rd, v1, base, err := readPayloadHeader(r, cat, snMagic, snMagicV1)
	if err != nil {
		return nil, err
	}
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
	return m, nil
}
