package tpchqueries

import (
	_ "embed"

	"github.com/cardinaldb/cardinal/internal/sqllex"
)

// queriesSQL holds the 22 queries, each after a "-- qN" line and ending
// with ";" (see doc.go for the source and the one change, Q15's CTE).
//
//go:embed queries.sql
var queriesSQL string

// Count is the number of TPC-H queries.
const Count = 22

// Query is one TPC-H query.
type Query struct {
	// Name is "q1" ... "q22".
	Name string
	// SQL is the statement as go-tpc sends it to MySQL, without the
	// final ";".
	SQL string
}

// Queries returns the 22 queries in order, Q1 first. The slice is new on
// every call; the caller may keep or change it.
func Queries() []Query {
	var out []Query
	for _, n := range sqllex.SplitNamed(queriesSQL, isName) {
		out = append(out, Query{Name: n.Name, SQL: n.SQL})
	}
	if len(out) != Count {
		panic("tpchqueries: queries.sql does not hold 22 queries") // a broken embedded file: a programmer error
	}
	return out
}

// ByName returns the query named name ("q1" ... "q22").
func ByName(name string) (Query, bool) {
	for _, q := range Queries() {
		if q.Name == name {
			return q, true
		}
	}
	return Query{}, false
}

// isName reports whether s is "q" followed by digits.
func isName(s string) bool {
	if len(s) < 2 || s[0] != 'q' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
