package features

import (
	"math"
	"time"
)

// Grouping is the output side of a query that groups its rows: GROUP BY
// keys or SELECT DISTINCT items, and HAVING. Its cardinality is the
// number of groups that pass HAVING (for DISTINCT: the number of distinct
// key tuples); the rows of FROM + WHERE it groups are the Query's own
// cardinality.
//
//	FROM + WHERE ──► rows ──► group by Keys ──► groups ──► HAVING ──► output rows
//
// A Query has a Grouping when it has GROUP BY, SELECT DISTINCT or HAVING.
// With no Keys (HAVING or DISTINCT over aggregates alone) the whole input
// is one group, even when it is empty, as in SQL.
type Grouping struct {
	// Keys are the grouping keys, without duplicates, in source order.
	Keys []GroupKey
	// Distinct is true when the keys are SELECT DISTINCT's items and the
	// query has no GROUP BY.
	Distinct bool
	// Aggs are the aggregates HAVING tests, referenced by index.
	Aggs []Agg
	// Having filters groups; nil when the query has no HAVING.
	Having *Having
}

// KeyFunc is what a grouping key takes of its column.
type KeyFunc uint8

// Grouping key functions.
const (
	KeyColumn KeyFunc = iota // the column's value
	KeyYear                  // YEAR(col), EXTRACT(YEAR FROM col): DATE and DATETIME columns
	KeyMonth                 // MONTH(col), EXTRACT(MONTH FROM col): 1..12
	KeyDate                  // DATE(col): the day of a DATE or DATETIME
	KeyPrefix                // LEFT(col, N), SUBSTRING(col, 1, N): the first N characters of a string
)

// GroupKey is one grouping key: a column of a table occurrence, or a
// function of it.
type GroupKey struct {
	ColRef
	Func KeyFunc
	N    int // KeyPrefix: the number of characters (>= 1)
}

// Agg is an aggregate over the rows of a group. Its argument is arithmetic
// over the numeric columns of one table occurrence.
type Agg struct {
	Func  AggFunc
	Table int    // the occurrence Arg reads; -1 for COUNT(*)
	Arg   *Arith // nil for COUNT(*)
}

// ArithKind says what an Arith node is.
type ArithKind uint8

// Arithmetic node kinds.
const (
	ArithCol   ArithKind = iota + 1 // a numeric column of Agg.Table
	ArithConst                      // a number
	ArithAdd                        // Args[0] + Args[1]
	ArithSub                        // Args[0] - Args[1]
	ArithMul                        // Args[0] * Args[1]
	ArithDiv                        // Args[0] / Args[1]; NULL when Args[1] is 0, as in MySQL
	ArithNeg                        // -Args[0]
)

// Arith is an arithmetic expression over one row's numeric columns,
// evaluated in float64.
type Arith struct {
	Kind  ArithKind
	Col   int     // ArithCol: column index within the table definition
	Const float64 // ArithConst
	Args  []*Arith
}

// Having is a HAVING condition: AND / OR / NOT over comparisons of an
// aggregate with numbers.
type Having struct {
	Kind   ExprKind  // ExprPred, ExprAnd, ExprOr, ExprNot
	Agg    int       // ExprPred: index into Grouping.Aggs
	Op     Op        // ExprPred: OpEQ, OpNE, OpLT, OpLE, OpGT, OpGE or OpBetween
	Values []float64 // ExprPred: one; two for OpBetween
	// Sub (ExprPred, not OpBetween) is a scalar subquery whose value is
	// the threshold instead of Values (havingsub.go); Eval needs it
	// resolved (Query.ResolveHaving).
	Sub  *ScalarSub
	Args []*Having // ExprAnd, ExprOr: two or more; ExprNot: exactly one
}

// Eval evaluates the arithmetic on one row: row(col) returns a column's
// value and whether it is non-NULL. NULL propagates; division by zero is
// NULL.
func (a *Arith) Eval(row func(col int) (float64, bool)) (float64, bool) {
	if a == nil {
		return 0, false
	}
	switch a.Kind {
	case ArithCol:
		return row(a.Col)
	case ArithConst:
		return a.Const, true
	case ArithNeg:
		if len(a.Args) != 1 {
			return 0, false
		}
		x, ok := a.Args[0].Eval(row)
		return -x, ok
	}
	if len(a.Args) != 2 {
		return 0, false
	}
	x, ok := a.Args[0].Eval(row)
	if !ok {
		return 0, false
	}
	y, ok := a.Args[1].Eval(row)
	if !ok {
		return 0, false
	}
	switch a.Kind {
	case ArithAdd:
		return x + y, true
	case ArithSub:
		return x - y, true
	case ArithMul:
		return x * y, true
	case ArithDiv:
		if y == 0 {
			return 0, false
		}
		return x / y, true
	}
	return 0, false
}

// Columns returns the columns the arithmetic reads, in reading order (with
// repeats).
func (a *Arith) Columns() []int {
	var out []int
	var walk func(*Arith)
	walk = func(a *Arith) {
		if a == nil {
			return
		}
		if a.Kind == ArithCol {
			out = append(out, a.Col)
		}
		for _, x := range a.Args {
			walk(x)
		}
	}
	walk(a)
	return out
}

// Eval evaluates the condition on one group: agg(i) returns aggregate i's
// value and whether it is non-NULL (SUM, AVG, MIN and MAX of no non-NULL
// value are NULL). Comparisons with NULL are Unknown; a group passes only
// when the condition is True.
func (h *Having) Eval(agg func(i int) (float64, bool)) Tri {
	if h == nil {
		return True
	}
	switch h.Kind {
	case ExprPred:
		v, ok := agg(h.Agg)
		if !ok || len(h.Values) == 0 {
			return Unknown // a NULL aggregate or threshold
		}
		at := func(i int) float64 {
			if i < len(h.Values) {
				return h.Values[i]
			}
			return math.NaN()
		}
		switch h.Op {
		case OpEQ:
			return triOf(v == at(0))
		case OpNE:
			return triOf(v != at(0))
		case OpLT:
			return triOf(v < at(0))
		case OpLE:
			return triOf(v <= at(0))
		case OpGT:
			return triOf(v > at(0))
		case OpGE:
			return triOf(v >= at(0))
		case OpBetween:
			return triOf(v >= at(0) && v <= at(1))
		}
		return Unknown
	case ExprAnd:
		res := True
		for _, a := range h.Args {
			res = res.And(a.Eval(agg))
		}
		return res
	case ExprOr:
		res := False
		for _, a := range h.Args {
			res = res.Or(a.Eval(agg))
		}
		return res
	case ExprNot:
		if len(h.Args) != 1 {
			return Unknown
		}
		return h.Args[0].Eval(agg).Not()
	}
	return Unknown
}

// KeyValue applies a date key function to a DATE or DATETIME value (Unix
// seconds, UTC): the year, the month 1..12, or midnight of the day.
// KeyColumn and KeyPrefix return v unchanged.
func KeyValue(f KeyFunc, v int64) int64 {
	switch f {
	case KeyYear, KeyMonth:
		y, m, _ := time.Unix(v, 0).UTC().Date()
		if f == KeyYear {
			return int64(y)
		}
		return int64(m)
	case KeyDate:
		return v - mod(v, secondsPerDay)
	}
	return v
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// KeyPrefixOf returns the first n characters (UTF-8) of s, as LEFT(s, n).
func KeyPrefixOf(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// Grouped reports whether the query groups its rows (GROUP BY, DISTINCT or
// HAVING): its output cardinality is then a number of groups.
func (q *Query) Grouped() bool { return q != nil && q.Group != nil }
