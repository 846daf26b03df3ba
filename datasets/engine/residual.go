package engine

import (
	"context"
	"fmt"

	"github.com/cardinaldb/cardinal/catalog"
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

// groupsResiduals counts the groups of a query with residual filters.
// Group counts do not add up over inclusion-exclusion, so it counts them
// when they need not: without grouping keys and HAVING there is one group,
// and when every two terms of the residuals force different constants on
// a plain-column grouping key (TPC-H Q7's (n1.n_name = 'FRANCE' AND
// n2.n_name = 'GERMANY') OR (n1.n_name = 'GERMANY' AND ...), grouped by
// both names) the terms select disjoint sets of groups, each group's rows
// all from one term: the groups (and rows) are the sums over the terms.
// Anything else is ErrBadQuery.
func (c *Counter) groupsResiduals(ctx context.Context, q *features.Query) (GroupCount, error) {
	rows, err := c.Count(ctx, q)
	if err != nil {
		return GroupCount{}, err
	}
	g := q.Group
	if len(g.Keys) == 0 && g.Having == nil {
		gc, err := c.CountGroups(ctx, q.WithoutResiduals())
		return GroupCount{Rows: rows, Groups: gc.Groups}, err
	}
	qs, sizes, err := q.Expansion()
	if err != nil {
		return GroupCount{}, fmt.Errorf("%w: %w", ErrBadQuery, err)
	}
	var singles []*features.Query
	for i, x := range qs {
		if sizes[i] == 1 {
			singles = append(singles, x)
		}
	}
	for i := range singles {
		for j := i + 1; j < len(singles); j++ {
			if !keyDisjoint(g, singles[i], singles[j]) {
				return GroupCount{}, fmt.Errorf("%w: the groups of a query whose OR across tables may put rows of several branches in one group are not counted", ErrBadQuery)
			}
		}
	}
	var out GroupCount
	for _, x := range singles {
		gc, err := c.CountGroups(ctx, x)
		if err != nil {
			return GroupCount{}, err
		}
		out.Rows += gc.Rows
		out.Groups += gc.Groups
	}
	if out.Rows != rows {
		return GroupCount{}, fmt.Errorf("%w: residual terms counted %d rows, the query %d", ErrBadQuery, out.Rows, rows)
	}
	return out, nil
}

// keyDisjoint reports whether a and b force different constants on some
// plain-column grouping key (top-level equalities of their filters).
func keyDisjoint(g *features.Grouping, a, b *features.Query) bool {
	for _, k := range g.Keys {
		if k.Func != features.KeyColumn || k.Table < 0 || k.Table >= len(a.Tables) || k.Table >= len(b.Tables) {
			continue
		}
		va, oka := forcedValue(a.Tables[k.Table].Filter, k.Col)
		vb, okb := forcedValue(b.Tables[k.Table].Filter, k.Col)
		if oka && okb && catalog.Compare(va, vb) != 0 {
			return true
		}
	}
	return false
}

// forcedValue returns the constant a top-level conjunct col = v of e
// forces.
func forcedValue(e *features.Expr, col int) (catalog.Datum, bool) {
	if e == nil {
		return catalog.Null, false
	}
	args := []*features.Expr{e}
	if e.Kind == features.ExprAnd {
		args = e.Args
	}
	for _, x := range args {
		if x.Kind == features.ExprPred && x.Pred.Col == col && len(x.Pred.Values) == 1 && !x.Pred.Values[0].IsNull() &&
			(x.Pred.Op == features.OpEQ || x.Pred.Op == features.OpIn) {
			return x.Pred.Values[0], true
		}
	}
	return catalog.Null, false
}
