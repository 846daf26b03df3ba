package main

import "github.com/cardinaldb/cardinal/features"

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
