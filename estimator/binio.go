package estimator

import (
	"encoding/binary"
	"fmt"
	"math"
)

// payloadWriter appends little-endian fields to a byte slice.
type payloadWriter struct{ b []byte }

func (w *payloadWriter) uvarint(v int) { w.b = binary.AppendUvarint(w.b, uint64(v)) }
func (w *payloadWriter) varint(v int)  { w.b = binary.AppendVarint(w.b, int64(v)) }
func (w *payloadWriter) f64(v float64) {
	w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(v))
}
func (w *payloadWriter) str(s string) { w.uvarint(len(s)); w.b = append(w.b, s...) }

// section appends b with its uint64 length in front.
func (w *payloadWriter) section(b []byte) {
	w.b = binary.LittleEndian.AppendUint64(w.b, uint64(len(b)))
	w.b = append(w.b, b...)
}

// Write appends p (so that payloads written to an io.Writer land in b).
func (w *payloadWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}
func (w *payloadWriter) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

// payloadReader reads what payloadWriter wrote; the first error sticks and
// wraps ErrCorrupt.
type payloadReader struct {
	b   []byte
	off int
	err error
}

func (r *payloadReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: at payload byte %d: %s", ErrCorrupt, r.off, fmt.Sprintf(format, args...))
	}
}

// uvarint reads an unsigned count no larger than limit.
func (r *payloadReader) uvarint(what string, limit int) int {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.fail("truncated %s", what)
		return 0
	}
	r.off += n
	if v > uint64(limit) {
		r.fail("%s %d exceeds %d", what, v, limit)
		return 0
	}
	return int(v)
}

func (r *payloadReader) varint(what string, lo, hi int) int {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.off:])
	if n <= 0 {
		r.fail("truncated %s", what)
		return 0
	}
	r.off += n
	if v < int64(lo) || v > int64(hi) {
		r.fail("%s %d not in [%d, %d]", what, v, lo, hi)
		return 0
	}
	return int(v)
}

func (r *payloadReader) f64(what string) float64 {
	if r.err != nil {
		return 0
	}
	if len(r.b)-r.off < 8 {
		r.fail("truncated %s", what)
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b[r.off:]))
	r.off += 8
	if math.IsNaN(v) || math.IsInf(v, 0) {
		r.fail("%s is not finite", what)
		return 0
	}
	return v
}

func (r *payloadReader) bool(what string) bool {
	if r.err != nil {
		return false
	}
	if r.off >= len(r.b) || r.b[r.off] > 1 {
		r.fail("bad %s", what)
		return false
	}
	r.off++
	return r.b[r.off-1] == 1
}

func (r *payloadReader) str(what string, limit int) string {
	n := r.uvarint(what, limit)
	if r.err != nil {
		return ""
	}
	if len(r.b)-r.off < n {
		r.fail("truncated %s", what)
		return ""
	}
	s := string(r.b[r.off : r.off+n])
	r.off += n
	return s
}

// section reads what payloadWriter.section wrote: a uint64 length and as
// many bytes (a sub-slice of r.b).
func (r *payloadReader) section(what string) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.b)-r.off < 8 {
		r.fail("truncated %s length", what)
		return nil
	}
	n := binary.LittleEndian.Uint64(r.b[r.off:])
	r.off += 8
	if n > uint64(len(r.b)-r.off) {
		r.fail("%s length %d exceeds the file", what, n)
		return nil
	}
	s := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return s
}
