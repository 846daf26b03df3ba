package engine

import (
	"context"
	"fmt"

	"github.com/cardinaldb/cardinal/features"
)

// Residual filters (features.Residual: conditions mixing several
// occurrences under OR or NOT) are counted by inclusion-exclusion over the
// terms of their disjunctive normal form (features.Query.Expansion): each
// expanded query has only single-table filters, so it is counted by the
// usual message passing, and
//
//	|q| = Σ_S (-1)^{|S|+1} |q_S|
//
// is exact. A sub-plan counts the residuals all of whose occurrences it
// contains (features.Query.Sub keeps those) and ignores the others.

// countResiduals counts a query with residual filters.
func (c *Counter) countResiduals(ctx context.Context, q *features.Query) (int64, error) {
	qs, sizes, err := q.Expansion()
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrBadQuery, err)
	}
	var total int64
	for i, x := range qs {
		n, err := c.Count(ctx, x)
		if err != nil {
			return 0, err
		}
		if sizes[i]%2 == 0 {
			n = -n
		}
		total += n
	}
	if total < 0 {
		return 0, fmt.Errorf("%w: inclusion-exclusion over residual terms gave %d", ErrBadQuery, total)
	}
	return total, nil
}

// subPlansResiduals counts every connected sub-plan of a query with
// residual filters: those without a whole residual from the query
// without residuals in one pass, the others one by one.
func (c *Counter) subPlansResiduals(ctx context.Context, q *features.Query) ([]SubPlanCount, error) {
	out, err := c.CountSubPlans(ctx, q.WithoutResiduals())
	if err != nil {
		return nil, err
	}
	for i := range out {
		m := out[i].Mask
		has := false
		for k := range q.Residuals {
			if r := q.Residuals[k].Mask(); r != 0 && r&^m == 0 {
				has = true
			}
		}
		if !has {
			continue
		}
		if out[i].Rows, err = c.Count(ctx, q.Sub(m)); err != nil {
			return nil, err
		}
	}
	return out, nil
}
