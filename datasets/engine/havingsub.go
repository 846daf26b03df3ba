package engine

import (
	"context"
	"fmt"

	"github.com/cardinaldb/cardinal/features"
)

// resolveHaving evaluates the scalar subqueries q's HAVING compares with
// (TPC-H Q11's threshold SUM(...) * 0.0001 over its own FROM + WHERE),
// each once, and returns q with their values as thresholds
// (features.Query.ResolveHaving).
func (c *Counter) resolveHaving(ctx context.Context, q *features.Query) (*features.Query, error) {
	return q.ResolveHaving(func(s *features.ScalarSub) (float64, bool, error) {
		v, ok, err := c.scalarValue(ctx, s)
		if err != nil {
			return 0, false, fmt.Errorf("HAVING subquery: %w", err)
		}
		return v, ok, nil
	})
}

// scalarValue computes Scale × Agg over the rows of s.Query's FROM +
// WHERE: the rows of the aggregated occurrence weighted by their join
// multiplicities (evalSub), so any acyclic join is aggregated without
// materialising it. ok is false for NULL (SUM, AVG, MIN, MAX of no
// non-NULL value).
func (c *Counter) scalarValue(ctx context.Context, s *features.ScalarSub) (float64, bool, error) {
	if s.Query == nil {
		return 0, false, fmt.Errorf("%w: no subquery", ErrBadQuery)
	}
	if s.Query.Group != nil {
		return 0, false, fmt.Errorf("%w: a grouped scalar subquery", ErrUnsupported)
	}
	sq := &features.Subquery{Kind: features.SubScalar, Query: s.Query, AggCol: features.ColRef{Table: -1, Col: -1}, Scale: 1}
	if s.Agg.Arg != nil {
		cols := s.Agg.Arg.Columns()
		if len(cols) == 0 || s.Agg.Table < 0 {
			return 0, false, fmt.Errorf("%w: the subquery aggregates no column", ErrBadQuery)
		}
		sq.AggCol = features.ColRef{Table: s.Agg.Table, Col: cols[0]}
	}
	side, err := c.evalSub(ctx, sq, 0)
	if err != nil {
		return 0, false, err
	}
	defer side.p.release()
	var read func(int32) (float64, bool)
	if s.Agg.Arg != nil {
		if read, err = aggReader(side.p.occ[side.x], s.Agg, 0); err != nil {
			return 0, false, err
		}
	}
	var a aggState
	for k, r := range side.rows {
		w := side.weight(k)
		if w == 0 {
			continue
		}
		if read == nil {
			a.count += w
			a.has = true
			continue
		}
		if x, ok := read(r); ok {
			a.add(x, w)
		}
	}
	v, ok := a.value(s.Agg.Func)
	return s.Scale * v, ok, nil
}
