package joinorder

import (
	"context"
	"fmt"
	"math"
	"math/bits"

	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
)

// Cards holds the row counts (estimated or true) of the connected sub-plans
// of one query, keyed by the mask of their table occurrences (bit i =
// Query.Tables[i]). The rows of a disconnected set are the product of its
// components' rows (a cross product).
type Cards struct {
	q    *features.Query
	g    graph
	rows map[uint64]float64
	// Source names where the counts came from ("histogram", "gbdt",
	// "true", ...).
	Source string
}

// NewCards returns empty cardinalities for q; fill them with Set.
func NewCards(q *features.Query, source string) (*Cards, error) {
	g, err := newGraph(q)
	if err != nil {
		return nil, err
	}
	return &Cards{q: q, g: g, rows: make(map[uint64]float64, 4*len(q.Tables)), Source: source}, nil
}

// Query returns the query the cardinalities are of.
func (c *Cards) Query() *features.Query { return c.q }

// Set records the rows of a connected sub-plan. Rows must be finite and
// non-negative; mask must be a connected set of q's occurrences.
func (c *Cards) Set(mask uint64, rows float64) error {
	if rows < 0 || math.IsNaN(rows) || math.IsInf(rows, 0) {
		return fmt.Errorf("%w: %g rows for sub-plan %#x", ErrCards, rows, mask)
	}
	if mask&^c.g.all != 0 || !c.g.connected(mask) {
		return fmt.Errorf("%w: sub-plan %#x is not a connected set of the query's %d tables", ErrCards, mask, c.g.n)
	}
	c.rows[mask] = rows
	return nil
}

// Len returns the number of connected sub-plans recorded.
func (c *Cards) Len() int { return len(c.rows) }

// Rows returns the rows of the sub-plan mask: the recorded count of a
// connected set, the product of its components' counts for a disconnected
// one; ok is false when a needed count is missing.
func (c *Cards) Rows(mask uint64) (rows float64, ok bool) {
	if r, ok := c.rows[mask]; ok {
		return r, true
	}
	if mask == 0 || mask&^c.g.all != 0 || c.g.connected(mask) {
		return 0, false
	}
	rows = 1
	for _, comp := range c.g.components(mask) {
		r, ok := c.rows[comp]
		if !ok {
			return 0, false
		}
		rows *= r
	}
	return rows, true
}

// mustRows is Rows with a typed error for the planners.
func (c *Cards) mustRows(mask uint64) (float64, error) {
	r, ok := c.Rows(mask)
	if !ok {
		return 0, fmt.Errorf("%w: no rows for sub-plan %v (%#x)", ErrCards, c.q.Aliases(mask), mask)
	}
	return r, nil
}

// Source produces the cardinalities of a query's connected sub-plans. At
// plan time the package needs only this; Estimated wraps any
// estimator.Estimator, and package joinorder/exact counts true rows with
// the in-memory engine (for training and evaluation).
type Source interface {
	Name() string
	Cards(ctx context.Context, q *features.Query) (*Cards, error)
}

// Estimated returns a Source that estimates every connected sub-plan with
// est through estimator.EstimateSubPlans.
func Estimated(est estimator.Estimator) Source { return estimated{est} }

type estimated struct{ est estimator.Estimator }

func (e estimated) Name() string { return e.est.Name() }

func (e estimated) Cards(ctx context.Context, q *features.Query) (*Cards, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := NewCards(q, e.est.Name())
	if err != nil {
		return nil, err
	}
	if redundantJoins(q) {
		// A join class with more edges than a spanning tree (such as
		// ImpliedJoins adds): estimate each sub-plan on a spanning tree
		// of its classes, so that no equality is counted twice.
		masks, err := q.ConnectedSubsets(features.DefaultMaxSubPlans)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCards, err)
		}
		classes := equivClasses(q)
		for _, m := range masks {
			est, err := e.est.Estimate(spanningSub(q, classes, m))
			if err != nil {
				return nil, fmt.Errorf("%w: estimating sub-plan %v with %s: %w", ErrCards, q.Aliases(m), e.est.Name(), err)
			}
			if err := c.Set(m, est.Rows); err != nil {
				return nil, err
			}
		}
		return c, nil
	}
	sps, err := estimator.EstimateSubPlans(e.est, q)
	if err != nil {
		return nil, fmt.Errorf("%w: estimating sub-plans with %s: %w", ErrCards, e.est.Name(), err)
	}
	for _, sp := range sps {
		if err := c.Set(sp.Mask, sp.Estimate.Rows); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// FromCounts returns cardinalities built from (mask, rows) pairs, such as
// the engine's CountSubPlans or a labelled log's sub-plans.
func FromCounts(q *features.Query, source string, masks []uint64, rows []int64) (*Cards, error) {
	if len(masks) != len(rows) {
		return nil, fmt.Errorf("%w: %d masks but %d counts", ErrCards, len(masks), len(rows))
	}
	c, err := NewCards(q, source)
	if err != nil {
		return nil, err
	}
	for i, m := range masks {
		if err := c.Set(m, float64(rows[i])); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// popcount is bits.OnesCount64.
func popcount(m uint64) int { return bits.OnesCount64(m) }
