package estimator

import (
	"fmt"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/querylog"
)

// What the learned models share. Each learned kind (gbdt.go, setnet.go,
// linear.go) is a correction over the baseline (baseline.go):
//
//	query ─► baseline ─► rows_b ───────────────────────┐
//	   └───► encoding ─► model ─► Δ, clamped to ±cap ──┴─► rows_b · e^Δ
//	                      (trained on Δ* = ln true − ln rows_b;
//	                      gbdt's and linear's Δ shrunk by the
//	                      baseline's sampled support, shrink.go)
//
// with a band [rows·e^lo, rows·e^hi] from split-conformal quantiles of
// held-out log residuals, per join count and out of distribution
// (conformal.go). Online (feedback.go) corrects any estimator
// the same way from observed counts. This file holds the label and example
// checks and the join-edge key every one of them uses;
// learned_io.go the payload header they share.

// ErrBadLabel: a true row count is NaN, infinite or negative. It is the
// value of querylog.ErrBadLabel: one error for a bad row-count label.
var ErrBadLabel = querylog.ErrBadLabel

// checkLabel validates a true row count.
func checkLabel(rows float64) error {
	if math.IsNaN(rows) || math.IsInf(rows, 0) || rows < 0 {
		return fmt.Errorf("%w: a true row count must be a finite non-negative number, got %v", ErrBadLabel, rows)
	}
	return nil
}

// Shared training constants.
const (
	// minLearnedExamples is the fewest labelled queries TrainSetNet and
	// TrainLinear accept.
	minLearnedExamples = 10
	// defaultSampleRows is how many sample rows per table SetNet and
	// Linear evaluate filters on by default: every row of a default
	// catalog sample, except of the fact tables that meet at a shared
	// dimension (sampled at catalog.SharedKeySampleFactor times as
	// many), whose samples are cut to it at an even stride
	// (stridedCatalog): the larger samples serve the baselines' joins.
	defaultSampleRows = catalog.DefaultSampleSize
)

// checkExamples validates labelled examples against cat.
func checkExamples(cat *catalog.Catalog, train []Example) error {
	if cat == nil || cat.Schema == nil {
		return fmt.Errorf("%w: nil catalog", ErrQuery)
	}
	if len(train) < minLearnedExamples {
		return fmt.Errorf("%w: %d examples, need at least %d", ErrNoExamples, len(train), minLearnedExamples)
	}
	for i, ex := range train {
		if err := checkQuery(cat, ex.Query); err != nil {
			return fmt.Errorf("example %d: %w", i, err)
		}
		if err := checkLabelFor(cat, ex.Query, ex.Rows); err != nil {
			return fmt.Errorf("example %d: %w", i, err)
		}
	}
	return nil
}

// joinEdge is a join edge between two columns of two tables, canonical with
// (T1, C1) <= (T2, C2).
type joinEdge struct{ T1, C1, T2, C2 int }

func canonEdge(t1, c1, t2, c2 int) joinEdge {
	if t2 < t1 || (t2 == t1 && c2 < c1) {
		t1, c1, t2, c2 = t2, c2, t1, c1
	}
	return joinEdge{t1, c1, t2, c2}
}

func joinEdgeLess(a, b joinEdge) int {
	switch {
	case a.T1 != b.T1:
		return a.T1 - b.T1
	case a.C1 != b.C1:
		return a.C1 - b.C1
	case a.T2 != b.T2:
		return a.T2 - b.T2
	}
	return a.C2 - b.C2
}
