package catalog

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// memSource is an in-memory Source for tests.
type memSource struct {
	rows []int
	cols [][]ColumnData
}

func (m *memSource) NumRows(t int) int              { return m.rows[t] }
func (m *memSource) ColumnData(t, c int) ColumnData { return m.cols[t][c] }
func oneTable(cols ...Column) *Schema               { return &Schema{Tables: []*Table{{Name: "t", Columns: cols}}} }
func newRand(seed uint64) *rand.Rand                { return rand.New(rand.NewPCG(seed, 1)) }
func intCol(name string) Column                     { return Column{Name: name, Type: TypeInt, Nullable: true} }
func buildOne(t *testing.T, s *Schema, n int, cols []ColumnData, opts StatsOptions) *Catalog {
	t.Helper()
	cat, err := Build(s, &memSource{rows: []int{n}, cols: [][]ColumnData{cols}}, opts, newRand(1))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func TestBuildKnownInts(t *testing.T) {
	// 1 x6, 2 x4, 3..10 once each, 2 NULLs: 20 rows, 18 non-NULL, 10
	// distinct, average count 1.8, so 1 and 2 are the MCVs.
	vals := []int64{5, 1, 2, 1, 0, 3, 1, 2, 10, 1, 4, 6, 2, 0, 7, 1, 8, 9, 1, 2}
	null := make([]bool, len(vals))
	null[4], null[13] = true, true
	col := ColumnData{Ints: vals, Null: null}
	cat := buildOne(t, oneTable(intCol("a")), len(vals), []ColumnData{col}, StatsOptions{})
	ints := func(v ...int64) []Datum {
		d := make([]Datum, len(v))
		for i := range v {
			d[i] = Int(v[i])
		}
		return d
	}
	want := ColumnStats{
		NullFrac: 0.1, Distinct: 10, Min: Int(1), Max: Int(10),
		MCVs:      []MCV{{Int(1), 0.3}, {Int(2), 0.2}},
		Histogram: ints(3, 4, 5, 6, 7, 8, 9, 10), // 8 values, 7 buckets
		HistFrac:  0.4,
	}
	if got := cat.Stats[0].Columns[0]; !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	// One MCV leaves 2 x4 and 3..10: 12 rows, 2 buckets, bounds at ranks 0, 5, 11.
	cat = buildOne(t, oneTable(intCol("a")), len(vals), []ColumnData{col}, StatsOptions{Buckets: 2, MCVs: 1})
	got := cat.Stats[0].Columns[0]
	if !reflect.DeepEqual(got.Histogram, ints(2, 4, 10)) || len(got.MCVs) != 1 || got.HistFrac != 0.6 {
		t.Errorf("Buckets 2, MCVs 1: %+v", got)
	}
	// The whole 20-row table is the sample, in row order.
	s := cat.Stats[0].Sample[0]
	if len(s) != 20 || s[0] != Int(5) || !s[4].IsNull() || s[19] != Int(2) {
		t.Errorf("sample %v", s)
	}
}

func TestBuildStringsAndFloats(t *testing.T) {
	s := oneTable(Column{Name: "s", Type: TypeString, Nullable: true}, Column{Name: "f", Type: TypeFloat, Nullable: true})
	str := ColumnData{Dict: []string{"b", "a", "b", "zz"}, Codes: []uint32{0, 1, 2, 0, 1, 0}}
	flt := ColumnData{Floats: []float64{0.5, math.Copysign(0, -1), 0, -3, 0, 7}, Null: []bool{false, false, false, false, true, false}}
	cat := buildOne(t, s, 6, []ColumnData{str, flt}, StatsOptions{})
	cs := cat.Stats[0].Columns[0]
	// "b" under codes 0 and 2 is one value (4 rows); "zz" is unused.
	if cs.Distinct != 2 || !reflect.DeepEqual(cs.MCVs, []MCV{{String("b"), 4.0 / 6}}) ||
		!reflect.DeepEqual(cs.Histogram, []Datum{String("a"), String("a")}) || cs.Min != String("a") || cs.Max != String("b") {
		t.Errorf("strings: %+v", cs)
	}
	fs := cat.Stats[0].Columns[1]
	// -0 and +0 are one value: {-3, 0 x2, 0.5, 7}, average 1.25.
	if fs.Distinct != 4 || fs.NullFrac != 1.0/6 || len(fs.MCVs) != 1 || fs.MCVs[0].Value != Float(0) ||
		fs.Min != Float(-3) || fs.Max != Float(7) {
		t.Errorf("floats: %+v", fs)
	}
}

func TestBuildEmptyAndAllNull(t *testing.T) {
	s := oneTable(intCol("a"))
	cat := buildOne(t, s, 0, []ColumnData{{}}, StatsOptions{})
	if cs := cat.Stats[0].Columns[0]; !cs.Min.IsNull() || cs.Distinct != 0 || cs.HistFrac != 0 || cat.Stats[0].SampleSize() != 0 {
		t.Errorf("empty: %+v", cs)
	}
	cat = buildOne(t, s, 3, []ColumnData{{Ints: make([]int64, 3), Null: []bool{true, true, true}}}, StatsOptions{})
	if cs := cat.Stats[0].Columns[0]; cs.NullFrac != 1 || cs.Distinct != 0 || !cs.Max.IsNull() || len(cs.Histogram) != 0 {
		t.Errorf("all NULL: %+v", cs)
	}
}

func TestBuildErrors(t *testing.T) {
	s := oneTable(intCol("a"))
	src := func(c ColumnData, n int) Source { return &memSource{rows: []int{n}, cols: [][]ColumnData{{c}}} }
	for name, tc := range map[string]struct {
		src      Source
		opts     StatsOptions
		rng      *rand.Rand
		sentinel error
	}{
		"short column":   {src(ColumnData{Ints: []int64{1}}, 2), StatsOptions{}, newRand(1), ErrInvalidSource},
		"short nulls":    {src(ColumnData{Ints: []int64{1, 2}, Null: []bool{true}}, 2), StatsOptions{}, newRand(1), ErrInvalidSource},
		"negative":       {src(ColumnData{Ints: []int64{1}}, 1), StatsOptions{Buckets: -1}, newRand(1), ErrInvalidOptions},
		"nil rng":        {src(ColumnData{Ints: []int64{1, 2}}, 2), StatsOptions{SampleSize: 1}, nil, ErrInvalidOptions},
		"invalid schema": {src(ColumnData{}, 0), StatsOptions{}, nil, ErrInvalidSchema},
	} {
		sch := s
		if name == "invalid schema" {
			sch = &Schema{}
		}
		if _, err := Build(sch, tc.src, tc.opts, tc.rng); !errors.Is(err, tc.sentinel) {
			t.Errorf("%s: %v, want %v", name, err, tc.sentinel)
		}
	}
	str := oneTable(Column{Name: "s", Type: TypeString})
	bad := &memSource{rows: []int{1}, cols: [][]ColumnData{{{Codes: []uint32{3}, Dict: []string{"x"}}}}}
	if _, err := Build(str, bad, StatsOptions{}, nil); !errors.Is(err, ErrInvalidSource) {
		t.Errorf("code out of range: %v", err)
	}
	flt := oneTable(Column{Name: "f", Type: TypeFloat})
	nan := &memSource{rows: []int{1}, cols: [][]ColumnData{{{Floats: []float64{math.NaN()}}}}}
	if _, err := Build(flt, nan, StatsOptions{}, nil); !errors.Is(err, ErrInvalidSource) {
		t.Errorf("NaN: %v", err)
	}
}

// TestBuildMatchesReference checks Build against a direct Datum-map
// computation on skewed random data of every type with NULLs, and that the
// equi-depth buckets hold equal shares of the non-MCV rows.
func TestBuildMatchesReference(t *testing.T) {
	const n = 50000
	rng := newRand(7)
	s := oneTable(intCol("i"), Column{Name: "f", Type: TypeFloat, Nullable: true},
		Column{Name: "s", Type: TypeString, Nullable: true}, Column{Name: "d", Type: TypeDate})
	ints, floats, codes, dates := make([]int64, n), make([]float64, n), make([]uint32, n), make([]int64, n)
	null := make([]bool, n)
	dict := make([]string, 300)
	for i := range dict {
		dict[i] = string(rune('a'+i%26)) + string(rune('A'+i/26))
	}
	for i := range n {
		null[i] = rng.IntN(10) == 0
		z := int64(math.Exp(rng.Float64() * 9)) // log-uniform: a few heavy values, a long tail
		ints[i] = z - 500
		floats[i] = float64(z) / 4
		codes[i] = uint32(z % 300)
		dates[i] = 1_600_000_000 + 86400*int64(rng.IntN(2000))
	}
	cols := []ColumnData{{Ints: ints, Null: null}, {Floats: floats, Null: null}, {Codes: codes, Dict: dict, Null: null}, {Ints: dates}}
	opts := StatsOptions{Buckets: 20, MCVs: 30, SampleSize: 1000}
	cat := buildOne(t, s, n, cols, opts)
	for c := range cols {
		got := cat.Stats[0].Columns[c]
		vals := make([]Datum, n)
		col := cols[c]
		for i := range vals {
			vals[i] = sampleColumn(col, s.Tables[0].Columns[c].Type, []int{i})[0]
		}
		checkAgainstReference(t, s.Tables[0].Columns[c].Name, vals, got, opts)
	}
	st := cat.Stats[0]
	if st.SampleSize() != 1000 {
		t.Fatalf("sample size %d", st.SampleSize())
	}
	again := buildOne(t, s, n, cols, opts)
	if !reflect.DeepEqual(again.Stats[0].Sample, st.Sample) {
		t.Error("same seed, different sample")
	}
}

func checkAgainstReference(t *testing.T, name string, vals []Datum, got ColumnStats, opts StatsOptions) {
	t.Helper()
	count := map[Datum]int64{}
	var nulls int64
	for _, v := range vals {
		if v.IsNull() {
			nulls++
		} else {
			count[v]++
		}
	}
	rows := float64(len(vals))
	nonNull := int64(len(vals)) - nulls
	if got.Distinct != int64(len(count)) || got.NullFrac != float64(nulls)/rows {
		t.Errorf("%s: distinct %d nullfrac %v, want %d %v", name, got.Distinct, got.NullFrac, len(count), float64(nulls)/rows)
	}
	avg := float64(nonNull) / float64(len(count))
	isMCV := map[Datum]bool{}
	sum := 0.0
	for i, m := range got.MCVs {
		c := count[m.Value]
		if m.Freq != float64(c)/rows || float64(c) <= avg {
			t.Errorf("%s: MCV %v freq %v, true count %d (average %.1f)", name, m.Value, m.Freq, c, avg)
		}
		if i > 0 && m.Freq > got.MCVs[i-1].Freq {
			t.Errorf("%s: MCVs not most frequent first", name)
		}
		isMCV[m.Value] = true
		sum += m.Freq
	}
	// No non-MCV value may be more frequent than the least frequent MCV.
	var rest []Datum
	for _, v := range vals {
		if !v.IsNull() && !isMCV[v] {
			rest = append(rest, v)
			if len(got.MCVs) == opts.MCVs && count[v] > int64(got.MCVs[len(got.MCVs)-1].Freq*rows+0.5) {
				t.Fatalf("%s: %v (%d rows) missing from the MCVs", name, v, count[v])
			}
		}
	}
	if math.Abs(got.HistFrac-float64(len(rest))/rows) > 1e-12 || math.Abs(got.NullFrac+sum+got.HistFrac-1) > 1e-9 {
		t.Errorf("%s: HistFrac %v, want %v", name, got.HistFrac, float64(len(rest))/rows)
	}
	slices.SortFunc(rest, Compare)
	if got.Min != minDatum(vals) {
		t.Errorf("%s: min %v", name, got.Min)
	}
	b := len(got.Histogram) - 1
	if b != min(opts.Buckets, len(rest)-1) {
		t.Fatalf("%s: %d buckets", name, b)
	}
	for i, h := range got.Histogram {
		if want := rest[i*(len(rest)-1)/b]; h != want {
			t.Errorf("%s: bound %d = %v, want %v", name, i, h, want)
		}
	}
	// Equi-depth: rows strictly inside each bucket's range never exceed the
	// target depth (only values repeated at a bound may spill over).
	depth := float64(len(rest)) / float64(b)
	for i := range b {
		inside := 0
		for _, v := range rest {
			if Compare(v, got.Histogram[i]) > 0 && Compare(v, got.Histogram[i+1]) < 0 {
				inside++
			}
		}
		if float64(inside) > depth+1 {
			t.Errorf("%s: bucket %d holds %d rows strictly inside, depth %.1f", name, i, inside, depth)
		}
	}
}

func minDatum(vals []Datum) Datum {
	m := Null
	for _, v := range vals {
		if !v.IsNull() && (m.IsNull() || Compare(v, m) < 0) {
			m = v
		}
	}
	return m
}

func TestSampleRowsUniform(t *testing.T) {
	const n, k, trials = 100, 10, 20000
	rng := newRand(3)
	hits := make([]int, n)
	for range trials {
		rows := sampleRows(n, k, rng)
		if len(rows) != k || !slices.IsSorted(rows) || len(slices.Compact(slices.Clone(rows))) != k {
			t.Fatalf("bad sample %v", rows)
		}
		for _, r := range rows {
			hits[r]++
		}
	}
	// Each row is drawn with probability k/n: 2000 expected hits, sd ~42.
	for r, h := range hits {
		if h < 1800 || h > 2200 {
			t.Errorf("row %d drawn %d times, want ~2000", r, h)
		}
	}
}

func TestRadixSort(t *testing.T) {
	rng := newRand(5)
	for _, n := range []int{0, 1, 2, 1000, 70000} {
		keys := make([]uint64, n)
		for i := range keys {
			switch i % 3 {
			case 0:
				keys[i] = rng.Uint64()
			case 1:
				keys[i] = floatKey(rng.NormFloat64())
			default:
				keys[i] = intKey(rng.Int64N(1000) - 500)
			}
		}
		want := slices.Clone(keys)
		slices.Sort(want)
		radixSort(keys, make([]uint64, n))
		if !slices.Equal(keys, want) {
			t.Fatalf("n=%d: not sorted", n)
		}
	}
	for _, f := range []float64{-1e300, -1, -0.5, 0, 1e-300, 2, math.Inf(1)} {
		if keyFloat(floatKey(f)) != f {
			t.Errorf("float key round trip %v", f)
		}
	}
}

// BenchmarkBuild: 3,000,000 rows x 8 columns (4 ints of varied ranges, 2
// floats, 2 dictionary strings), 5% NULL.
func BenchmarkBuild(b *testing.B) {
	const n = 3_000_000
	rng := newRand(11)
	var cols []ColumnData
	var defs []Column
	null := make([]bool, n)
	for i := range null {
		null[i] = rng.IntN(20) == 0
	}
	for c := range 4 {
		v := make([]int64, n)
		for i := range v {
			switch c {
			case 0:
				v[i] = int64(i) // key
			case 1:
				v[i] = rng.Int64N(100)
			case 2:
				v[i] = int64(math.Exp(rng.Float64() * 12))
			default:
				v[i] = rng.Int64()
			}
		}
		cols = append(cols, ColumnData{Ints: v, Null: null})
		defs = append(defs, Column{Name: string(rune('a' + c)), Type: TypeInt, Nullable: true})
	}
	for c := range 2 {
		v := make([]float64, n)
		for i := range v {
			v[i] = math.Round(rng.NormFloat64()*1000*float64(c+1)) / 100
		}
		cols = append(cols, ColumnData{Floats: v, Null: null})
		defs = append(defs, Column{Name: string(rune('e' + c)), Type: TypeFloat, Nullable: true})
	}
	for c := range 2 {
		dict := make([]string, 1000*(c*50+1))
		for i := range dict {
			dict[i] = "v" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
		}
		v := make([]uint32, n)
		for i := range v {
			v[i] = uint32(math.Exp(rng.Float64()*math.Log(float64(len(dict))))) - 1
		}
		cols = append(cols, ColumnData{Codes: v, Dict: dict, Null: null})
		defs = append(defs, Column{Name: string(rune('g' + c)), Type: TypeString, Nullable: true})
	}
	s := oneTable(defs...)
	src := &memSource{rows: []int{n}, cols: [][]ColumnData{cols}}
	b.ResetTimer()
	// With the default HyperLogLog sketches (3M rows: over SketchRows; 8
	// column sketches and 15 pairs) and without them.
	for _, no := range []bool{false, true} {
		name := "sketches"
		if no {
			name = "no-sketches"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Build(s, src, StatsOptions{NoSketches: no}, newRand(1)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*len(cols))/b.Elapsed().Seconds()*float64(b.N), "values/s")
		})
	}
}

// cancelSource cancels its context when column cancelAt of table 0 is read.
type cancelSource struct {
	*memSource
	cancelAt int
	cancel   context.CancelFunc
}

func (c *cancelSource) ColumnData(t, col int) ColumnData {
	if t == 0 && col == c.cancelAt {
		c.cancel()
	}
	return c.memSource.ColumnData(t, col)
}

// TestBuildContextCancelled: a context cancelled before or during the
// build stops it with the context's error; a cancelled AddSketchesContext
// leaves the table without sketches rather than half-counted ones.
func TestBuildContextCancelled(t *testing.T) {
	const n = 20_000
	s, src := sketchSource(n)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := BuildContext(ctx, s, &cancelSource{memSource: src, cancelAt: 1, cancel: cancel}, StatsOptions{SketchRows: n}, newRand(1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled while reading columns: %v, want context.Canceled", err)
	}
	cat, err := BuildContext(context.Background(), s, src, StatsOptions{SketchRows: n}, newRand(1))
	if err != nil || len(cat.Stats[0].Sketches) == 0 {
		t.Fatalf("uncancelled: %v, %d sketches", err, len(cat.Stats[0].Sketches))
	}
	if err := AddSketchesContext(ctx, cat, src, StatsOptions{SketchRows: n}); !errors.Is(err, context.Canceled) || cat.Stats[0].Sketches != nil {
		t.Fatalf("AddSketchesContext cancelled: %v, %d sketches left, want context.Canceled and none", err, len(cat.Stats[0].Sketches))
	}
}
