package indexadvisor

import (
	"context"
	"slices"
)

// Repair of a configuration that slows statements down (bestGreedy).
//
// The portfolio's greedy that weighs regressions takes an index for its
// savings although the what-if model predicts it slows a statement down
// (an index on the join column of a large table serves several joins and
// lures one ORDER BY ... LIMIT statement into a walk of that index), in
// the hope that a later step serves that statement better; a step-wise
// greedy has no reason to take exactly that step, and the configuration
// used to be dropped for its regressions. On ecommerce seed 6 (scale 10,
// 25% budget) that dropped an estimated 82.3% configuration with 2
// predicted regressions for a 33.3% one without (measured 17.9%, where
// one index per filtered column measured 76.8%).
//
// repair searches from such a configuration for one without predicted
// regressions, one move at a time (at most maxRepairSteps):
//
//	moves: add a candidate | swap a chosen index for a candidate | drop one,
//	       on a table with a statement predicted slower (within the budget
//	       and the per-table limit)
//	of the moves that leave fewer statements predicted slower, take the
//	     one of the lowest workload cost (not the fewest regressions: that
//	     is most often the drop of the index that saves most); stop when
//	     none is left (the configuration joins the portfolio, priced as
//	     the others) or when no move lowers their number
//
// The configuration then competes in the portfolio like the others
// (spendShare, the knee): it is kept only for its estimated benefit.

// maxRepairSteps bounds repair's moves.
const maxRepairSteps = 3

// regressed counts the statements predicted more than RegressionThreshold
// and regressionFloor dearer than with the existing indexes only
// (stmtSlower).
func (c *config) regressed() int {
	n := 0
	for si := range c.a.stmtOccs {
		if c.stmtSlower(si) {
			n++
		}
	}
	return n
}

// repair moves c towards a configuration without predicted regressions
// (see above); it returns the bytes used and whether none are left. Only
// moves on a table whose indexes can re-price a regressed statement
// (tableStmts) can remove it, so only those are tried, each judged by the
// change on that table.
func (c *config) repair(ctx context.Context, cands []*Index, banned map[string]bool, budget, used float64) (float64, bool) {
	a := c.a
	n := c.regressed()
	for step := 0; step < maxRepairSteps && n > 0 && ctx.Err() == nil; step++ {
		var bestOut, bestIn *Index
		bestN, bestDelta, found := n, 0.0, false
		for t := range c.chosen {
			k0, cost0 := c.tableState(t)
			if k0 == 0 {
				continue
			}
			try := func(out, in *Index) {
				size := used
				if out != nil {
					size -= a.tables[t].indexBytes(out)
				}
				if in != nil {
					size += a.tables[t].indexBytes(in)
					if budget > 0 && size > budget {
						return
					}
					if out == nil && len(c.chosen[t]) >= a.opts.MaxPerTable {
						return
					}
				}
				c.move(out, in)
				k, cost := c.tableState(t)
				c.move(in, out)
				if k < k0 && (!found || cost-cost0 < bestDelta) {
					bestOut, bestIn, bestN, bestDelta, found = out, in, n-k0+k, cost-cost0, true
				}
			}
			chosen := slices.Clone(c.chosen[t])
			for _, out := range chosen {
				try(out, nil)
			}
			for _, in := range cands {
				if in.Table != t || banned[in.key()] || slices.Contains(chosen, in) {
					continue
				}
				try(nil, in)
				for _, out := range chosen {
					try(out, in)
				}
			}
		}
		if !found {
			break
		}
		c.move(bestOut, bestIn)
		if bestOut != nil {
			used -= a.tables[bestOut.Table].indexBytes(bestOut)
		}
		if bestIn != nil {
			used += a.tables[bestIn.Table].indexBytes(bestIn)
		}
		n = bestN
	}
	// The count above is kept table by table; a move on an inner table
	// also re-prices driving occurrences elsewhere (bnl.go): recount.
	return used, c.regressed() == 0
}

// tableState is the number of regressed statements among those t's
// indexes can re-price (tableStmts: with an occurrence of t or a driving
// occurrence t's indexes charge, bnl.go, blind.go, eqrefruns.go) and the
// weighted cost of those occurrences plus the maintenance of t's chosen
// indexes.
func (c *config) tableState(t int) (int, float64) {
	k, cost := 0, 0.0
	for _, si := range c.a.tableStmts[t] {
		if c.stmtSlower(si) {
			k++
		}
	}
	for _, oi := range c.a.byTable[t] {
		cost += c.a.occs[oi].weight * c.cur[oi].cost
	}
	for _, oi := range c.a.bnlDrivers[t] {
		if c.a.occs[oi].table != t {
			cost += c.a.occs[oi].weight * c.cur[oi].cost
		}
	}
	for _, ix := range c.chosen[t] {
		cost += c.a.maintenance(ix)
	}
	return k, cost
}

// move replaces chosen index out by in; either may be nil (add in, drop
// out). move(in, out) undoes move(out, in).
func (c *config) move(out, in *Index) {
	switch {
	case out != nil && in != nil:
		c.swap(out, in)
	case in != nil:
		c.chosen[in.Table] = append(c.chosen[in.Table], in)
		c.refresh(in.Table)
	case out != nil:
		c.chosen[out.Table] = slices.DeleteFunc(c.chosen[out.Table], func(x *Index) bool { return x == out })
		c.refresh(out.Table)
	}
}
