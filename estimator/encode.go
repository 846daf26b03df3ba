package estimator

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Flat query encoding for the learned model, after Dutt et al., "Selectivity
// Estimation for Range Predicates using Lightweight Models", VLDB 2019:
// every (table slot, column) has a fixed block of features, so a query is
// one fixed-length vector:
//
//	globals | slot 0: present, sample/hist selectivities, hits | its columns:
//	lo hi op nvals hsel | slot 1 ... | join-edge bitmap
//
// lo/hi are the predicate's range mapped through the column's CDF (MCVs and
// histogram), op is a set of flags, hsel the histogram selectivity of the
// column's conjuncts. Slots: the k-th occurrence of a table in a query
// fills the table's k-th slot.

// Per-column feature layout.
const (
	colLo = iota
	colHi
	colOp
	colNVals
	colHSel
	colFeatures
)

// Per-slot feature layout (before the slot's column blocks).
const (
	slotPresent = iota
	slotSampleSel
	slotHistSel
	slotHits
	slotFeatures
)

// Global features.
const (
	gTables = iota
	gJoins
	gLogHist
	gLogTextbook
	gLogJoinSample
	gSupport
	gLogBase
	gFeatures
)

// Operator flags of the colOp feature.
const (
	opFlagEq = 1 << iota
	opFlagIn
	opFlagRange
	opFlagLike
	opFlagNeg
	opFlagNull
	opFlagComplex
)

// maxSlotsPerTable caps the occurrences of one table the encoding keeps
// apart; further occurrences make the query out of distribution.
const maxSlotsPerTable = 4

// logFloor keeps logs of selectivities finite.
const logFloor = 1e-12

// edgeKey identifies a join edge by slots and columns, canonically ordered.
type edgeKey struct{ sa, ca, sb, cb int }

func makeEdgeKey(sa, ca, sb, cb int) edgeKey {
	if sa > sb || (sa == sb && ca > cb) {
		sa, ca, sb, cb = sb, cb, sa, ca
	}
	return edgeKey{sa, ca, sb, cb}
}

// encoder lays out the features of one catalog and training workload.
type encoder struct {
	cat       *catalog.Catalog
	slots     []int    // per schema table: number of slots
	seenCols  [][]bool // per schema table, column: filtered in training
	edges     []edgeKey
	maxJoins  int
	maxTables int
	// shapes adds the shapeFeatures block (semijoin.go) after the join
	// edges: set when a training query has outer joins or subqueries.
	shapes bool

	// derived
	slotBase  []int // per schema table: first slot
	slotTable []int // per slot: schema table
	slotOff   []int // per slot: offset of the slot's features
	edgeIdx   map[edgeKey]int
	edgeOff   int
	shapeOff  int
	nfeat     int
	blank     []float64 // the encoding of no table: zeros, column ranges [0, 1]
}

func newEncoder(cat *catalog.Catalog) *encoder {
	e := &encoder{cat: cat, slots: make([]int, len(cat.Schema.Tables)), seenCols: make([][]bool, len(cat.Schema.Tables))}
	for i, t := range cat.Schema.Tables {
		e.seenCols[i] = make([]bool, len(t.Columns))
	}
	return e
}

// observe widens the encoding to cover q (training only).
func (e *encoder) observe(q *features.Query, edgeSet map[edgeKey]bool) {
	counts := make([]int, len(e.slots))
	for _, tr := range q.Tables {
		counts[tr.Table]++
		walkPreds(tr.Filter, func(p *features.Pred) {
			if p.Col < len(e.seenCols[tr.Table]) {
				e.seenCols[tr.Table][p.Col] = true
			}
		})
	}
	for t, c := range counts {
		e.slots[t] = max(e.slots[t], min(c, maxSlotsPerTable))
	}
	e.shapes = e.shapes || q.HasShapes()
	e.maxJoins = max(e.maxJoins, len(q.Tables)-1)
	e.maxTables = max(e.maxTables, len(q.Tables))
	slotOf, _ := e.rawSlotsInto(q, nil, counts)
	for _, j := range q.Joins {
		if slotOf[j.Left] >= 0 && slotOf[j.Right] >= 0 {
			edgeSet[makeEdgeKey(slotOf[j.Left], j.LeftCol, slotOf[j.Right], j.RightCol)] = true
		}
	}
}

// rawSlotsInto numbers q's occurrences as (table, k), into out[:0]: raw
// slot ids are table*maxSlotsPerTable + k (-1 past maxSlotsPerTable),
// independent of the layout finalize chooses. counts is scratch (per
// schema table), returned for reuse.
func (e *encoder) rawSlotsInto(q *features.Query, out, counts []int) ([]int, []int) {
	out = out[:0]
	if cap(counts) < len(e.slots) {
		counts = make([]int, len(e.slots))
	}
	counts = counts[:len(e.slots)]
	clear(counts)
	for _, tr := range q.Tables {
		k := counts[tr.Table]
		counts[tr.Table] = k + 1
		r := -1
		if k < maxSlotsPerTable {
			r = tr.Table*maxSlotsPerTable + k
		}
		out = append(out, r)
	}
	return out, counts
}

// finalize computes the layout once slots, columns and edges are known.
func (e *encoder) finalize(edgeSet map[edgeKey]bool) {
	if edgeSet != nil {
		e.edges = e.edges[:0]
		for k := range edgeSet {
			e.edges = append(e.edges, k)
		}
		sort.Slice(e.edges, func(a, b int) bool {
			x, y := e.edges[a], e.edges[b]
			if x.sa != y.sa {
				return x.sa < y.sa
			}
			if x.ca != y.ca {
				return x.ca < y.ca
			}
			if x.sb != y.sb {
				return x.sb < y.sb
			}
			return x.cb < y.cb
		})
	}
	e.slotBase = make([]int, len(e.slots))
	e.slotTable = e.slotTable[:0]
	e.slotOff = e.slotOff[:0]
	off := gFeatures
	for t, n := range e.slots {
		e.slotBase[t] = len(e.slotTable)
		for k := 0; k < n; k++ {
			e.slotTable = append(e.slotTable, t)
			e.slotOff = append(e.slotOff, off)
			off += slotFeatures + colFeatures*len(e.cat.Schema.Tables[t].Columns)
		}
	}
	e.edgeOff = off
	e.edgeIdx = make(map[edgeKey]int, len(e.edges))
	for i, k := range e.edges {
		e.edgeIdx[k] = i
	}
	e.shapeOff = off + len(e.edges)
	e.nfeat = e.shapeOff
	if e.shapes {
		e.nfeat += shapeFeatures
	}
	e.blank = make([]float64, e.nfeat)
	for s, t := range e.slotTable {
		b := e.slotOff[s] + slotFeatures
		for c := range e.cat.Schema.Tables[t].Columns {
			e.blank[b+c*colFeatures+colHi] = 1
		}
	}
}

// slotsInto maps q's occurrences to slots (-1: no slot, out of
// distribution) and returns the raw slot ids used by edge keys, into
// slot[:0] and raw[:0]; counts is scratch.
func (e *encoder) slotsInto(q *features.Query, slot, raw, counts []int) ([]int, []int, []int) {
	raw, counts = e.rawSlotsInto(q, raw, counts)
	slot = slot[:0]
	for i, tr := range q.Tables {
		s := -1
		if raw[i] >= 0 {
			if k := raw[i] % maxSlotsPerTable; k < e.slots[tr.Table] {
				s = e.slotBase[tr.Table] + k
			}
		}
		slot = append(slot, s)
	}
	return slot, raw, counts
}

// colFeat is the encoding of one filtered column of one occurrence.
type colFeat struct {
	col            int
	lo, hi, op, nv float64
	hsel           float64
	logHSel        float64 // logSel(hsel), set by occFeat.setLogs
	npred          int     // conjuncts on the column
}

// occFeat is the per-occurrence work shared by all sub-plans of a query.
type occFeat struct {
	cols    []colFeat
	histSel float64
	ood     bool // filters a column never filtered in training
	unsat   bool // the filter is never TRUE (features.Unsatisfiable)
	// The occurrence's logged slot features, set by setLogs once per
	// query: encode copies them into every sub-plan holding it.
	logSampleSel, logHistSel, logHits float64
}

// setLogs computes the logged features of the occurrence whose filter
// probed pr on its sample.
func (of *occFeat) setLogs(pr *tableProbe) {
	of.logSampleSel = logSel(pr.sel)
	of.logHistSel = logSel(of.histSel)
	of.logHits = math.Log1p(float64(pr.hits))
	for i := range of.cols {
		of.cols[i].logHSel = logSel(of.cols[i].hsel)
	}
}

func walkPreds(e *features.Expr, f func(p *features.Pred)) {
	if e == nil {
		return
	}
	if e.Kind.Atomic() {
		f(&e.Pred)
		return
	}
	for _, a := range e.Args {
		walkPreds(a, f)
	}
}

// cdf maps v into [0, 1] through column statistics; inclusive counts v.
func cdf(h *histCol, v catalog.Datum, inclusive bool) float64 {
	nn := h.notNull()
	if nn <= 0 || v.IsNull() {
		return 0
	}
	return clamp01(h.lt(v, inclusive) / nn)
}

// cdfOf is cdf(h, v, inclusive) given l = h.lt(v, inclusive).
func cdfOf(h *histCol, v catalog.Datum, l float64) float64 {
	nn := h.notNull()
	if nn <= 0 || v.IsNull() {
		return 0
	}
	return clamp01(l / nn)
}

// occFeatures encodes the filter of occurrence tr, appending its columns
// to cols[:0]. histSel is the product of the conjuncts' selectivities in
// order, as Histogram.filterSel multiplies them, except that a point
// conjunct col = v on a key with an exact degree table (degrees, when not
// nil) counts at v's degree, where the histogram puts every value of a
// foreign key at the average (poststrat.go).
func (e *encoder) occFeatures(hist *Histogram, degrees *sampleSet, tr features.TableRef, cols []colFeat) occFeat {
	of := occFeat{cols: cols[:0], unsat: features.Unsatisfiable(e.cat.Schema.Tables[tr.Table], tr.Filter)}
	histSel := 1.0
	get := func(col int) *colFeat {
		for i := range of.cols {
			if of.cols[i].col == col {
				return &of.cols[i]
			}
		}
		of.cols = append(of.cols, colFeat{col: col, lo: 0, hi: 1, hsel: 1})
		if col >= len(e.seenCols[tr.Table]) || !e.seenCols[tr.Table][col] {
			of.ood = true
		}
		return &of.cols[len(of.cols)-1]
	}
	var conj []*features.Expr
	var one [1]*features.Expr
	switch {
	case tr.Filter == nil:
	case tr.Filter.Kind == features.ExprAnd:
		conj = tr.Filter.Args
	default:
		one[0] = tr.Filter
		conj = one[:]
	}
	for _, c := range conj {
		if c.Kind != features.ExprPred {
			s := hist.filterSel(tr.Table, c)
			histSel *= s
			if p := firstPred(c); p != nil && onColumn(c, p.Col) {
				get(p.Col).npred++
			}
			walkPreds(c, func(p *features.Pred) {
				cf := get(p.Col)
				cf.op = float64(int(cf.op) | opFlagComplex)
				cf.hsel *= math.Pow(s, 1/float64(max(1, countPreds(c))))
			})
			continue
		}
		p := &c.Pred
		cf := get(p.Col)
		cf.npred++
		hc := hist.col(tr.Table, p.Col)
		if hc == nil {
			continue
		}
		// Ranges reuse the column CDF values for their selectivity
		// (the same lt calls histCol.pred makes); other operators ask
		// pred.
		ps := 0.0
		flag := 0
		lo, hi := 0.0, 1.0
		switch p.Op {
		case features.OpLT, features.OpLE, features.OpGT, features.OpGE, features.OpBetween:
		default:
			ps = hc.pred(p, hist.like)
		}
		switch p.Op {
		case features.OpEQ:
			flag = opFlagEq
			cf.nv++
			if len(p.Values) == 1 {
				lo, hi = cdf(hc, p.Values[0], false), cdf(hc, p.Values[0], true)
				if degrees != nil && !p.Values[0].IsNull() {
					// A key's degree first: most columns have no
					// degree table, and an MCV's count is the
					// histogram's already.
					if d, ok := degrees.degreeCount(tr.Table, p.Col, p.Values[0]); ok {
						if _, mcv := hc.mcvFreq(p.Values[0]); !mcv {
							ps = d / math.Max(degrees.tables[tr.Table].rows, 1)
						}
					}
				}
			}
		case features.OpIn:
			flag = opFlagIn
			cf.nv += float64(len(p.Values))
			lo, hi = 1, 0
			for _, v := range p.Values {
				lo = math.Min(lo, cdf(hc, v, false))
				hi = math.Max(hi, cdf(hc, v, true))
			}
			if lo > hi {
				lo, hi = 0, 0
			}
		case features.OpLT, features.OpLE:
			flag = opFlagRange
			if len(p.Values) == 1 {
				v := p.Values[0]
				l := hc.lt(v, p.Op == features.OpLE)
				if !v.IsNull() {
					ps = l
				}
				hi = cdfOf(hc, v, l)
			}
		case features.OpGT, features.OpGE:
			flag = opFlagRange
			if len(p.Values) == 1 {
				v := p.Values[0]
				l := hc.lt(v, p.Op == features.OpGT)
				if !v.IsNull() {
					ps = clamp01(hc.notNull() - l)
				}
				lo = cdfOf(hc, v, l)
			}
		case features.OpBetween:
			flag = opFlagRange
			if len(p.Values) == 2 {
				v0, v1 := p.Values[0], p.Values[1]
				l0, l1 := hc.lt(v0, false), hc.lt(v1, true)
				if !v0.IsNull() && !v1.IsNull() {
					ps = clamp01(l1 - l0)
				}
				lo, hi = cdfOf(hc, v0, l0), cdfOf(hc, v1, l1)
			}
		case features.OpLike:
			flag = opFlagLike
		case features.OpNotLike:
			flag = opFlagLike | opFlagNeg
		case features.OpNE, features.OpNotIn:
			flag = opFlagNeg
			cf.nv += float64(len(p.Values))
		case features.OpIsNull:
			flag = opFlagNull
		case features.OpIsNotNull:
			flag = opFlagNull | opFlagNeg
		}
		histSel *= ps
		cf.hsel *= ps
		cf.op = float64(int(cf.op) | flag)
		cf.lo = math.Max(cf.lo, lo)
		cf.hi = math.Min(cf.hi, hi)
	}
	for i := range of.cols {
		cf := &of.cols[i]
		if cf.npred < 2 || int(cf.op)&(opFlagEq|opFlagIn) == 0 {
			continue
		}
		// Several conjuncts on one column with a value list: the
		// listed values meeting every conjunct, not the product of
		// the conjuncts' selectivities (x IN (a, b) AND x > a is b).
		if s, ok := mergedValuesSel(hist, tr.Table, cf.col, conj); ok {
			if cf.hsel > 0 {
				histSel *= s / cf.hsel
			} else {
				histSel = 0
			}
			cf.hsel = s
		}
	}
	histSel, of.unsat = hist.fdAdjust(tr.Table, tr.Filter, histSel, of.unsat)
	of.histSel = histSel
	return of
}

// mergedValuesSel returns the histogram selectivity of the conjuncts conj
// on column col of table ti (those whose every predicate is on col) when
// one of them lists values (=, IN): the sum of the equality selectivities
// of the listed values every such conjunct holds TRUE.
func mergedValuesSel(hist *Histogram, ti, col int, conj []*features.Expr) (float64, bool) {
	hc := hist.col(ti, col)
	if hc == nil {
		return 0, false
	}
	var list *features.Pred
	for _, c := range conj {
		if c.Kind == features.ExprPred && c.Pred.Col == col && (c.Pred.Op == features.OpEQ || c.Pred.Op == features.OpIn) {
			list = &c.Pred
			break
		}
	}
	if list == nil {
		return 0, false
	}
	sel := 0.0
	var one [1]catalog.Datum
	for k, v := range list.Values {
		if v.IsNull() || slices.ContainsFunc(list.Values[:k], func(w catalog.Datum) bool { return catalog.Compare(v, w) == 0 }) {
			continue
		}
		keep := true
		row := func(int) catalog.Datum { return v }
		for _, c := range conj {
			if onColumn(c, col) && c.Eval(row) != features.True {
				keep = false
				break
			}
		}
		if keep {
			one[0] = v
			sel += hc.pred(&features.Pred{Col: col, Op: features.OpEQ, Values: one[:]}, hist.like)
		}
	}
	return clamp01(sel), true
}

// firstPred returns the first predicate of e, or nil.
func firstPred(e *features.Expr) *features.Pred {
	var first *features.Pred
	walkPreds(e, func(p *features.Pred) {
		if first == nil {
			first = p
		}
	})
	return first
}

// onColumn reports whether every predicate of e is on column col.
func onColumn(e *features.Expr, col int) bool {
	on := true
	walkPreds(e, func(p *features.Pred) { on = on && p.Col == col })
	return on
}

func countPreds(e *features.Expr) int {
	n := 0
	walkPreds(e, func(*features.Pred) { n++ })
	return n
}

func logSel(s float64) float64  { return math.Log(math.Max(s, logFloor)) }
func logRows(r float64) float64 { return math.Log(math.Max(r, 1)) }

// subPlanInputs are the baseline figures of one sub-plan.
type subPlanInputs struct {
	hist, textbook, joinSample float64
	support                    int
	base                       float64
	baseSource                 string
	// sampled is the support of a baseline that is the samples' own
	// estimate (join sample, synopsis, a stratified single table): the
	// sampled rows it rests on, which set its precision (shrink.go); 0
	// for one resting on catalog statistics, blended with the histogram,
	// relaxed or scaled for outer joins and subqueries.
	sampled  int
	exact    bool // all tables completely sampled: joinSample is exact
	synopsis bool // joinSample comes from a join synopsis
	joins    int
	ood      bool
	shape    shapeStats // outer joins and subqueries (semijoin.go)
}

// encode writes the features of sub-plan mask into x (len nfeat) and
// reports whether it is out of distribution in in.ood; occ has its logs
// set (occFeat.setLogs).
func (e *encoder) encode(q *features.Query, mask uint64, occ []occFeat, slot, raw []int, in *subPlanInputs, x []float64) {
	// Defaults for every slot's columns: full range.
	copy(x, e.blank)
	ntables := 0
	for i := range q.Tables {
		if mask&(1<<uint(i)) == 0 {
			continue
		}
		ntables++
		if occ[i].ood {
			in.ood = true
		}
		s := slot[i]
		if s < 0 {
			in.ood = true
			continue
		}
		off := e.slotOff[s]
		x[off+slotPresent] = 1
		x[off+slotSampleSel] = occ[i].logSampleSel
		x[off+slotHistSel] = occ[i].logHistSel
		x[off+slotHits] = occ[i].logHits
		for _, cf := range occ[i].cols {
			b := off + slotFeatures + cf.col*colFeatures
			x[b+colLo] = cf.lo
			x[b+colHi] = cf.hi
			x[b+colOp] = cf.op
			x[b+colNVals] = cf.nv
			x[b+colHSel] = cf.logHSel
		}
	}
	joins := 0
	for _, j := range q.Joins {
		if mask&(1<<uint(j.Left)) == 0 || mask&(1<<uint(j.Right)) == 0 {
			continue
		}
		joins++
		if raw[j.Left] < 0 || raw[j.Right] < 0 {
			in.ood = true
			continue
		}
		if k, ok := e.edgeIdx[makeEdgeKey(raw[j.Left], j.LeftCol, raw[j.Right], j.RightCol)]; ok {
			x[e.edgeOff+k] = 1
		} else {
			in.ood = true
		}
	}
	in.joins = ntables - 1
	if ntables-1 > e.maxJoins {
		in.ood = true
	}
	x[gTables] = float64(ntables)
	x[gJoins] = float64(joins)
	x[gLogHist] = logRows(in.hist)
	x[gLogTextbook] = logRows(in.textbook)
	x[gLogJoinSample] = logRows(in.joinSample)
	x[gSupport] = math.Log1p(float64(in.support))
	x[gLogBase] = logRows(in.base)
	if e.shapes {
		for k := range 4 {
			x[e.shapeOff+shSemi+k] = float64(in.shape.n[k])
			x[e.shapeOff+shLogSemi+k] = in.shape.log[k]
		}
	} else if in.shape.n != [4]int{} {
		in.ood = true // trained without these shapes
	}
}

// featureName names feature f for explanations.
func (e *encoder) featureName(f int) string {
	switch f {
	case gTables:
		return "tables"
	case gJoins:
		return "joins"
	case gLogHist:
		return "histogram estimate"
	case gLogTextbook:
		return "sample estimate (textbook joins)"
	case gLogJoinSample:
		return "sampled join estimate (synopsis or join sample)"
	case gSupport:
		return "sampled join support"
	case gLogBase:
		return "baseline estimate"
	}
	if e.shapes && f >= e.shapeOff {
		return [...]string{"semi-joins", "anti-joins", "scalar subqueries", "outer joins",
			"semi-join selectivity", "anti-join selectivity", "scalar subquery selectivity", "outer-join gain"}[f-e.shapeOff]
	}
	if f >= e.edgeOff {
		k := e.edges[f-e.edgeOff]
		return fmt.Sprintf("join %s = %s", e.rawColName(k.sa, k.ca), e.rawColName(k.sb, k.cb))
	}
	s := sort.Search(len(e.slotOff), func(i int) bool { return e.slotOff[i] > f }) - 1
	t := e.slotTable[s]
	tn := e.slotName(s)
	r := f - e.slotOff[s]
	if r < slotFeatures {
		return tn + [...]string{" present", " sample selectivity", " histogram selectivity", " sample hits"}[r]
	}
	r -= slotFeatures
	col := e.cat.Schema.Tables[t].Columns[r/colFeatures].Name
	return tn + "." + col + [...]string{" range low", " range high", " operator", " values", " histogram selectivity"}[r%colFeatures]
}

func (e *encoder) slotName(s int) string {
	t := e.slotTable[s]
	return e.occName(t, s-e.slotBase[t])
}

// occName names the k-th (from 0) occurrence of schema table t: its name,
// then #2, #3, ... for later occurrences.
func (e *encoder) occName(t, k int) string {
	name := e.cat.Schema.Tables[t].Name
	if k > 0 {
		name = fmt.Sprintf("%s#%d", name, k+1)
	}
	return name
}

func (e *encoder) rawColName(raw, col int) string {
	t := raw / maxSlotsPerTable
	name := e.occName(t, raw%maxSlotsPerTable)
	if col < len(e.cat.Schema.Tables[t].Columns) {
		return name + "." + e.cat.Schema.Tables[t].Columns[col].Name
	}
	return name + "." + fmt.Sprint(col)
}
