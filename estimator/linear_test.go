package estimator

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sjwhitworth/golearn/base"
	"github.com/sjwhitworth/golearn/linear_models"
)

// TestLinearFlights trains the linear model on the flights workload and
// reports its held-out q-error beside the histogram's; the correction must
// not make the median worse.
func TestLinearFlights(t *testing.T) {
	f := snFlightsFixture(t)
	m, err := TrainLinear(context.Background(), f.cat, f.train, LinearOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hist := Quantiles(snQErrors(t, NewHistogram(f.cat), f.test))
	lin := Quantiles(snQErrors(t, m, f.test))
	t.Logf("%v", m)
	t.Logf("held-out q-error histogram: median %.2f p90 %.2f p95 %.2f max %.3g", hist.Median, hist.P90, hist.P95, hist.Max)
	t.Logf("held-out q-error linear:    median %.2f p90 %.2f p95 %.2f max %.3g", lin.Median, lin.P90, lin.P95, lin.Max)
	if !(lin.Median <= hist.Median) || !(lin.P95 < hist.P95) {
		t.Errorf("linear (median %.3f, p95 %.3f) worse than histogram (%.3f, %.3f)", lin.Median, lin.P95, hist.Median, hist.P95)
	}
	// The generator's workload (sub-plans included): report, and require
	// a better tail than the histogram's.
	wm, err := TrainLinear(context.Background(), f.cat, f.wlTrain, LinearOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wh := Quantiles(snQErrors(t, NewHistogram(f.cat), f.wlTest))
	wl := Quantiles(snQErrors(t, wm, f.wlTest))
	t.Logf("workload held-out q-error histogram: median %.2f p90 %.2f p95 %.2f", wh.Median, wh.P90, wh.P95)
	t.Logf("workload held-out q-error linear:    median %.2f p90 %.2f p95 %.2f", wl.Median, wl.P90, wl.P95)
	if !(wl.P90 < wh.P90) {
		t.Errorf("linear p90 %.3f not below histogram %.3f on the workload", wl.P90, wh.P90)
	}
	for _, ex := range f.test {
		e, err := m.Estimate(ex.Query)
		if err != nil {
			t.Fatal(err)
		}
		if math.IsNaN(e.Rows) || math.IsInf(e.Rows, 0) || !(e.Low <= e.Rows && e.Rows <= e.High) || math.IsInf(e.High, 0) {
			t.Fatalf("%s: bad estimate %+v", ex.Query.SQL(), e)
		}
	}
}

// TestLinFitRidgeMatchesGolearn: with a negligible penalty the ridge fit
// recovers known coefficients, and the read-back coefficients predict
// exactly what golearn's own Predict does.
func TestLinFitRidgeMatchesGolearn(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	want := []float64{1.5, -2, 0.25}
	Z := make([][]float64, 200)
	y := make([]float64, len(Z))
	for i := range Z {
		Z[i] = []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		for j, w := range want {
			y[i] += w * Z[i][j]
		}
		y[i] += 0.01 * rng.NormFloat64()
	}
	coef, err := linFitRidge(Z, y, 1e-9)
	if err != nil {
		t.Fatal(err)
	}
	for j := range want {
		if math.Abs(coef[j]-want[j]) > 0.01 {
			t.Fatalf("coef %v, want %v", coef, want)
		}
	}
	// A heavy penalty shrinks every coefficient.
	shrunk, err := linFitRidge(Z, y, 1e4)
	if err != nil {
		t.Fatal(err)
	}
	for j := range want {
		if !(math.Abs(shrunk[j]) < math.Abs(coef[j])/2) {
			t.Fatalf("lambda 1e4 did not shrink: %v vs %v", shrunk, coef)
		}
	}
	// Golearn's Predict on plain (unaugmented) data agrees with the dot
	// product of the read-back coefficients.
	inst, specs, cls, err := linInstances(3, len(Z))
	if err != nil {
		t.Fatal(err)
	}
	for i, z := range Z {
		for j, v := range z {
			inst.Set(specs[j], i, base.PackFloatToBytes(v))
		}
		inst.Set(cls, i, base.PackFloatToBytes(y[i]))
	}
	lr := linear_models.NewLinearRegression()
	if err := lr.Fit(inst); err != nil {
		t.Fatal(err)
	}
	out, err := lr.Predict(inst)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := linColumn(out, len(Z))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := linFitRidge(Z, y, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, z := range Z {
		dot := 0.0
		for j, w := range plain {
			dot += w * z[j]
		}
		// golearn fits an intercept; the data are nearly centred.
		if math.Abs(dot-pred[i]) > 0.01 {
			t.Fatalf("row %d: read-back %.6f, golearn %.6f", i, dot, pred[i])
		}
	}
}

// TestLinearRoundTrip: save/load gives identical estimates and re-saves
// to the same bytes; truncations
// are typed errors; a too-small workload is rejected.
func TestLinearRoundTrip(t *testing.T) {
	f := snFlightsFixture(t)
	m, err := TrainLinear(context.Background(), f.cat, f.train[:500], LinearOptions{})
	if err != nil {
		t.Fatal(err)
	}
	saved := snRoundTrip(t, f, m)
	for n := 0; n < len(saved); n += 1 + n/4 {
		if _, err := loadLinearPayload(bytes.NewReader(saved[:n]), f.cat); !errors.Is(err, ErrBadPayload) {
			t.Fatalf("truncated to %d: %v", n, err)
		}
	}
	if _, err := TrainLinear(context.Background(), f.cat, f.train[:2], LinearOptions{}); !errors.Is(err, ErrNoExamples) {
		t.Fatalf("2 examples: %v", err)
	}
}

// Targets: as BenchmarkSetNetEstimate.
func BenchmarkLinearEstimate(b *testing.B) {
	f := snFlightsFixture(b)
	m, err := TrainLinear(context.Background(), f.cat, f.train, LinearOptions{})
	if err != nil {
		b.Fatal(err)
	}
	benchLearned(b, m, f)
}
