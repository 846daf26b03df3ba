package bincodec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

// Errors of every Cardinal file format, re-exported by catalog and
// estimator. Match with errors.Is.
var (
	// ErrBadMagic: the data does not start with the format's magic bytes.
	ErrBadMagic = errors.New("not a Cardinal file (bad magic)")
	// ErrVersion: a format version this build does not read.
	ErrVersion = errors.New("unsupported file format version")
	// ErrCorrupt: truncation, a checksum mismatch, a count over a limit
	// or inconsistent contents.
	ErrCorrupt = errors.New("corrupt file")
)

// castagnoli is the one CRC-32C table.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Checksum returns the CRC-32C of b.
func Checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// UpdateChecksum returns the CRC-32C of the data checksummed by crc
// followed by b.
func UpdateChecksum(crc uint32, b []byte) uint32 { return crc32.Update(crc, castagnoli, b) }

// Encoder appends fields to B.
type Encoder struct{ B []byte }

// U8 appends one byte.
func (e *Encoder) U8(v uint8) { e.B = append(e.B, v) }

// Bool appends 1 or 0.
func (e *Encoder) Bool(v bool) {
	if v {
		e.U8(1)
	} else {
		e.U8(0)
	}
}

// U16 appends v little-endian.
func (e *Encoder) U16(v uint16) { e.B = binary.LittleEndian.AppendUint16(e.B, v) }

// U32 appends v little-endian.
func (e *Encoder) U32(v uint32) { e.B = binary.LittleEndian.AppendUint32(e.B, v) }

// U64 appends v little-endian.
func (e *Encoder) U64(v uint64) { e.B = binary.LittleEndian.AppendUint64(e.B, v) }

// Uvarint appends v as an unsigned varint.
func (e *Encoder) Uvarint(v uint64) { e.B = binary.AppendUvarint(e.B, v) }

// Varint appends v as a zig-zag varint.
func (e *Encoder) Varint(v int64) { e.B = binary.AppendVarint(e.B, v) }

// F64 appends the IEEE-754 bits of v little-endian.
func (e *Encoder) F64(v float64) { e.U64(math.Float64bits(v)) }

// Str appends len(s) as a uvarint and the bytes of s.
func (e *Encoder) Str(s string) { e.Uvarint(uint64(len(s))); e.B = append(e.B, s...) }

// Section appends len(b) as a little-endian uint64 and b.
func (e *Encoder) Section(b []byte) { e.U64(uint64(len(b))); e.B = append(e.B, b...) }

// Write appends p, so that what an io.Writer receives lands in B.
func (e *Encoder) Write(p []byte) (int, error) {
	e.B = append(e.B, p...)
	return len(p), nil
}

// Decoder reads fields from an in-memory byte slice. The first error
// sticks and wraps ErrCorrupt; later reads return zero values.
type Decoder struct {
	b     []byte
	off   int
	where string
	err   error
}

// NewDecoder reads b; where names it in errors ("stats section",
// "payload").
func NewDecoder(b []byte, where string) *Decoder { return &Decoder{b: b, where: where} }

// Err returns the first error.
func (d *Decoder) Err() error { return d.err }

// Left returns the number of unread bytes.
func (d *Decoder) Left() int { return len(d.b) - d.off }

// Offset returns the number of bytes read.
func (d *Decoder) Offset() int { return d.off }

// Fail records an error wrapping ErrCorrupt at the current offset, unless
// one is already recorded.
func (d *Decoder) Fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s at byte %d: %s", ErrCorrupt, d.where, d.off, fmt.Sprintf(format, args...))
	}
}

// Bytes returns the next n bytes (a sub-slice), or nil after an error.
func (d *Decoder) Bytes(what string, n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > d.Left() {
		d.Fail("truncated %s", what)
		return nil
	}
	b := d.b[d.off : d.off+n]
	d.off += n
	return b
}

// U8 reads one byte.
func (d *Decoder) U8(what string) uint8 {
	if b := d.Bytes(what, 1); b != nil {
		return b[0]
	}
	return 0
}

// Bool reads a byte that must be 0 or 1.
func (d *Decoder) Bool(what string) bool {
	switch v := d.U8(what); {
	case d.err != nil:
		return false
	case v > 1:
		d.off--
		d.Fail("bad %s", what)
		return false
	default:
		return v == 1
	}
}

// U16 reads a little-endian uint16.
func (d *Decoder) U16(what string) uint16 {
	if b := d.Bytes(what, 2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

// U32 reads a little-endian uint32.
func (d *Decoder) U32(what string) uint32 {
	if b := d.Bytes(what, 4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

// U64 reads a little-endian uint64.
func (d *Decoder) U64(what string) uint64 {
	if b := d.Bytes(what, 8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// Uvarint reads an unsigned varint.
func (d *Decoder) Uvarint(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.Fail("truncated or bad %s", what)
		return 0
	}
	d.off += n
	return v
}

// Varint reads a zig-zag varint.
func (d *Decoder) Varint(what string) int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.Fail("truncated or bad %s", what)
		return 0
	}
	d.off += n
	return v
}

// F64 reads a float64, any bits (NaN and infinities included).
func (d *Decoder) F64(what string) float64 { return math.Float64frombits(d.U64(what)) }

// Finite reads a float64 that must be finite.
func (d *Decoder) Finite(what string) float64 {
	v := d.F64(what)
	if d.err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
		d.off -= 8
		d.Fail("%s is not finite", what)
		return 0
	}
	return v
}

// Count reads a uvarint count of at most limit items, each taking at least
// minBytes bytes of what is left (0: no such check).
func (d *Decoder) Count(what string, limit, minBytes int) int {
	v := d.Uvarint(what)
	if d.err != nil {
		return 0
	}
	if !d.within(v, limit, minBytes) {
		d.Fail("%s %d exceeds the limit %d or the %d bytes left", what, v, limit, d.Left())
		return 0
	}
	return int(v)
}

// within reports whether a count v is at most limit and its items, of at
// least minBytes bytes each, fit in what is left.
func (d *Decoder) within(v uint64, limit, minBytes int) bool {
	return v <= uint64(limit) && v*uint64(minBytes) <= uint64(d.Left())
}

// Int reads a varint that must lie in [lo, hi].
func (d *Decoder) Int(what string, lo, hi int) int {
	v := d.Varint(what)
	if d.err == nil && (v < int64(lo) || v > int64(hi)) {
		d.Fail("%s %d not in [%d, %d]", what, v, lo, hi)
		return 0
	}
	return int(v)
}

// Str reads what Encoder.Str wrote, at most limit bytes long. (It names
// the length in an error only: building "what length" for every string
// took 9% of loading a catalog.)
func (d *Decoder) Str(what string, limit int) string {
	v := d.Uvarint(what)
	if d.err != nil {
		return ""
	}
	if !d.within(v, limit, 1) {
		d.Fail("%s length %d exceeds the limit %d or the %d bytes left", what, v, limit, d.Left())
		return ""
	}
	return string(d.Bytes(what, int(v)))
}

// Section reads what Encoder.Section wrote (a sub-slice of the input).
func (d *Decoder) Section(what string) []byte {
	n := d.U64(what + " length")
	if d.err != nil {
		return nil
	}
	if n > uint64(d.Left()) {
		d.Fail("%s length %d exceeds the %d bytes left", what, n, d.Left())
		return nil
	}
	return d.Bytes(what, int(n))
}
