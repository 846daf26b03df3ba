package estimator

import (
	"fmt"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Residual filters (features.Residual, conditions mixing several tables
// under OR or NOT) are estimated by every estimator the way the engine
// counts them: by inclusion-exclusion over the terms of their DNF
// (features.Query.Expansion), each expanded query being an ordinary query
// with single-table filters that the estimator estimates as usual
// (learned models included, through their baseline and encoding):
//
//	est(q) = Σ_S (-1)^{|S|+1} est(q_S)
//
// clamped to what holds for the true counts: at least the largest term
// alone, at most the sum of the terms and at most the query without its
// residuals. Queries with residuals are left out of learned training
// (their label is not a function of the encoded query); sub-plans that do
// not contain all of a residual's tables ignore it (features.Query.Sub).

// estimateResiduals estimates a query with residual filters.
func estimateResiduals(cat *catalog.Catalog, q *features.Query, connected func(*features.Query) (Estimate, error)) (Estimate, error) {
	if err := checkQuery(cat, q); err != nil {
		return Estimate{}, err
	}
	qs, sizes, err := q.Expansion()
	if err != nil {
		return Estimate{}, fmt.Errorf("%w: %w", ErrQuery, err)
	}
	base, err := estimateGuarded(cat, q.WithoutResiduals(), connected)
	if err != nil {
		return Estimate{}, err
	}
	var ie, maxRows, sumRows, maxLow, sumHigh float64
	for i, x := range qs {
		e, err := estimateGuarded(cat, x, connected)
		if err != nil {
			return Estimate{}, err
		}
		if sizes[i]%2 == 1 {
			ie += e.Rows
		} else {
			ie -= e.Rows
		}
		if sizes[i] == 1 {
			maxRows = math.Max(maxRows, e.Rows)
			sumRows += e.Rows
			maxLow = math.Max(maxLow, e.Low)
			sumHigh += e.High
		}
	}
	hi := math.Max(maxRows, math.Min(sumRows, base.Rows))
	rows := math.Min(math.Max(ie, maxRows), hi)
	out := Estimate{
		Rows:   sanitize(rows),
		Low:    sanitize(math.Min(rows, maxLow)),
		High:   sanitize(math.Max(rows, math.Min(sumHigh, base.High))),
		Source: base.Source,
	}
	return out, nil
}

// checkResiduals checks the residual filters of q against cat.
func checkResiduals(cat *catalog.Catalog, q *features.Query) error {
	for _, r := range q.Residuals {
		if len(r.Terms) == 0 {
			return fmt.Errorf("%w: residual filter without terms", ErrQuery)
		}
		for _, t := range r.Terms {
			for _, f := range t {
				if f.Table < 0 || f.Table >= len(q.Tables) {
					return fmt.Errorf("%w: residual filter on occurrence %d", ErrQuery, f.Table)
				}
				tr := q.Tables[f.Table]
				if tr.Table < 0 || tr.Table >= len(cat.Schema.Tables) {
					return fmt.Errorf("%w: table %d of the query is schema table %d", ErrQuery, f.Table, tr.Table)
				}
				if f.Filter == nil {
					return fmt.Errorf("%w: residual filter on %s is nil", ErrQuery, tr.Alias)
				}
				if err := checkExpr(cat.Schema.Tables[tr.Table], f.Filter, 0); err != nil {
					return fmt.Errorf("%w: residual filter on %s: %w", ErrQuery, tr.Alias, err)
				}
			}
		}
	}
	return nil
}

// withoutResidualExamples drops the examples whose queries have residual
// filters (see the file comment) or read derived relations (derived.go:
// their combination is not learned); train itself when there are none.
func withoutResidualExamples(train []Example) []Example {
	n := 0
	for _, ex := range train {
		if len(ex.Query.Residuals) == 0 && !ex.Query.HasDerived() {
			n++
		}
	}
	if n == len(train) {
		return train
	}
	out := make([]Example, 0, n)
	for _, ex := range train {
		if len(ex.Query.Residuals) == 0 && !ex.Query.HasDerived() {
			out = append(out, ex)
		}
	}
	return out
}
