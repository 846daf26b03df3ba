package joinorder

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkPlan times planning one query of 10 and 20 tables (random
// trees and a cycle, precomputed cardinalities: estimation is not
// included) with the agent (beam DefaultBeam), the guarded agent, DPccp,
// left-deep DP and GOO, in the same run:
//
//	go test ./joinorder -run '^$' -bench Plan -benchtime 200x
//
// Target: the agent plans a 10-table query in <= 1 ms and a 20-table query
// in <= 5 ms.
func BenchmarkPlan(b *testing.B) {
	a, _ := trainSynth(b, 7)
	for _, n := range []int{10, 20} {
		for _, sh := range []shape{tree, cycle} {
			rng := rand.New(rand.NewPCG(uint64(n), 1))
			cat := synthCatalog(n, rng)
			q := synthQuery(cat, sh, n, rng)
			cards := synthCards(b, cat, q, rng)
			for _, m := range []struct {
				name string
				plan func() (*Plan, error)
			}{
				{"agent", func() (*Plan, error) { return a.Plan(cards, Cout{}) }},
				{"agent+guard", func() (*Plan, error) { return a.PlanGuarded(cards, Cout{}, Options{}) }},
				{"dpccp", func() (*Plan, error) { return DPccp(cards, Cout{}, Options{}) }},
				{"leftdeep", func() (*Plan, error) { return LeftDeep(cards, Cout{}, Options{}) }},
				{"goo", func() (*Plan, error) { return GOO(cards, Cout{}) }},
			} {
				b.Run(fmt.Sprintf("%s%d/%s", sh, n, m.name), func(b *testing.B) {
					for b.Loop() {
						if _, err := m.plan(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}
