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
//	                                                 HAVING: havingSel with groups
//	                                                 min(Π ndv(keys), rows) and
//	                                                 mean size rows / groups

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
			v, ok := a.Arg.Eval(func(c int) (float64, bool) {
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
			})
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
	mean := math.Max(subRows/groups, 1)
	d := &DistinctGroups{cat: env.cat, hist: env.hist}
	var f groupFigures
	// At least one group passes: the estimate of a row count is at least
	// one row (PostgreSQL's clamp_row_est), here of the subquery's output.
	return clamp01(math.Max(d.havingSel(r, r.Group, r.Group.Having, mean, &f), 1/groups))
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
