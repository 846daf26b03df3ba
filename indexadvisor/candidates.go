package indexadvisor

import (
	"slices"
	"sort"
)

// candidates derives the candidate indexes of every occurrence:
//
//	E  equality / IN columns, most selective first
//	R  range columns
//	J  columns joined from earlier occurrences (inner-side lookups)
//	O  ORDER BY, G GROUP BY columns (driving occurrence only)
//	C  the other columns the occurrence reads (covering)
//
// giving E, E+r, J+E, E+O, E+G, E+r+C and E+G+C (when they fit), O, G and each
// single column, cut to MaxColumns, merged across the workload by table and
// columns. A candidate that is a prefix of an existing index (the primary
// key included) is not new and is left out.
func (a *advisor) candidates() []*Index {
	seen := map[string]bool{}
	var out []*Index
	add := func(table int, cols []int) {
		cols = dedupe(cols)
		if len(cols) == 0 {
			return
		}
		if len(cols) > a.opts.MaxColumns {
			cols = cols[:a.opts.MaxColumns]
		}
		ix := &Index{Table: table, Columns: cols}
		k := ix.key()
		if seen[k] {
			return
		}
		seen[k] = true
		for _, e := range a.existing[table] {
			if e.hasPrefix(cols) {
				return
			}
		}
		out = append(out, ix)
	}
	for _, o := range a.occs {
		var eq, rg []int
		type cs struct {
			col int
			sel float64
		}
		var eqs, rgs []cs
		for i, c := range o.conj {
			if i >= 64 {
				break
			}
			switch c.kind {
			case predEq, predIn:
				eqs = append(eqs, cs{c.col, a.sel(o, 1<<i)})
			case predRange:
				rgs = append(rgs, cs{c.col, a.sel(o, 1<<i)})
			}
		}
		sort.SliceStable(eqs, func(i, j int) bool { return eqs[i].sel < eqs[j].sel })
		sort.SliceStable(rgs, func(i, j int) bool { return rgs[i].sel < rgs[j].sel })
		for _, c := range eqs {
			eq = append(eq, c.col)
		}
		for _, c := range rgs {
			rg = append(rg, c.col)
		}
		cat := func(parts ...[]int) []int {
			var x []int
			for _, p := range parts {
				x = append(x, p...)
			}
			return x
		}
		t := o.table
		add(t, eq)
		for i, r := range rg {
			if i < 2 {
				add(t, cat(eq, []int{r}))
			}
		}
		if len(o.joinCols) > 0 {
			add(t, cat(o.joinCols, eq))
			add(t, o.joinCols)
		}
		add(t, cat(eq, o.order))
		add(t, cat(eq, o.group))
		add(t, o.order)
		add(t, o.group)
		for _, c := range cat(eq, rg) {
			add(t, []int{c})
		}
		// Covering: the key columns, then every other column read.
		cover := func(key []int) {
			cols := slices.Clone(key)
			for c, r := range o.reads {
				if r && !slices.Contains(cols, c) && !a.pkCols[t][c] {
					cols = append(cols, c)
				}
			}
			if len(cols) <= a.opts.MaxColumns && len(cols) > len(key) {
				add(t, cols)
			}
		}
		if len(o.joinCols) > 0 {
			cover(cat(o.joinCols, eq))
		} else {
			cover(cat(eq, first(rg)))
		}
		// Covering in GROUP BY order: the equalities, the GROUP BY
		// columns, then every other column read. An index led by the
		// GROUP BY columns that does not cover is the GROUP BY trap (a
		// full index scan with a row lookup each); covering, the same
		// scan reads no rows and needs no temporary table.
		if len(o.group) > 0 {
			cover(dedupe(cat(eq, o.group)))
		}
	}
	return out
}

func first(x []int) []int {
	if len(x) == 0 {
		return nil
	}
	return x[:1]
}

func dedupe(cols []int) []int {
	out := make([]int, 0, len(cols))
	for _, c := range cols {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}
