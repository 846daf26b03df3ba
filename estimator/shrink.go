package estimator

import "math"

// Shrinking the GBDT's and Linear's correction by the precision of a
// sampled baseline.
//
// A baseline that is the samples' own estimate from h sampled rows (a
// single table's filter, a join sample or synopsis) has a relative
// sampling variance of about 1/h in logs (Poisson counts; the finite
// population correction only makes it smaller), while the model's
// correction has a variance of its own, τ, learned from every baseline it
// saw. The two are combined by inverse variance (the precision-weighted
// mean of two estimates of ln rows, as in empirical Bayes shrinkage):
//
//	ln rows = ln base + Δ · (1/h) / (1/h + τ) = ln base + Δ / (1 + τ·h)
//
//	h = 0 (catalog counts, histogram, blend) ─► Δ        (no shrinking)
//	h = 2,200 hits, τ = 0.1                   ─► Δ / 221 (the sample rules)
//
// so the correction a tree leaf fitted to noisy small-count baselines does
// not move a count the sample already pins (on the flights demo a filter
// the 50% sample counts at 4,400 rows, true 4,396, got x1.12 from gbdt).
// τ is chosen in training from shrinkGrid as the one with the least mean
// absolute log error of held-out corrections: the GBDT's held-out split,
// Linear's out-of-fold corrections of its cross-fitted folds (a linear
// correction moves an exact sampled count as readily: E-commerce's
// products filtered on a discount range and a brand, which the sample
// counts within 1%, got x2.2 from Linear). 0, no shrinking, is a
// candidate, so the held-out fit is never worse than without it.

// shrinkGrid are the candidates of GBDT.shrinkTau and Linear.shrinkTau.
var shrinkGrid = [...]float64{0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1}

// maxShrinkTau is the largest shrink constant a model file may carry.
const maxShrinkTau = 1e3

// shrinkCorrection returns the correction corr of a baseline resting on
// sampled sampled rows, shrunk with constant tau.
func shrinkCorrection(corr float64, sampled int, tau float64) float64 {
	if sampled <= 0 || tau <= 0 {
		return corr
	}
	return corr / (1 + tau*float64(sampled))
}

// shrinkFig is a held-out example as bestShrinkTau needs it: the
// predicted correction, the true log-correction y = ln true − ln base, the
// baseline rows and its sampled support.
type shrinkFig struct {
	pred, y, base float64
	sampled       int
}

// bestShrinkTau returns the grid constant with the least mean absolute
// error of the clamped log estimate (as bandResiduals measures it) over
// figs; ties go to the smaller constant.
func bestShrinkTau(figs []shrinkFig) float64 {
	best, bestErr := 0.0, math.Inf(1)
	for _, tau := range shrinkGrid {
		e := 0.0
		for _, f := range figs {
			e += math.Abs(correctedResidual(f.y, f.base, shrinkCorrection(f.pred, f.sampled, tau)))
		}
		if e < bestErr-1e-9 {
			best, bestErr = tau, e
		}
	}
	return best
}

// correctedResidual is the log residual ln true − ln estimate of an
// example with log-correction target y over base rows, estimated with
// correction c (clamped as GBDT.estimateMask clamps it; Linear's own
// clamp is tighter, maxNetCorrection), both logs clamped as QError clamps
// them. bestShrinkTau weighs the GBDT's held-out and Linear's out-of-fold
// corrections with it.
func correctedResidual(y, base, c float64) float64 {
	c = math.Max(-maxCorrection, math.Min(maxCorrection, c))
	return y + logRows(base) - logRows(sanitize(math.Max(base, 1)*math.Exp(c)))
}
