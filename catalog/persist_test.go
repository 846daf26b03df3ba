package catalog

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/internal/bincodec"
	"github.com/cardinaldb/cardinal/internal/golden"
)

const goldenSchema = `
CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(20), city VARCHAR(20), since DATE);
CREATE TABLE orders (
  id BIGINT PRIMARY KEY, customer INT NOT NULL REFERENCES customers (id),
  total DECIMAL(8,2), placed DATETIME,
  KEY (placed)
);`

// goldenCatalog builds a small deterministic catalog: 12 customers (kept
// whole in the sample) and 60 orders (sampled down to 8 rows).
func goldenCatalog(t testing.TB) *Catalog {
	t.Helper()
	return goldenCatalogWith(t, StatsOptions{Buckets: 4, MCVs: 3, SampleSize: 8})
}

// goldenCatalogWith is goldenCatalog's data with other options.
func goldenCatalogWith(t testing.TB, opts StatsOptions) *Catalog {
	t.Helper()
	s, err := ParseSchema(goldenSchema)
	if err != nil {
		t.Fatal(err)
	}
	rng := newRand(42)
	cities := []string{"Zürich", "Oslo", "Lyon", "Kyōto"}
	cust := []ColumnData{{Ints: make([]int64, 12)}, {Codes: make([]uint32, 12)}, {Codes: make([]uint32, 12), Dict: cities, Null: make([]bool, 12)}, {Ints: make([]int64, 12)}}
	for i := range 12 {
		cust[0].Ints[i] = int64(i + 1)
		cust[1].Dict = append(cust[1].Dict, "customer "+string(rune('A'+i)))
		cust[1].Codes[i] = uint32(i)
		cust[2].Codes[i] = uint32(rng.IntN(len(cities)))
		cust[2].Null[i] = i%5 == 4
		cust[3].Ints[i] = 1_500_000_000 - 1_500_000_000%86400 + 86400*int64(rng.IntN(900))
	}
	const n = 60
	ord := []ColumnData{{Ints: make([]int64, n)}, {Ints: make([]int64, n)}, {Floats: make([]float64, n), Null: make([]bool, n)}, {Ints: make([]int64, n)}}
	for i := range n {
		ord[0].Ints[i] = int64(1000 + i)
		ord[1].Ints[i] = int64(1 + min(rng.IntN(12), rng.IntN(12)))
		ord[2].Floats[i] = float64(rng.IntN(20000)) / 100
		ord[2].Null[i] = rng.IntN(10) == 0
		ord[3].Ints[i] = 1_600_000_000 + int64(rng.IntN(10_000_000))
	}
	src := &memSource{rows: []int{12, n}, cols: [][]ColumnData{cust, ord}}
	cat, err := Build(s, src, opts, newRand(7))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func saveBytes(t testing.TB, c *Catalog) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Save(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// saveVersion saves c as format version v (the writer of older versions
// is kept to pin that Load still reads them).
func saveVersion(t testing.TB, c *Catalog, v uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := c.save(&buf, v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// goldenRoundTrip saves cat as format version v, pins the bytes in
// testdata/name (-rewrite regenerates it), checks that loading the golden
// file gives cat back and returns the golden bytes.
func goldenRoundTrip(t *testing.T, cat *Catalog, name string, v uint16) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	golden.File(t, path, saveVersion(t, cat, v))
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(loaded, cat) {
		t.Errorf("Load(%s) differs from the built catalog", name)
	}
	return want
}

// TestGolden pins the binary format and the fingerprint: a change to
// either breaks every saved model, so it must be deliberate (-rewrite).
func TestGolden(t *testing.T) {
	cat := goldenCatalog(t)
	want := goldenRoundTrip(t, cat, "catalog.golden", formatVersion)
	if !bytes.Equal(saveBytes(t, cat), want) {
		t.Errorf("Save does not write format version %d", formatVersion)
	}
	loaded, err := Load(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	fpPath := filepath.Join("testdata", "fingerprint.golden")
	golden.File(t, fpPath, []byte(cat.Fingerprint()+"\n"))
	fp, err := os.ReadFile(fpPath)
	if err != nil {
		t.Fatal(err)
	}
	if cat.Fingerprint() != strings.TrimSpace(string(fp)) || loaded.Fingerprint() != cat.Fingerprint() {
		t.Errorf("fingerprint %s, golden %s", cat.Fingerprint(), fp)
	}
}

// TestLoadVersion1 reads a catalog saved by format version 1, before join
// synopses: the same catalog without them.
func TestLoadVersion1(t *testing.T) {
	want := goldenCatalog(t)
	if len(want.Stats[1].Joins) == 0 {
		t.Fatal("golden catalog has no join synopsis")
	}
	for i := range want.Stats {
		want.Stats[i].Joins = nil
	}
	stripIndexes(want)
	b, err := os.ReadFile(filepath.Join("testdata", "catalog-v1.golden"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("version-1 catalog differs from the built one without join synopses")
	}
}

func stripIndexes(c *Catalog) {
	for _, t := range c.Schema.Tables {
		t.Indexes = nil
	}
	stripKeyDegrees(c)
}

func stripKeyDegrees(c *Catalog) {
	for i := range c.Stats {
		c.Stats[i].KeyDegrees = nil
	}
	stripKeyMaps(c)
}

// stripKeyMaps drops the key maps, which versions before 8 do not hold.
func stripKeyMaps(c *Catalog) {
	for i := range c.Stats {
		c.Stats[i].KeyMap = nil
	}
}

// TestLoadOldVersions reads catalogs saved by earlier format versions:
// each is the built catalog without what its version did not hold, and
// a catalog without it still saves as that version's bytes
// (goldenRoundTrip, as the version-5 and -6 tests).
func TestLoadOldVersions(t *testing.T) {
	for _, tc := range []struct {
		version uint16
		what    string // what the version does not hold
		has     func(*Catalog) bool
		strip   func(*Catalog)
	}{
		{2, "indexes", func(c *Catalog) bool { return len(c.Schema.Tables[1].Indexes) == 1 }, stripIndexes},
		{3, "key degrees", func(c *Catalog) bool { return len(c.Stats[1].KeyDegrees) > 0 }, stripKeyDegrees},
		{7, "key maps", func(c *Catalog) bool { return c.Stats[1].KeyMap != nil }, stripKeyMaps},
	} {
		want := goldenCatalog(t)
		if !tc.has(want) {
			t.Fatalf("golden orders have no %s", tc.what)
		}
		tc.strip(want)
		goldenRoundTrip(t, want, fmt.Sprintf("catalog-v%d.golden", tc.version), tc.version)
	}
}

// TestIndexesRoundTrip saves and loads indexes with prefixes, directions,
// unique flags and hostile names.
func TestIndexesRoundTrip(t *testing.T) {
	cat := goldenCatalog(t)
	orders := cat.Schema.Tables[1]
	orders.Indexes = append(orders.Indexes,
		Index{Name: "we`ird \"ü\"", Unique: true, Columns: []IndexColumn{{Name: "customer"}, {Name: "placed", Desc: true}}},
	)
	cat.Schema.Tables[0].Indexes = []Index{{Name: "name_city", Columns: []IndexColumn{{Name: "name", Prefix: 10}, {Name: "city"}}}}
	got, err := Load(bytes.NewReader(saveBytes(t, cat)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, cat) {
		t.Fatalf("indexes differ after a round trip:\n got %+v\nwant %+v", got.Schema.Tables[1].Indexes, orders.Indexes)
	}
	// A prefix on a number column is inconsistent: Save refuses it.
	cat.Schema.Tables[0].Indexes[0].Columns[1] = IndexColumn{Name: "id", Prefix: 3}
	var buf bytes.Buffer
	if err := cat.Save(&buf); !errors.Is(err, ErrInvalidSchema) {
		t.Errorf("Save with a prefix on an INT column: %v, want ErrInvalidSchema", err)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	cat := goldenCatalog(t)
	// A catalog embedded in a larger stream: Load takes exactly its bytes.
	var buf bytes.Buffer
	buf.WriteString("header")
	if err := cat.Save(&buf); err != nil {
		t.Fatal(err)
	}
	buf.WriteString("trailer")
	r := bytes.NewReader(buf.Bytes()[len("header"):])
	got, err := Load(r)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, cat) {
		t.Fatal("round trip differs")
	}
	if rest, _ := io.ReadAll(r); string(rest) != "trailer" {
		t.Errorf("Load consumed into the trailer, left %q", rest)
	}
	// A hand-built catalog without samples round-trips too.
	for i := range cat.Stats {
		cat.Stats[i].Sample, cat.Stats[i].Joins = nil, nil
	}
	got, err = Load(bytes.NewReader(saveBytes(t, cat)))
	if err != nil || !reflect.DeepEqual(got, cat) {
		t.Fatalf("sample-less round trip: %v", err)
	}
}

// TestLoadErrors spoils the sections of a version-6 catalog (their
// layout is the same inflated in version 7, TestPackedErrors) and the
// header of a version-7 one.
func TestLoadErrors(t *testing.T) {
	good := saveVersion(t, goldenCatalog(t), 6)
	mutate := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	for name, tc := range map[string]struct {
		in       []byte
		sentinel error
	}{
		"empty":       {nil, ErrCorrupt},
		"foreign":     {[]byte("PK\x03\x04 this is a zip file"), ErrBadMagic},
		"version":     {mutate(func(b []byte) []byte { b[8] = 9; return b }), ErrVersion},
		"truncated":   {good[:len(good)/2], ErrCorrupt},
		"no checksum": {good[:len(good)-1], ErrCorrupt},
		"bit flip":    {mutate(func(b []byte) []byte { b[40] ^= 1; return b }), ErrCorrupt},
		"huge section": {mutate(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[12:], 0xFFFFFFF0)
			return b
		}), ErrCorrupt},
		"section length lies": {mutate(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[12:], 1<<29) // under the limit, past the end
			return b
		}), ErrCorrupt},
		"hostile count": {mutate(func(b []byte) []byte {
			// schema payload starts at 16: a table count of 2^40.
			p := append([]byte{}, b[:16]...)
			p = binary.AppendUvarint(p, 1<<40)
			return reseal(append(p, b[17:]...))
		}), ErrCorrupt},
		"wrong datum kind": {mutate(func(b []byte) []byte {
			// Change the type of customers.id (int) to string: the stats
			// then hold ints for a string column.
			i := bytes.Index(b, []byte("\x02id\x01"))
			b[i+3] = byte(TypeString)
			return reseal(b)
		}), ErrCorrupt},
		"packed wrong datum kind": {func() []byte {
			b := currentSections(t, goldenCatalog(t))
			i := bytes.Index(b, []byte("\x02id\x01"))
			b[i+3] = byte(TypeString)
			return packBody(b)
		}(), ErrCorrupt},
	} {
		_, err := Load(bytes.NewReader(tc.in))
		if !errors.Is(err, tc.sentinel) {
			t.Errorf("%s: %v, want %v", name, err, tc.sentinel)
		}
	}
}

// reseal fixes the checksum of a file after an edit.
func reseal(b []byte) []byte {
	body := b[:len(b)-4]
	return binary.LittleEndian.AppendUint32(body, bincodec.Checksum(body))
}

// sectionsOf7 is the uncompressed body of c's version-7 file.
func currentSections(t testing.TB, c *Catalog) []byte {
	t.Helper()
	b, err := c.sections(formatVersion)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// packBody is the current version's file of the given sections, compressed at
// packLevel, with sizes and checksum as Save writes them.
func packBody(body []byte) []byte {
	var z bytes.Buffer
	zw, _ := flate.NewWriter(&z, packLevel)
	zw.Write(body)
	zw.Close()
	return packed(uint64(len(body)), z.Bytes())
}

// packed is a file of the current version of the given declared size and
// packed bytes.
func packed(size uint64, z []byte) []byte {
	f := binary.LittleEndian.AppendUint16([]byte(magic), formatVersion)
	f = binary.LittleEndian.AppendUint64(f, size)
	f = binary.LittleEndian.AppendUint64(f, uint64(len(z)))
	f = append(f, z...)
	return binary.LittleEndian.AppendUint32(f, bincodec.Checksum(f))
}

// TestDeltaSample: integers of a version-7 sample are differences from
// the previous integer of their column; the extremes wrap and come back
// exact, NULLs in between are skipped.
func TestDeltaSample(t *testing.T) {
	cat := goldenCatalog(t)
	col := cat.Stats[1].Sample[3] // orders.placed, a nullable DATETIME
	if len(col) != 8 || col[0].Kind != KindInt || !cat.Schema.Tables[1].Columns[3].Nullable {
		t.Fatalf("golden orders.placed sample %v, want 8 integers of a nullable column", col)
	}
	copy(col, []Datum{Int(math.MaxInt64), Null, Int(math.MinInt64), Int(-1), Null, Int(math.MaxInt64), Int(0), Int(math.MinInt64)})
	got, err := Load(bytes.NewReader(saveBytes(t, cat)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, cat) {
		t.Fatalf("sample after a round trip %v, want %v", got.Stats[1].Sample[0], col)
	}
}

// TestDistinctRows round-trips join synopsis columns through their
// distinct rows and refuses indexes past them, a missing dictionary and
// truncation.
func TestDistinctRows(t *testing.T) {
	cols := [][]Datum{
		{Int(1), Int(2), Int(1), Null, Int(1)},
		{String("Oslo"), String("Rome"), String("Oslo"), Null, String("Oslo")},
		{Float(0), Float(math.Copysign(0, -1)), Float(0), Null, Float(0)},
	}
	var e encoder
	encodeDistinctRows(&e, cols)
	// 3 distinct rows (1 Oslo 0, 2 Rome -0, NULLs), indexes 0 1 0 2 0.
	if want := []byte{0, 1, 2, 0}; !bytes.HasSuffix(e.B, []byte{0, 1, 0, 2, 0}) || e.B[0] != 3 {
		t.Fatalf("encoded %v, want 3 distinct rows and indexes %v", e.B, want)
	}
	got := newDecoder(e.B, "test").distinctRows("test", 5, 3)
	if !reflect.DeepEqual(got, cols) {
		t.Fatalf("round trip: %v, want %v", got, cols)
	}
	if math.Signbit(got[2][0].F) || !math.Signbit(got[2][1].F) {
		t.Error("0 and -0 were merged into one distinct row")
	}
	bad := bytes.Clone(e.B)
	bad[len(bad)-2] = 3 // row 3 joins distinct row 3 of 3
	for name, b := range map[string][]byte{
		"index past the rows": bad,
		"no distinct row":     {0, 0, 0, 0, 0, 0},
		"truncated":           e.B[:len(e.B)-1],
	} {
		d := newDecoder(b, "test")
		if d.distinctRows("test", 5, 3) != nil || !errors.Is(d.Err(), ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, d.Err())
		}
	}
}

// TestPackedErrors: a version-7 body that is truncated, corrupt, inflates
// to another size than declared or leaves packed bytes over is
// ErrCorrupt, and a body that would inflate to a gigabyte stops at its
// declared size.
func TestPackedErrors(t *testing.T) {
	cat := goldenCatalog(t)
	good := saveBytes(t, cat)
	if !bytes.Equal(packBody(currentSections(t, cat)), good) {
		t.Fatal("Save's file is not the sections packed at packLevel")
	}
	const head = len(magic) + 2
	size := binary.LittleEndian.Uint64(good[head:])
	z := good[head+16 : len(good)-4]
	spoilt := bytes.Clone(z)
	spoilt[0] |= 6 // block type 3, reserved (RFC 1951 3.2.3)
	// A stream that inflates to 32 MiB of zeros from a few KiB.
	var bomb bytes.Buffer
	zw, _ := flate.NewWriter(&bomb, flate.BestSpeed)
	zw.Write(make([]byte, 32<<20))
	zw.Close()
	for name, tc := range map[string]struct {
		in   []byte
		want string
	}{
		"truncated body":     {good[:head+16+len(z)/2], "truncated in the packed body"},
		"truncated sizes":    {good[:head+7], "truncated"},
		"bit flip":           {func() []byte { b := bytes.Clone(good); b[head+16+len(z)/3] ^= 4; return b }(), "checksum"},
		"corrupt stream":     {packed(size, spoilt), "packed body"},
		"cut stream":         {packed(size, z[:len(z)-8]), "packed body"},
		"declared too large": {packed(size+1, z), "inflates to"},
		"declared too small": {packed(size-1, z), "past its declared"},
		"bytes after stream": {packed(size, append(bytes.Clone(z), 0, 0)), "after the end of the compressed stream"},
		"huge declared size": {packed(1<<40, z), "over the"},
		"bomb":               {packed(1<<20, bomb.Bytes()), "past its declared"},
		"not a catalog":      {packed(32<<20, bomb.Bytes()), "section"},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Load(bytes.NewReader(tc.in))
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrCorrupt (%s)", name, err, tc.want)
		}
		if name == "bomb" && after.TotalAlloc-before.TotalAlloc > 4<<20 {
			t.Errorf("bomb: Load allocated %d bytes for a %d-byte declared body", after.TotalAlloc-before.TotalAlloc, 1<<20)
		}
	}
}

func TestSaveRejectsInconsistent(t *testing.T) {
	cases := map[string]func(c *Catalog){
		"stats of one table missing": func(c *Catalog) { c.Stats = c.Stats[:1] },
		"NaN sampled value":          func(c *Catalog) { c.Stats[1].Sample[2][0] = Float(math.NaN()) },
		"string in an int sample":    func(c *Catalog) { c.Stats[1].Sample[0][0] = String("x") },
		"NULL MCV":                   func(c *Catalog) { c.Stats[1].Columns[1].MCVs[0].Value = Null },
		"string in a join synopsis":  func(c *Catalog) { c.Stats[1].Joins[0].Sample[0][0] = String("x") },
	}
	for name, spoil := range cases {
		cat := goldenCatalog(t)
		if len(cat.Stats[1].Joins) == 0 || len(cat.Stats[1].Columns[1].MCVs) == 0 {
			t.Fatal("golden orders need a join synopsis and MCVs of customer")
		}
		if err := cat.Save(io.Discard); err != nil {
			t.Fatalf("%s: unspoilt catalog: %v", name, err)
		}
		spoil(cat)
		if err := cat.Save(io.Discard); !errors.Is(err, ErrInvalidSchema) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func TestFingerprint(t *testing.T) {
	a := goldenCatalog(t)
	b := goldenCatalog(t)
	b.Stats[1].Sample = nil // the sample is not part of the fingerprint
	if a.Fingerprint() != b.Fingerprint() || len(a.Fingerprint()) != 32 {
		t.Fatalf("%s vs %s", a.Fingerprint(), b.Fingerprint())
	}
	for name, change := range map[string]func(c *Catalog){
		"rows":      func(c *Catalog) { c.Stats[0].Rows++ },
		"distinct":  func(c *Catalog) { c.Stats[1].Columns[2].Distinct-- },
		"max":       func(c *Catalog) { c.Stats[1].Columns[0].Max = Int(c.Stats[1].Columns[0].Max.I + 1) },
		"histogram": func(c *Catalog) { c.Stats[1].Columns[2].Histogram[1] = Float(-1) },
		"nullable":  func(c *Catalog) { c.Schema.Tables[0].Columns[1].Nullable = false },
		"fk":        func(c *Catalog) { c.Schema.ForeignKeys = nil },
	} {
		c := goldenCatalog(t)
		change(c)
		if c.Fingerprint() == a.Fingerprint() {
			t.Errorf("%s: change not reflected in the fingerprint", name)
		}
	}
}

// FuzzLoad feeds Load the raw input, the input with a valid checksum
// appended and the input packed as a version-7 body, so the mutations
// reach the section decoders of every version.
func FuzzLoad(f *testing.F) {
	good := saveBytes(f, goldenCatalog(f))
	f.Add(good)
	f.Add(good[:len(good)-4]) // body without checksum: resealed below
	f.Add(good[:len(good)/3])
	// Version 6: uncompressed sections, so mutations reach the decoders.
	v6 := saveVersion(f, goldenCatalog(f), 6)
	f.Add(v6)
	f.Add(v6[:len(v6)-4])
	f.Add(currentSections(f, goldenCatalog(f))) // packed below
	f.Add([]byte(magic + "\x01\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sealed := binary.LittleEndian.AppendUint32(bytes.Clone(b), bincodec.Checksum(b))
		for _, in := range [][]byte{b, sealed, packBody(b)} {
			c, err := Load(bytes.NewReader(in))
			if err != nil {
				if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrBadMagic) && !errors.Is(err, ErrVersion) {
					t.Fatalf("untyped error %v", err)
				}
				continue
			}
			// Whatever loads must save and load back to the same catalog.
			again, err := Load(bytes.NewReader(saveBytes(t, c)))
			if err != nil || !reflect.DeepEqual(again, c) {
				t.Fatalf("re-save round trip: %v", err)
			}
		}
	})
}
