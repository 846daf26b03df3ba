package estimator

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Output groups of GROUP BY / DISTINCT / HAVING (features.Grouping).
//
//	rows R of FROM + WHERE (any Estimator)
//	   │
//	   ├─ per occurrence o: distinct key tuples G_o of its filtered rows
//	   │    GEE on the catalog sample rows that pass o's filter (Charikar et
//	   │    al., PODS 2000), capped by the catalog's distinct counts, the
//	   │    key functions' ranges (YEAR, MONTH, DATE) and, for two columns
//	   │    of a large table, the catalog's HyperLogLog pair sketch
//	   ├─ joins: the distinct tuples of o among its sample rows that the
//	   │    sample join keeps (groupjoin.go); without enough of them, the
//	   │    rows of o that survive the join (all of the largest
//	   │    occurrence's, else 1 - e^(-R/n_o) of them) and distinct tuples
//	   │    among them by Cardenas' formula
//	   ├─ groups = min(Π_o G_o', R)
//	   └─ HAVING: COUNT(*) thresholds against geometric group sizes of
//	        mean R/groups, SUM/AVG/MIN/MAX from the filtered sample
//	        (grouphaving.go); other aggregates PostgreSQL's defaults
//	        (DEFAULT_INEQ_SEL 1/3, DEFAULT_EQ_SEL 0.005)
//
// DistinctGroups is that baseline; GroupModel corrects it with
// gradient-boosted trees trained on true group counts (the same trees as
// GBDT), predicting log(true groups / baseline groups).

// Constants of the group-count baseline.
const (
	// defaultHavingIneqSel and defaultHavingEqSel are PostgreSQL's
	// DEFAULT_INEQ_SEL and DEFAULT_EQ_SEL (src/include/utils/selfuncs.h),
	// used for HAVING conditions on SUM, AVG, MIN and MAX.
	defaultHavingIneqSel = 1.0 / 3
	defaultHavingEqSel   = 0.005
	// minGEERows is the fewest sample rows passing a filter that GEE is
	// trusted on; with fewer the filtered distinct count comes from the
	// catalog's distinct count by Cardenas' formula.
	minGEERows = 20
	// groupKeySlots is the number of keys the learned model sees one by
	// one (the ones with the most distinct values); groupHavingSlots the
	// number of HAVING comparisons.
	groupKeySlots    = 4
	groupHavingSlots = 2
)

// GroupEstimate is an estimate of a grouping query's output.
type GroupEstimate struct {
	Groups float64 // the estimated output rows: groups passing HAVING
	// Low and High bound the true groups with about 90% confidence.
	Low, High float64
	Rows      float64 // the estimate of the rows of FROM + WHERE grouped
	Source    string
}

// GroupEstimator estimates the output groups of queries that group.
type GroupEstimator interface {
	Name() string
	EstimateGroups(q *features.Query) (GroupEstimate, error)
}

// ErrNotGrouped: EstimateGroups was given a query without GROUP BY,
// DISTINCT or HAVING.
var ErrNotGrouped = fmt.Errorf("%w: the query does not group (no GROUP BY, DISTINCT or HAVING)", ErrQuery)

// DistinctGroups is the distinct-value baseline of group counts over a row
// estimator (see the file comment).
type DistinctGroups struct {
	cat  *catalog.Catalog
	rows Estimator
	hist *Histogram
	s    *sampleSet
}

// NewDistinctGroups returns the baseline over cat with rows estimating
// FROM + WHERE (the histogram when nil).
func NewDistinctGroups(cat *catalog.Catalog, rows Estimator) *DistinctGroups {
	h := NewHistogram(cat)
	if rows == nil {
		rows = h
	}
	return &DistinctGroups{cat: cat, rows: rows, hist: h, s: newSampleSet(cat)}
}

// Name returns the row estimator's name with "+ndv".
func (d *DistinctGroups) Name() string { return d.rows.Name() + "+ndv" }

// EstimateGroups estimates q's output groups.
func (d *DistinctGroups) EstimateGroups(q *features.Query) (GroupEstimate, error) {
	if q.HasDerived() {
		return d.derivedGroups(q) // derived.go
	}
	f, err := d.figures(q)
	if err != nil {
		return GroupEstimate{}, err
	}
	g := f.groups
	return GroupEstimate{Groups: g, Low: g / 10, High: g * 10, Rows: f.rows, Source: d.Name()}, nil
}

// groupFigures are the baseline's intermediate figures (the learned
// model's features).
type groupFigures struct {
	rows, groups, rawGroups, havingSel, meanSize float64
	// Per occurrence the distinct tuples of its keys among its filtered
	// rows by GEE and by Shlosser (summed logs), and the largest share of
	// sampled tuples seen once.
	logJointGEE, logJointShlosser, jointF1 float64
	keys                                   []keyFigure
	having                                 []havingFigure
	tables, nkeys, units                   int
	distinct                               bool
	// logJoinDistinct sums the logs of the occurrences' distinct key
	// tuples among their rows in the join (groupjoin.go where the samples
	// give it, else Cardenas' thinning); joinDistinctOcc counts the
	// occurrences whose figure came from the samples.
	logJoinDistinct float64
	joinDistinctOcc int
}

type keyFigure struct {
	logCatalogNDV, logFiltered, logRows float64
	// logClass: the fewest filtered distinct values of the key's join
	// class; the sample's distinct tuples, share seen once and rows.
	logClass, logSampleDistinct, f1Share, logSampleRows float64
	members                                             int // columns in the key's join class
	fn                                                  features.KeyFunc
	largest                                             bool
}

type havingFigure struct {
	fn    features.AggFunc
	op    features.Op
	ratio float64 // log of the threshold over the aggregate's typical value
	sel   float64
}

func (d *DistinctGroups) figures(q *features.Query) (*groupFigures, error) {
	if !q.Grouped() {
		return nil, ErrNotGrouped
	}
	if q.HasDerived() {
		return nil, fmt.Errorf("%w: derived relations are estimated by derivedGroups, not learned", ErrQuery)
	}
	if err := checkQuery(d.cat, q); err != nil {
		return nil, err
	}
	// HAVING thresholds that are subqueries (havingsub.go).
	q, err := resolveHavingEstimate(d.cat, q, func(s *features.Query) (float64, error) {
		e, err := d.rows.Estimate(s)
		return e.Rows, err
	})
	if err != nil {
		return nil, err
	}
	g := q.Group
	for i, k := range g.Keys {
		if k.Table < 0 || k.Table >= len(q.Tables) || k.Col < 0 || k.Col >= len(d.cat.Schema.Tables[q.Tables[k.Table].Table].Columns) {
			return nil, fmt.Errorf("%w: grouping key %d out of range", ErrQuery, i)
		}
	}
	est, err := d.rows.Estimate(q)
	if err != nil {
		return nil, err
	}
	R := math.Max(est.Rows, 0)
	f := &groupFigures{rows: R, tables: len(q.Tables), nkeys: len(g.Keys), distinct: g.Distinct}
	// Per occurrence: filtered rows and the distinct tuples of its keys.
	largest, bestN := -1, -1.0
	nOcc := make([]float64, len(q.Tables))
	for i, tr := range q.Tables {
		st := &d.cat.Stats[tr.Table]
		nOcc[i] = float64(st.Rows) * d.hist.filterSel(tr.Table, tr.Filter)
		if nOcc[i] > bestN {
			largest, bestN = i, nOcc[i]
		}
	}
	classes := joinClasses(q)
	units := d.keyUnits(q, classes)
	memo := map[features.GroupKey]distinctStats{}
	dist1 := func(k features.GroupKey) distinctStats {
		if v, ok := memo[k]; ok {
			return v
		}
		v := d.occDistinct(q, k.Table, []features.GroupKey{k}, nOcc[k.Table])
		memo[k] = v
		return v
	}
	prod := 1.0
	for occ := range q.Tables {
		var keys []features.GroupKey
		bound := 1.0
		for _, u := range units {
			if u.key.Table != occ {
				continue
			}
			keys = append(keys, u.key)
			one := dist1(u.key)
			b := one.est
			for _, m := range u.members[1:] {
				b = math.Min(b, dist1(features.GroupKey{ColRef: m, Func: u.key.Func, N: u.key.N}).est)
			}
			bound *= b
			f.keys = append(f.keys, keyFigure{
				logCatalogNDV: math.Log1p(float64(d.cat.Stats[q.Tables[occ].Table].Columns[u.key.Col].Distinct)),
				logFiltered:   math.Log1p(one.est), logRows: math.Log1p(nOcc[occ]), fn: u.key.Func, largest: occ == largest,
				logClass: math.Log1p(b), logSampleDistinct: math.Log1p(one.sampleDistinct), f1Share: one.f1Share(), logSampleRows: math.Log1p(one.s),
				members: len(u.members),
			})
		}
		if len(keys) == 0 {
			continue
		}
		n := nOcc[occ]
		joint := d.occDistinct(q, occ, keys, n)
		gOcc := joint.est
		f.logJointGEE += math.Log1p(joint.est)
		f.logJointShlosser += math.Log1p(joint.shlosser)
		f.jointF1 = math.Max(f.jointF1, joint.f1Share())
		// The rows of occ that survive the join, and their distinct tuples.
		m := n
		if occ != largest && n > 0 {
			m = n * -math.Expm1(-R/n)
		} else {
			m = math.Min(n, R)
		}
		m = math.Min(m, n*semiJoinShare(q, classes, occ, func(c features.ColRef) float64 { return dist1(features.GroupKey{ColRef: c}).est }))
		if n > 0 && gOcc > 0 {
			gOcc = cardenas(gOcc, m, n)
		}
		if jd, ok := d.joinDistinct(q, occ, keys); ok {
			gOcc = jd.est
			f.joinDistinctOcc++
		}
		f.logJoinDistinct += math.Log1p(gOcc)
		prod *= math.Max(math.Min(gOcc, bound), 1)
	}
	f.units = len(units)
	f.rawGroups = prod
	groups := math.Min(prod, R)
	if len(g.Keys) == 0 {
		groups = 1
	}
	f.groups = groups
	if g.Having != nil {
		mean := math.Max(R/math.Max(groups, 1), 1)
		f.meanSize = mean
		sel := d.havingSel(q, g, g.Having, mean, f)
		if ss, exact, ok := d.sampleHaving(q, groups, R); ok {
			if exact {
				f.groups = ss
				f.havingSel = ss / math.Max(groups, 1)
				sort.Slice(f.keys, func(a, b int) bool { return f.keys[a].logFiltered > f.keys[b].logFiltered })
				return f, nil
			}
			sel = ss
		}
		f.havingSel = sel
		f.groups = groups * sel
	} else {
		f.havingSel = 1
	}
	sort.Slice(f.keys, func(a, b int) bool { return f.keys[a].logFiltered > f.keys[b].logFiltered })
	return f, nil
}

// cardenas is the expected number of distinct values among m rows drawn
// without replacement from n rows holding D distinct values equally often
// (Cardenas, CACM 1975; Yao, CACM 1977): D (1 - (1 - m/n)^(n/D)).
func cardenas(D, m, n float64) float64 {
	if m >= n || D <= 0 {
		return D
	}
	return D * -math.Expm1(n/D*math.Log1p(-m/n))
}

// occDistinct estimates the distinct tuples of keys (all on occurrence
// occ) among its n filtered rows: GEE (Charikar et al., PODS 2000) on the
// sample rows passing the filter, D = sqrt(n/s)·f1 + Σ_{j>=2} f_j, exact
// on a complete sample; with too few sample rows, the catalog's distinct
// counts thinned by Cardenas' formula. Both are capped by the product of
// the keys' distinct values (after their functions) and by n.
func (d *DistinctGroups) occDistinct(q *features.Query, occ int, keys []features.GroupKey, n float64) distinctStats {
	tr := q.Tables[occ]
	st := &d.cat.Stats[tr.Table]
	N := float64(st.Rows)
	capD := 1.0
	for _, k := range keys {
		capD *= keyDistinct(st, k)
	}
	capD = math.Min(capD, sketchDistinct(st, keys))
	capD = math.Min(capD, math.Max(n, 0))
	keyed := false // a key of the table: every filtered row is a group
	for _, k := range keys {
		keyed = keyed || k.Func == features.KeyColumn && d.unique(q, occ, k.Col)
	}
	ts := &d.s.tables[tr.Table]
	if ts.n > 0 && len(st.Sample) > 0 {
		sc := d.s.pool.Get().(*scratch)
		defer func() { sc.reset(); d.s.pool.Put(sc) }()
		bits, _ := d.s.filterBits(tr.Table, tr.Filter, sc, false)
		freq := map[string]int{}
		var key []byte
		s := 0
		for r := 0; r < ts.n; r++ {
			if !bits.has(r) {
				continue
			}
			s++
			key = key[:0]
			for _, k := range keys {
				key = appendKeyDatum(key, k, st.Sample[k.Col][r])
			}
			freq[string(key)]++
		}
		f1, rest, counts := freqProfile(freq)
		ds := distinctStats{sampleDistinct: float64(len(freq)), f1: f1, s: float64(s)}
		if s > 0 && (ts.complete || s >= minGEERows) {
			if ts.complete {
				ds.est, ds.shlosser = float64(len(freq)), float64(len(freq))
				return ds
			}
			pop := N * float64(s) / float64(ts.n) // the filtered rows, by the sample
			if keyed {                            // GEE's sqrt(N/n) scaling would undercount them
				ds.est, ds.shlosser = pop, pop
				return ds
			}
			ds.scaleUp(rest, counts, pop, float64(ts.n)/N, capD)
			return ds
		}
		ds.est = math.Max(math.Min(cardenas(capD, n, N), capD), math.Min(1, n))
		ds.shlosser = ds.est
		return ds
	}
	// Too few sample rows: thin the catalog's distinct count.
	est := math.Max(math.Min(cardenas(capD, n, N), capD), math.Min(1, n))
	return distinctStats{est: est, shlosser: est}
}

// sketchDistinct bounds the distinct tuples of keys over the whole table
// by the catalog's HyperLogLog sketch of the pair of columns two plain
// keys read (catalog.Sketch; large tables only), widened by
// sketchSigmas standard errors; +Inf without one.
func sketchDistinct(st *catalog.TableStats, keys []features.GroupKey) float64 {
	if len(keys) != 2 || keys[0].Func != features.KeyColumn || keys[1].Func != features.KeyColumn || keys[0].Col == keys[1].Col {
		return math.Inf(1)
	}
	h := st.Sketch(keys[0].Col, keys[1].Col)
	if h == nil {
		return math.Inf(1)
	}
	D := h.Estimate() * (1 + sketchSigmas*catalog.HLLStdError(int(h.Precision)))
	for i, k := range keys {
		if st.Columns[k.Col].NullFrac > 0 { // tuples with a NULL, which the sketch skips
			D += keyDistinct(st, keys[1-i])
		}
	}
	return math.Max(D, 1)
}

// sketchSigmas is how many standard errors a sketch's estimate is widened
// by before it bounds a distinct count (3: a 0.13% chance of cutting the
// true count under the normal approximation).
const sketchSigmas = 3

// distinctStats are a distinct-value estimate with the sample's figures
// it was made from: the sample rows passing the filter s, their distinct
// tuples and the tuples seen once (f1).
type distinctStats struct {
	est, sampleDistinct, f1, s float64
	shlosser                   float64 // Shlosser's estimate (ndv.go), capped as est
}

// f1Share is the share of the sample's distinct tuples seen once (0 when
// none passed).
func (ds distinctStats) f1Share() float64 {
	if ds.sampleDistinct == 0 {
		return 0
	}
	return ds.f1 / ds.sampleDistinct
}

// keyDistinct is the distinct values of a key over the whole table: the
// catalog's count (NULL as one more), capped for date functions by the
// years, months or days the column's range spans.
func keyDistinct(st *catalog.TableStats, k features.GroupKey) float64 {
	cs := &st.Columns[k.Col]
	D := float64(cs.Distinct)
	if cs.NullFrac > 0 {
		D++
	}
	if cs.Min.Kind == catalog.KindInt && cs.Max.Kind == catalog.KindInt {
		lo, hi := cs.Min.I, cs.Max.I
		switch k.Func {
		case features.KeyYear:
			D = math.Min(D, float64(features.KeyValue(features.KeyYear, hi)-features.KeyValue(features.KeyYear, lo)+1))
		case features.KeyMonth:
			D = math.Min(D, 12)
		case features.KeyDate:
			D = math.Min(D, float64((hi-lo)/86400+2))
		}
	}
	return math.Max(D, 1)
}

// appendKeyDatum appends the key's value of d (after its function) to b.
func appendKeyDatum(b []byte, k features.GroupKey, d catalog.Datum) []byte {
	switch d.Kind {
	case catalog.KindNull:
		return append(b, 0)
	case catalog.KindString:
		s := d.S
		if k.Func == features.KeyPrefix {
			s = features.KeyPrefixOf(s, k.N)
		}
		b = binary.AppendUvarint(append(b, 1), uint64(len(s)))
		return append(b, s...)
	case catalog.KindFloat:
		f := d.F
		if f == 0 {
			f = 0
		}
		return binary.LittleEndian.AppendUint64(append(b, 2), math.Float64bits(f))
	}
	return binary.LittleEndian.AppendUint64(append(b, 3), uint64(features.KeyValue(k.Func, d.I)))
}

// havingSel is the fraction of groups passing a HAVING condition: COUNT(*)
// comparisons against geometric group sizes of mean mean, SUM, AVG, MIN
// and MAX of a column from its filtered sample values (grouphaving.go),
// other aggregates PostgreSQL's default selectivities. It records each
// comparison in f.
func (d *DistinctGroups) havingSel(q *features.Query, g *features.Grouping, h *features.Having, mean float64, f *groupFigures) float64 {
	if s, ok := independentSel(h.Kind, h.Args, func(a *features.Having) float64 { return d.havingSel(q, g, a, mean, f) }); ok {
		return s
	}
	if h.Kind != features.ExprPred {
		return 1
	}
	if h.Agg < 0 || h.Agg >= len(g.Aggs) || len(h.Values) == 0 {
		return 1
	}
	a := g.Aggs[h.Agg]
	typical := mean // COUNT(*), COUNT(col)
	if a.Arg != nil && a.Func != features.AggCount {
		typical = d.argMean(q, a)
		if a.Func == features.AggSum {
			typical *= mean
		}
	}
	v := h.Values[0]
	ratio := math.Log(math.Max(math.Abs(v), 1e-9) / math.Max(math.Abs(typical), 1e-9))
	if v < 0 {
		ratio = -ratio
	}
	var sel float64
	if a.Func == features.AggCount {
		sel = countSel(h.Op, h.Values, mean)
	} else if cs, ok := d.valueHaving(q, a, h, mean); ok {
		sel = cs
	} else if es, ok := sumExpHaving(a, h, typical); ok { // havingsub.go
		sel = es
	} else {
		switch h.Op {
		case features.OpEQ:
			sel = defaultHavingEqSel
		case features.OpNE:
			sel = 1 - defaultHavingEqSel
		case features.OpBetween:
			sel = defaultHavingEqSel
		default:
			sel = defaultHavingIneqSel
		}
	}
	sel = clamp01(sel)
	f.having = append(f.having, havingFigure{fn: a.Func, op: h.Op, ratio: ratio, sel: sel})
	return sel
}

// argMean is the mean of an aggregate's argument over its table's sample.
func (d *DistinctGroups) argMean(q *features.Query, a features.Agg) float64 {
	if a.Table < 0 || a.Table >= len(q.Tables) {
		return 1
	}
	st := &d.cat.Stats[q.Tables[a.Table].Table]
	n := st.SampleSize()
	var sum float64
	var cnt int
	for r := 0; r < n; r++ {
		v, ok := a.Arg.Eval(func(c int) (float64, bool) {
			if c < 0 || c >= len(st.Sample) {
				return 0, false
			}
			x := st.Sample[c][r]
			switch x.Kind {
			case catalog.KindInt:
				return float64(x.I), true
			case catalog.KindFloat:
				return x.F, true
			}
			return 0, false
		})
		if ok {
			sum += v
			cnt++
		}
	}
	if cnt == 0 {
		return 1
	}
	return sum / float64(cnt)
}

// Group-model features.
const (
	gfLogBase = iota
	gfLogRows
	gfLogRaw
	gfLogMean
	gfKeys
	gfTables
	gfDistinct
	gfHaving
	gfHavingSel
	gfUnits
	gfLogJointGEE
	gfLogJointShlosser
	gfJointF1
	gfLogJoinDistinct
	gfJoinDistinctOcc
	gfHeader
	// gfPerKey: log catalog ndv, log filtered ndv, log occurrence rows,
	// function, largest occurrence, log class ndv, log sample distinct,
	// f1 share, log sample rows, class members.
	gfPerKey    = 10
	gfPerHaving = 4 // aggregate, operator, log threshold ratio, selectivity
	gfFeatures  = gfHeader + groupKeySlots*gfPerKey + groupHavingSlots*gfPerHaving
)

func (f *groupFigures) encode(x []float64) []float64 {
	x = append(x[:0], make([]float64, gfFeatures)...)
	x[gfLogBase] = math.Log1p(f.groups)
	x[gfLogRows] = math.Log1p(f.rows)
	x[gfLogRaw] = math.Log1p(f.rawGroups)
	x[gfLogMean] = math.Log1p(f.rows / math.Max(f.groups/math.Max(f.havingSel, 1e-9), 1))
	x[gfKeys] = float64(f.nkeys)
	x[gfTables] = float64(f.tables)
	if f.distinct {
		x[gfDistinct] = 1
	}
	x[gfHaving] = float64(len(f.having))
	x[gfHavingSel] = f.havingSel
	x[gfUnits] = float64(f.units)
	x[gfLogJointGEE], x[gfLogJointShlosser], x[gfJointF1] = f.logJointGEE, f.logJointShlosser, f.jointF1
	x[gfLogJoinDistinct], x[gfJoinDistinctOcc] = f.logJoinDistinct, float64(f.joinDistinctOcc)
	for i := 0; i < groupKeySlots; i++ {
		o := gfHeader + i*gfPerKey
		if i >= len(f.keys) {
			for j := range gfPerKey {
				x[o+j] = -1
			}
			continue
		}
		k := f.keys[i]
		x[o], x[o+1], x[o+2], x[o+3] = k.logCatalogNDV, k.logFiltered, k.logRows, float64(k.fn)
		if k.largest {
			x[o+4] = 1
		}
		x[o+5], x[o+6], x[o+7], x[o+8], x[o+9] = k.logClass, k.logSampleDistinct, k.f1Share, k.logSampleRows, float64(k.members)
	}
	for i := 0; i < groupHavingSlots; i++ {
		o := gfHeader + groupKeySlots*gfPerKey + i*gfPerHaving
		if i >= len(f.having) {
			x[o], x[o+1], x[o+2], x[o+3] = -1, -1, 0, 1
			continue
		}
		h := f.having[i]
		x[o], x[o+1], x[o+2], x[o+3] = float64(h.fn), float64(h.op), h.ratio, h.sel
	}
	return x
}

// GroupModel is the learned group-count estimator: gradient-boosted trees
// (the GBDT's) correcting the DistinctGroups baseline over a row
// estimator, trained on true group counts.
type GroupModel struct {
	base   *DistinctGroups
	ens    *ensemble
	lo, hi float64 // validation residual quantiles (logs): the 90% band
}

// Name returns the row estimator's name with "+groups".
func (m *GroupModel) Name() string { return m.base.rows.Name() + "+groups" }

// EstimateGroups estimates q's output groups: the baseline times the
// trees' learned correction.
func (m *GroupModel) EstimateGroups(q *features.Query) (GroupEstimate, error) {
	if q.HasDerived() {
		return m.base.derivedGroups(q) // derived.go: the baseline, not learned
	}
	f, err := m.base.figures(q)
	if err != nil {
		return GroupEstimate{}, err
	}
	x := f.encode(nil)
	base := math.Max(f.groups, 1)
	delta := m.ens.predict(x)
	g := base * math.Exp(delta)
	if f.rows < 1 {
		g = math.Min(g, 1)
	}
	return GroupEstimate{Groups: g, Low: g * math.Exp(m.lo), High: g * math.Exp(m.hi), Rows: f.rows, Source: m.Name()}, nil
}

// GroupExample is a grouping query with its true output groups.
type GroupExample struct {
	Query  *features.Query
	Groups float64
}

// GroupExamples returns the grouping queries of examples built from a
// query log (Examples) whose records carry a groups label (without those
// that read derived relations, which derivedGroups estimates).
func GroupExamples(ex []Example) []GroupExample {
	var out []GroupExample
	for _, e := range ex {
		if e.Query.Grouped() && !e.Query.HasDerived() && !math.IsNaN(e.Groups) && e.Groups >= 0 {
			out = append(out, GroupExample{Query: e.Query, Groups: e.Groups})
		}
	}
	return out
}

// TrainGroupModel trains the group-count correction over rows (the
// estimator of FROM + WHERE whose estimates the baseline groups) on
// grouping queries with their true groups; opts are the GBDT's (trees,
// leaves, learning rate, seed, validation fraction).
func TrainGroupModel(ctx context.Context, cat *catalog.Catalog, rows Estimator, train []GroupExample, opts GBDTOptions) (*GroupModel, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if cat == nil || cat.Schema == nil {
		return nil, fmt.Errorf("%w: no catalog", ErrQuery)
	}
	if len(train) == 0 {
		return nil, ErrNoExamples
	}
	m := &GroupModel{base: NewDistinctGroups(cat, rows)}
	var X [][]float64
	var y []float64
	for i, ex := range train {
		if ex.Groups < 0 || math.IsNaN(ex.Groups) || math.IsInf(ex.Groups, 0) {
			return nil, fmt.Errorf("%w: example %d: groups %v", ErrQuery, i, ex.Groups)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, err := m.base.figures(features.Canonical(ex.Query))
		if err != nil {
			return nil, fmt.Errorf("example %d: %w", i, err)
		}
		X = append(X, f.encode(nil))
		y = append(y, math.Log(math.Max(ex.Groups, 1)/math.Max(f.groups, 1)))
	}
	valFrac := opts.ValidationFrac
	if valFrac <= 0 || valFrac >= 1 {
		valFrac = defaultValFrac
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x6a09e667f3bcc909))
	perm := rng.Perm(len(X))
	nVal := int(float64(len(X)) * valFrac)
	if nVal >= len(X) {
		nVal = 0
	}
	bn := newBinning(X, gfFeatures)
	trainSet, valSet := newBinnedSet(gfFeatures, len(X)-nVal), newBinnedSet(gfFeatures, nVal)
	for k, i := range perm {
		if k < nVal {
			valSet.set(bn, k, X[i], y[i])
		} else {
			trainSet.set(bn, k-nVal, X[i], y[i])
		}
	}
	p := opts.params()
	ens, err := boost(ctx, bn, trainSet, valSet, p)
	if err != nil {
		return nil, err
	}
	m.ens = ens
	// The band: 5% and 95% quantiles of the validation residuals.
	var res []float64
	for k := 0; k < nVal; k++ {
		i := perm[k]
		res = append(res, y[i]-ens.predict(X[i]))
	}
	m.lo, m.hi = -math.Log(10), math.Log(10)
	if len(res) >= 20 {
		slices.Sort(res)
		m.lo, m.hi = res[len(res)*5/100], res[(len(res)*95)/100]
	}
	return m, nil
}

// maxHavingGroupSize bounds the group size MIN and MAX thresholds are read
// against (p^size vanishes quickly).
const maxHavingGroupSize = 50

// uniqueShare is the share of a table's rows a column's distinct values
// must reach for the column to count as a key.
const uniqueShare = 0.98
