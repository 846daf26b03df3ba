package estimator

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
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

// TestLinFitRidge: with a negligible penalty the ridge fit recovers known
// coefficients, a heavy one shrinks them, and every fit agrees with an
// independent solve: the QR least-squares solution of the design augmented
// with sqrt(lambda)·I rows of target zero (Hoerl & Kennard's formulation).
func TestLinFitRidge(t *testing.T) {
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
	for _, lambda := range []float64{0, 1, 1e4} {
		got, err := linFitRidge(Z, y, lambda)
		if err != nil {
			t.Fatal(err)
		}
		k := len(Z[0])
		jitter := lambda + linJitter*float64(len(Z)+1)
		aug := mat.NewDense(len(Z)+k, k, nil)
		rhs := mat.NewVecDense(len(Z)+k, nil)
		for i, z := range Z {
			aug.SetRow(i, z)
			rhs.SetVec(i, y[i])
		}
		for j := range k {
			aug.Set(len(Z)+j, j, math.Sqrt(jitter))
		}
		var qr mat.VecDense
		if err := qr.SolveVec(aug, rhs); err != nil {
			t.Fatal(err)
		}
		for j := range k {
			if math.Abs(got[j]-qr.AtVec(j)) > 1e-9*(1+math.Abs(got[j])) {
				t.Fatalf("lambda %g: Cholesky %v, QR %v", lambda, got, mat.Formatted(qr.T()))
			}
		}
	}
	// A rank-deficient design with no penalty is still solved (the jitter
	// keeps it positive definite) to finite coefficients.
	dup := make([][]float64, len(Z))
	for i, z := range Z {
		dup[i] = []float64{z[0], z[0]}
	}
	if c, err := linFitRidge(dup, y, 0); err != nil || math.IsNaN(c[0]) || math.IsNaN(c[1]) {
		t.Fatalf("duplicate feature: %v %v", c, err)
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
		if _, err := loadLinearPayload(bytes.NewReader(saved[:n]), f.cat, modelVersion); !errors.Is(err, ErrBadPayload) {
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
