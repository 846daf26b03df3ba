package estimator

import (
	"context"
	"math"
	"testing"
)

// Huber loss keeps rare far-off targets (empty results: log-correction
// -20) from pulling the prediction of the rows they share a leaf with;
// squared loss predicts their mean.
func TestBoostHuber(t *testing.T) {
	const n = 2000
	X := make([][]float64, n)
	for i := range X {
		X[i] = []float64{float64(i % 2)}
	}
	bn := newBinning(X, 1)
	d := newBinnedSet(1, n)
	for i, x := range X {
		y := 1.0 // x = 1: correction 1
		if x[0] == 0 {
			y = 0
			if i%40 == 0 { // 5% of the x = 0 rows are empty
				y = -20
			}
		}
		d.set(bn, i, x, y)
	}
	predict0 := func(huber float64) float64 {
		p := GBDTOptions{Trees: 200, Leaves: 2, MinLeaf: 1, Subsample: 1, FeatureFraction: 1, Workers: 1, HuberDelta: huber}.params()
		e, err := boost(context.Background(), bn, d, newBinnedSet(1, 0), p)
		if err != nil {
			t.Fatal(err)
		}
		return e.predict([]float64{0})
	}
	// Huber: 0.95 r + 0.05 * (-2) = 0 at the optimum, r ~ 0.1 below 0.
	if got := predict0(2); math.Abs(got) > 0.2 {
		t.Errorf("huber prediction at x=0: %.3f, want about -0.1", got)
	}
	if got := predict0(-1); math.Abs(got+1) > 0.05 {
		t.Errorf("squared-loss prediction at x=0: %.3f, want the mean -1", got)
	}
}
