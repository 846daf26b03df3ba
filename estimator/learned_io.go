package estimator

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
)

// The fixed-width field codec, payload header and baseline codes shared by
// the SetNet and Linear payloads (formats in setnet_io.go and
// linear_io.go).

// Limits of payload fields, so that a corrupt file cannot make Load
// allocate without bound.
const (
	// maxPayloadDim bounds every count read from a payload (2^24 float64s
	// = 128 MiB).
	maxPayloadDim = 1 << 24
	// maxPayloadTables bounds the table count a payload may declare
	// (schemas of more than a thousand tables are not realistic for one
	// estimator).
	maxPayloadTables = 1 << 10
)

// readPayloadHeader starts reading a SetNet or Linear payload: it checks
// the catalog, reads the magic (cur, or the version-1 old) and, from
// version 2 on, the baseline kind byte. Read errors stay in rd.
func readPayloadHeader(r io.Reader, cat *catalog.Catalog, cur, old string) (rd *fieldReader, v1 bool, base byte, err error) {
	if cat == nil || cat.Schema == nil {
		return nil, false, 0, fmt.Errorf("%w: nil catalog", ErrBadPayload)
	}
	rd = &fieldReader{r: r}
	v1 = rd.magicOf(cur, old)
	base = baseCodeHistogram
	if !v1 {
		base = rd.read(1)[0]
	}
	return rd, v1, base, nil
}

// baselineFromCode returns the baseline a payload's kind byte names, bound
// to cat; nil stands for the model's own sample baseline.
func baselineFromCode(base byte, cat *catalog.Catalog) (Estimator, error) {
	switch base {
	case baseCodeHistogram:
		return NewHistogram(cat), nil
	case baseCodeSample:
		return nil, nil
	}
	return nil, fmt.Errorf("%w: baseline kind %d", ErrBadPayload, base)
}

// Baseline kinds recorded in version-2 payloads.
const (
	baseCodeHistogram byte = 0 // NewHistogram (the only baseline of version 1)
	baseCodeSample    byte = 1 // the join-sample baseline (sampleBaseline)
)

// baselineCode returns the payload code of a model's baseline: its own
// sample baseline figs, or a histogram.
func baselineCode(base Estimator, figs *sampleBaseline) (byte, error) {
	if b, ok := base.(*sampleBaseline); ok && b == figs {
		return baseCodeSample, nil
	}
	if _, ok := base.(*Histogram); ok {
		return baseCodeHistogram, nil
	}
	return 0, fmt.Errorf("%w: baseline %q", ErrNotSaveable, base.Name())
}

// fieldWriter writes little-endian fields, remembering the first error.
type fieldWriter struct {
	w   *bufio.Writer
	err error
	b   [8]byte
}

func (w *fieldWriter) u32(v int) {
	binary.LittleEndian.PutUint32(w.b[:4], uint32(v))
	w.write(w.b[:4])
}

func (w *fieldWriter) u64(v uint64) {
	binary.LittleEndian.PutUint64(w.b[:], v)
	w.write(w.b[:])
}

func (w *fieldWriter) f64(v float64) { w.u64(math.Float64bits(v)) }

func (w *fieldWriter) f64s(vs []float64) {
	for _, v := range vs {
		w.f64(v)
	}
}

func (w *fieldWriter) write(p []byte) {
	if w.err == nil {
		_, w.err = w.w.Write(p)
	}
}

func (w *fieldWriter) flush() error {
	if w.err == nil {
		w.err = w.w.Flush()
	}
	return w.err
}

// fieldReader reads little-endian fields, remembering the first error.
type fieldReader struct {
	r   io.Reader
	err error
	b   [8]byte
}

func (r *fieldReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: "+format, append([]any{ErrBadPayload}, args...)...)
	}
}

func (r *fieldReader) read(n int) []byte {
	if r.err != nil {
		return r.b[:n]
	}
	if _, err := io.ReadFull(r.r, r.b[:n]); err != nil {
		r.fail("truncated: %w", err)
	}
	return r.b[:n]
}

func (r *fieldReader) u32() int { return int(binary.LittleEndian.Uint32(r.read(4))) }

// dim reads a count and checks it is at most limit.
func (r *fieldReader) dim(what string, limit int) int {
	v := r.u32()
	if r.err == nil && v > limit {
		r.fail("%s %d exceeds %d", what, v, limit)
		return 0
	}
	return v
}

func (r *fieldReader) u64() uint64 { return binary.LittleEndian.Uint64(r.read(8)) }

// f64 reads a finite float64.
func (r *fieldReader) f64() float64 {
	v := math.Float64frombits(r.u64())
	if r.err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
		r.fail("non-finite number")
		return 0
	}
	return v
}

func (r *fieldReader) f64s(n int) []float64 {
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
func (r *fieldReader) magicOf(cur, old string) bool {
	got := string(r.read(4))
	if r.err == nil && got != cur && got != old {
		r.fail("magic %q, want %q or %q", got, cur, old)
	}
	return r.err == nil && got == old
}
