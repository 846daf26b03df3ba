package estimator

import (
	"context"
	"reflect"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
)

func TestExtraFolds(t *testing.T) {
	seq := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	for _, c := range []struct {
		name        string
		rest, split int
		folds       int
		size        func(int) int
		want        [][2]int
	}{
		{name: "split alone", rest: 70, split: 30, folds: 1},
		{name: "no split", rest: 70, split: 0, folds: 3},
		// The default 30% split: two folds of the split's size, 10% left.
		{name: "default", rest: 70, split: 30, folds: 3, want: [][2]int{{0, 30}, {30, 60}}},
		// A last run of 10 < 15 (half a split) is dropped.
		{name: "short tail dropped", rest: 70, split: 30, folds: 4, want: [][2]int{{0, 30}, {30, 60}}},
		// A last run of at least half a split is kept.
		{name: "tail kept", rest: 80, split: 30, folds: 5, want: [][2]int{{0, 30}, {30, 60}, {60, 80}}},
		// Sized units (SetNet's groups of examples): runs reach split examples.
		{name: "sized", rest: 10, split: 6, folds: 3, size: func(k int) int { return 1 + k%2 },
			want: [][2]int{{0, 4}, {4, 8}}},
	} {
		got := extraFolds(seq(c.rest), c.split, c.folds, c.size)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: extraFolds = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestCrossFitKeepsEstimates checks that cross-fitting (CalibFolds > 1)
// changes the bands of GBDT and SetNet and nothing else: the kept model
// is the split's, so every estimate is the same, while the band is
// calibrated on more held-out residuals (it differs from the split's
// alone).
func TestCrossFitKeepsEstimates(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 6 models")
	}
	db := flightsDB(t)
	cat, err := db.Catalog(catalog.StatsOptions{}, 3)
	if err != nil {
		t.Fatal(err)
	}
	train := examples(t, db.Schema, labelled(t, db, 1500, 2, 31, true))
	test := examples(t, db.Schema, labelled(t, db, 300, 2, 32, false))
	ctx := context.Background()
	for _, kind := range []string{KindGBDT, KindSetNet} {
		var models []Estimator
		for _, folds := range []int{1, 3} {
			m, err := Train(ctx, kind, cat, train, TrainOptions{
				GBDT:   GBDTOptions{Seed: 3, CalibFolds: folds, Trees: 60},
				SetNet: SetNetOptions{Seed: 3, CalibFolds: folds, Epochs: 4}})
			if err != nil {
				t.Fatal(err)
			}
			models = append(models, m)
		}
		sameRows, sameBand := true, true
		for _, ex := range test {
			a, err := models[0].Estimate(ex.Query)
			if err != nil {
				t.Fatal(err)
			}
			b, err := models[1].Estimate(ex.Query)
			if err != nil {
				t.Fatal(err)
			}
			sameRows = sameRows && a.Rows == b.Rows
			sameBand = sameBand && a.Low == b.Low && a.High == b.High
		}
		if !sameRows {
			t.Errorf("%s: estimates differ between CalibFolds 1 and 3 (the kept model must be the split's)", kind)
		}
		if sameBand {
			t.Errorf("%s: CalibFolds 3 gave the same bands as 1 (the folds' residuals did not calibrate)", kind)
		}
		lo1, hi1 := bandOf(models[0])
		lo3, hi3 := bandOf(models[1])
		t.Logf("%s: band at 0-2 joins, split alone lo %.3v hi %.3v; cross-fitted lo %.3v hi %.3v", kind, lo1, hi1, lo3, hi3)
	}
}

// bandOf returns the in-distribution band quantiles of a GBDT or SetNet.
func bandOf(m Estimator) (lo, hi []float64) {
	switch m := m.(type) {
	case *GBDT:
		return m.band.in.lo, m.band.in.hi
	case *SetNet:
		return m.band.in.lo, m.band.in.hi
	}
	return nil, nil
}

func TestCalibFolds(t *testing.T) {
	for _, c := range []struct{ folds, split, want int }{
		{3, 1500, 3},  // bench's 5,000 + 1,000 queries, a quarter held out
		{3, 2000, 3},  // 20,000 queries, a tenth held out: 6,000 calibrate
		{3, 2500, 2},  // 5,000 calibrate with one more model
		{3, 10000, 1}, // 100,000 queries: the split alone
		{1, 100, 1},
		{3, 0, 1},
	} {
		if got := calibFolds(c.folds, c.split); got != c.want {
			t.Errorf("calibFolds(%d, %d) = %d, want %d", c.folds, c.split, got, c.want)
		}
	}
}

func TestCalibFoldsOptions(t *testing.T) {
	for _, o := range []TrainOptions{
		{GBDT: GBDTOptions{CalibFolds: -1}},
		{GBDT: GBDTOptions{CalibFolds: MaxCalibFolds + 1}},
		{SetNet: SetNetOptions{CalibFolds: -1}},
		{SetNet: SetNetOptions{CalibFolds: MaxCalibFolds + 1}},
	} {
		if err := o.Validate(); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}
