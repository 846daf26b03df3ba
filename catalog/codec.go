package catalog

import "github.com/cardinaldb/cardinal/internal/bincodec"

// encoder writes the binary catalog format with the shared codec
// (internal/bincodec), adding the catalog's own composite values:
// string lists and kind-tagged datums.
type encoder struct{ bincodec.Encoder }

func (e *encoder) strs(ss []string) {
	e.Uvarint(uint64(len(ss)))
	for _, s := range ss {
		e.Str(s)
	}
}

func (e *encoder) datum(d Datum) {
	e.U8(uint8(d.Kind))
	switch d.Kind {
	case KindInt:
		e.Varint(d.I)
	case KindFloat:
		e.F64(d.F)
	case KindString:
		e.Str(d.S)
	}
}

// decoder reads what encoder wrote from an in-memory section. The first
// error sticks (wrapping ErrCorrupt); later reads return zero values.
// Every count is checked against a limit and against the bytes left (each
// item takes at least one byte), so allocations stay proportional to the
// input size.
type decoder struct{ *bincodec.Decoder }

func newDecoder(b []byte, where string) *decoder { return &decoder{bincodec.NewDecoder(b, where)} }

func (d *decoder) strs(what string, limit int) []string {
	n := d.Count(what, limit, 1)
	if d.Err() != nil || n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = d.Str("name", maxNameLen)
	}
	return ss
}

func (d *decoder) datum() Datum {
	switch k := Kind(d.U8("datum kind")); k {
	case KindNull:
		return Null
	case KindInt:
		return Int(d.Varint("integer"))
	case KindFloat:
		return Float(d.F64("float"))
	case KindString:
		return String(d.Str("string", maxStringLen))
	default:
		d.Fail("datum kind %d", k)
		return Null
	}
}

// datums reads a count and that many datums; nil when the count is 0.
func (d *decoder) datums(what string, limit int) []Datum {
	n := d.Count(what, limit, 1)
	if d.Err() != nil || n == 0 {
		return nil
	}
	ds := make([]Datum, n)
	for i := range ds {
		ds[i] = d.datum()
	}
	return ds
}
