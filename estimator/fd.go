package estimator

import (
	"math"
	"math/bits"
	"sort"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Functional dependencies in the baseline (catalog.Dependency; CORDS,
// Ilyas et al., SIGMOD 2004). Independence multiplies the selectivities of
// a filter's conjuncts; when one column determines others it is wrong
// both ways: month > 5 AND fdate within one May afternoon has no rows
// (independence: thousands), and month = 5 AND fdate in May is fdate's
// selectivity alone (independence: a twelfth of it). For a filter that
// constrains a dependency's determinant and at least one dependent, the
// conjuncts on those columns are estimated jointly over the dependency's
// bins instead:
//
//	bins overlapping the determinant's range ─► admitted by every conjunct?
//	     none ─► no rows (exact: the bins hold every row)
//	     else ─► Σ_b rows_b/N · Π_c P(c's conjuncts | c within bin b's range)
//
// where P for a column inside one bin comes from its histogram restricted
// to the bin's range (1 when the bin's range lies within the conjuncts'
// interval). Conjuncts other than =, IN and ranges (<>, LIKE, NOT IN) only
// decide admission; their own selectivities stay independent factors.
const (
	// maxFDScanBins bounds the bins one estimate visits: a determinant
	// range wider than this many bins (an eighth of the 8,192) is left to
	// the sample, which sees such ranges well.
	maxFDScanBins = 1024
)

// fdDep is one catalog dependency ready for estimation.
type fdDep struct {
	from  int
	to    []int
	cols  uint64 // columns from and to (those below 64)
	bins  []catalog.DependencyBin
	total float64 // rows in the bins
}

// newFDs returns per table of cat its dependencies.
func newFDs(cat *catalog.Catalog) [][]fdDep {
	out := make([][]fdDep, len(cat.Stats))
	for ti := range cat.Stats {
		for _, d := range cat.Stats[ti].Dependencies {
			f := fdDep{from: d.From, to: d.To, bins: d.Bins}
			for _, c := range append([]int{d.From}, d.To...) {
				if c < 64 {
					f.cols |= 1 << uint(c)
				}
			}
			for _, b := range d.Bins {
				f.total += float64(b.Rows)
			}
			if f.total > 0 && d.From < 64 {
				out[ti] = append(out[ti], f)
			}
		}
	}
	return out
}

// estimable reports whether conjunct p is re-estimated over the bins.
func estimable(op features.Op) bool {
	switch op {
	case features.OpEQ, features.OpIn, features.OpLT, features.OpLE, features.OpGT, features.OpGE, features.OpBetween:
		return true
	}
	return false
}

// fdSel adjusts sel, the independent selectivity of filter e on table ti,
// for the table's dependencies: unsat when no row can satisfy e.
func (h *Histogram) fdSel(ti int, e *features.Expr, sel float64) (float64, bool) {
	if e == nil || ti < 0 || ti >= len(h.fds) || len(h.fds[ti]) == 0 {
		return sel, false
	}
	var one [1]*features.Expr
	conj := one[:]
	switch e.Kind {
	case features.ExprAnd:
		conj = e.Args
	case features.ExprPred:
		one[0] = e
	default:
		return sel, false
	}
	var constrained, est uint64
	for _, c := range conj {
		p := c
		if c.Kind == features.ExprNot && len(c.Args) == 1 {
			p = c.Args[0]
		}
		if p.Kind != features.ExprPred || p.Pred.Col >= 64 || p.Pred.Col < 0 {
			continue
		}
		constrained |= 1 << uint(p.Pred.Col)
		if p == c && estimable(p.Pred.Op) {
			est |= 1 << uint(p.Pred.Col)
		}
	}
	apply := false
	for k := range h.fds[ti] {
		d := &h.fds[ti][k]
		if constrained&(1<<uint(d.from)) != 0 && bits.OnesCount64(constrained&d.cols) >= 2 {
			apply = true
		}
	}
	if !apply {
		return sel, false
	}
	t := h.cat.Schema.Tables[ti]
	cons, ok := features.ConstraintsOf(t, e)
	if !ok {
		return 0, true
	}
	var used uint64
	for k := range h.fds[ti] {
		d := &h.fds[ti][k]
		s := constrained & d.cols
		if s&(1<<uint(d.from)) == 0 || bits.OnesCount64(s) < 2 || s&used != 0 {
			continue
		}
		joint, visited, unsat := h.fdJoint(ti, d, &cons, s, est)
		if unsat {
			return 0, true
		}
		if !visited {
			continue
		}
		// Replace the independent product of the estimable conjuncts on
		// s by their joint selectivity.
		indep := 1.0
		for _, c := range conj {
			if c.Kind == features.ExprPred && c.Pred.Col < 64 && s&est&(1<<uint(c.Pred.Col)) != 0 {
				indep *= h.filterSel(ti, c)
			}
		}
		if indep <= 0 {
			continue
		}
		used |= s
		sel = sel / indep * joint
	}
	return clamp01(sel), false
}

// fdJoint estimates the joint selectivity of the estimable conjuncts on
// columns s (est marks the columns with estimable conjuncts) over d's
// bins; unsat when no bin is admitted, visited false when the
// determinant's range spans too many bins.
func (h *Histogram) fdJoint(ti int, d *fdDep, cons *features.Constraints, s, est uint64) (joint float64, visited, unsat bool) {
	lo, hi, _, _ := cons.Interval(d.from)
	first, last := 0, len(d.bins)
	if lo.Set {
		first = sort.Search(len(d.bins), func(i int) bool { return catalog.Compare(d.bins[i].Hi, lo.V) >= 0 })
	}
	if hi.Set {
		last = sort.Search(len(d.bins), func(i int) bool { return catalog.Compare(d.bins[i].Lo, hi.V) > 0 })
	}
	if last-first > maxFDScanBins {
		return 0, false, false
	}
	admitted := false
	for b := first; b < last; b++ {
		bin := &d.bins[b]
		if !cons.Admits(d.from, bin.Lo, bin.Hi) {
			continue
		}
		ok := true
		for k, c := range d.to {
			if s&(1<<uint(c)) != 0 && !cons.Admits(c, bin.Min[k], bin.Max[k]) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		admitted = true
		w := float64(bin.Rows) / d.total
		if est&(1<<uint(d.from)) != 0 {
			w *= h.condSel(ti, d.from, cons, bin.Lo, bin.Hi)
		}
		for k, c := range d.to {
			if s&est&(1<<uint(c)) != 0 {
				w *= h.condSel(ti, c, cons, bin.Min[k], bin.Max[k])
			}
		}
		joint += w
	}
	if !admitted {
		return 0, true, true
	}
	return joint * h.notNullFrac(ti, d.from), true, false
}

func (h *Histogram) notNullFrac(ti, col int) float64 {
	if c := h.col(ti, col); c != nil {
		return c.notNull()
	}
	return 1
}

// condSel is the share of column col's values within [bmin, bmax] that
// meet the conjuncts' interval and value list on col (the histogram's
// shape inside the range; 1 when the range lies within the interval).
func (h *Histogram) condSel(ti, col int, cons *features.Constraints, bmin, bmax catalog.Datum) float64 {
	lo, hi, in, hasIn := cons.Interval(col)
	if !hasIn && catalog.Compare(bmin, bmax) == 0 {
		return 1 // admitted, so the one value meets the interval
	}
	inside := (!lo.Set || catalog.Compare(lo.V, bmin) < 0 || (lo.Inclusive && catalog.Compare(lo.V, bmin) == 0)) &&
		(!hi.Set || catalog.Compare(hi.V, bmax) > 0 || (hi.Inclusive && catalog.Compare(hi.V, bmax) == 0))
	if !hasIn && inside {
		return 1
	}
	hc := h.col(ti, col)
	if hc == nil {
		return 1
	}
	whole := hc.lt(bmax, true) - hc.lt(bmin, false)
	if whole <= 0 {
		return 1
	}
	var part float64
	if hasIn {
		for _, v := range in {
			if catalog.Compare(v, bmin) >= 0 && catalog.Compare(v, bmax) <= 0 &&
				(!lo.Set || catalog.Compare(v, lo.V) > 0 || (lo.Inclusive && catalog.Compare(v, lo.V) == 0)) &&
				(!hi.Set || catalog.Compare(v, hi.V) < 0 || (hi.Inclusive && catalog.Compare(v, hi.V) == 0)) {
				part += hc.eq(v)
			}
		}
	} else {
		a, aIncl := bmin, true
		if lo.Set && catalog.Compare(lo.V, bmin) >= 0 {
			a, aIncl = lo.V, lo.Inclusive
		}
		b, bIncl := bmax, true
		if hi.Set && catalog.Compare(hi.V, bmax) <= 0 {
			b, bIncl = hi.V, hi.Inclusive
		}
		part = hc.lt(b, bIncl) - hc.lt(a, !aIncl)
	}
	return math.Max(0, math.Min(1, part/whole))
}

// fdAdjust is fdSel for an occurrence whose filter is already known
// unsatisfiable (unsat) or of independent selectivity sel.
func (h *Histogram) fdAdjust(ti int, e *features.Expr, sel float64, unsat bool) (float64, bool) {
	if unsat {
		return sel, true
	}
	return h.fdSel(ti, e, sel)
}
