package joinorder

import "math/bits"

func leading(m uint64) int { return bits.LeadingZeros64(m) }

// DPccp returns the cheapest bushy join tree without cross products under
// model and cards: dynamic programming over csg-cmp pairs (G. Moerkotte,
// T. Neumann, "Analysis of Two Existing and One New Dynamic Programming
// Algorithm for the Generation of Optimal Bushy Join Trees without Cross
// Products", VLDB 2006). Every pair of a connected subgraph and a connected
// complement joined to it is enumerated exactly once, in an order that
// plans both before their union, and priced in both orientations (the
// MySQL-like model is asymmetric). Disconnected queries are planned per
// component and the components cross-joined, smallest first. A component
// needing more than Options.MaxPairs pairs is planned by GOO instead.
func DPccp(cards *Cards, model CostModel, opts Options) (*Plan, error) {
	return run(cards, model, opts, MethodDPccp, func(pl *planner, comp uint64) { pl.dpccp(comp) })
}

// dpccp runs DPccp on the connected component comp (occurrences outside
// it are treated as absent).
func (pl *planner) dpccp(comp uint64) {
	for i := pl.g.n - 1; i >= 0; i-- {
		v := uint64(1) << uint(i)
		if comp&v == 0 {
			continue
		}
		pl.emitCsg(comp, v)
		// B_i = {j : j <= i}, plus everything outside the component.
		pl.enumerateCsgRec(comp, v, (v|(v-1))|^comp)
		if pl.over || pl.err != nil {
			return
		}
	}
}

// enumerateCsgRec extends the connected set s by subsets of its
// neighbourhood outside x.
func (pl *planner) enumerateCsgRec(comp, s, x uint64) {
	n := pl.g.nb(s) &^ x
	if n == 0 {
		return
	}
	for sub := n & -n; ; sub = (sub - n) & n {
		pl.emitCsg(comp, s|sub)
		if pl.over || pl.err != nil {
			return
		}
		if sub == n {
			break
		}
	}
	for sub := n & -n; ; sub = (sub - n) & n {
		pl.enumerateCsgRec(comp, s|sub, x|n)
		if pl.over || pl.err != nil {
			return
		}
		if sub == n {
			break
		}
	}
}

// emitCsg enumerates the connected complements of s1 joined to it.
func (pl *planner) emitCsg(comp, s1 uint64) {
	minBit := s1 & -s1
	x := s1 | (minBit | (minBit - 1)) | ^comp
	n := pl.g.nb(s1) &^ x
	// Neighbours in descending order.
	for rest := n; rest != 0; {
		i := 63 - leading(rest)
		v := uint64(1) << uint(i)
		rest &^= v
		pl.emitPair(s1, v)
		// X ∪ (B_i ∩ N)
		pl.enumerateCmpRec(s1, v, x|(n&(v|(v-1))))
		if pl.over || pl.err != nil {
			return
		}
	}
}

// enumerateCmpRec extends the complement s2 of s1.
func (pl *planner) enumerateCmpRec(s1, s2, x uint64) {
	n := pl.g.nb(s2) &^ x
	if n == 0 {
		return
	}
	for sub := n & -n; ; sub = (sub - n) & n {
		pl.emitPair(s1, s2|sub)
		if pl.over || pl.err != nil {
			return
		}
		if sub == n {
			break
		}
	}
	for sub := n & -n; ; sub = (sub - n) & n {
		pl.enumerateCmpRec(s1, s2|sub, x|n)
		if pl.over || pl.err != nil {
			return
		}
		if sub == n {
			break
		}
	}
}

// emitPair prices one csg-cmp pair.
func (pl *planner) emitPair(s1, s2 uint64) {
	pl.pairs++
	if pl.pairs > pl.limit {
		pl.over = true
		return
	}
	pl.consider(s1, s2)
}
