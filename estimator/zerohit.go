package estimator

import (
	"math"
	"math/bits"
	"slices"

	"github.com/cardinaldb/cardinal/catalog"

	"github.com/cardinaldb/cardinal/features"
)

// Joins whose samples find no surviving row (support 0; issue 12, class
// 1). A selective filter on a sampled fact table (orders.id = 79344,
// reviews.id IN (...), a date and a range together) often passes none of
// its sampled rows, and the join-sample estimate is then 0. The old
// fallback, the histogram's independence and containment across every
// join, knows nothing of the keys' degrees: a row reached through a hub
// (a popular product, a big city's stores) fans out thousands of times
// where the textbook formula assumes the mean degree, so the worst
// estimates of joins through shared dimensions were underestimates by
// 1,000x and more. Two things replace it:
//
//	complete tables prove 0 ──────────► a connected part of the sub-plan
//	                                     whose tables are all sampled
//	                                     whole joins to no row: 0, exactly
//	key degrees prove 0 ──────────────► a table sampled whole whose
//	                                     passing keys the exact degree
//	                                     table of a sampled neighbour
//	                                     gives no row (degreeZero): 0
//	relax the zero-hit tables ─────────► each sampled table whose filter
//	                                     passes no sampled row counts every
//	                                     sampled row at its filter's
//	                                     selectivity sel_t:
//
//	|plan| ≈ Π_{t zero-hit} sel_t · J(plan with those filters dropped)
//
// J is the join-sample (and key-degree, factorjoin.go) estimate, whose
// samples now meet, so the fan-out through each key is its measured
// degree; sel_t is the histogram selectivity of t's filter, at most the
// rule of three's 3/n (a sample of n rows that found nothing). This is
// FactorJoin's assumption (Wu et al., SIGMOD 2023) that a filter is
// independent of the join key within a table, applied only where the
// sample has nothing to say. When even the relaxed samples do not meet,
// the histogram fallback stays.
//
//	a unique key the sample misses ───► a filter key = v on the key of a
//	                                     table's key map (catalog.KeyMap:
//	                                     flights.id = 11543) is one row or
//	                                     none: a key the map lacks is 0,
//	                                     exactly; else the row's count is
//	                                     its fan-out, which its join-column
//	                                     values decide (ORD, DBQ): the mean
//	                                     fan-out of the sampled rows that
//	                                     share them (keyPointOf)
//
// Without the key map the relaxation counts every sampled flight at
// 1/20,000, the mean fan-out of a flight: 1,494,527 rows for issue 12's
// out-of-distribution maximum (true 1), since a flight drawn at random
// lands at a hub; flight 11543 lands at DBQ, whose 5 flights the sample
// holds some of, and their fan-out is the answer. When no sampled row
// shares the values, the relaxation restricted to them (their conjuncts
// move to a neighbour sampled whole) over the rows holding them; when the
// rows sharing them join no sampled row, one row (keyPointFloor). The
// filter's other conjuncts count at their histogram selectivity, as in
// the relaxation.

// zeroHitRows returns the support-0 baseline of the join sub-plan mask of
// p (two or more occurrences): rows and whether it applies, and exact
// when a completely sampled part proves the sub-plan empty.
func (b *joinBaseline) zeroHitRows(p *prepared, mask uint64) (rows float64, exact, ok bool) {
	s, q := b.s, p.q
	if b.completeZero(p, mask) || b.degreeZero(p, mask) {
		return 0, true, true
	}
	var buf [maxJoinTables]tableProbe
	probes := buf[:0]
	if len(p.probes) > len(buf) {
		probes = make([]tableProbe, 0, len(p.probes))
	}
	probes = append(probes, p.probes...)
	kp, found := b.keyPointOf(p, mask)
	if found && kp.absent {
		// The key map holds every key: no row has it, or the row's
		// join key is NULL and joins no row.
		return 0, true, true
	}
	factor, relaxed := 1.0, false
	one, oneRows := -1, 0.0 // the key point's occurrence (mode A: its key-sharing rows; B: their count)
	for i, tr := range q.Tables {
		ts := &s.tables[tr.Table]
		if mask&(1<<uint(i)) == 0 || probes[i].hits > 0 || ts.complete || ts.n == 0 {
			continue
		}
		if hasLike(tr.Filter) {
			// A pattern's histogram selectivity is a guess: the
			// relaxed estimate would spread it over every key.
			return 0, false, false
		}
		if found && i == kp.occ && one < 0 {
			kb, _ := s.filterBits(tr.Table, kp.keys, p.sc, false)
			if hk := kb.count(); hk > 0 {
				// Mode A: the sampled rows sharing the row's join
				// keys have its fan-out.
				probes[i].bits, probes[i].hits = kb, hk
				factor *= kp.restSel
				one, relaxed = i, true
				continue
			}
			// Mode B: the join restricted to the row's key values
			// over the rows holding them.
			if bm, hits, sel, ok := b.relaxFilter(p, probes, mask, i, andOf(append(slices.Clone(kp.keyConj), kp.rest...))); ok {
				probes[i].bits, probes[i].hits = bm, hits
				n := kp.sharing()
				factor *= sel / n
				oneRows, relaxed = n, true
				continue
			}
		}
		bm, hits, sel, ok := b.relaxFilter(p, probes, mask, i, tr.Filter)
		if !ok {
			return 0, false, false
		}
		probes[i].bits, probes[i].hits = bm, hits
		factor *= sel
		relaxed = true
	}
	if !relaxed {
		return 0, false, false
	}
	for i, tr := range q.Tables {
		if mask&(1<<uint(i)) != 0 && probes[i].hits == 0 && s.tables[tr.Table].complete {
			// A moved conjunct leaves no row of a table sampled whole.
			return 0, true, true
		}
	}
	if one >= 0 {
		if p.sc.tree == nil {
			p.sc.tree = new(joinTree)
		}
		r, support := s.joinTreeRows(p.sc.tree, q, probes, p.edges, b.hist, mask, p.sc, nil, one)
		if support == 0 {
			// The samples of the other tables join none of the
			// rows sharing its keys: a small fan-out, not the
			// mean of every row.
			return keyPointFloor, false, true
		}
		ts := &s.tables[q.Tables[one].Table]
		// r is the sum of their fan-outs times rows/n: their mean.
		return sanitize(r / (float64(probes[one].hits) * ts.rows / float64(ts.n)) * factor), false, true
	}
	r, support := s.joinSampleRows(q, probes, p.edges, b.hist, mask, p.sc, nil)
	if support == 0 {
		return 0, false, false
	}
	if oneRows > 0 {
		return sanitize(math.Max(r*factor, keyPointFloor)), false, true
	}
	return sanitize(r * factor), false, true
}

// keyPointFloor is the least estimate of a key point (keyPointOf) the key
// map does not prove empty: the q-error counts estimates below one row
// as one, and 0 stays the answer of a proof.
const keyPointFloor = 1.0

// keyPoint is a zero-hit occurrence whose filter fixes its table's
// unique key (flights.id = 11543), looked up in the key map.
type keyPoint struct {
	occ    int
	absent bool // no row has the key, or its join key inside mask is NULL
	// keys is the conjunction of col = v over occ's join columns inside
	// mask, v the row's values.
	keys    *features.Expr
	keyConj []*features.Expr
	// km, row and pos locate the row in the key map and its join
	// columns among km.Columns (sharing).
	km  *catalog.KeyMap
	row int
	pos []int
	// rest are the filter's other conjuncts, restSel their histogram
	// selectivity.
	rest    []*features.Expr
	restSel float64
}

// sharing counts the rows of the key map holding the row's values of its
// join columns: a scan of the map, so only mode B (no sampled row shares
// them) pays it.
func (kp *keyPoint) sharing() float64 {
	n := 0.0
	for r := range kp.km.Keys {
		same := true
		for _, k := range kp.pos {
			if catalog.Compare(kp.km.Values[k][r], kp.km.Values[k][kp.row]) != 0 {
				same = false
				break
			}
		}
		if same {
			n++
		}
	}
	return n
}

// keyPointOf returns the first zero-hit occurrence of mask whose filter
// has a conjunct key = v on the key of its table's key map
// (catalog.KeyMap), v not a join column inside mask, and whose join
// columns inside mask the key map holds. The row's count through the
// joins is its fan-out, which its join-column values decide: zeroHitRows
// weighs the sampled rows that share them (mode A), or when none does,
// the relaxed join of those values over the rows holding them (mode B).
// The filter's other conjuncts count at their histogram selectivity, as
// in the relaxation.
func (b *joinBaseline) keyPointOf(p *prepared, mask uint64) (kp keyPoint, ok bool) {
	s, q := b.s, p.q
	for i, tr := range q.Tables {
		ts := &s.tables[tr.Table]
		if mask&(1<<uint(i)) == 0 || p.probes[i].hits > 0 || ts.complete || ts.n == 0 || tr.Filter == nil ||
			tr.Table >= len(s.cat.Stats) || s.cat.Stats[tr.Table].KeyMap == nil {
			continue
		}
		km := s.cat.Stats[tr.Table].KeyMap
		args := []*features.Expr{tr.Filter}
		if tr.Filter.Kind == features.ExprAnd {
			args = tr.Filter.Args
		}
		at := -1
		for k, a := range args {
			if a.Kind != features.ExprPred || a.Pred.Op != features.OpEQ || len(a.Pred.Values) != 1 || a.Pred.Col != km.Key {
				continue
			}
			if _, _, onKey := keyConjunct(p.edges, mask, i, a); !onKey {
				at = k
				break
			}
		}
		if at < 0 {
			continue
		}
		row, found := km.Lookup(args[at].Pred.Values[0])
		if !found {
			return keyPoint{occ: i, absent: true}, true
		}
		// The row's values of i's join columns inside mask.
		var cols []int
		for ei := range p.edges {
			e := &p.edges[ei]
			if mask&(1<<uint(e.l)) == 0 || mask&(1<<uint(e.r)) == 0 {
				continue
			}
			switch i {
			case e.l:
				cols = append(cols, e.lcol...)
			case e.r:
				cols = append(cols, e.rcol...)
			}
		}
		slices.Sort(cols)
		cols = slices.Compact(cols)
		var conj []*features.Expr
		pos := make([]int, 0, len(cols))
		usable := len(cols) > 0
		for _, c := range cols {
			k := slices.Index(km.Columns, c)
			if k < 0 {
				usable = false
				break
			}
			v := km.Values[k][row]
			if v.IsNull() {
				return keyPoint{occ: i, absent: true}, true
			}
			pos = append(pos, k)
			conj = append(conj, &features.Expr{Kind: features.ExprPred, Pred: features.Pred{Col: c, Op: features.OpEQ, Values: []catalog.Datum{v}}})
		}
		if !usable {
			continue
		}
		kp = keyPoint{occ: i, keys: andOf(conj), keyConj: conj, restSel: 1, km: km, row: row, pos: pos}
		kp.rest = append(slices.Clone(args[:at]), args[at+1:]...)
		if len(kp.rest) > 0 {
			kp.restSel = b.hist.filterSel(tr.Table, andOf(kp.rest))
		}
		return kp, true
	}
	return keyPoint{}, false
}

// relaxFilter relaxes zero-hit occurrence i of mask in probes: it returns
// its relaxed sample rows and the selectivity standing for what was
// dropped. A conjunct of its filter on one of its join columns inside
// mask (reviews.customer_id = 3398) decides which keys the table sends:
// when the other side of that join is sampled whole, the conjunct moves
// there (customers.id = 3398: a join keeps only equal values), where it
// is exact and the key's degree counts its rows; else it stays, and the
// relaxation gives up (ok false) when no sampled row passes what stays.
// The other conjuncts are dropped for their histogram selectivity
// (droppedSel), over the k rows kept (every sampled row when no conjunct
// stays).
func (b *joinBaseline) relaxFilter(p *prepared, probes []tableProbe, mask uint64, i int, filter *features.Expr) (bm bitmap, hits int, sel float64, ok bool) {
	s, q := b.s, p.q
	tr := q.Tables[i]
	ts := &s.tables[tr.Table]
	var keep, moved, rest []*features.Expr
	args := []*features.Expr{filter}
	if filter.Kind == features.ExprAnd {
		args = filter.Args
	}
	for _, a := range args {
		nb, col, ok := keyConjunct(p.edges, mask, i, a)
		switch {
		case !ok:
			rest = append(rest, a)
		case nb >= 0 && s.tables[q.Tables[nb].Table].complete && sameType(q, i, a.Pred.Col, nb, col, a):
			mb, _ := s.filterBits(q.Tables[nb].Table, movedTo(a, col), p.sc, false)
			nbits := p.sc.get(probes[nb].n)
			copy(nbits, probes[nb].bits)
			nbits.and(mb)
			probes[nb].bits, probes[nb].hits = nbits, nbits.count()
			moved = append(moved, a)
		default:
			keep = append(keep, a)
		}
	}
	if len(keep) > 0 {
		kb, _ := s.filterBits(tr.Table, andOf(keep), p.sc, false)
		n := kb.count()
		if n == 0 {
			// Which keys pass is unknown: spreading the conjuncts'
			// selectivity over every key's degree would weigh the
			// hubs they may well exclude.
			return nil, 0, 0, false
		}
		sel, ok := b.droppedSel(tr.Table, rest, b.keyHits(tr.Table, append(keep, moved...), n, p.sc))
		return kb, n, sel, ok
	}
	sel, ok = b.droppedSel(tr.Table, rest, b.keyHits(tr.Table, moved, ts.n, p.sc))
	all := p.sc.get(ts.n)
	all.fill(ts.n)
	return all, ts.n, sel, ok
}

// droppedSel is the histogram selectivity of the conjuncts rest of a
// filter on table ti that none of k sampled rows passes. A sample of k
// rows misses a filter of selectivity sel with probability (1-sel)^k,
// under 5% beyond the rule of three's 3/k: a histogram selectivity above
// it says the conjuncts are not independent (order_items.order_id > a
// AND order_items.id < b, where the two ids rise together), and ok is
// false. k is the sampled rows passing the filter's key conjuncts; none
// (a key its sample missed) is no evidence.
func (b *joinBaseline) droppedSel(ti int, rest []*features.Expr, k int) (sel float64, ok bool) {
	if len(rest) == 0 {
		return 1, true
	}
	sel = b.hist.filterSel(ti, andOf(rest))
	return sel, k == 0 || sel <= zeroHitCap*zeroHitSel(k)
}

// keyHits is the number of sampled rows of table ti passing the key
// conjuncts key (n, every sampled row, when there are none): the rows
// among which the other conjuncts found nothing.
func (b *joinBaseline) keyHits(ti int, key []*features.Expr, n int, sc *scratch) int {
	if len(key) == 0 {
		return n
	}
	kb, _ := b.s.filterBits(ti, andOf(key), sc, false)
	return kb.count()
}

// keyConjunct reports whether conjunct a of occurrence i's filter is a
// plain predicate (or NOT of one) on one of i's join columns inside mask,
// with the occurrence on the other side of that join and its column there
// (nb -1 when the column pair's types differ: the conjunct stays).
func keyConjunct(edges []pairEdge, mask uint64, i int, a *features.Expr) (nb, col int, ok bool) {
	for ei := range edges {
		e := &edges[ei]
		if mask&(1<<uint(e.l)) == 0 || mask&(1<<uint(e.r)) == 0 {
			continue
		}
		mine, theirs, other := e.lcol, e.rcol, e.r
		switch i {
		case e.l:
		case e.r:
			mine, theirs, other = e.rcol, e.lcol, e.l
		default:
			continue
		}
		for k, c := range mine {
			if colPred(a, c) != nil {
				return other, theirs[k], true
			}
		}
	}
	return -1, 0, false
}

// andOf is the conjunction of args (the one argument itself, nil for
// none).
func andOf(args []*features.Expr) *features.Expr {
	if len(args) == 0 {
		return nil
	}
	if len(args) == 1 {
		return args[0]
	}
	return &features.Expr{Kind: features.ExprAnd, Args: args}
}

// completeZero reports whether a connected part of two or more
// completely sampled occurrences of mask joins to no row.
func (b *joinBaseline) completeZero(p *prepared, mask uint64) bool {
	s, q := b.s, p.q
	var comp uint64
	for i, tr := range q.Tables {
		if mask&(1<<uint(i)) != 0 && s.tables[tr.Table].complete {
			comp |= 1 << uint(i)
		}
	}
	for comp != 0 {
		// The connected part of comp holding its lowest occurrence.
		part := comp & -comp
		for grown := true; grown; {
			grown = false
			for ei := range p.edges {
				e := &p.edges[ei]
				l, r := uint64(1)<<uint(e.l), uint64(1)<<uint(e.r)
				if comp&l == 0 || comp&r == 0 || (part&l == 0) == (part&r == 0) {
					continue
				}
				part |= l | r
				grown = true
			}
		}
		comp &^= part
		if bits.OnesCount64(part) < 2 {
			continue
		}
		if _, support := s.joinSampleRows(q, p.probes, p.edges, b.hist, part, p.sc, nil); support == 0 {
			return true
		}
	}
	return false
}

// degreeZero reports whether a join edge of mask between a completely
// sampled occurrence c and a sampled one t, whose degree table on the
// joined columns keeps every key (catalog.KeyDegrees with no RestKeys),
// proves the sub-plan empty: t's rows joining c's passing rows number at
// most Σ_k deg_t(k) over the keys k of c's passing rows, whatever t's own
// filter, so a sum of 0 is exact. (flights ⋈ airports WHERE airports.iata
// <= '81B': the 657 airports that pass have no flights, which the flights
// sample cannot tell from a few it missed, while the degree table of
// flights.destination counts every airport's flights.)
func (b *joinBaseline) degreeZero(p *prepared, mask uint64) bool {
	s, q := b.s, p.q
	if !s.degrees {
		return false
	}
	for ei := range p.edges {
		e := &p.edges[ei]
		if mask&(1<<uint(e.l)) == 0 || mask&(1<<uint(e.r)) == 0 {
			continue
		}
		// side is t's side of the edge (0: e.l, 1: e.r).
		for side, c := range [2]int{e.r, e.l} {
			t := e.l
			tcols := e.lcol
			if side == 1 {
				t, tcols = e.r, e.rcol
			}
			if !s.tables[q.Tables[c].Table].complete || s.tables[q.Tables[t].Table].complete {
				continue
			}
			ek := s.edgeKeysOf(q, p.edges, ei, nil)
			kt, kc := ek.a, ek.b
			if side == 1 {
				kt, kc = ek.b, ek.a
			}
			st := s.stratOf(ek, side, q.Tables[t].Table, tcols, kt)
			if st == nil || !st.exact {
				continue
			}
			if !anyKeyDegree(p.probes[c].bits, kc, st.deg) {
				return true
			}
		}
	}
	return false
}

// anyKeyDegree reports whether a sampled row set in rows has a key (its
// id in kc; negative for NULL) of a positive degree in deg.
func anyKeyDegree(rows bitmap, kc []int32, deg []float64) bool {
	for wi, word := range rows {
		for ; word != 0; word &= word - 1 {
			r := wi*64 + bits.TrailingZeros64(word)
			if r < len(kc) && kc[r] >= 0 && deg[kc[r]] > 0 {
				return true
			}
		}
	}
	return false
}

// sameType reports whether column c of occurrence i (the column of
// conjunct a) and column col of occurrence nb have one type, so a's values
// compare the same way on both.
func sameType(q *features.Query, i, c, nb, col int, a *features.Expr) bool {
	if a.Kind == features.ExprNot {
		c = a.Args[0].Pred.Col
	}
	ti, tn := q.Schema.Tables[q.Tables[i].Table], q.Schema.Tables[q.Tables[nb].Table]
	return c >= 0 && c < len(ti.Columns) && col >= 0 && col < len(tn.Columns) && ti.Columns[c].Type == tn.Columns[col].Type
}

// hasLike reports whether filter e has a LIKE or NOT LIKE predicate.
func hasLike(e *features.Expr) bool {
	if e == nil {
		return false
	}
	if e.Kind == features.ExprPred || e.Kind == features.ExprFunc {
		return e.Pred.Op == features.OpLike || e.Pred.Op == features.OpNotLike
	}
	for _, a := range e.Args {
		if hasLike(a) {
			return true
		}
	}
	return false
}
