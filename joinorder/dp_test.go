package joinorder

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestDPccpEqualsExhaustive: on chains, stars, cycles, cliques and random
// trees of 2 to 8 tables with random cardinalities, DPccp's cost equals the
// cheapest of every join tree without cross products (listed in full; the
// 8-clique's 17 million trees are checked against DPsub instead), under
// both cost models; left-deep DP equals the cheapest connected permutation.
func TestDPccpEqualsExhaustive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sh := range []shape{chain, star, cycle, clique, tree} {
		for n := 2; n <= 8; n++ {
			for rep := 0; rep < 2; rep++ {
				cat := synthCatalog(n, rng)
				q := synthQuery(cat, sh, n, rng)
				cards := synthCards(t, cat, q, rng)
				for _, model := range []CostModel{Cout{}, NewMySQL(cat)} {
					name := fmt.Sprintf("%s%d/%d/%s", sh, n, rep, model.Name())
					p, err := DPccp(cards, model, Options{})
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if err := Validate(p); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					var want float64
					if sh == clique && n == 8 {
						want = dpsubMin(t, cards, model)
					} else {
						want = exhaustiveMin(t, cards, model, false)
					}
					if !closeTo(p.Cost(), want) {
						t.Errorf("%s: DPccp cost %g, exhaustive %g", name, p.Cost(), want)
					}
					ld, err := LeftDeep(cards, model, Options{})
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if err := Validate(ld); err != nil || !ld.LeftDeep() {
						t.Fatalf("%s: left-deep plan invalid (%v) or bushy:\n%s", name, err, ld)
					}
					if wantLD := exhaustiveMin(t, cards, model, true); !closeTo(ld.Cost(), wantLD) {
						t.Errorf("%s: left-deep DP cost %g, exhaustive %g", name, ld.Cost(), wantLD)
					}
					g, err := GOO(cards, model)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if err := Validate(g); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if ld.Cost() < p.Cost()*(1-1e-9) || g.Cost() < p.Cost()*(1-1e-9) {
						t.Errorf("%s: left-deep %g or GOO %g beats the optimum %g", name, ld.Cost(), g.Cost(), p.Cost())
					}
					// Recost under the same cards reproduces the costs.
					r, err := Recost(p, cards, model)
					if err != nil || !closeTo(r.Cost(), p.Cost()) {
						t.Errorf("%s: recost %v %v, want %g", name, r, err, p.Cost())
					}
				}
			}
		}
	}
}

// TestDisconnected: a query of two unjoined chains is planned per chain and
// the two cross-joined once, by every method.
func TestDisconnected(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cat := synthCatalog(6, rng)
	q := synthQuery(cat, split, 6, rng)
	cards := synthCards(t, cat, q, rng)
	for _, f := range []func() (*Plan, error){
		func() (*Plan, error) { return DPccp(cards, Cout{}, Options{}) },
		func() (*Plan, error) { return LeftDeep(cards, Cout{}, Options{}) },
		func() (*Plan, error) { return GOO(cards, Cout{}) },
	} {
		p, err := f()
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(p); err != nil {
			t.Fatal(err)
		}
		if p.Root.Op != OpCross {
			t.Errorf("%s: root is %v, want the one cross product:\n%s", p.Method, p.Root.Op, p)
		}
	}
}

// TestPairBudget: past Options.MaxPairs DPccp degrades to GOO and says so.
func TestPairBudget(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cat := synthCatalog(8, rng)
	q := synthQuery(cat, clique, 8, rng)
	cards := synthCards(t, cat, q, rng)
	p, err := DPccp(cards, Cout{}, Options{MaxPairs: 100})
	if err != nil {
		t.Fatal(err)
	}
	if p.Method != MethodGOO || p.Source == MethodDPccp {
		t.Errorf("method %q source %q, want a GOO fallback", p.Method, p.Source)
	}
	if err := Validate(p); err != nil {
		t.Fatal(err)
	}
	if _, err := DPccp(cards, Cout{}, Options{MaxPairs: -1}); err == nil {
		t.Error("negative MaxPairs accepted")
	}
}

// TestFromOrder: the left-deep plan of a given order costs what Recost
// says, equals the left-deep DP's optimum for the DP's own order, and bad
// orders are ErrPlan.
func TestFromOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	cat := synthCatalog(6, rng)
	q := synthQuery(cat, tree, 6, rng)
	cards := synthCards(t, cat, q, rng)
	ld, err := LeftDeep(cards, NewMySQL(cat), Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := FromOrder(cards, NewMySQL(cat), ld.Order())
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(p); err != nil || !closeTo(p.Cost(), ld.Cost()) {
		t.Errorf("FromOrder(left-deep order) cost %g (%v), left-deep DP %g", p.Cost(), err, ld.Cost())
	}
	for _, bad := range [][]int{{0, 1}, {0, 1, 2, 3, 4, 4}, {0, 1, 2, 3, 4, 9}} {
		if _, err := FromOrder(cards, Cout{}, bad); !errors.Is(err, ErrPlan) {
			t.Errorf("order %v: %v", bad, err)
		}
	}
}
