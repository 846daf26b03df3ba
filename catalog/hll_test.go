package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/cardinaldb/cardinal/internal/golden"
)

// hllBound is the relative error a sketch of precision p must stay within
// in the tests: 4 standard errors (1.04/√m; a 6e-5 chance per estimate
// under the normal approximation).
func hllBound(p int) float64 { return 4 * HLLStdError(p) }

// TestHLLAgainstExact compares sketch estimates with exact distinct
// counts of integer, string and float values from 0 (linear-counting
// range) to a million, at several precisions, under skew.
func TestHLLAgainstExact(t *testing.T) {
	rng := newRand(11)
	for _, p := range []int{8, 12, 14} {
		for _, n := range []int{0, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000} {
			for _, kind := range []string{"int", "string", "float"} {
				if n == 1_000_000 && (kind != "int" || p != 12) {
					continue // keep the test short
				}
				h, err := NewHLL(p)
				if err != nil {
					t.Fatal(err)
				}
				exact := map[Datum]bool{}
				for range 3 * n { // each value about 3 times, skewed
					v := int64(math.Floor(float64(n) * math.Pow(rng.Float64(), 2)))
					var d Datum
					switch kind {
					case "int":
						d = Int(v*7919 - 1_000_000)
					case "string":
						d = String("v" + strconv.FormatInt(v, 36))
					default:
						d = Float(float64(v) / 8)
					}
					exact[d] = true
					h.Add(d)
				}
				h.Add(Null) // not a value
				got, want := h.Estimate(), float64(len(exact))
				rel := math.Abs(got-want) / math.Max(want, 1)
				if rel > hllBound(p) && math.Abs(got-want) > 1 {
					t.Errorf("p=%d %s: %d distinct, estimate %.1f (relative error %.4f over %.4f)", p, kind, len(exact), got, rel, hllBound(p))
				}
			}
		}
	}
}

// TestHLLMerge: the merge of two sketches estimates the union as well as
// a sketch of the union, register for register.
func TestHLLMerge(t *testing.T) {
	a, _ := NewHLL(10)
	b, _ := NewHLL(10)
	u, _ := NewHLL(10)
	for i := range 20_000 {
		d := Int(int64(i))
		if i < 12_000 {
			a.Add(d)
		}
		if i >= 8_000 {
			b.Add(d)
		}
		u.Add(d)
	}
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Registers, u.Registers) {
		t.Error("merged registers differ from the union's")
	}
	c, _ := NewHLL(11)
	if err := a.Merge(c); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("merge of precisions 10 and 11: %v, want ErrInvalidOptions", err)
	}
	for _, p := range []int{MinHLLPrecision - 1, MaxHLLPrecision + 1} {
		if _, err := NewHLL(p); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("NewHLL(%d): %v, want ErrInvalidOptions", p, err)
		}
	}
}

// TestHashDatumStable pins the hashes saved sketches depend on.
func TestHashDatumStable(t *testing.T) {
	got := fmt.Sprintf("%016x %016x %016x %016x %016x", HashDatum(Int(42)), HashDatum(String("Zürich")), HashDatum(Float(1.5)), HashDatum(Float(math.Copysign(0, -1))), HashPair(1, 2))
	want := fmt.Sprintf("%016x %016x %016x %016x %016x", HashDatum(Int(42)), HashDatum(String("Zürich")), HashDatum(Float(1.5)), HashDatum(Float(0)), HashPair(1, 2))
	if got != want {
		t.Errorf("-0 and +0 hash differently: %s / %s", got, want)
	}
	golden.File(t, filepath.Join("testdata", "hash.golden"), []byte(got+"\n"))
	b, err := os.ReadFile(filepath.Join("testdata", "hash.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != got+"\n" {
		t.Errorf("hashes %s, golden %s (saved sketches would no longer match)", got, b)
	}
}

// sketchSource is a table of n rows: a unique id, a (country, city) pair
// with 40 x 25 combinations of which 600 occur, a nullable category and a
// float.
func sketchSource(n int) (*Schema, *memSource) {
	rng := newRand(9)
	ids, country, city, cat, price := make([]int64, n), make([]uint32, n), make([]uint32, n), make([]int64, n), make([]float64, n)
	null := make([]bool, n)
	var cd, ct []string
	for i := range 40 {
		cd = append(cd, "country-"+strconv.Itoa(i))
	}
	for i := range 25 {
		ct = append(ct, "city-"+strconv.Itoa(i))
	}
	for r := range n {
		ids[r] = int64(r)
		combo := rng.IntN(600)
		country[r], city[r] = uint32(combo%40), uint32((combo*7)%25)
		cat[r] = int64(rng.IntN(50))
		null[r] = rng.IntN(10) == 0
		price[r] = float64(rng.IntN(3000)) / 4
	}
	s := oneTable(intCol("id"), Column{Name: "country", Type: TypeString}, Column{Name: "city", Type: TypeString}, intCol("category"), Column{Name: "price", Type: TypeFloat})
	src := &memSource{rows: []int{n}, cols: [][]ColumnData{{
		{Ints: ids}, {Codes: country, Dict: cd}, {Codes: city, Dict: ct}, {Ints: cat, Null: null}, {Floats: price},
	}}}
	return s, src
}

// TestBuildSketches checks Build's sketches against exact distinct counts
// of every column and every sketched pair.
func TestBuildSketches(t *testing.T) {
	const n = 50_000
	s, src := sketchSource(n)
	cat, err := Build(s, src, StatsOptions{SketchRows: n}, newRand(1))
	if err != nil {
		t.Fatal(err)
	}
	ts := &cat.Stats[0]
	// id is unique: it has a column sketch but no pairs.
	if ts.Sketch(0) == nil || ts.Sketch(0, 1) != nil || ts.Sketch(1, 2) == nil || ts.Sketch(2, 1) == nil {
		t.Fatalf("sketches %v", sketchCols(ts))
	}
	nc := len(s.Tables[0].Columns)
	for a := range nc {
		for b := a; b < nc; b++ {
			cols := []int{a}
			if b > a {
				cols = append(cols, b)
			}
			h := ts.Sketch(cols...)
			if h == nil {
				continue
			}
			exact := map[[2]Datum]bool{}
			for r := range n {
				da, db := datumAt(src.cols[0][a], s.Tables[0].Columns[a].Type, r), datumAt(src.cols[0][b], s.Tables[0].Columns[b].Type, r)
				if da.IsNull() || db.IsNull() {
					continue
				}
				exact[[2]Datum{da, db}] = true
			}
			want := float64(len(exact))
			if len(cols) == 1 && float64(ts.Columns[a].Distinct) != want {
				t.Fatalf("column %d: Distinct %d, exact %v", a, ts.Columns[a].Distinct, want)
			}
			p := int(h.Precision)
			if rel := math.Abs(h.Estimate()-want) / want; rel > hllBound(p) {
				t.Errorf("sketch %v (p=%d): %.0f, exact %.0f: relative error %.4f over %.4f", cols, p, h.Estimate(), want, rel, hllBound(p))
			}
		}
	}
	// Under SketchRows, or with NoSketches: none.
	for _, o := range []StatsOptions{{}, {SketchRows: n, NoSketches: true}} {
		c, err := Build(s, src, o, newRand(1))
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Stats[0].Sketches) != 0 {
			t.Errorf("%+v: %d sketches", o, len(c.Stats[0].Sketches))
		}
	}
	for _, o := range []StatsOptions{{SketchPrecision: 3}, {PairSketchPrecision: 19}, {SketchRows: -1}} {
		if _, err := Build(s, src, o, newRand(1)); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("%+v: %v, want ErrInvalidOptions", o, err)
		}
	}
}

func sketchCols(ts *TableStats) [][]int {
	var out [][]int
	for _, s := range ts.Sketches {
		out = append(out, s.Cols)
	}
	return out
}

// TestGoldenSketches pins format version 6: a catalog with sketches saves
// as testdata/catalog-v6.golden (-rewrite) and loads back equal, from that
// file and from the current format; corrupt sketches are refused.
func TestGoldenSketches(t *testing.T) {
	s, src := sketchSource(3000)
	cat, err := Build(s, src, StatsOptions{Buckets: 4, MCVs: 3, SampleSize: 50, SketchRows: 1000, SketchPrecision: 6, PairSketchPrecision: 4}, newRand(3))
	if err != nil {
		t.Fatal(err)
	}
	want := goldenRoundTrip(t, cat, "catalog-v6.golden", 6)
	if got, err := Load(bytes.NewReader(saveBytes(t, cat))); err != nil || !reflect.DeepEqual(got, cat) {
		t.Errorf("version %d round trip: %v", formatVersion, err)
	}
	for n := len(magic) + 2; n < len(want); n += 53 {
		if _, err := Load(bytes.NewReader(want[:n])); err == nil {
			t.Fatalf("truncated at %d: no error", n)
		}
	}
	for name, spoil := range map[string]func(ts *TableStats){
		"register over rank":  func(ts *TableStats) { ts.Sketches[0].HLL.Registers[0] = 64 },
		"column out of range": func(ts *TableStats) { ts.Sketches[0].Cols = []int{9} },
		"pair not ascending":  func(ts *TableStats) { ts.Sketches[len(ts.Sketches)-1].Cols = []int{2, 1} },
		"twice":               func(ts *TableStats) { ts.Sketches[1].Cols = []int{0} },
		"registers short":     func(ts *TableStats) { ts.Sketches[0].HLL.Registers = ts.Sketches[0].HLL.Registers[1:] },
	} {
		c, err := Load(bytes.NewReader(want))
		if err != nil {
			t.Fatal(err)
		}
		spoil(&c.Stats[0])
		var buf bytes.Buffer
		if err := c.Save(&buf); !errors.Is(err, ErrInvalidSchema) {
			t.Errorf("%s: Save: %v, want ErrInvalidSchema", name, err)
		}
	}
}

// BenchmarkHLLAdd measures adding one hashed value; BenchmarkAddSketches
// the sketches of a 200,000-row, 5-column table (5 column sketches and
// the 6 pairs of its 4 non-unique columns) beside
// BenchmarkExactPairDistinct, the exact distinct count of the same 6
// pairs of the same (pre-hashed) values with a hash set per pair.
func BenchmarkHLLAdd(b *testing.B) {
	h, _ := NewHLL(DefaultSketchPrecision)
	for i := 0; b.Loop(); i++ {
		h.AddHash(HashDatum(Int(int64(i))))
	}
}

func BenchmarkAddSketches(b *testing.B) {
	s, src := sketchSource(200_000)
	cat, err := Build(s, src, StatsOptions{NoSketches: true}, newRand(1))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := AddSketches(cat, src, StatsOptions{SketchRows: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(cat.Stats[0].Sketches)), "sketches")
}

func BenchmarkExactPairDistinct(b *testing.B) {
	s, src := sketchSource(200_000)
	cat, err := Build(s, src, StatsOptions{NoSketches: true}, newRand(1))
	if err != nil {
		b.Fatal(err)
	}
	pairs := pairColumns(&cat.Stats[0])
	types := s.Tables[0].Columns
	hashes := make([][]uint64, len(types))
	for c := range types {
		for r := range 200_000 {
			hashes[c] = append(hashes[c], HashDatum(datumAt(src.cols[0][c], types[c].Type, r)))
		}
	}
	for b.Loop() {
		// The same hashed values, counted exactly in a hash set per pair.
		for x := range pairs {
			for y := x + 1; y < len(pairs); y++ {
				set := map[uint64]struct{}{}
				for r := range 200_000 {
					set[HashPair(hashes[pairs[x]][r], hashes[pairs[y]][r])] = struct{}{}
				}
			}
		}
	}
}
