package estimator

import (
	"fmt"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// HAVING in two places the engine counts exactly (TPC-H Q11 and Q18),
// estimated with the group baseline's figures:
//
//	HAVING agg > (SELECT Scale·AGG(expr) FROM ...)   the threshold is estimated
//	    (Q11)                                        once: COUNT = rows of the
//	                                                 subquery (the row estimator's
//	                                                 estimate), SUM = rows × mean,
//	                                                 AVG/MIN/MAX over the catalog
//	                                                 sample; then HAVING as with
//	                                                 a number (havingSel)
//	x IN (SELECT y ... GROUP BY y HAVING ...)        P(match) × the share of the
//	    (Q18)                                        subquery's groups passing
//	                                                 HAVING: over the key's degree
//	                                                 table when it has one
//	                                                 (degreeShare), else havingSel
//	                                                 with groups min(Π ndv(keys),
//	                                                 rows) and mean size rows/groups

// resolveHaving returns q with its HAVING threshold subqueries replaced by
// estimates of their values (rows estimates a subquery's rows).
func resolveHavingEstimate(cat *catalog.Catalog, q *features.Query, rows func(*features.Query) (float64, error)) (*features.Query, error) {
	return q.ResolveHaving(func(s *features.ScalarSub) (float64, bool, error) {
		if s.Query == nil {
			return 0, false, fmt.Errorf("%w: HAVING subquery without a query", ErrQuery)
		}
		if err := checkQuery(cat, s.Query); err != nil {
			return 0, false, fmt.Errorf("HAVING subquery: %w", err)
		}
		R, err := rows(s.Query)
		if err != nil {
			return 0, false, fmt.Errorf("HAVING subquery: %w", err)
		}
		R = math.Max(R, 0)
		if s.Agg.Func == features.AggCount {
			return s.Scale * R, true, nil
		}
		mean, mn, mx, ok := sampleArith(cat, s.Query, s.Agg)
		if !ok {
			// No sampled value: the aggregate of the subquery is
			// unknown; a threshold of 0 keeps HAVING's default
			// selectivities.
			return 0, true, nil
		}
		var v float64
		switch s.Agg.Func {
		case features.AggSum:
			v = R * mean
		case features.AggAvg:
			v = mean
		case features.AggMin:
			v = mn
		case features.AggMax:
			v = mx
		}
		return s.Scale * v, true, nil
	})
}

// sampleArith returns the mean, min and max of an aggregate's argument over
// the catalog sample rows of its table that pass the occurrence's filter
// (all sample rows when none passes); ok is false without a value.
func sampleArith(cat *catalog.Catalog, q *features.Query, a features.Agg) (mean, mn, mx float64, ok bool) {
	if a.Arg == nil || a.Table < 0 || a.Table >= len(q.Tables) {
		return 0, 0, 0, false
	}
	tr := q.Tables[a.Table]
	st := &cat.Stats[tr.Table]
	n := st.SampleSize()
	for _, filtered := range []bool{true, false} {
		var sum float64
		k := 0
		for r := 0; r < n; r++ {
			if filtered && tr.Filter != nil && tr.Filter.Eval(func(c int) catalog.Datum { return st.Sample[c][r] }) != features.True {
				continue
			}
			v, ok := a.Arg.Eval(sampleRow(st, r))
			if !ok {
				continue
			}
			if k == 0 || v < mn {
				mn = v
			}
			if k == 0 || v > mx {
				mx = v
			}
			sum += v
			k++
		}
		if k > 0 {
			return sum / float64(k), mn, mx, true
		}
	}
	return 0, 0, 0, false
}

// havingShare estimates the share of a subquery's groups that pass its
// HAVING (1 without HAVING); subRows is the estimate of the subquery's
// rows of FROM + WHERE.
func (env *shapeEnv) havingShare(sub *features.Query, subRows float64) float64 {
	g := sub.Group
	if g == nil || g.Having == nil {
		return 1
	}
	r, err := resolveHavingEstimate(env.cat, sub, func(q *features.Query) (float64, error) { return env.rows(q), nil })
	if err != nil {
		return 1
	}
	groups := 1.0
	for _, k := range g.Keys {
		if k.Table < 0 || k.Table >= len(sub.Tables) {
			return 1
		}
		st := &env.cat.Stats[sub.Tables[k.Table].Table]
		if k.Col < 0 || k.Col >= len(st.Columns) {
			return 1
		}
		groups *= keyDistinct(st, k)
	}
	groups = math.Max(1, math.Min(groups, subRows))
	// At least one group passes: the estimate of a row count is at least
	// one row (PostgreSQL's clamp_row_est), here of the subquery's output.
	if sh, ok := env.degreeShare(r, subRows); ok {
		return clamp01(math.Max(sh, 1/groups))
	}
	mean := math.Max(subRows/groups, 1)
	d := &DistinctGroups{cat: env.cat, hist: env.hist}
	var f groupFigures
	return clamp01(math.Max(d.havingSel(r, r.Group, r.Group.Having, mean, &f), 1/groups))
}

// degreeShare is the share of a subquery's groups passing its HAVING when
// it groups by one join key whose degree table the catalog holds (Q18's
// GROUP BY l_orderkey): group sizes are the keys' degrees (the most
// frequent exactly, the others at their mean), scaled by the fraction of
// the table the subquery keeps; a group of size m passes COUNT(*) op v
// exactly, SUM(col) and AVG(col) op v with the central limit theorem's
// normal law (mean m·μ and variance m·σ², or μ and σ²/m, with μ, σ of
// the column's sampled values); AND, OR and NOT combine as independent
// events. ok is false for other groupings and aggregates.
func (env *shapeEnv) degreeShare(sub *features.Query, subRows float64) (float64, bool) {
	g := sub.Group
	if len(g.Keys) != 1 || g.Keys[0].Func != features.KeyColumn {
		return 0, false
	}
	k := g.Keys[0]
	if k.Table < 0 || k.Table >= len(sub.Tables) {
		return 0, false
	}
	tr := sub.Tables[k.Table]
	st := &env.cat.Stats[tr.Table]
	var kd *catalog.KeyDegrees
	for i := range st.KeyDegrees {
		if len(st.KeyDegrees[i].Columns) == 1 && st.KeyDegrees[i].Columns[0] == k.Col {
			kd = &st.KeyDegrees[i]
		}
	}
	if kd == nil || st.Rows <= 0 {
		return 0, false
	}
	type moments struct{ mu, sigma float64 }
	mom := make([]moments, len(g.Aggs))
	for i, a := range g.Aggs {
		switch {
		case a.Func == features.AggCount && a.Arg == nil:
		case (a.Func == features.AggSum || a.Func == features.AggAvg) && a.Arg != nil && a.Arg.Kind == features.ArithCol && a.Table == k.Table:
			mu, sigma, ok := sampleMoments(st, tr.Filter, a.Arg.Col)
			if !ok {
				return 0, false
			}
			mom[i] = moments{mu, sigma}
		default:
			return 0, false
		}
	}
	frac := clamp01(subRows / float64(st.Rows))
	var pass func(h *features.Having, m float64) (float64, bool)
	pass = func(h *features.Having, m float64) (float64, bool) {
		switch h.Kind {
		case features.ExprAnd, features.ExprOr:
			p := 1.0
			for _, a := range h.Args {
				x, ok := pass(a, m)
				if !ok {
					return 0, false
				}
				if h.Kind == features.ExprAnd {
					p *= x
				} else {
					p *= 1 - x
				}
			}
			if h.Kind == features.ExprOr {
				p = 1 - p
			}
			return p, true
		case features.ExprNot:
			if len(h.Args) != 1 {
				return 0, false
			}
			x, ok := pass(h.Args[0], m)
			return 1 - x, ok
		case features.ExprPred:
		default:
			return 0, false
		}
		if h.Agg < 0 || h.Agg >= len(g.Aggs) || len(h.Values) == 0 {
			return 0, false
		}
		a, v := g.Aggs[h.Agg], h.Values[0]
		mean, sd := m, 0.0 // COUNT(*)
		switch a.Func {
		case features.AggSum:
			mean, sd = m*mom[h.Agg].mu, math.Sqrt(m)*mom[h.Agg].sigma
		case features.AggAvg:
			mean, sd = mom[h.Agg].mu, mom[h.Agg].sigma/math.Sqrt(m)
		}
		switch h.Op {
		case features.OpGT, features.OpGE:
			return normalAbove(v, mean, sd), true
		case features.OpLT, features.OpLE:
			return 1 - normalAbove(v, mean, sd), true
		case features.OpBetween:
			if len(h.Values) < 2 {
				return 0, false
			}
			return clamp01(normalAbove(v, mean, sd) - normalAbove(h.Values[1], mean, sd)), true
		}
		return 0, false
	}
	var sum, w float64
	add := func(deg, keys float64) bool {
		m := math.Max(deg*frac, 1)
		p, ok := pass(g.Having, m)
		sum += keys * p
		w += keys
		return ok
	}
	for _, c := range kd.Counts {
		if !add(float64(c), 1) {
			return 0, false
		}
	}
	if kd.RestKeys > 0 && !add(float64(kd.RestRows)/float64(kd.RestKeys), float64(kd.RestKeys)) {
		return 0, false
	}
	if w == 0 {
		return 0, false
	}
	return sum / w, true
}

// sampleMoments returns the mean and standard deviation of a numeric
// column over the sampled rows passing filter (all sampled rows when none
// does).
func sampleMoments(st *catalog.TableStats, filter *features.Expr, col int) (mu, sigma float64, ok bool) {
	if col < 0 || col >= len(st.Sample) {
		return 0, 0, false
	}
	for _, filtered := range []bool{true, false} {
		var n, sum, sq float64
		for r := range st.SampleSize() {
			if filtered && filter != nil && filter.Eval(func(c int) catalog.Datum { return st.Sample[c][r] }) != features.True {
				continue
			}
			d := st.Sample[col][r]
			if d.Kind != catalog.KindInt && d.Kind != catalog.KindFloat {
				continue
			}
			x := d.Float64()
			n++
			sum += x
			sq += x * x
		}
		if n > 0 {
			mu = sum / n
			return mu, math.Sqrt(math.Max(sq/n-mu*mu, 0)), true
		}
	}
	return 0, 0, false
}

// sumExpHaving is the share of groups passing a comparison of SUM of an
// arithmetic expression (TPC-H Q11's SUM(ps_supplycost * ps_availqty))
// with a threshold, which no column histogram describes: group sums are
// taken as exponential with the typical group sum as mean (the
// maximum-entropy law of a non-negative quantity of known mean, as the
// COUNT(*) thresholds take group sizes). ok is false for other
// aggregates, operators and a non-positive typical sum.
func sumExpHaving(a features.Agg, h *features.Having, typical float64) (float64, bool) {
	if a.Func != features.AggSum || a.Arg == nil || a.Arg.Kind == features.ArithCol || len(h.Values) == 0 || !(typical > 0) {
		return 0, false
	}
	gt := math.Exp(-math.Max(h.Values[0], 0) / typical)
	switch h.Op {
	case features.OpGT, features.OpGE:
		return gt, true
	case features.OpLT, features.OpLE:
		return 1 - gt, true
	}
	return 0, false
}
