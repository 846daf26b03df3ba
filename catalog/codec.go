package catalog

import (
	"encoding/binary"
	"fmt"
	"math"
)

// encoder appends the primitive values of the binary catalog format:
// unsigned and zig-zag varints (encoding/binary), little-endian IEEE-754
// float64 bits, length-prefixed strings and kind-tagged datums.
type encoder struct{ b []byte }

func (e *encoder) u8(v uint8)       { e.b = append(e.b, v) }
func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) f64(v float64)    { e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(v)) }
func (e *encoder) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }

func (e *encoder) strs(ss []string) {
	e.uvarint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

func (e *encoder) datum(d Datum) {
	e.u8(uint8(d.Kind))
	switch d.Kind {
	case KindInt:
		e.varint(d.I)
	case KindFloat:
		e.f64(d.F)
	case KindString:
		e.str(d.S)
	}
}

// decoder reads what encoder wrote from an in-memory section. The first
// error sticks; later reads return zero values. Every count is checked
// against a limit and against the bytes left (each item takes at least one
// byte), so allocations stay proportional to the input size.
type decoder struct {
	b       []byte
	section string
	err     error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s section: %s", ErrCorrupt, d.section, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) u8() uint8 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 1 {
		d.fail("truncated")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) f64() float64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.fail("truncated float")
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

// count reads a length of at most limit items, each at least minBytes long.
func (d *decoder) count(what string, limit, minBytes int) int {
	v := d.uvarint()
	if d.err != nil {
		return 0
	}
	if v > uint64(limit) || v*uint64(minBytes) > uint64(len(d.b)) {
		d.fail("%s count %d exceeds limit %d or the %d bytes left", what, v, limit, len(d.b))
		return 0
	}
	return int(v)
}

func (d *decoder) str(limit int) string {
	n := d.count("string byte", limit, 1)
	if d.err != nil {
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) strs(what string, limit int) []string {
	n := d.count(what, limit, 1)
	if d.err != nil || n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = d.str(maxNameLen)
	}
	return ss
}

func (d *decoder) datum() Datum {
	switch k := Kind(d.u8()); k {
	case KindNull:
		return Null
	case KindInt:
		return Int(d.varint())
	case KindFloat:
		return Float(d.f64())
	case KindString:
		return String(d.str(maxStringLen))
	default:
		d.fail("datum kind %d", k)
		return Null
	}
}

// datums reads a count and that many datums; nil when the count is 0.
func (d *decoder) datums(what string, limit int) []Datum {
	n := d.count(what, limit, 1)
	if d.err != nil || n == 0 {
		return nil
	}
	ds := make([]Datum, n)
	for i := range ds {
		ds[i] = d.datum()
	}
	return ds
}
