package joinorder

// GOO returns the plan of greedy operator ordering (L. Fegaras, "A New
// Heuristic for Optimizing Large Queries", DEXA 1998): start from a forest
// of single tables and repeatedly join the two trees, linked by a join
// edge, whose join has the fewest rows (ties: the cheaper), in the cheaper
// orientation, until one tree is left. O(n^3) joins priced; bushy plans.
// Disconnected queries are handled as by DPccp.
func GOO(cards *Cards, model CostModel) (*Plan, error) {
	return run(cards, model, Options{}, MethodGOO, func(pl *planner, comp uint64) {
		if err := pl.goo(comp); err != nil {
			pl.err = err
		}
	})
}

// goo plans the component comp greedily into pl.best[comp].
func (pl *planner) goo(comp uint64) error {
	var forest []uint64
	for m := comp; m != 0; m &= m - 1 {
		forest = append(forest, m&-m)
	}
	for len(forest) > 1 {
		bi, bj := -1, -1
		var best entry
		for i := range forest {
			for j := i + 1; j < len(forest); j++ {
				a, b := forest[i], forest[j]
				if !pl.g.joined(a, b) {
					continue
				}
				x, err := pl.join(a, b, pl.best[a], pl.best[b])
				if err != nil {
					return err
				}
				y, err := pl.join(b, a, pl.best[b], pl.best[a])
				if err != nil {
					return err
				}
				if y.cost < x.cost {
					x = y
				}
				if bi < 0 || x.rows < best.rows || (x.rows == best.rows && x.cost < best.cost) {
					bi, bj, best = i, j, x
				}
			}
		}
		if bi < 0 {
			break // cannot happen inside a connected component
		}
		u := forest[bi] | forest[bj]
		pl.best[u] = best
		forest[bi] = u
		forest = append(forest[:bj], forest[bj+1:]...)
	}
	return nil
}
