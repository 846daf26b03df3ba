package joinorder

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"
)

// EvalQuery is one query of an evaluation: its true cardinalities and its
// estimated ones by source name (Cards.Source).
type EvalQuery struct {
	True *Cards
	Est  map[string]*Cards
}

// Method is one way of planning in an evaluation: the cardinality source
// it plans with ("true" for EvalQuery.True, else a key of EvalQuery.Est)
// and the planner.
type Method struct {
	Name  string
	Cards string
	Plan  func(c *Cards) (*Plan, error)
}

// EvalRow is one method's quality and speed: the ratio of its plan's cost
// under TRUE cardinalities to the true optimum (DPccp on true counts),
// summarised over the queries, and its median planning time (cardinality
// estimation excluded).
type EvalRow struct {
	Method           string  `json:"method"`
	Queries          int     `json:"queries"`
	Geomean          float64 `json:"geomean"`
	Median           float64 `json:"median"`
	P95              float64 `json:"p95"`
	Max              float64 `json:"max"`
	PlanningUSMedian float64 `json:"planning_us_median"`
	// Fallbacks counts plans whose Source differs from their Method (a
	// guard or budget fallback).
	Fallbacks int `json:"fallbacks"`
	// Ratios are the per-query ratios in query order.
	Ratios []float64 `json:"-"`
}

// minCost clamps costs before dividing, as q-errors clamp rows to one: under
// C_out a query whose every intermediate result is empty costs 0.
const minCost = 1

// Evaluate plans every query with every method and returns one row per
// method, in order. The ratio is max(cost, 1) / max(optimum, 1); it is
// never below 1 (the optimum is optimal).
func Evaluate(ctx context.Context, queries []EvalQuery, methods []Method, model CostModel) ([]EvalRow, error) {
	ratios := make([][]float64, len(methods))
	times := make([][]float64, len(methods))
	rows := make([]EvalRow, len(methods))
	for qi, q := range queries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		opt, err := DPccp(q.True, model, Options{})
		if err != nil {
			return nil, err
		}
		for mi, m := range methods {
			c := q.True
			if m.Cards != q.True.Source {
				c = q.Est[m.Cards]
			}
			if c == nil {
				return nil, fmt.Errorf("%w: query %d has no %q cardinalities for %s", ErrCards, qi, m.Cards, m.Name)
			}
			start := time.Now()
			p, err := m.Plan(c)
			el := time.Since(start)
			if err != nil {
				return nil, fmt.Errorf("%s on query %d: %w", m.Name, qi, err)
			}
			if err := Validate(p); err != nil {
				return nil, fmt.Errorf("%s on query %d: %w", m.Name, qi, err)
			}
			tp, err := Recost(p, q.True, model)
			if err != nil {
				return nil, err
			}
			ratio := math.Max(tp.Cost(), minCost) / math.Max(opt.Cost(), minCost)
			ratios[mi] = append(ratios[mi], ratio)
			times[mi] = append(times[mi], float64(el.Nanoseconds())/1e3)
			if p.Source != p.Method {
				rows[mi].Fallbacks++
			}
		}
	}
	for mi, m := range methods {
		r := &rows[mi]
		r.Method, r.Queries = m.Name, len(ratios[mi])
		r.Ratios = slices.Clone(ratios[mi])
		rs := ratios[mi]
		slices.Sort(rs)
		if len(rs) == 0 {
			continue
		}
		s := 0.0
		for _, v := range rs {
			s += math.Log(v)
		}
		r.Geomean = math.Exp(s / float64(len(rs)))
		r.Median, r.P95, r.Max = quantile(rs, 0.5), quantile(rs, 0.95), rs[len(rs)-1]
		ts := times[mi]
		slices.Sort(ts)
		r.PlanningUSMedian = quantile(ts, 0.5)
	}
	return rows, nil
}

// quantile returns the q-quantile of sorted xs (nearest rank).
func quantile(xs []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(xs)))) - 1
	return xs[max(0, min(len(xs)-1, i))]
}

// FormatEval renders rows as a Markdown table.
func FormatEval(rows []EvalRow) string {
	s := "| method | queries | geomean | median | p95 | max | planning µs (median) | fallbacks |\n|---|---:|---:|---:|---:|---:|---:|---:|\n"
	for _, r := range rows {
		s += fmt.Sprintf("| %s | %d | %.3f | %.3f | %.2f | %.2f | %.1f | %d |\n", r.Method, r.Queries, r.Geomean, r.Median, r.P95, r.Max, r.PlanningUSMedian, r.Fallbacks)
	}
	return s
}
