package estimator

import (
	"fmt"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// checkShapes refuses outer joins and subqueries, which the estimators do
// not estimate yet.
func checkShapes(_ *catalog.Catalog, q *features.Query) error {
	if q.HasShapes() {
		return fmt.Errorf("%w: outer joins and subqueries are not estimated yet", ErrQuery)
	}
	return nil
}
