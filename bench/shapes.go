package bench

import (
	"fmt"

	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
)

// measureShapes fills res.Shapes from the test queries of w that have an
// outer join or a subquery (a shaped workload also holds the queries the
// generator could not shape).
func (res *ModelResult) measureShapes(estimate func(*features.Query) (estimator.Estimate, error), w labelled) error {
	var es []estimator.Estimate
	var ts []float64
	for i, q := range w.queries {
		if !q.HasShapes() {
			continue
		}
		e, err := estimate(q)
		if err != nil {
			return fmt.Errorf("%s: estimate %q: %w", res.Model, q.SQL(), err)
		}
		es, ts = append(es, e), append(ts, w.rows[i])
	}
	if len(es) > 0 {
		res.Shapes = estimator.Summarize(es, ts)
	}
	return nil
}
