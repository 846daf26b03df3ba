package jobqueries

import (
	_ "embed"

	"github.com/cardinaldb/cardinal/internal/sqllex"
)

//go:generate go run ./internal/extract -o queries.sql

// queriesSQL holds the 113 queries, each after a "-- <name>" line and
// ending with ";" (see doc.go for the source).
//
//go:embed queries.sql
var queriesSQL string

// Count is the number of JOB queries.
const Count = 113

// Query is one JOB query.
type Query struct {
	// Name is JOB's: "1a" ... "33c".
	Name string
	// SQL is the statement without the final ";".
	SQL string
}

// Queries returns the 113 queries in JOB's order (1a, 1b, ..., 33c). The
// slice is new on every call; the caller may keep or change it.
func Queries() []Query {
	var out []Query
	for _, n := range sqllex.SplitNamed(queriesSQL, isName) {
		out = append(out, Query{Name: n.Name, SQL: n.SQL})
	}
	if len(out) != Count {
		panic("jobqueries: queries.sql does not hold 113 queries") // a broken embedded file: a programmer error
	}
	return out
}

// ByName returns the query named name ("1a" ... "33c").
func ByName(name string) (Query, bool) {
	for _, q := range Queries() {
		if q.Name == name {
			return q, true
		}
	}
	return Query{}, false
}

// isName reports whether s is digits followed by one letter a-f.
func isName(s string) bool {
	if len(s) < 2 || s[len(s)-1] < 'a' || s[len(s)-1] > 'f' {
		return false
	}
	for _, c := range s[:len(s)-1] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
