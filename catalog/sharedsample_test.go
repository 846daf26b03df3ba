package catalog

import (
	"errors"
	"slices"
	"testing"
)

// fkSchema is a schema of one-column tables named by names, with foreign
// keys "T>D" (T.id -> D.id).
func fkSchema(names []string, fks ...string) *Schema {
	s := &Schema{}
	for _, n := range names {
		s.Tables = append(s.Tables, &Table{Name: n, PrimaryKey: []string{"id"}, Columns: []Column{{Name: "id", Type: TypeInt}}})
	}
	for _, fk := range fks {
		s.ForeignKeys = append(s.ForeignKeys, ForeignKey{Table: fk[:1], Columns: []string{"id"}, RefTable: fk[2:], RefColumns: []string{"id"}})
	}
	return s
}

func TestSampleSizes(t *testing.T) {
	opts, err := StatsOptions{SampleSize: 10, SharedKeySampleSize: 25}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		tables []string
		rows   []int
		fks    []string
		want   []int
	}{
		// ecommerce with reviews: O(rders), I(tems), R(eviews), C(ustomers), P(roducts).
		{"two facts at shared dimensions", []string{"C", "P", "O", "I", "R"}, []int{10, 2, 100, 300, 22},
			[]string{"O>C", "I>O", "I>P", "R>P", "R>C"}, []int{10, 10, 25, 25, 25}},
		// flights: F(lights), A(irports), R(outes) whole.
		{"other referencing table sampled whole", []string{"F", "A", "R"}, []int{20, 3, 5},
			[]string{"F>A", "F>R", "R>A", "A>A"}, []int{10, 10, 10}},
		// TPC-H: L(ineitem) -> S(partsupp), both -> P(art), V (supplier).
		{"one fact reaches the other", []string{"L", "S", "P", "V"}, []int{600, 80, 20, 11},
			[]string{"L>S", "L>P", "L>V", "S>P", "S>V"}, []int{10, 10, 10, 10}},
		{"self reference", []string{"A", "B"}, []int{100, 100}, []string{"A>A", "B>A"}, []int{10, 10}},
		// TPC-H's C(ustomer) and V (supplier) share N(ation): at scale 1
		// supplier has exactly SampleSize rows, from scale 2 on more.
		{"TPC-H scale 1", []string{"C", "V", "N"}, []int{150, 10, 2}, []string{"C>N", "V>N"}, []int{10, 10, 10}},
		{"TPC-H scale 2", []string{"C", "V", "N"}, []int{300, 20, 2}, []string{"C>N", "V>N"}, []int{25, 25, 10}},
	} {
		got := sampleSizes(fkSchema(tc.tables, tc.fks...), tc.rows, opts)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: sample sizes %v, want %v", tc.name, got, tc.want)
		}
	}
	off := opts
	off.NoSharedKeySamples = true
	if got := sampleSizes(fkSchema([]string{"A", "B", "D"}, "A>D", "B>D"), []int{100, 100, 1}, off); !slices.Equal(got, []int{10, 10, 10}) {
		t.Errorf("NoSharedKeySamples: %v", got)
	}
	// SampleSizes is sampleSizes with the defaults applied and its input checked.
	s := fkSchema([]string{"A", "B", "D"}, "A>D", "B>D")
	if got, err := SampleSizes(s, []int64{100_000, 50_000, 10}, StatsOptions{}); err != nil || !slices.Equal(got, []int{30_000, 30_000, DefaultSampleSize}) {
		t.Errorf("SampleSizes defaults: %v, %v", got, err)
	}
	if _, err := SampleSizes(s, []int64{1, 2}, StatsOptions{}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("SampleSizes with 2 counts for 3 tables: %v", err)
	}
	if _, err := SampleSizes(s, []int64{1, -2, 3}, StatsOptions{}); !errors.Is(err, ErrInvalidSource) {
		t.Errorf("SampleSizes with a negative count: %v", err)
	}
	if _, err := (StatsOptions{SharedKeySampleSize: -1}).withDefaults(); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("negative SharedKeySampleSize: %v", err)
	}
}

// Build samples two facts at a shared dimension at SharedKeySampleSize rows.
func TestBuildSharedKeySample(t *testing.T) {
	s := fkSchema([]string{"A", "B", "D"}, "A>D", "B>D")
	col := func(n int) []ColumnData {
		c := ColumnData{Ints: make([]int64, n)}
		for i := range c.Ints {
			c.Ints[i] = int64(i)
		}
		return []ColumnData{c}
	}
	src := &memSource{rows: []int{50, 40, 5}, cols: [][]ColumnData{col(50), col(40), col(5)}}
	for _, tc := range []struct {
		opts StatsOptions
		want []int
	}{
		{StatsOptions{SampleSize: 10, SharedKeySampleSize: 20}, []int{20, 20, 5}},
		{StatsOptions{SampleSize: 10, SharedKeySampleSize: 45}, []int{45, 40, 5}},
		{StatsOptions{SampleSize: 10, SharedKeySampleSize: 20, NoSharedKeySamples: true}, []int{10, 10, 5}},
	} {
		cat, err := Build(s, src, tc.opts, newRand(1))
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for ti := range cat.Stats {
			got = append(got, cat.Stats[ti].SampleSize())
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%+v: sample sizes %v, want %v", tc.opts, got, tc.want)
		}
	}
}
