package indexadvisor

import "slices"

// Trap refusal: the what-if model's own regression check (opt-in:
// Options.RefuseTraps).
//
// The what-if model gives each statement its cheapest plan, so on its own
// it never sees an index make a statement slower. A server does not pick
// the cheapest plan: its optimizer charges a row lookup as one row read
// (not a B-tree descent) and counts an index that delivers GROUP BY or
// ORDER BY order against a temporary table or sort of every row of the
// table (serverChoice, guard.go). So an index added for other statements
// can lure it into a full index scan with a lookup per row: the trap of
// an index led by a GROUP BY column.
//
//	for each chosen index ix, each statement occurrence o of ix's table:
//	   without = the plan the server-like optimizer picks without ix
//	   with    = o's plan through ix
//	   trap   <=> cost(with) > RegressionThreshold * cost(without)  (worse)
//	              and cost(with) - cost(without) > regressionFloor
//	              and ( serverChoice(with) < serverChoice(without)  (it switches)
//	                    or with serves GROUP BY / ORDER BY through row lookups )
//
// A chosen index with a trap is refused (banned, and the selection reruns,
// as for the learned guard) and reported in Recommendation.Distrusted with
// the statements.

// traps returns the statements for which the server-like optimizer would
// switch to ix and run more than RegressionThreshold times slower,
// according to the what-if model, under configuration c.
func (a *advisor) traps(c *config, ix *Index) []int {
	var out []int
	for _, oi := range a.byTable[ix.Table] {
		if a.trapAt(c, a.occs[oi], ix) && !slices.Contains(out, a.occs[oi].stmt) {
			out = append(out, a.occs[oi].stmt)
		}
	}
	return out
}

// trapAt reports whether ix is a trap for occurrence o under c.
func (a *advisor) trapAt(c *config, o *occ, ix *Index) bool {
	with, ok := a.access(o, ix)
	if !ok {
		return false
	}
	without := a.serverPick(o, c, ix)
	worse := slower(with.cost, without.cost)
	switches := a.serverChoice(o, with) < a.serverChoice(o, without)
	// An index that delivers GROUP BY or ORDER BY order through row
	// lookups is the trap servers walk into even when the cost model
	// above keeps them away from it (MariaDB's sort-avoidance heuristics
	// decide after the cost-based choice).
	lure := (with.grouped || with.ordered) && with.lookups > 0
	return worse && (switches || lure)
}

// serverPick is the plan the server-like optimizer picks for o among the
// full scan and the existing and chosen indexes other than skip.
func (a *advisor) serverPick(o *occ, c *config, skip *Index) plan {
	best := a.fullScan(o)
	bc := a.serverChoice(o, best)
	try := func(ix *Index) {
		if ix == skip {
			return
		}
		if p, ok := a.access(o, ix); ok {
			if sc := a.serverChoice(o, p); sc < bc {
				best, bc = p, sc
			}
		}
	}
	for _, ix := range a.existing[o.table] {
		try(ix)
	}
	for _, ix := range c.chosen[o.table] {
		try(ix)
	}
	return best
}
