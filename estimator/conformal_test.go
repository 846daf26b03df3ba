package estimator

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Split conformal bands fitted on residuals that spread more with each
// join cover about 90% of fresh residuals of every join count (not 90%
// overall with the small plans over-covered and the large under-covered),
// the exact class keeps its own narrow band, and the band survives the
// payload round trip; corrupt payloads are refused.
func TestConformalMondrianCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	draw := func(j int) float64 { return rng.NormFloat64() * 0.2 * float64(1+2*j) }
	var calib []calibResidual
	for range 4000 {
		j := rng.IntN(4)
		calib = append(calib, calibResidual{joins: j, in: draw(j), ood: 2 * draw(j)})
	}
	for range 200 {
		calib = append(calib, calibResidual{joins: 0, exact: true, in: rng.NormFloat64() * 0.001})
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
		if c := float64(in) / n; c < 0.88 || c > 0.93 {
			t.Errorf("%d joins: coverage %.3f of band [%.3f, %.3f], want about 0.90", j, c, lo, hi)
		}
	}
	lo0, hi0, _ := b.at(0, false, false)
	elo, ehi, _ := b.at(0, false, true)
	if !(ehi-elo < (hi0-lo0)/50) {
		t.Errorf("exact class band [%v, %v] not much narrower than [%v, %v]", elo, ehi, lo0, hi0)
	}
	olo, ohi, _ := b.at(3, true, false)
	ilo, ihi, _ := b.at(3, false, false)
	if !(olo < ilo && ohi > ihi) {
		t.Errorf("out-of-distribution band [%v, %v] not wider than [%v, %v]", olo, ohi, ilo, ihi)
	}
	// Beyond the calibrated join counts the band grows per join.
	l4, h4, _ := b.at(4, false, false)
	if !(l4 < ilo && h4 > ihi) {
		t.Errorf("4 joins [%v, %v] not wider than 3 joins [%v, %v]", l4, h4, ilo, ihi)
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
	back, err := readConformal(next(f))
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range []int{0, 2, 7} {
		for _, ood := range []bool{false, true} {
			l1, h1, _ := b.at(j, ood, false)
			l2, h2, _ := back.at(j, ood, false)
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
		if _, err := readConformal(next(g)); err == nil {
			t.Errorf("%s band accepted", name)
		}
	}
}

type endError struct{}

func (endError) Error() string { return "end of values" }

var errEnd error = endError{}
