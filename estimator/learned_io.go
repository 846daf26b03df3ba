package estimator

import (
	"bufio"
	"fmt"
	"io"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/internal/bincodec"
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
// the catalog, reads the magic (magics[v-1] is that of payload version v)
// and, from version 2 on, the baseline kind byte. Read errors stay in rd.
func readPayloadHeader(r io.Reader, cat *catalog.Catalog, magics [payloadVersions]string) (rd *fieldReader, version int, base byte, err error) {
	if cat == nil || cat.Schema == nil {
		return nil, 0, 0, fmt.Errorf("%w: nil catalog", ErrBadPayload)
	}
	rd = &fieldReader{r: r}
	version = rd.magicOf(magics[:])
	base = baseCodeHistogram
	if version >= 2 {
		base = rd.read(1)[0]
	}
	return rd, version, base, nil
}

// payloadVersions is the number of SetNet and Linear payload versions:
// 1 without a baseline byte, 2 with it, 3 with the split-conformal band
// at the end.
const payloadVersions = 3

// writeConformal appends b to a SetNet or Linear payload (version 3).
func writeConformal(bw *fieldWriter, b *conformalBand) {
	f := b.floats()
	bw.u32(len(f))
	bw.f64s(f)
}

// readConformal3 reads the band writeConformal wrote.
func readConformal3(rd *fieldReader) (conformalBand, error) {
	n := rd.dim("band", maxBandValues)
	f := rd.f64s(n)
	if rd.err != nil {
		return conformalBand{}, rd.err
	}
	band, err := readConformal(func() (float64, error) {
		if len(f) == 0 {
			return 0, fmt.Errorf("band of %d values ends early", n)
		}
		x := f[0]
		f = f[1:]
		return x, nil
	}, n)
	if err == nil && len(f) != 0 {
		err = fmt.Errorf("%d values after the band", len(f))
	}
	if err != nil {
		return band, fmt.Errorf("%w: %v", ErrBadPayload, err)
	}
	return band, nil
}

// baselineFromCode returns the baseline a payload's kind byte names, bound
// to cat; nil stands for the model's own sample baseline.
func baselineFromCode(base byte, cat *catalog.Catalog) (Estimator, error) {
	switch base {
	case baseCodeHistogram:
		return NewHistogram(cat), nil
	case baseCodeSample, baseCodeSampleCapped:
		return nil, nil
	}
	return nil, fmt.Errorf("%w: baseline kind %d", ErrBadPayload, base)
}

// Baseline kinds recorded in version-2 payloads.
const (
	baseCodeHistogram byte = 0 // NewHistogram (the only baseline of version 1)
	baseCodeSample    byte = 1 // the join-sample baseline (sampleBaseline)
	// baseCodeSampleCapped is the join-sample baseline with the synopsis
	// cap (joinBaseline.synopsisCap).
	baseCodeSampleCapped byte = 2
)

// baselineCode returns the payload code of a model's baseline: its own
// sample baseline figs, or a histogram.
func baselineCode(base Estimator, figs *sampleBaseline) (byte, error) {
	if b, ok := base.(*sampleBaseline); ok && b == figs {
		if b.synopsisCap {
			return baseCodeSampleCapped, nil
		}
		return baseCodeSample, nil
	}
	if _, ok := base.(*Histogram); ok {
		return baseCodeHistogram, nil
	}
	return 0, fmt.Errorf("%w: baseline %q", ErrNotSaveable, base.Name())
}

// fieldWriter writes the fixed-width little-endian fields of the SetNet
// and Linear payloads with the shared codec (internal/bincodec), buffered
// until flush.
type fieldWriter struct {
	w   *bufio.Writer
	enc bincodec.Encoder
}

func (w *fieldWriter) u32(v int)      { w.enc.U32(uint32(v)) }
func (w *fieldWriter) u64(v uint64)   { w.enc.U64(v) }
func (w *fieldWriter) f64(v float64)  { w.enc.F64(v) }
func (w *fieldWriter) write(p []byte) { w.enc.B = append(w.enc.B, p...) }

func (w *fieldWriter) f64s(vs []float64) {
	for _, v := range vs {
		w.f64(v)
	}
}

func (w *fieldWriter) flush() error {
	if _, err := w.w.Write(w.enc.B); err != nil {
		return err
	}
	return w.w.Flush()
}

// fieldReader reads what fieldWriter wrote with the shared codec; the
// first error sticks in err and wraps ErrBadPayload (and the codec's
// ErrCorrupt).
type fieldReader struct {
	r   io.Reader
	d   *bincodec.Decoder // over all of r, read at the first field
	err error
}

func (r *fieldReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: "+format, append([]any{ErrBadPayload}, args...)...)
	}
}

// decoder returns the decoder over r's bytes, reading them the first time.
func (r *fieldReader) decoder() *bincodec.Decoder {
	if r.d == nil {
		b, err := io.ReadAll(r.r)
		if err != nil {
			r.fail("reading: %w", err)
		}
		r.d = bincodec.NewDecoder(b, "payload")
	}
	return r.d
}

// check moves the decoder's first error into r.err.
func (r *fieldReader) check() {
	if err := r.d.Err(); err != nil && r.err == nil {
		r.err = fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
}

// read returns the next n bytes (zeros after an error).
func (r *fieldReader) read(n int) []byte {
	if r.err == nil {
		b := r.decoder().Bytes("field", n)
		r.check()
		if r.err == nil {
			return b
		}
	}
	return make([]byte, n)
}

func (r *fieldReader) u32() int {
	if r.err != nil {
		return 0
	}
	v := r.decoder().U32("count")
	r.check()
	return int(v)
}

// dim reads a count and checks it is at most limit.
func (r *fieldReader) dim(what string, limit int) int {
	v := r.u32()
	if r.err == nil && v > limit {
		r.fail("%s %d exceeds %d", what, v, limit)
		return 0
	}
	return v
}

func (r *fieldReader) u64() uint64 {
	if r.err != nil {
		return 0
	}
	v := r.decoder().U64("field")
	r.check()
	return v
}

// f64 reads a finite float64.
func (r *fieldReader) f64() float64 {
	if r.err != nil {
		return 0
	}
	v := r.decoder().Finite("number")
	r.check()
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

// magicOf reads a magic among magics and returns its version (1 +
// its index), 0 on error.
func (r *fieldReader) magicOf(magics []string) int {
	got := string(r.read(4))
	if r.err != nil {
		return 0
	}
	for i, m := range magics {
		if got == m {
			return i + 1
		}
	}
	r.fail("magic %q, want one of %q", got, magics)
	return 0
}
