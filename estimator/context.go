package estimator

import (
	"context"

	"github.com/cardinaldb/cardinal/features"
)

// ContextEstimator is an estimator that takes a context because it may
// block or fail on a round trip: a server's own optimizer
// (live.ExplainEstimator) is one. Evaluations (cardinal eval and bench)
// score it in the same q-error table as the in-process models, which
// WithContext adapts.
type ContextEstimator interface {
	Name() string
	EstimateContext(ctx context.Context, q *features.Query) (Estimate, error)
}

// WithContext adapts an in-process Estimator to ContextEstimator: the
// context is checked before each estimate.
func WithContext(e Estimator) ContextEstimator { return contextual{e} }

type contextual struct{ e Estimator }

func (c contextual) Name() string { return c.e.Name() }

func (c contextual) EstimateContext(ctx context.Context, q *features.Query) (Estimate, error) {
	if err := ctx.Err(); err != nil {
		return Estimate{}, err
	}
	return c.e.Estimate(q)
}
