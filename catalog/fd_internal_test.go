package catalog

import (
	"bytes"
	"reflect"
	"slices"
	"testing"
)

// datesSource is n rows of a date-ordered table: id, a timestamp, its
// day, its hour and day of week, and two columns independent of it.
func datesSource(n int) (*Schema, *memSource) {
	rng := newRand(5)
	cols := make([]ColumnData, 7)
	for c := range cols {
		cols[c].Ints = make([]int64, n)
	}
	ts := int64(978_307_200) // 2001-01-01
	for i := range n {
		ts += rng.Int64N(2 * 4 * 365 * 86400 / int64(n))
		cols[0].Ints[i] = int64(i + 1)
		cols[1].Ints[i] = ts
		cols[2].Ints[i] = ts / 86400
		cols[3].Ints[i] = ts % 86400 / 3600
		cols[4].Ints[i] = (ts/86400+4)%7 + 1
		cols[5].Ints[i] = rng.Int64N(1000)
		cols[6].Ints[i] = rng.Int64N(3000)
	}
	defs := []Column{{Name: "id", Type: TypeInt}, {Name: "ts", Type: TypeDateTime}, {Name: "day", Type: TypeInt},
		{Name: "hour", Type: TypeInt}, {Name: "dow", Type: TypeInt}, {Name: "delay", Type: TypeInt}, {Name: "distance", Type: TypeInt}}
	return oneTable(defs...), &memSource{rows: []int{n}, cols: [][]ColumnData{cols}}
}

// The dependencies of a date-ordered table: the timestamp determines its
// id, day and day of week, and the independent columns depend on nothing.
func TestDependenciesOfDates(t *testing.T) {
	s, src := datesSource(200_000)
	cat, err := Build(s, src, StatsOptions{NoJoinSynopses: true}, newRand(1))
	if err != nil {
		t.Fatal(err)
	}
	got := map[int][]int{}
	for _, d := range cat.Stats[0].Dependencies {
		got[d.From] = d.To
		for _, c := range d.To {
			if c == 5 || c == 6 {
				t.Errorf("column %d depends on column %d", c, d.From)
			}
		}
	}
	// At 64 rows (12 hours) a bin, the hour is not near-functional.
	if want := []int{0, 2, 4}; !slices.Equal(got[1], want) {
		t.Errorf("ts -> %v, want %v", got[1], want)
	}
}

// BenchmarkBuildDependencies: the statistics of 3M rows x 7 columns of a
// date-ordered table, with and without its dependencies.
func BenchmarkBuildDependencies(b *testing.B) {
	s, src := datesSource(3_000_000)
	for _, no := range []bool{true, false} {
		name := "with"
		if no {
			name = "without"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Build(s, src, StatsOptions{NoJoinSynopses: true, NoDependencies: no}, newRand(1)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestGoldenDependencies pins format version 5: a catalog with
// dependencies saves as testdata/catalog-v5.golden (-rewrite) and loads
// back equal, from that file and from the current format.
func TestGoldenDependencies(t *testing.T) {
	s, src := datesSource(2000)
	cat, err := Build(s, src, StatsOptions{Buckets: 8, MCVs: 4, SampleSize: 200}, newRand(3))
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Stats[0].Dependencies) == 0 {
		t.Fatal("no dependency found")
	}
	want := goldenRoundTrip(t, cat, "catalog-v5.golden", 5)
	if got, err := Load(bytes.NewReader(saveBytes(t, cat))); err != nil || !reflect.DeepEqual(got, cat) {
		t.Errorf("version %d round trip: %v", formatVersion, err)
	}
	// Every truncation is an error, never a panic.
	for n := len(magic) + 2; n < len(want); n += 97 {
		if _, err := Load(bytes.NewReader(want[:n])); err == nil {
			t.Fatalf("truncated at %d: no error", n)
		}
	}
}
