package estimator

import (
	"github.com/cardinaldb/cardinal/features"
)

// Estimate is a row-count estimate with how sure the estimator is of it.
type Estimate struct {
	Rows float64 // the estimate; never NaN, negative or infinite
	// Low and High bound the true count with about 90% confidence
	// (Low <= Rows <= High). The bands are split conformal, calibrated on
	// whole training queries the estimate did not fit, per join count and
	// separately out of distribution (conformal.go), so 90-93% of the
	// queries of each join count of a workload like the training one fall
	// inside, those answered exactly included (Low == High == Rows). The
	// histogram and sample baselines calibrate theirs when trained on a
	// workload (baseband.go); built without one (NewHistogram, NewSample)
	// their bands are fixed spreads per table.
	Low, High float64
	Source    string // which estimator produced it ("histogram", "gbdt", ...)
}

// Estimator estimates the cardinality (COUNT(*) of FROM + WHERE) of a query.
// Implementations are safe for concurrent use.
type Estimator interface {
	Name() string
	Estimate(q *features.Query) (Estimate, error)
}

// Example is one labelled training query: a query with its true row count.
type Example struct {
	Query *features.Query
	Rows  float64
	// Group, when non-zero, ties examples together (a query and its
	// sub-plans): training keeps a group on one side of the
	// train/validation split.
	Group int
	// Groups is the true number of output groups of a query that groups
	// (Query.Group, GROUP BY / DISTINCT / HAVING), when labelled; NaN
	// otherwise. Rows stays the count of FROM + WHERE (groups.go).
	Groups float64
}
