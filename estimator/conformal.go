package estimator

import (
	"fmt"
	"math"
	"slices"

	"github.com/cardinaldb/cardinal/features"
)

// Split conformal bands (Vovk, Gammerman & Shafer, "Algorithmic Learning
// in a Random World", 2005; Angelopoulos & Bates, "A Gentle Introduction
// to Conformal Prediction", 2021). A learned model is fitted without its
// held-out calibration split; the log residuals r = ln(true) − ln(estimate)
// of the calibration examples then give the band: with the n residuals of
// a class sorted,
//
//	lo = r_(⌊(n+1)·α/2⌋)        hi = r_(⌈(n+1)·(1−α/2)⌉)
//
// and a new query of the class, exchangeable with them, falls in
// [estimate·e^lo, estimate·e^hi] with probability at least 1−α (and at
// most 1−α+2/(n+1)). The classes are Mondrian (Vovk et al. 2005, ch. 4):
// one per join count, since errors compound per join; a separate set for
// sub-plans over completely sampled tables (whose baseline is exact, so
// their residuals are near zero and would make the others' bands too
// narrow); and a separate set for out-of-distribution estimates
// (residuals of the estimate the model gives out of distribution: a
// damped correction, or the bare baseline), so each class keeps its own
// level:
//
//	calibration residuals ─┬─ in distribution ─► joins 0 │ 1 │ … │ J ─┐
//	                       └─ OOD estimate ────► joins 0 │ 1 │ … │ J ─┴─► [lo, hi]
//	                                 more joins than J: class J + per-join growth
//
// A class with fewer than minBandExamples residuals takes the pooled
// quantiles of its set.
//
// Training examples include every connected sub-plan of a query (same
// group, same split side), and sub-plans are easier than whole queries:
// fewer filters, often none (a bare foreign-key join is answered nearly
// exactly by the join synopses). Calibrated on the mix, a join count's
// band was too narrow for whole queries (ecommerce: 79-87% coverage); so
// a class with at least minBandExamples residuals of whole queries (the
// largest example of its group) is calibrated on those alone, which are
// exchangeable with the queries Estimate is asked about. Sub-plans with more joins than any calibrated one
// (never seen in training) take the last class widened by the average
// per-join growth of the quantiles over the calibrated join counts: an
// extrapolation, not a guarantee.
const (
	// conformalAlpha is the miscoverage of the bands: Estimate documents
	// [Low, High] as a 90% band.
	conformalAlpha = 0.10
	// minBandExamples is the number of calibration residuals a join count
	// needs for its own class; fewer pool the set's join counts.
	minBandExamples = 30
	// maxBandLog bounds a band's log half-width (e^40 ~ 2e17), so a model
	// file cannot carry an infinite band.
	maxBandLog = 40.0
)

// conformalBand holds the calibrated log-residual quantiles of a model:
// in distribution, over completely sampled tables, out of distribution.
type conformalBand struct {
	in, exact, ood bandSet
}

// bandSet is one Mondrian set: quantiles per join count (index j), and the
// per-join growth beyond the last.
type bandSet struct {
	lo, hi         []float64
	stepLo, stepHi float64
}

// calibResidual is one calibration example: its join count, whether every
// table of it is completely sampled, and its log residuals in
// distribution and as estimated out of distribution.
type calibResidual struct {
	joins   int
	exact   bool
	whole   bool // a whole query, not a sub-plan of one (wholeQueries)
	in, ood float64
}

// wholeQueries marks the examples that are whole queries: in each group
// the first of the examples with the most tables (Examples lists a query
// before its sub-plans); every example of group 0 (ungrouped).
func wholeQueries(exs []Example) []bool {
	most := map[int]int{}
	for _, ex := range exs {
		if ex.Group != 0 && ex.Query != nil {
			most[ex.Group] = max(most[ex.Group], len(ex.Query.Tables))
		}
	}
	done := map[int]bool{}
	out := make([]bool, len(exs))
	for i, ex := range exs {
		switch {
		case ex.Group == 0:
			out[i] = true
		case ex.Query != nil && !done[ex.Group] && len(ex.Query.Tables) == most[ex.Group]:
			out[i], done[ex.Group] = true, true
		}
	}
	return out
}

// fitConformal calibrates the bands on held-out residuals.
func fitConformal(res []calibResidual) conformalBand {
	var b conformalBand

	var sampled, exact []calibResidual
	for _, c := range res {
		if c.exact {
			exact = append(exact, c)
		} else {
			sampled = append(sampled, c)
		}
	}
	if len(sampled) < minBandExamples {
		sampled = res
	}
	in := func(c calibResidual) float64 { return c.in }
	b.in = fitBandSet(sampled, in)
	if len(exact) >= minBandExamples {
		b.exact = fitBandSet(exact, in)
	}
	b.ood = fitBandSet(sampled, func(c calibResidual) float64 { return c.ood })
	return b
}

func fitBandSet(res []calibResidual, r func(calibResidual) float64) bandSet {
	if len(res) == 0 {
		return bandSet{}
	}
	maxJ := 0
	for _, c := range res {
		maxJ = max(maxJ, min(c.joins, maxJoinsInFile))
	}
	byJ := make([][]float64, maxJ+1)
	wholeJ := make([][]float64, maxJ+1)
	all := make([]float64, 0, len(res))
	var whole []float64
	for _, c := range res {
		x := r(c)
		all = append(all, x)
		if c.whole {
			whole = append(whole, x)
		}
		if j := c.joins; j >= 0 && j <= maxJ {
			byJ[j] = append(byJ[j], x)
			if c.whole {
				wholeJ[j] = append(wholeJ[j], x)
			}
		}
	}
	// Whole queries where there are enough of them (see above).
	if len(whole) >= minBandExamples {
		all = whole
	}
	for j := range byJ {
		if len(wholeJ[j]) >= minBandExamples {
			byJ[j] = wholeJ[j]
		}
	}
	allLo, allHi := conformalQuantiles(all)
	var s bandSet
	s.lo, s.hi = make([]float64, maxJ+1), make([]float64, maxJ+1)
	first := -1
	for j, rs := range byJ {
		if len(rs) >= minBandExamples {
			s.lo[j], s.hi[j] = conformalQuantiles(rs)
			if first < 0 {
				first = j
			}
		} else {
			s.lo[j], s.hi[j] = allLo, allHi
		}
	}
	last := len(byJ) - 1
	for last > 0 && len(byJ[last]) < minBandExamples {
		last--
	}
	if first >= 0 && last > first {
		n := float64(last - first)
		s.stepLo = math.Min(0, (s.lo[last]-s.lo[first])/n)
		s.stepHi = math.Max(0, (s.hi[last]-s.hi[first])/n)
	}
	return s
}

// conformalQuantiles returns the split-conformal lower and upper log
// quantiles of residuals rs (sorted in place), widened to include zero.
func conformalQuantiles(rs []float64) (lo, hi float64) {
	if len(rs) == 0 {
		return 0, 0
	}
	slices.Sort(rs)
	n := len(rs)
	kLo := int(math.Floor(float64(n+1) * conformalAlpha / 2))
	kHi := int(math.Ceil(float64(n+1) * (1 - conformalAlpha/2)))
	lo = rs[max(0, min(n-1, kLo-1))]
	if kLo < 1 {
		lo = rs[0] // too few residuals for the level: the widest seen
	}
	hi = rs[max(0, min(n-1, kHi-1))]
	return clampBand(math.Min(0, lo)), clampBand(math.Max(0, hi))
}

func clampBand(x float64) float64 { return math.Max(-maxBandLog, math.Min(maxBandLog, x)) }

// at returns the log band of a sub-plan of joins joins, out of
// distribution when ood, over completely sampled tables when exact; ok is
// false when the band is not calibrated.
func (b *conformalBand) at(joins int, ood, exact bool) (lo, hi float64, ok bool) {
	switch {
	case ood:
		return b.ood.at(joins)
	case exact && len(b.exact.lo) > 0:
		return b.exact.at(joins)
	}
	return b.in.at(joins)
}

func (s *bandSet) at(joins int) (lo, hi float64, ok bool) {
	if len(s.lo) == 0 {
		return 0, 0, false
	}
	last := len(s.lo) - 1
	if joins <= last {
		return s.lo[max(0, joins)], s.hi[max(0, joins)], true
	}
	extra := float64(joins - last)
	return clampBand(s.lo[last] + extra*s.stepLo), clampBand(s.hi[last] + extra*s.stepHi), true
}

// completelySampled reports whether every table of q is completely
// sampled in s (the exact class of conformalBand).
func completelySampled(s *sampleSet, q *features.Query) bool {
	for _, tr := range q.Tables {
		if tr.Table < 0 || tr.Table >= len(s.tables) || !s.tables[tr.Table].complete {
			return false
		}
	}
	return true
}

// String describes the band at 0 joins.
func (b *conformalBand) String() string {
	if len(b.in.lo) == 0 {
		return "uncalibrated"
	}
	return fmt.Sprintf("[%.2f, %.2f] ln at 0 joins", b.in.lo[0], b.in.hi[0])
}

// floats flattens the band for a payload: per set the number of join
// counts, the (lo, hi) pairs, and the steps.
func (b *conformalBand) floats() []float64 {
	var out []float64
	for _, s := range []*bandSet{&b.in, &b.exact, &b.ood} {
		out = append(out, float64(len(s.lo)))
		for j := range s.lo {
			out = append(out, s.lo[j], s.hi[j])
		}
		out = append(out, s.stepLo, s.stepHi)
	}
	return out
}

// readConformal reads what floats wrote through next (one float64 per
// call, an error stops it).
func readConformal(next func() (float64, error)) (conformalBand, error) {
	var b conformalBand
	for _, s := range []*bandSet{&b.in, &b.exact, &b.ood} {
		nf, err := next()
		if err != nil {
			return b, err
		}
		if !(nf >= 0 && nf <= maxJoinsInFile+1 && nf == math.Trunc(nf)) {
			return b, fmt.Errorf("band of %v join counts", nf)
		}
		n := int(nf)
		s.lo, s.hi = make([]float64, n), make([]float64, n)
		for j := 0; j < n+1; j++ {
			lo, err := next()
			if err != nil {
				return b, err
			}
			hi, err := next()
			if err != nil {
				return b, err
			}
			if !(lo <= 0 && lo >= -maxBandLog && hi >= 0 && hi <= maxBandLog) {
				return b, fmt.Errorf("band [%v, %v] out of [-%v, 0] x [0, %v]", lo, hi, maxBandLog, maxBandLog)
			}
			if j < n {
				s.lo[j], s.hi[j] = lo, hi
			} else {
				s.stepLo, s.stepHi = lo, hi
			}
		}
		if n == 0 {
			s.lo, s.hi = nil, nil
		}
	}
	return b, nil
}
