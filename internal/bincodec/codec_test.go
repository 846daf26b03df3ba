package bincodec

import (
	"bytes"
	"errors"
	"hash/crc32"
	"math"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	var e Encoder
	e.U8(7)
	e.Bool(true)
	e.U16(0xBEEF)
	e.U32(0xDEADBEEF)
	e.U64(1 << 60)
	e.Uvarint(300)
	e.Varint(-5)
	e.F64(math.Pi)
	e.F64(math.NaN())
	e.Str("héllo")
	e.Section([]byte{1, 2, 3})
	d := NewDecoder(e.B, "test")
	if d.U8("a") != 7 || !d.Bool("b") || d.U16("c") != 0xBEEF || d.U32("d") != 0xDEADBEEF ||
		d.U64("e") != 1<<60 || d.Count("f", 300, 0) != 300 || d.Int("g", -5, 0) != -5 ||
		d.Finite("h") != math.Pi || !math.IsNaN(d.F64("i")) || d.Str("j", 16) != "héllo" ||
		!bytes.Equal(d.Section("k"), []byte{1, 2, 3}) || d.Err() != nil || d.Left() != 0 {
		t.Fatalf("round trip failed: %v", d.Err())
	}
	// The format is pinned: these bytes are what catalog and model files hold.
	want := []byte{7, 1, 0xEF, 0xBE, 0xEF, 0xBE, 0xAD, 0xDE}
	if !bytes.Equal(e.B[:len(want)], want) {
		t.Errorf("prefix % x, want % x", e.B[:len(want)], want)
	}
	if Checksum([]byte("123456789")) != 0xE3069283 { // CRC-32C check value (RFC 3720 B.4)
		t.Errorf("CRC-32C check value %08x", Checksum([]byte("123456789")))
	}
	if UpdateChecksum(Checksum([]byte("1234")), []byte("56789")) != crc32.Checksum([]byte("123456789"), crc32.MakeTable(crc32.Castagnoli)) {
		t.Error("UpdateChecksum does not continue Checksum")
	}
}

func TestDecoderErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		b    []byte
		read func(d *Decoder)
	}{
		{"truncated u32", []byte{1, 2}, func(d *Decoder) { d.U32("x") }},
		{"bad bool", []byte{2}, func(d *Decoder) { d.Bool("x") }},
		{"count over limit", []byte{10}, func(d *Decoder) { d.Count("x", 5, 0) }},
		{"count over bytes left", []byte{3, 0}, func(d *Decoder) { d.Count("x", 5, 1) }},
		{"not finite", []byte{0, 0, 0, 0, 0, 0, 0xF0, 0x7F}, func(d *Decoder) { d.Finite("x") }},
		{"int out of range", []byte{20}, func(d *Decoder) { d.Int("x", 0, 5) }},
		{"section too long", []byte{9, 0, 0, 0, 0, 0, 0, 0, 1}, func(d *Decoder) { d.Section("x") }},
		{"bad varint", []byte{0x80}, func(d *Decoder) { d.Uvarint("x") }},
	} {
		d := NewDecoder(c.b, "test")
		c.read(d)
		if !errors.Is(d.Err(), ErrCorrupt) {
			t.Errorf("%s: error %v, want ErrCorrupt", c.name, d.Err())
		}
		if d.U64("after") != 0 || d.Str("after", 10) != "" {
			t.Errorf("%s: reads after an error return values", c.name)
		}
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add([]byte{3, 'a', 'b', 'c', 1, 0, 0, 0, 0, 0, 0, 0, 9})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(b, "fuzz")
		for d.Err() == nil && d.Left() > 0 {
			_ = d.Str("s", 1<<10)
			_ = d.Section("x")
			_ = d.Finite("f")
		}
		if d.Err() != nil && !errors.Is(d.Err(), ErrCorrupt) {
			t.Fatalf("error %v without ErrCorrupt", d.Err())
		}
	})
}
