package estimator

import (
	"fmt"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/querylog"
)

// Examples turns query-log records into training examples: each record's
// query, and each of its labelled sub-plans as a query of its own, sharing
// the record's Group (record index + 1). A record whose SQL does not parse
// or whose sub-plan names an unknown alias is an error naming its index.
func Examples(schema *catalog.Schema, recs []querylog.Record) ([]Example, error) {
	p := features.NewParser()
	var out []Example
	for i, r := range recs {
		q, err := p.Parse(schema, r.SQL)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i+1, err)
		}
		groups := math.NaN()
		if r.Groups != nil {
			groups = float64(*r.Groups)
		}
		out = append(out, Example{Query: q, Rows: float64(r.Rows), Group: i + 1, Groups: groups})
		for _, sp := range r.SubPlans {
			var mask uint64
			for _, a := range sp.Aliases {
				found := false
				for ti, tr := range q.Tables {
					if tr.Alias == a {
						mask |= 1 << uint(ti)
						found = true
						break
					}
				}
				if !found {
					return nil, fmt.Errorf("%w: record %d: sub-plan alias %q not in the query", ErrQuery, i+1, a)
				}
			}
			if mask == q.FullMask() {
				continue
			}
			out = append(out, Example{Query: q.Sub(mask), Rows: float64(sp.Rows), Group: i + 1, Groups: math.NaN()})
		}
	}
	return out, nil
}
