package estimator

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Split conformal bands fitted on whole-query residuals that spread more
// with each join cover 88-95% of fresh queries of every join count (not
// 90% overall with the small plans over-covered and the large
// under-covered), counting the queries answered exactly (residual 0,
// always covered) in their join count: half the single-table queries
// here, as on flights, where the tables sampled whole are answered
// exactly. A join count with few residuals borrows its neighbours'. The
// band survives the payload round trip; corrupt payloads are refused.
func TestConformalMondrianCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	draw := func(j int) float64 {
		if j == 0 && rng.IntN(2) == 0 {
			return 0 // answered exactly
		}
		return rng.NormFloat64() * 0.2 * float64(1+2*j)
	}
	var calib []calibResidual
	for range 4000 {
		j := rng.IntN(4)
		r := draw(j)
		calib = append(calib, calibResidual{joins: j, whole: true, in: r, ood: 2 * r})
		// Sub-plans are easier: they must not narrow the bands.
		calib = append(calib, calibResidual{joins: j, in: r / 10, ood: r / 10})
	}
	// Queries with outer joins or subqueries err more: a class of their
	// own, so the plain queries' bands stay at their level.
	for range 800 {
		j := rng.IntN(4)
		r := 3 * draw(j)
		calib = append(calib, calibResidual{joins: j, whole: true, shaped: true, in: r, ood: 2 * r})
	}
	// Five 5-join queries: too few for a class of their own.
	for range 5 {
		calib = append(calib, calibResidual{joins: 5, whole: true, in: 0, ood: 0})
	}
	b := fitConformal(calib)
	for j := range 4 {
		lo, hi, ok := b.at(j, false, false)
		if !ok {
			t.Fatalf("join count %d not calibrated", j)
		}
		in := 0
		const n = 20000
		for range n {
			if r := draw(j); r >= lo && r <= hi {
				in++
			}
		}
		if c := float64(in) / n; c < 0.89 || c > 0.94 {
			t.Errorf("%d joins: coverage %.3f of band [%.3f, %.3f], want about %.3f", j, c, lo, hi, 1-conformalAlpha)
		}
	}
	// With half its queries exact, the single-table band of the others
	// is their (1 - 2·alpha) band, narrower than their own 1 - alpha.
	lo0, hi0, _ := b.at(0, false, false)
	if z := 1.645 * 0.2; !(hi0 < z && lo0 > -z) {
		t.Errorf("0 joins: band [%v, %v] not inside the inexact queries' own 90%% band ±%v", lo0, hi0, z)
	}
	slo, shi, _ := b.atShaped(2, false, false, true)
	plo, phi, _ := b.at(2, false, false)
	if !(slo < 2*plo && shi > 2*phi) {
		t.Errorf("shaped band [%v, %v] not wider than twice the plain [%v, %v]", slo, shi, plo, phi)
	}
	olo, ohi, _ := b.at(3, true, false)
	ilo, ihi, _ := b.at(3, false, false)
	if !(olo < ilo && ohi > ihi) {
		t.Errorf("out-of-distribution band [%v, %v] not wider than [%v, %v]", olo, ohi, ilo, ihi)
	}
	// The 5-join class borrows 3 joins' residuals (4 has none), so it is
	// about as wide as 3 joins', not the zero width of its own five.
	l5, h5, _ := b.at(5, false, false)
	if !(l5 < 0.95*ilo && h5 > 0.95*ihi) {
		t.Errorf("5 joins [%v, %v] much narrower than 3 joins [%v, %v]", l5, h5, ilo, ihi)
	}
	// Beyond the calibrated join counts the band grows per join.
	l6, h6, _ := b.at(6, false, false)
	if !(l6 < l5 && h6 > h5) {
		t.Errorf("6 joins [%v, %v] not wider than 5 joins [%v, %v]", l6, h6, l5, h5)
	}

	f := b.floats()
	next := func(f []float64) func() (float64, error) {
		return func() (float64, error) {
			if len(f) == 0 {
				return 0, errEnd
			}
			x := f[0]
			f = f[1:]
			return x, nil
		}
	}
	back, err := readConformal(next(f), len(f))
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range []int{0, 2, 7} {
		for _, ood := range []bool{false, true} {
			l1, h1, _ := b.atShaped(j, ood, false, !ood)
			l2, h2, _ := back.atShaped(j, ood, false, !ood)
			if l1 != l2 || h1 != h2 {
				t.Errorf("round trip changed the band at %d joins (ood %v)", j, ood)
			}
		}
	}
	for name, bad := range map[string]func([]float64){
		"NaN":       func(f []float64) { f[1] = math.NaN() },
		"positive":  func(f []float64) { f[1] = 1 },
		"count":     func(f []float64) { f[0] = 1e9 },
		"fraction":  func(f []float64) { f[0] = 1.5 },
		"truncated": nil,
	} {
		g := append([]float64(nil), f...)
		if bad == nil {
			g = g[:len(g)-1]
		} else {
			bad(g)
		}
		if _, err := readConformal(next(g), len(g)); err == nil {
			t.Errorf("%s band accepted", name)
		}
	}
}

// groupFolds keeps a query and its sub-plans in one fold and deals the
// queries evenly.
func TestGroupFolds(t *testing.T) {
	var exs []Example
	for g := 1; g <= 100; g++ {
		for range g%3 + 1 {
			exs = append(exs, Example{Group: g})
		}
	}
	for range 50 {
		exs = append(exs, Example{}) // ungrouped: a group each
	}
	folds := groupFolds(exs, 5, rand.New(rand.NewPCG(1, 2)))
	foldOf := map[int]int{}
	perFold := make([]int, 5)
	for i, ex := range exs {
		f := folds[i]
		if f < 0 || f >= 5 {
			t.Fatalf("fold %d", f)
		}
		if ex.Group == 0 {
			perFold[f]++
			continue
		}
		if g, ok := foldOf[ex.Group]; ok && g != f {
			t.Errorf("group %d in folds %d and %d", ex.Group, g, f)
		} else if !ok {
			foldOf[ex.Group] = f
			perFold[f]++
		}
	}
	for f, n := range perFold {
		if n != 30 {
			t.Errorf("fold %d has %d of 150 groups, want 30", f, n)
		}
	}
}

type endError struct{}

func (endError) Error() string { return "end of values" }

var errEnd error = endError{}

// A tail the band cannot spend (an estimator that underestimates nearly
// always, or a tie of many residuals where a bound falls) gives its share
// of α to the other side, so the band still covers about 1−α of fresh
// residuals, where equal tails covered 94-96%.
func TestConformalQuantilesUnspentTails(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, c := range []struct {
		name string
		draw func() float64
	}{
		{"underestimates", func() float64 { // 1% above the truth
			if rng.IntN(100) == 0 {
				return -rng.Float64()
			}
			return rng.ExpFloat64()
		}},
		{"tie in the lower tail", func() float64 { // 7% share one value
			if rng.IntN(100) < 7 {
				return -2
			}
			return 0.5 * rng.NormFloat64()
		}},
		{"exact answers", func() float64 { // 60% exact, the rest skewed
			switch k := rng.IntN(100); {
			case k < 60:
				return 0
			case k < 62:
				return -rng.ExpFloat64()
			}
			return rng.ExpFloat64()
		}},
	} {
		calib := make([]float64, 2000)
		for i := range calib {
			calib[i] = c.draw()
		}
		lo, hi := conformalQuantiles(calib)
		in := 0
		const n = 50000
		for range n {
			if r := c.draw(); r >= lo && r <= hi {
				in++
			}
		}
		if cov := float64(in) / n; math.Abs(cov-(1-conformalAlpha)) > 0.012 {
			t.Errorf("%s: band [%.3f, %.3f] covers %.3f of fresh residuals, want %.3f", c.name, lo, hi, cov, 1-conformalAlpha)
		}
	}
	// More than 1−α exact: the band is the estimate itself.
	rs := make([]float64, 100)
	rs[0], rs[99] = -1, 1
	if lo, hi := conformalQuantiles(rs); lo != 0 || hi != 0 {
		t.Errorf("98%% exact: band [%v, %v], want [0, 0]", lo, hi)
	}
}

// Post-stratifying the held-out residuals on the baseline's residuals of
// every training query (poststratify) keeps the band's level and
// narrows the spread of its coverage across splits, when the model errs
// mostly where its baseline errs: here the model's residual is 0.7 of
// the baseline's plus noise, the baseline exact for 85% of the queries
// and off by about e^±1 for 15% (as on flights, where most queries are
// answered nearly exactly and the band's bounds sit in the tails). 300
// splits of 1,250 whole queries of one join count, 250 held out: the
// coverage of fresh queries spreads less with the 1,000 others'
// baseline residuals than without (one split's binomial draw of tail
// queries is what moves a held-out band), around the same level.
func TestConformalPoststratify(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 4))
	draw := func() (m, b float64) {
		switch u := rng.Float64(); {
		case u < 0.075:
			b = -1 + 0.3*rng.NormFloat64()
		case u < 0.15:
			b = 1 + 0.3*rng.NormFloat64()
		default:
			b = 0.01 * rng.NormFloat64()
		}
		return 0.7*b + 0.05*rng.NormFloat64(), b
	}
	fresh := make([]float64, 20000)
	for i := range fresh {
		fresh[i], _ = draw()
	}
	coverage := func(lo, hi float64) float64 {
		in := 0
		for _, r := range fresh {
			if r >= lo && r <= hi {
				in++
			}
		}
		return float64(in) / float64(len(fresh))
	}
	const trials, n, held = 300, 1250, 250
	var plain, strat [trials]float64
	for k := range trials {
		var res []calibResidual
		for i := range n {
			m, b := draw()
			res = append(res, calibResidual{joins: 1, whole: true, in: m, ood: m, base: b, aux: i >= held})
		}
		withAux := fitConformal(res)
		lo, hi, _ := withAux.at(1, false, false)
		strat[k] = coverage(lo, hi)
		noAux := fitConformal(res[:held])
		lo, hi, _ = noAux.at(1, false, false)
		plain[k] = coverage(lo, hi)
	}
	meanSD := func(v []float64) (mean, sd float64) {
		for _, x := range v {
			mean += x
		}
		mean /= float64(len(v))
		for _, x := range v {
			sd += (x - mean) * (x - mean)
		}
		return mean, math.Sqrt(sd / float64(len(v)))
	}
	pm, ps := meanSD(plain[:])
	sm, ss := meanSD(strat[:])
	t.Logf("coverage over %d splits: held-out only %.4f ± %.4f, post-stratified %.4f ± %.4f", trials, pm, ps, sm, ss)
	if math.Abs(sm-(1-conformalAlpha)) > 0.005 || math.Abs(pm-(1-conformalAlpha)) > 0.005 {
		t.Errorf("mean coverage %.4f (held-out only %.4f), want %.3f ± 0.005", sm, pm, 1-conformalAlpha)
	}
	if ss > 0.8*ps {
		t.Errorf("post-stratified coverage spreads ± %.4f, held-out only ± %.4f: want at most 0.8 of it", ss, ps)
	}
	// Without aux residuals the held-out residuals are used as they are.
	rs := []float64{-2, -1, 0, 1, 2}
	if got := poststratify(rs, rs, nil); &got[0] != &rs[0] {
		t.Error("poststratify without aux residuals copied its input")
	}
}
