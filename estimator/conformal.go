package estimator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/cardinaldb/cardinal/features"
)

// Split conformal bands (Vovk, Gammerman & Shafer, "Algorithmic Learning
// in a Random World", 2005; Angelopoulos & Bates, "A Gentle Introduction
// to Conformal Prediction", 2021). A learned model is fitted without its
// held-out calibration queries; their log residuals r = ln(true) −
// ln(estimate) then give the band: with the n residuals of a class sorted,
//
//	lo = r_(⌊(n+1)·α/2⌋)        hi = r_(⌈(n+1)·(1−α/2)⌉)
//
// and a new query of the class, exchangeable with them, falls in
// [estimate·e^lo, estimate·e^hi] with probability at least 1−α (and at
// most 1−α+2/(n+1)); the ranks are interpolated here (conformalQuantiles),
// which centres the coverage on 1−α. The classes are Mondrian (Vovk et al. 2005, ch. 4):
// one per join count, since errors compound per join, and a separate set
// for out-of-distribution estimates (residuals of the estimate the model
// gives out of distribution: a damped correction, or the bare baseline),
// so each class keeps its own level:
//
//	whole calibration queries ─┬─ in distribution ─► joins 0 │ 1 │ … │ J ─┐
//	(exact answers: r = 0)     └─ OOD estimate ────► joins 0 │ 1 │ … │ J ─┴─► [lo, hi]
//	        a class under minBandExamples borrows its neighbours' join counts
//	        more joins than J: class J + per-join growth
//
// What a class holds decides what its level means, and three choices
// follow from issue 12's target (88-95% of the queries of every join
// count inside their band):
//
//   - Whole queries only. Training examples include every connected
//     sub-plan of a query, and sub-plans are easier (fewer filters, often
//     none: a bare foreign-key join is answered nearly exactly by the join
//     synopses); calibrated on the mix, bands were too narrow for whole
//     queries (ecommerce: 79-87%). Only when fewer than minBandExamples
//     whole queries were held out (tiny workloads) do sub-plans calibrate.
//   - Exact answers stay in their join count's class. A query over tables
//     sampled whole is answered exactly (GBDT returns the join sample's
//     count with a zero-width band; residual 0). A class without them
//     (GBDT skipped them, SetNet and Linear had a class of their own)
//     put the other queries at 90% and the exact ones at ~100%, so the
//     join count over-covered: 97-98% of single-table queries on flights,
//     where airports and routes are sampled whole. With them, the level
//     holds over the join count, as the target and Estimate's doc state
//     it; the inexact estimates of a join count that has many exact ones
//     then cover less than 1−α by themselves.
//   - Neighbours, not sub-plans, fill small classes: a join count with
//     fewer than minBandExamples whole queries takes the residuals of the
//     nearest join counts too (widening a window around it until it has
//     enough), which are at least whole queries of a similar size.
//
// A held-out split leaves about 250 whole queries per join count, and
// which of them fall in a tail is a binomial draw that moves the band's
// level by about ±1.7%. The models that hold a split out (GBDT, SetNet)
// also hand in the baseline's residual of every whole training query
// (the baseline fits none, so those residuals are out of sample), and
// the held-out residuals are post-stratified on them (poststratify):
//
//	held-out (model r, baseline b) ─┐
//	all training queries' b ────────┴─► strata of b, each weighted to its share of all ─► [lo, hi]
//
// With CalibFolds > 1 (crossfit.go) more models of the same training,
// each holding out another fold of the split's size, add their folds'
// residuals to the held-out ones (cross-conformal): three models
// calibrate on 90% of the whole queries instead of 30%.
//
// Join counts beyond the calibrated ones (never seen in training) take
// the last class widened by the average per-join growth of the quantiles
// over the calibrated join counts: an extrapolation, not a guarantee.
const (
	// conformalAlpha is the nominal miscoverage of the bands: Estimate
	// documents [Low, High] as an about-90% band. 0.085 aims at 91.5%,
	// the middle of issue 12's 88-95% target, so the spread of a class's
	// finite calibration set (binomial, about ±1.5% at 400 queries) stays
	// inside it on both sides.
	conformalAlpha = 0.085
	// minBandExamples is the number of calibration residuals a class
	// needs (fewer borrow the neighbouring join counts'): at 100 the
	// class's level is within about ±3% of 1−α (binomial). (At 50, gbdt
	// on 5,000 flights queries, a tenth held out, covered up to 98% of
	// one join count's fresh queries on one seed of three.)
	minBandExamples = 100
	// minShapeExamples is the number of calibration residuals of queries
	// with an outer join or a subquery that makes them a class of their
	// own (pooled over join counts while fewer than minBandExamples).
	// Fewer fall back to every residual, which covered 69-81% of such
	// queries on flights (gbdt, bench seeds 1-4: they err more than the
	// plain ones). At 30 the class's level is within about ±5% of 1−α.
	minShapeExamples = 30
	// calibQueries is the number of whole queries the learned models
	// that hold a split out (GBDT, SetNet) hold out by default when their
	// default fraction is fewer, at most maxCalibFrac of the workload
	// (calibFraction): about 250 per class of a 0-4 join workload with
	// outer joins, so each class's coverage is within about ±1.8% of its
	// level (binomial, 1.7% at 250). A tenth of the demo's 6,000 queries
	// left about 100 per join count, and gbdt covered 84-96% of fresh
	// queries of a join count on bench seeds 1-4.
	calibQueries = 1500
	maxCalibFrac = 0.3
	// maxBandLog bounds a band's log half-width (e^40 ~ 2e17), so a model
	// file cannot carry an infinite band.
	maxBandLog = 40.0
)

// conformalBand holds the calibrated log-residual quantiles of a model:
// in distribution, out of distribution, (model files of format 4 only)
// over completely sampled tables, and (format 5) of queries with an outer
// join or a subquery (features.Query.HasShapes): their errors are larger
// (gbdt: 80% of them inside a band calibrated with the others, which
// then covered 96% of the plain queries), so they are a Mondrian class
// of their own.
type conformalBand struct {
	in, exact, ood, shapes bandSet
}

// bandSet is one Mondrian set: quantiles per join count (index j), and the
// per-join growth beyond the last.
type bandSet struct {
	lo, hi         []float64
	stepLo, stepHi float64
}

// calibResidual is one calibration example: its join count, whether it is
// a whole query, and its log residuals in distribution and as estimated
// out of distribution (0 for both when it is answered exactly).
type calibResidual struct {
	joins   int
	whole   bool // a whole query, not a sub-plan of one (wholeQueries)
	shaped  bool // with an outer join or a subquery (Query.HasShapes)
	in, ood float64
	// base is the residual of the baseline the model corrects,
	// ln(true) − ln(baseline) (0 for an exact answer), and aux marks a
	// whole training query the model was fitted on: it calibrates only
	// through base, which no fit saw (poststratify). Models that hold a
	// split out (GBDT, SetNet) give base with every held-out residual
	// and an aux residual per other whole query.
	base float64
	aux  bool
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

// calibFraction is the default held-out fraction of a learned model
// whose default is def: def, or enough to hold out calibQueries whole
// queries of train, at most maxCalibFrac.
func calibFraction(train []Example, def float64) float64 {
	n := 0
	for _, w := range wholeQueries(train) {
		if w {
			n++
		}
	}
	if n == 0 {
		return def
	}
	return math.Max(def, math.Min(maxCalibFrac, calibQueries/float64(n)))
}

// groupFolds assigns each example a fold in [0, k), keeping every Group
// in one fold (a query and its sub-plans), by a seeded permutation of the
// groups dealt round-robin.
func groupFolds(exs []Example, k int, rng *rand.Rand) []int {
	groupOf := make([]int, len(exs))
	ids := map[int]int{}
	n := 0
	for i, ex := range exs {
		if ex.Group == 0 {
			groupOf[i], n = n, n+1
			continue
		}
		g, ok := ids[ex.Group]
		if !ok {
			g, n = n, n+1
			ids[ex.Group] = g
		}
		groupOf[i] = g
	}
	foldOf := make([]int, n)
	for pos, g := range rng.Perm(n) {
		foldOf[g] = pos % k
	}
	out := make([]int, len(exs))
	for i, g := range groupOf {
		out[i] = foldOf[g]
	}
	return out
}

// fitConformal calibrates the bands on held-out residuals: the whole
// queries among them when there are at least minBandExamples, else all.
func fitConformal(all []calibResidual) conformalBand {
	var res, whole, aux []calibResidual
	for _, c := range all {
		switch {
		case c.aux && c.whole:
			aux = append(aux, c)
		case c.aux:
		case c.whole:
			whole = append(whole, c)
			res = append(res, c)
		default:
			res = append(res, c)
		}
	}
	if len(whole) >= minBandExamples {
		res = whole
	} else {
		aux = nil // sub-plans calibrate: no whole-query strata to match
	}
	var plain, shaped, auxPlain, auxShaped []calibResidual
	for _, c := range res {
		if c.shaped {
			shaped = append(shaped, c)
		} else {
			plain = append(plain, c)
		}
	}
	for _, c := range aux {
		if c.shaped {
			auxShaped = append(auxShaped, c)
		} else {
			auxPlain = append(auxPlain, c)
		}
	}
	if len(plain) < minBandExamples {
		plain, auxPlain = res, aux
	}
	b := conformalBand{
		in:  fitBandSet(plain, auxPlain, func(c calibResidual) float64 { return c.in }),
		ood: fitBandSet(res, aux, func(c calibResidual) float64 { return c.ood }),
	}
	if len(shaped) > 0 {
		if len(shaped) < minShapeExamples {
			shaped, auxShaped = res, aux
		}
		b.shapes = fitBandSet(shaped, auxShaped, func(c calibResidual) float64 { return c.in })
	}
	return b
}

// fitBandSet fits one Mondrian set on the held-out residuals res (r of
// each), post-stratified per join count on the baseline residuals of the
// whole training queries aux (poststratify).
func fitBandSet(res, aux []calibResidual, r func(calibResidual) float64) bandSet {
	if len(res) == 0 {
		return bandSet{}
	}
	maxJ := 0
	for _, c := range res {
		maxJ = max(maxJ, min(max(c.joins, 0), maxJoinsInFile))
	}
	byJ := make([][]float64, maxJ+1)
	baseJ := make([][]float64, maxJ+1)
	auxJ := make([][]float64, maxJ+1)
	for _, c := range res {
		j := min(max(c.joins, 0), maxJoinsInFile)
		byJ[j] = append(byJ[j], r(c))
		baseJ[j] = append(baseJ[j], c.base)
	}
	for _, c := range aux {
		if j := min(max(c.joins, 0), maxJoinsInFile); j <= maxJ {
			auxJ[j] = append(auxJ[j], c.base)
		}
	}
	for j := range byJ {
		if len(auxJ[j]) > 0 {
			byJ[j] = poststratify(byJ[j], baseJ[j], append(auxJ[j], baseJ[j]...))
		}
	}
	var s bandSet
	s.lo, s.hi = make([]float64, maxJ+1), make([]float64, maxJ+1)
	for j := range byJ {
		s.lo[j], s.hi[j] = conformalQuantiles(neighbourhood(byJ, j, minBandExamples))
	}
	// The growth per join beyond the last join count is measured between
	// the join counts calibrated on residuals of their own.
	first, last := -1, -1
	for j, rs := range byJ {
		if len(rs) >= minBandExamples {
			if first < 0 {
				first = j
			}
			last = j
		}
	}
	if first >= 0 && last > first {
		n := float64(last - first)
		s.stepLo = math.Min(0, (s.lo[last]-s.lo[first])/n)
		s.stepHi = math.Max(0, (s.hi[last]-s.hi[first])/n)
	}
	return s
}

// poststratify returns the held-out residuals rs of one class (their
// baseline residuals base, pairwise) reweighted so that their baseline
// residuals are spread as those of all the class's whole training
// queries, all (held-out ones included): post-stratification (Holt &
// Smith 1979), the auxiliary variable being the baseline's residual,
// known out of sample for every training query since the baseline fits
// none. The strata are cut at all's quantiles at stratumTails on either
// side; each stratum contributes its share of all,
// interpolated evenly over its sorted held-out residuals, so the result has len(rs)
// residuals and conformalQuantiles treats it as before (a stratum of
// rs's own share gives rs back).
//
// Why: a split holds out about 250 whole queries per join count, and the
// share of them in a tail is a binomial draw (±1.7% of coverage at the
// 91.5% level). A learned model's misses come mostly where its baseline
// misses (the tail indicators of gbdt's and the baseline's residuals
// correlate 0.5-0.9 on flights, per join count and side), so a held-out
// set whose baseline tail is light (setnet's 273 four-join queries on
// TestBandCoverageFreshSeed's seed: 4.0% below a bound that left out
// 5.5% of all that seed's four-join queries) gives a band too narrow for
// fresh queries (86.0% there; 89.3% post-stratified). Matching the
// strata to all the training queries (about five times as many) removes
// most of that draw. A tail stratum with fewer than minStratum held-out
// residuals joins its inner neighbour; without more aux residuals than
// held-out ones rs is returned as is.
func poststratify(rs, base, all []float64) []float64 {
	n := len(rs)
	if n == 0 || len(all) <= n {
		return rs
	}
	sorted := slices.Clone(all)
	slices.Sort(sorted)
	na := float64(len(sorted) + 1)
	// Stratum edges: the baseline residuals' quantiles at the tail
	// levels, from the lowest up.
	tails := stratumTails()
	var edges []float64
	for _, p := range tails {
		edges = append(edges, rankValue(sorted, na*p))
	}
	for k := len(tails) - 1; k >= 0; k-- {
		edges = append(edges, rankValue(sorted, na*(1-tails[k])))
	}
	mid := len(tails)
	stratum := func(b float64) int {
		s := 0
		for s < mid && b >= edges[s] {
			s++
		}
		if s < mid {
			return s
		}
		s = len(edges)
		for s > mid && b <= edges[s-1] {
			s--
		}
		return s
	}
	inH := make([][]float64, len(edges)+1)
	nAll := make([]int, len(edges)+1)
	for i, r := range rs {
		s := stratum(base[i])
		inH[s] = append(inH[s], r)
	}
	for _, b := range all {
		nAll[stratum(b)]++
	}
	// Thin strata join their inner neighbour (towards the middle).
	for s := 0; s < mid; s++ {
		if len(inH[s]) < minStratum {
			inH[s+1], inH[s], nAll[s+1], nAll[s] = append(inH[s+1], inH[s]...), nil, nAll[s+1]+nAll[s], 0
		}
	}
	for s := len(edges); s > mid; s-- {
		if len(inH[s]) < minStratum {
			inH[s-1], inH[s], nAll[s-1], nAll[s] = append(inH[s-1], inH[s]...), nil, nAll[s-1]+nAll[s], 0
		}
	}
	if len(inH[mid]) == 0 {
		return rs
	}
	need := make([]int, len(inH))
	left := n
	for s := range need {
		if s != mid {
			need[s] = int(math.Round(float64(n) * float64(nAll[s]) / float64(len(all))))
			left -= need[s]
		}
	}
	if left < 1 {
		return rs
	}
	need[mid] = left
	out := make([]float64, 0, n)
	for s, ring := range inH {
		slices.Sort(ring)
		for k := range need[s] {
			out = append(out, rankValue(ring, 0.5+(float64(k)+0.5)*float64(len(ring))/float64(need[s])))
		}
	}
	return out
}

// minStratum is the fewest held-out residuals a tail stratum of
// poststratify needs to stand alone (a thinner one joins its inner
// neighbour): its residuals are interpolated to fill the stratum's share
// of all (α/4 = 2.1%, about 5 of 250 held-out queries, for the outermost),
// and fewer than 5 would stand for it by too few values.
const minStratum = 5

// stratumTails returns the tail levels where poststratify cuts strata,
// on either side (seven strata), from the outermost in. The band's
// bound, at α/2, falls on a cut, so where the model errs where its
// baseline errs the held-out residuals below it are as many as all the
// training queries say; the cuts at α/4 and α keep the level there. A
// cut at α/2 alone left ~10 outer residuals whose top understates their
// stratum's, and the band over-covered (92.1% for 91.5% over
// TestConformalPoststratify's 300 splits, spread ±1.1%); cuts at α/4
// and α alone kept the level (91.3%) but spread ±1.4%; these keep it
// (91.3%) at ±1.2%, against ±1.9% held-out only.
func stratumTails() [3]float64 {
	return [3]float64{conformalAlpha / 4, conformalAlpha / 2, conformalAlpha}
}

// neighbourhood returns the residuals of join count j, with those of the
// nearest join counts (one more on either side at a time) while fewer
// than minN; a new slice, so conformalQuantiles may sort it. A ring of
// neighbours with more residuals than are missing gives only the missing
// number, evenly spaced over its sorted residuals (so in its own
// proportions): borrowing whole rings let a join count of 97 residuals
// take 111 of its neighbour's, whose errors differ, and gbdt's
// single-table band covered 95.4% of fresh queries where its own
// residuals aimed at 91.5%.
func neighbourhood(byJ [][]float64, j, minN int) []float64 {
	out := append([]float64(nil), byJ[j]...)
	for d := 1; len(out) < minN && (j-d >= 0 || j+d < len(byJ)); d++ {
		var ring []float64
		if j-d >= 0 {
			ring = append(ring, byJ[j-d]...)
		}
		if j+d < len(byJ) {
			ring = append(ring, byJ[j+d]...)
		}
		if need := minN - len(out); len(ring) > need {
			slices.Sort(ring)
			for k := range need {
				out = append(out, ring[(2*k+1)*len(ring)/(2*need)])
			}
			continue
		}
		out = append(out, ring...)
	}
	return out
}

// conformalQuantiles returns the split-conformal lower and upper log
// quantiles of residuals rs (sorted in place), widened to include zero.
// The ranks (n+1)·α/2 and (n+1)·(1−α/2) are interpolated between order
// statistics rather than rounded outward (Hyndman & Fan's type 6
// quantile), so the band's expected coverage is 1−α at every n, not up
// to 1−α+2/(n+1): at 100 residuals per class the rounded ranks aimed at
// 93%, near the 95% ceiling of issue 12's target. The guarantee is then
// at least 1−α−2/(n+1) (90.5% at 100).
//
// The band contains the estimate (residual 0), so a side with fewer than
// (n+1)·α/2 residuals beyond zero cannot spend its share of α: its bound
// is 0, leaving out only those residuals, and the other side spends the
// rest (its rank moves by the unspent share). Equal tails wasted it: the
// histogram and sample baselines underestimate nearly every join, their
// lower bound sat at 0 with 1-3% of the residuals below it, and they
// covered 92-96% of the 2-4 join queries. Only when both sides have
// fewer (an estimate exact for more than 1−α of its class) does the
// band cover more than 1−α.
//
// Ties are the same problem inside a tail: a bound that falls on a value
// many residuals share (the sample baseline's estimate from one sampled
// row is the same for every query it answers so: 5-10% of ecommerce's
// single-table residuals sat at −2.71) either keeps all of them or none.
// The bound keeps or leaves out the whole tie, whichever spends nearer
// its share, and the other side spends what is left; keeping them all
// covered 95.6% of those training queries.
func conformalQuantiles(rs []float64) (lo, hi float64) {
	if len(rs) == 0 {
		return 0, 0
	}
	slices.Sort(rs)
	n := len(rs)
	tail := float64(n+1) * conformalAlpha // the ranks left out, both sides
	neg, _ := slices.BinarySearch(rs, 0)  // residuals below zero
	pos := n - sort.SearchFloat64s(rs, math.Nextafter(0, 1))
	wantLo := tail / 2
	switch {
	case float64(neg) < tail/2:
		wantLo = float64(neg)
	case float64(pos) < tail/2:
		wantLo = tail - float64(pos)
	}
	lo, spent := tailBound(rs, wantLo, neg, false)
	hi, _ = tailBound(rs, tail-spent, pos, true)
	return clampBand(math.Min(0, lo)), clampBand(math.Max(0, hi))
}

// tailBound returns the bound of sorted rs that leaves out want ranks of
// the lower tail (the upper when upper), and the ranks it does leave out:
// 0 when want reaches the beyond residuals on that side of zero; a tie
// met by the interpolated rank is kept or left out whole, whichever is
// nearer want.
func tailBound(rs []float64, want float64, beyond int, upper bool) (bound, spent float64) {
	n := len(rs)
	switch {
	case want >= float64(beyond):
		return 0, float64(beyond)
	case want <= 0:
		if upper {
			return rs[n-1], 0
		}
		return rs[0], 0
	}
	r := want
	if upper {
		r = float64(n+1) - want
	}
	v := rankValue(rs, r)
	below, _ := slices.BinarySearch(rs, v)                            // residuals < v
	atMost := sort.SearchFloat64s(rs, math.Nextafter(v, math.Inf(1))) // residuals <= v
	if atMost-below < 2 {
		return v, want // no tie: the interpolated rank
	}
	// Ranks left out keeping or dropping the tie, and the bound that
	// drops it: halfway to the next value inward, which must be far
	// enough for Covers' round-off slack to tell them apart.
	keep, drop := float64(below), float64(atMost)
	next := math.Inf(1)
	if atMost < n {
		next = rs[atMost]
	}
	if upper {
		keep, drop = float64(n-atMost), float64(n-below)
		next = math.Inf(-1)
		if below > 0 {
			next = rs[below-1]
		}
	}
	if math.Abs(keep-want) <= math.Abs(drop-want) || math.IsInf(next, 0) || math.Abs(next-v) < minTieGap {
		return v, keep
	}
	return (v + next) / 2, drop
}

// minTieGap is the least gap (log rows) between a tie of residuals and
// the next value for a bound to fall between them: far above Covers'
// relative slack of 1e-9.
const minTieGap = 1e-6

// rankValue is the value at 1-based fractional rank r of sorted rs,
// linear between neighbouring order statistics; ranks outside [1, n]
// (too few residuals for the level) give the extremes.
func rankValue(rs []float64, r float64) float64 {
	n := len(rs)
	switch {
	case r <= 1:
		return rs[0]
	case r >= float64(n):
		return rs[n-1]
	}
	k := int(math.Floor(r))
	f := r - float64(k)
	return rs[k-1] + f*(rs[k]-rs[k-1])
}

func clampBand(x float64) float64 { return math.Max(-maxBandLog, math.Min(maxBandLog, x)) }

// at returns the log band of a sub-plan of joins joins, out of
// distribution when ood, over completely sampled tables when exact (a
// class of its own in model files of format 4 only); ok is false when the
// band is not calibrated.
func (b *conformalBand) at(joins int, ood, exact bool) (lo, hi float64, ok bool) {
	return b.atShaped(joins, ood, exact, false)
}

// atShaped is at for a query with an outer join or a subquery when shaped
// (the shapes class, when calibrated).
func (b *conformalBand) atShaped(joins int, ood, exact, shaped bool) (lo, hi float64, ok bool) {
	switch {
	case ood:
		return b.ood.at(joins)
	case exact && len(b.exact.lo) > 0:
		return b.exact.at(joins)
	case shaped && len(b.shapes.lo) > 0:
		return b.shapes.at(joins)
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
// sampled in s (the exact class of format-4 bands).
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

// floats flattens the band for a payload: per set (in, exact, ood,
// shapes) the number of join counts, the (lo, hi) pairs, and the steps.
// Format 4 had no shapes set.
func (b *conformalBand) floats() []float64 {
	var out []float64
	for _, s := range []*bandSet{&b.in, &b.exact, &b.ood, &b.shapes} {
		out = append(out, float64(len(s.lo)))
		for j := range s.lo {
			out = append(out, s.lo[j], s.hi[j])
		}
		out = append(out, s.stepLo, s.stepHi)
	}
	return out
}

// maxBandValues bounds the values of a band in a payload: four sets of
// at most maxJoinsInFile+1 join counts.
const maxBandValues = 4 * (2*(maxJoinsInFile+1) + 3)

// readConformal reads what floats wrote, n values, through next (one
// float64 per call, an error stops it); the shapes set is read when
// values are left after the first three (format 4 had none).
func readConformal(next func() (float64, error), values int) (conformalBand, error) {
	var b conformalBand
	read := 0
	counted := func() (float64, error) { read++; return next() }
	for k, s := range []*bandSet{&b.in, &b.exact, &b.ood, &b.shapes} {
		if k == 3 && read >= values {
			break
		}
		nf, err := counted()
		if err != nil {
			return b, err
		}
		if !(nf >= 0 && nf <= maxJoinsInFile+1 && nf == math.Trunc(nf)) {
			return b, fmt.Errorf("band of %v join counts", nf)
		}
		n := int(nf)
		s.lo, s.hi = make([]float64, n), make([]float64, n)
		for j := 0; j < n+1; j++ {
			lo, err := counted()
			if err != nil {
				return b, err
			}
			hi, err := counted()
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
