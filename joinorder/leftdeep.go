package joinorder

import "slices"

// LeftDeep returns the cheapest left-deep join tree without cross products
// (every join's right input is one table, as MySQL and MariaDB execute):
// dynamic programming over connected sets by size, extending the best plan
// of each set by one joined table (P. G. Selinger et al., "Access Path
// Selection in a Relational Database Management System", SIGMOD 1979,
// without interesting orders). Disconnected queries and the pair budget
// are handled as by DPccp.
func LeftDeep(cards *Cards, model CostModel, opts Options) (*Plan, error) {
	return run(cards, model, opts, MethodLeftDeep, func(pl *planner, comp uint64) { pl.leftDeep(comp) })
}

func (pl *planner) leftDeep(comp uint64) {
	var level []uint64
	for m := comp; m != 0; m &= m - 1 {
		level = append(level, m&-m)
	}
	seen := map[uint64]bool{}
	for len(level) > 0 {
		var next []uint64
		for _, s := range level {
			es := pl.best[s]
			for n := pl.g.nb(s) & comp &^ s; n != 0; n &= n - 1 {
				t := n & -n
				pl.pairs++
				if pl.pairs > pl.limit {
					pl.over = true
					return
				}
				x, err := pl.join(s, t, es, pl.best[t])
				if err != nil {
					pl.err = err
					return
				}
				if cur, ok := pl.best[s|t]; !ok || x.cost < cur.cost {
					pl.best[s|t] = x
				}
				if !seen[s|t] {
					seen[s|t] = true
					next = append(next, s|t)
				}
			}
		}
		slices.Sort(next)
		level = next
	}
}
