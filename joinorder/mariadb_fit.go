package joinorder

import (
	"fmt"
	"math"
)

// LatencySample is one measured execution for FitMariaDBCosts: the work
// of the executed order (MariaDB.OrderWork under TRUE cardinalities) and
// its measured latency in microseconds.
type LatencySample struct {
	Work      Work
	LatencyUS float64
}

// FitOptions configure FitMariaDBCosts. The zero value means the defaults.
type FitOptions struct {
	// Prior are the constants the fit shrinks towards (zero fields:
	// DefaultMariaDBCosts): a constant the samples say little about stays
	// near its prior.
	Prior MariaDBCosts
	// PriorWeight is the weight of the prior against the samples, in
	// samples (each sample's squared relative error weighs 1, the prior
	// PriorWeight times the squared relative change of each constant).
	// 0 means DefaultPriorWeight; negative is ErrOptions.
	PriorWeight float64
}

// DefaultPriorWeight is FitOptions.PriorWeight's default: the prior counts
// as one sample per constant.
const DefaultPriorWeight = 1.0

// fitIters bounds the coordinate-descent sweeps of FitMariaDBCosts (each
// sweep is 6 exact one-dimensional minimisations; a few hundred converge
// on every tested workload).
const fitIters = 2000

// FitMariaDBCosts fits the MariaDB cost model's constants to measured
// latencies (the latency-refinement step: costs learned from the server's
// own executions): non-negative weighted least squares of
//
//	latency ≈ Work · costs + overhead
//
// minimising the squared relative error Σ ((pred - t) / t)² (a 1 ms and
// a 10 s query count alike), plus PriorWeight · Σ ((c - prior) / prior)²
// (ridge towards the prior), by cyclic coordinate descent with exact
// non-negative steps (Lawson and Hanson's NNLS problem, solved as a
// convex quadratic program). The per-statement overhead is fitted and
// returned, but is not part of the model (it does not depend on the
// order). Samples with a non-positive, NaN or infinite latency or work
// are ErrOptions.
func FitMariaDBCosts(samples []LatencySample, opts FitOptions) (MariaDBCosts, float64, error) {
	prior, err := NewMariaDB(nil, opts.Prior)
	if err != nil {
		return MariaDBCosts{}, 0, err
	}
	lambda := opts.PriorWeight
	switch {
	case lambda == 0:
		lambda = DefaultPriorWeight
	case lambda < 0 || math.IsNaN(lambda) || math.IsInf(lambda, 0):
		return MariaDBCosts{}, 0, fmt.Errorf("%w: PriorWeight %g", ErrOptions, opts.PriorWeight)
	}
	if len(samples) == 0 {
		return MariaDBCosts{}, 0, fmt.Errorf("%w: no latency samples", ErrOptions)
	}
	const k = 6 // five constants and the overhead
	x := make([][k]float64, len(samples))
	t := make([]float64, len(samples))
	for i, s := range samples {
		w := s.Work
		x[i] = [k]float64{w.ScanRows, w.Lookups, w.FetchPK, w.FetchSec, w.JoinPairs, 1}
		for _, v := range x[i] {
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				return MariaDBCosts{}, 0, fmt.Errorf("%w: sample %d has work %+v", ErrOptions, i, w)
			}
		}
		if !(s.LatencyUS > 0) || math.IsInf(s.LatencyUS, 0) {
			return MariaDBCosts{}, 0, fmt.Errorf("%w: sample %d has latency %g us", ErrOptions, i, s.LatencyUS)
		}
		t[i] = s.LatencyUS
	}
	pc := prior.c
	p := [k]float64{pc.ScanRow, pc.Lookup, pc.FetchPK, pc.FetchSec, pc.JoinRow, 0}
	// Normal equations of the weighted problem: A c = b with
	// A = Xᵀ W X + Λ, b = Xᵀ W t + Λ p, W = diag(1/t²), Λ = λ/p² on the
	// constants (none on the overhead).
	var a [k][k]float64
	var b [k]float64
	for i := range x {
		wi := 1 / (t[i] * t[i])
		for j := range k {
			b[j] += wi * x[i][j] * t[i]
			for l := range k {
				a[j][l] += wi * x[i][j] * x[i][l]
			}
		}
	}
	for j := range k - 1 {
		reg := lambda / (p[j] * p[j])
		a[j][j] += reg
		b[j] += reg * p[j]
	}
	c := p
	for range fitIters {
		moved := 0.0
		for j := range k {
			if a[j][j] <= 0 {
				continue
			}
			r := b[j]
			for l := range k {
				if l != j {
					r -= a[j][l] * c[l]
				}
			}
			v := math.Max(0, r/a[j][j])
			moved = math.Max(moved, math.Abs(v-c[j])/math.Max(math.Abs(c[j]), 1e-12))
			c[j] = v
		}
		if moved < 1e-10 {
			break
		}
	}
	// A constant fitted to exactly zero would read as "default" in
	// MariaDBCosts: keep it at a negligible positive value.
	floor := func(v float64) float64 { return math.Max(v, 1e-9) }
	return MariaDBCosts{ScanRow: floor(c[0]), Lookup: floor(c[1]), FetchPK: floor(c[2]), FetchSec: floor(c[3]), JoinRow: floor(c[4])}, c[5], nil
}
