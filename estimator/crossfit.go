package estimator

// Cross-fitted calibration of the learned models that hold a split out
// (GBDT, SetNet). The split alone gives their band its held-out
// residuals: about 1,500 whole queries of a 5,000-query workload, 300
// per join count, whose draw moves a class's level by about ±1.6%
// (binomial; ±1.2% once post-stratified), on top of the ±1.4% with
// which 400 test queries measure it. So over 16 bench runs gbdt and
// setnet had more cells outside issue 12's 88-95% than the histogram,
// whose band calibrates on every training query (about 1,000 per join
// count). With CalibFolds = k the split's model is kept as the
// estimator, and k−1 more models, each trained by the same procedure on
// as many queries but holding out another fold of the same size, give
// the residuals of their fold:
//
//	groups (seeded permutation): │ split │ fold 1 │ fold 2 │ … │ rest │
//	model 0 (kept) trains on everything but the split, early-stops on it
//	model j trains on everything but fold j, early-stops on it
//	band: residuals of the split (model 0) ∪ fold j (model j), post-stratified
//	      on the baseline residuals of every whole query (conformal.go)
//
// This is cross-conformal prediction (Vovk, "Cross-conformal
// predictors", 2015; CV+, Barber, Candès, Ramdas & Tibshirani,
// "Predictive inference with the jackknife+", 2021) with the estimate
// of the kept model rather than an aggregate of the folds' (so the
// estimates, and their q-errors, are those of the split alone): each
// fold's model is a draw of the same training on as many queries, so
// its residuals on its fold are distributed as the kept model's on
// fresh queries. A fold is the split's size, so a model never trains on
// fewer queries than the kept one; the folds stop where the groups run
// out (at the default 30% split, three folds reach 90% of the
// workload; the rest calibrates through post-stratification), and once
// crossFitQueries whole queries calibrate (a large workload's split
// holds out enough alone, and trains no more models). Training takes up
// to k times as long.

// Cross-fitting defaults.
const (
	// DefaultCalibFolds is the CalibFolds `cardinal train` and `cardinal
	// bench` use (the library's default is 1, the split alone, so that
	// training takes no longer unless asked): three models, calibrating
	// on 90% of a 5,000-query workload's whole queries instead of 30%.
	DefaultCalibFolds = 3
	// MaxCalibFolds bounds CalibFolds (each fold is a full training).
	MaxCalibFolds = 10
	// crossFitQueries is the number of calibrating whole queries beyond
	// which no more folds are trained (calibFolds): about 900 per join
	// count of a 0-4 join workload, where a class's level spreads ±0.9%
	// (binomial), under the ±1.4% with which 400 test queries measure
	// it. A 5,000-query workload's split holds out 1,500 (three models);
	// from 45,000 queries on, its tenth is enough (one).
	crossFitQueries = 4500
	// crossFitSeed is mixed into the seed of fold j's model (j·crossFitSeed),
	// so each is its own draw of the training.
	crossFitSeed = 0x9e3779b97f4a7c15
)

// extraFolds returns the ranges [lo, hi) of the folds beyond the split
// among rest ordered units (groups, or examples via size): up to
// folds−1 consecutive runs of split units each (size-weighted when size
// is given), the last cut short where rest runs out. A run shorter than
// half a split is dropped (its model would train on more than the kept
// one, and its residuals would be narrower).
func extraFolds(rest []int, split int, folds int, size func(int) int) [][2]int {
	if split <= 0 || folds <= 1 {
		return nil
	}
	if size == nil {
		size = func(int) int { return 1 }
	}
	var out [][2]int
	lo := 0
	for len(out) < folds-1 && lo < len(rest) {
		hi, n := lo, 0
		for hi < len(rest) && n < split {
			n += size(rest[hi])
			hi++
		}
		if 2*n < split {
			break
		}
		out = append(out, [2]int{lo, hi})
		lo = hi
	}
	return out
}

// calibFolds is the number of models that calibrate when asked for
// folds and the split holds out split whole queries: folds, but no more
// than reach crossFitQueries.
func calibFolds(folds, split int) int {
	if split <= 0 {
		return 1
	}
	return max(1, min(folds, (crossFitQueries+split-1)/split))
}
