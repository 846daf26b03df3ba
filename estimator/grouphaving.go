package estimator

import (
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// HAVING selectivities of the group-count baseline.
//
//	group sizes S >= 1: geometric of mean m = rows / groups
//	   │
//	   ├─ COUNT(*) op c: P(S op c) exactly under that law
//	   ├─ SUM/AVG/MIN/MAX of a column: its values among the sample rows of
//	   │    its occurrence that pass the filter; per size k (quantiles of
//	   │    S) AVG ~ N(mu, sd²/k), SUM ~ N(k·mu, k·sd²) (central limit),
//	   │    MIN > v and MAX < v pass with p^k, MIN < v and MAX > v with
//	   │    1 - (1-p)^k, p the share of values past v
//	   └─ a single table's sample, grouped (sampleHaving): groups seen
//	        twice or more are read at their scaled-up counts and sums; the
//	        groups seen once and those unseen share the rest of the rows
//	        and are evaluated at the size quantiles on the rows seen once;
//	        in a join, the sample of the occurrence holding every grouping
//	        unit and aggregated column, each row weighed by the join rows
//	        through it (the message passing of groupjoin.go)
//
// The geometric law is the maximum-entropy law of a positive integer with
// a given mean; it makes a keyed grouping (m = 1) exactly one row a group.

// groupSizeQuantiles are the quantiles of the group-size law at which
// aggregates are evaluated (a five-point quadrature of the law).
var groupSizeQuantiles = [...]float64{0.1, 0.3, 0.5, 0.7, 0.9}

// minHavingValues is the fewest filtered sample values HAVING on a
// column is read from; with fewer, the column's whole sample.
const minHavingValues = 10

// geomSize is the u-quantile of group sizes >= 1, geometric of mean m.
func geomSize(u, m float64) float64 {
	if m <= 1 {
		return 1
	}
	return math.Max(1, math.Ceil(math.Log1p(-u)/math.Log1p(-1/m)))
}

// sizeAbove is P(S > c) for group sizes S >= 1, geometric of mean m.
func sizeAbove(c, m float64) float64 {
	if c < 1 {
		return 1
	}
	if m <= 1 {
		return 0
	}
	return math.Pow(1-1/m, math.Floor(c))
}

// countSel is the share of groups whose COUNT(*) passes op against
// values, group sizes geometric of mean m.
func countSel(op features.Op, values []float64, m float64) float64 {
	v := values[0]
	ge := func(c float64) float64 { return sizeAbove(math.Ceil(c)-1, m) } // P(S >= c)
	switch op {
	case features.OpGT:
		return sizeAbove(v, m)
	case features.OpGE:
		return ge(v)
	case features.OpLT:
		return 1 - ge(v)
	case features.OpLE:
		return 1 - sizeAbove(v, m)
	case features.OpEQ, features.OpNE:
		eq := 0.0
		if v == math.Floor(v) {
			eq = ge(v) - sizeAbove(v, m)
		}
		if op == features.OpEQ {
			return eq
		}
		return 1 - eq
	case features.OpBetween:
		if len(values) > 1 {
			return math.Max(ge(v)-sizeAbove(values[1], m), 0)
		}
	}
	return 0
}

// argValues are the values of an aggregate's argument on the sample rows
// of its occurrence that pass the occurrence's filter (all sample rows
// when fewer than minHavingValues pass).
func (d *DistinctGroups) argValues(q *features.Query, a features.Agg) []float64 {
	if a.Arg == nil || a.Table < 0 || a.Table >= len(q.Tables) || d.s == nil {
		return nil // (a DistinctGroups without samples: havingsub.go's)
	}
	tr := q.Tables[a.Table]
	st := &d.cat.Stats[tr.Table]
	ts := &d.s.tables[tr.Table]
	if ts.n == 0 || len(st.Sample) == 0 {
		return nil
	}
	sc := d.s.pool.Get().(*scratch)
	defer func() { sc.reset(); d.s.pool.Put(sc) }()
	bits, _ := d.s.filterBits(tr.Table, tr.Filter, sc, false)
	read := func(filtered bool) []float64 {
		var out []float64
		for r := 0; r < ts.n; r++ {
			if filtered && !bits.has(r) {
				continue
			}
			if v, ok := a.Arg.Eval(sampleRow(st, r)); ok {
				out = append(out, v)
			}
		}
		return out
	}
	if v := read(true); len(v) >= minHavingValues {
		return v
	}
	return read(false)
}

// sampleRow reads numeric columns of sample row r.
func sampleRow(st *catalog.TableStats, r int) func(int) (float64, bool) {
	return func(c int) (float64, bool) {
		if c < 0 || c >= len(st.Sample) {
			return 0, false
		}
		switch x := st.Sample[c][r]; x.Kind {
		case catalog.KindInt:
			return float64(x.I), true
		case catalog.KindFloat:
			return x.F, true
		}
		return 0, false
	}
}

// normalAbove is P(X > v) for X ~ N(mu, sd²) (a step when sd is 0).
func normalAbove(v, mu, sd float64) float64 {
	if sd <= 0 {
		if mu > v {
			return 1
		}
		return 0
	}
	return 0.5 * math.Erfc((v-mu)/(sd*math.Sqrt2))
}

// valueHaving is the share of groups passing a comparison of SUM, AVG,
// MIN or MAX of a column (see the comment at the top of the file); ok
// is false for other operators and when the column has no sample values.
func (d *DistinctGroups) valueHaving(q *features.Query, a features.Agg, h *features.Having, mean float64) (float64, bool) {
	if len(h.Values) == 0 {
		return 0, false
	}
	var gt bool
	switch h.Op {
	case features.OpGT, features.OpGE:
		gt = true
	case features.OpLT, features.OpLE:
	default:
		return 0, false
	}
	vals := d.argValues(q, a)
	if len(vals) == 0 {
		return 0, false
	}
	v := h.Values[0]
	var pass, sum, sq float64
	for _, x := range vals {
		if (gt && (x > v || h.Op == features.OpGE && x == v)) || (!gt && (x < v || h.Op == features.OpLE && x == v)) {
			pass++
		}
		sum += x
	}
	n := float64(len(vals))
	p := pass / n // the share of values on the passing side
	mu := sum / n
	for _, x := range vals {
		sq += (x - mu) * (x - mu)
	}
	sd := math.Sqrt(sq / n)
	sel := 0.0
	for _, u := range groupSizeQuantiles {
		k := geomSize(u, mean)
		var s float64
		switch {
		case k == 1:
			s = p
		case a.Func == features.AggAvg:
			s = normalAbove(v, mu, sd/math.Sqrt(k))
			if !gt {
				s = 1 - s
			}
		case a.Func == features.AggSum:
			s = normalAbove(v, k*mu, sd*math.Sqrt(k))
			if !gt {
				s = 1 - s
			}
		case (a.Func == features.AggMin) == gt: // MIN > v, MAX < v: every value passes
			s = math.Pow(p, math.Min(k, maxHavingGroupSize))
		default: // MIN < v, MAX > v: one value passes
			s = 1 - math.Pow(1-p, math.Min(k, maxHavingGroupSize))
		}
		sel += s
	}
	return clamp01(sel / float64(len(groupSizeQuantiles))), true
}

// sampleHaving evaluates HAVING on the catalog sample of a single-table
// query, or of the one occurrence of a join that holds every grouping
// unit and aggregated column, its rows weighed by the join rows through
// them (the message passing of groupjoin.go): see the comment at the top
// of the file. groups is the baseline's estimate of the groups before
// HAVING and rows that of the rows grouped. It returns the share of
// groups that pass, or, when the sample of a single-table query is the
// whole table, exact is true and v is the number of groups that pass. ok
// is false for other joins and when no sample row passes the filter.
func (d *DistinctGroups) sampleHaving(q *features.Query, groups, rows float64) (v float64, exact, ok bool) {
	g := q.Group
	if g.Having == nil {
		return 0, false, false
	}
	occ, keys := 0, g.Keys
	if len(q.Tables) != 1 {
		if occ, keys, ok = d.havingOccurrence(q); !ok {
			return 0, false, false
		}
	}
	tr := q.Tables[occ]
	st := &d.cat.Stats[tr.Table]
	ts := &d.s.tables[tr.Table]
	if ts.n == 0 || len(st.Sample) == 0 {
		return 0, false, false
	}
	sc := d.s.pool.Get().(*scratch)
	defer func() { sc.reset(); d.s.pool.Put(sc) }()
	var bits bitmap
	var ws []float64
	if len(q.Tables) == 1 {
		bits, _ = d.s.filterBits(tr.Table, tr.Filter, sc, false)
	} else {
		var buf [8]tableProbe
		probes := d.s.probe(q, sc, buf[:0])
		if ws, ok = d.s.rootWeights(q, probes, groupEdges(q), d.hist, occ, sc); !ok {
			return 0, false, false
		}
		bits = probes[occ].bits
	}
	type acc struct {
		n, seen    float64 // the group's weighed rows, and its sample rows
		sum, nn    []float64
		minv, maxv []float64
	}
	var order []*acc
	groupsOf := map[string]*acc{}
	var key []byte
	wi := -1 // index of r among the passing rows (ws)
	for r := 0; r < ts.n; r++ {
		if !bits.has(r) {
			continue
		}
		wi++
		w := 1.0
		if ws != nil {
			if w = ws[wi]; w <= 0 {
				continue
			}
		}
		key = key[:0]
		for _, k := range keys {
			key = appendKeyDatum(key, k, st.Sample[k.Col][r])
		}
		a := groupsOf[string(key)]
		if a == nil {
			a = &acc{sum: make([]float64, len(g.Aggs)), nn: make([]float64, len(g.Aggs)), minv: make([]float64, len(g.Aggs)), maxv: make([]float64, len(g.Aggs))}
			for i := range a.minv {
				a.minv[i], a.maxv[i] = math.Inf(1), math.Inf(-1)
			}
			groupsOf[string(key)] = a
			order = append(order, a)
		}
		a.n += w
		a.seen++
		row := func(c int) (float64, bool) {
			if c >= 0 && c < len(st.Sample) && st.Sample[c][r].Kind == catalog.KindString {
				return 0, true // COUNT(column) reads only whether it is NULL
			}
			return sampleRow(st, r)(c)
		}
		for i, ag := range g.Aggs {
			if ag.Arg == nil {
				continue
			}
			if x, ok := ag.Arg.Eval(row); ok {
				a.sum[i] += w * x
				a.nn[i] += w
				a.minv[i] = math.Min(a.minv[i], x)
				a.maxv[i] = math.Max(a.maxv[i], x)
			}
		}
	}
	if len(g.Keys) == 0 && len(order) == 0 {
		return 0, false, false
	}
	if len(order) == 0 {
		if ws != nil {
			return 0, false, false // no survivor in the samples: no evidence
		}
		return 0, ts.complete, ts.complete
	}
	// passes evaluates HAVING on a group whose rows are scaled by scale
	// (COUNT and SUM; AVG, MIN and MAX as seen).
	passes := func(a *acc, scale float64) bool {
		return g.Having.Eval(func(i int) (float64, bool) {
			switch g.Aggs[i].Func {
			case features.AggCount:
				if g.Aggs[i].Arg == nil {
					return a.n * scale, true
				}
				return a.nn[i] * scale, true
			case features.AggSum:
				return a.sum[i] * scale, a.nn[i] > 0
			case features.AggAvg:
				return a.sum[i] / a.nn[i], a.nn[i] > 0
			case features.AggMin:
				return a.minv[i], a.nn[i] > 0
			case features.AggMax:
				return a.maxv[i], a.nn[i] > 0
			}
			return 0, false
		}) == features.True
	}
	if ts.complete {
		pass := 0
		for _, a := range order {
			if passes(a, 1) {
				pass++
			}
		}
		if ws != nil {
			// A join: the share of the sample's groups that pass, applied
			// to the baseline's groups (which the rows estimate caps).
			return clamp01(float64(pass) / float64(len(order))), false, true
		}
		return float64(pass), true, true
	}
	// Groups seen twice or more: their scaled-up rows.
	scale := float64(st.Rows) / float64(ts.n)
	var passMany, many, rowsMany float64
	var once []*acc
	for _, a := range order {
		if a.seen == 1 {
			once = append(once, a)
			continue
		}
		many++
		rowsMany += a.n * scale
		if passes(a, scale) {
			passMany++
		}
	}
	rest := math.Max(groups-many, 0)
	if len(once) == 0 || rest == 0 {
		return clamp01(passMany / math.Max(many+rest, 1)), false, true
	}
	// The others (seen once or unseen) share the remaining rows.
	m := math.Max(rows-rowsMany, rest) / rest
	var passOnce float64
	for _, u := range groupSizeQuantiles {
		k := geomSize(u, m)
		for _, a := range once {
			if passes(a, k) {
				passOnce++
			}
		}
	}
	passOnce /= float64(len(groupSizeQuantiles) * len(once))
	return clamp01((passMany + rest*passOnce) / math.Max(many+rest, 1)), false, true
}

// havingOccurrence returns the occurrence of a join query (inner joins
// only) that holds every grouping unit (keyUnits: keys equal by the joins
// count once, keys of keyed occurrences not at all) and the argument of
// every aggregate, with the keys to group its rows by; ok is false when
// there is none, or when another table is sampled at less than
// minPartnerSampleFrac.
func (d *DistinctGroups) havingOccurrence(q *features.Query) (occ int, keys []features.GroupKey, ok bool) {
	if q.HasShapes() || len(q.Tables) > maxJoinTables {
		return 0, nil, false
	}
	defer func() {
		// The weights need the other tables' samples (groupjoin.go's
		// minPartnerSampleFrac).
		for i, o := range q.Tables {
			if ot := &d.s.tables[o.Table]; ok && i != occ && !ot.complete && float64(ot.n) < minPartnerSampleFrac*ot.rows {
				occ, keys, ok = 0, nil, false
			}
		}
	}()
	occ = -1
	for _, a := range q.Group.Aggs {
		if a.Arg == nil && a.Func == features.AggCount {
			continue
		}
		if a.Table < 0 || (occ >= 0 && a.Table != occ) {
			return 0, nil, false
		}
		occ = a.Table
	}
	units := d.keyUnits(q, joinClasses(q))
	for _, u := range units {
		found := false
		for _, m := range u.members {
			if occ < 0 || m.Table == occ {
				occ = m.Table
				keys = append(keys, features.GroupKey{ColRef: m, Func: u.key.Func, N: u.key.N})
				found = true
				break
			}
		}
		if !found {
			return 0, nil, false
		}
	}
	if occ < 0 {
		return 0, nil, false
	}
	return occ, keys, true
}
