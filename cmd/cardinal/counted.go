package main

import (
	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
)

// Values of the "counted" field of count, estimate and explain results
// (docs/json.md): what the figure "rows" is.
const (
	countedRows   = "rows"   // rows of FROM + WHERE: the query does not group
	countedGroups = "groups" // the query groups: "groups" is its output, "rows" what it groups
)

// countedWhat says what the main figure of a result for q is.
func countedWhat(q *features.Query) string {
	if q.Grouped() {
		return countedGroups
	}
	return countedRows
}

// groupsJSON is the estimated output groups of a grouping query in
// estimate and explain results (docs/json.md).
type groupsJSON struct {
	Groups float64 `json:"groups"`
	Low    float64 `json:"low"`
	High   float64 `json:"high"`
	Source string  `json:"source"`
}

// estimateGroups estimates the groups of a grouping query.
func estimateGroups(est estimator.GroupEstimator, q *features.Query) (*groupsJSON, error) {
	g, err := est.EstimateGroups(q)
	if err != nil {
		return nil, err
	}
	return &groupsJSON{Groups: g.Groups, Low: g.Low, High: g.High, Source: g.Source}, nil
}
