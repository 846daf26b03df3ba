// Package querylog reads and writes the labelled query log: JSON Lines of
// SQL statements with their true row counts (and those of their join
// sub-plans), the training-data interchange format between whatever labels
// queries and whatever learns from them.
//
//	datasets/workload.Label ─┐                          ┌─► estimator.Examples
//	datasets/live.Collect  ──┼─► []Record ─Writer─► log.jsonl ─Reader/ReadAll─┤
//	cardinal gen / collect ──┘                          └─► cardinal train / eval
//
// It is a leaf package (standard library only) so that the estimator, and
// the planners built on it, can read training data without depending on the
// in-memory database and its counting engine in datasets: producers import
// querylog, consumers import querylog, and neither imports the other.
//
// The log has one JSON object per line:
//
//	{"sql":"SELECT COUNT(*) FROM ...","rows":42,"subplans":[{"tables":["f","a"],"rows":42}]}
//
// "tables" names the sub-plan's table occurrences by alias, in FROM order.
// A query that groups (GROUP BY, DISTINCT, HAVING) also has "groups", its
// true number of output groups ("rows" stays that of FROM + WHERE):
//
//	{"sql":"SELECT COUNT(*) FROM ... GROUP BY ...","rows":42,"groups":7}
//
// Logs without "groups" read as before (the field is optional).
// Blank lines are skipped. Readers reject malformed lines (ErrMalformedLog:
// bad JSON, unknown fields, trailing data, missing SQL, a sub-plan without
// tables) and labels that are negative, fractional, NaN, infinite (including
// the bare NaN/Infinity tokens Python's json writes) or past int64
// (ErrBadLabel), with the line number (*LogError). The Writer validates the
// same way before writing, so whatever it writes reads back.
package querylog
