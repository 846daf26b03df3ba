package features

import "github.com/cardinaldb/cardinal/catalog"

// Op is the operator of an atomic predicate.
type Op uint8

// Predicate operators. Values holds the literals: one for comparisons and
// LIKE (the pattern, a string datum), two for BETWEEN (low, high), one or
// more for IN / NOT IN, none for IS [NOT] NULL.
const (
	OpEQ Op = iota + 1
	OpNE
	OpLT
	OpLE
	OpGT
	OpGE
	OpBetween
	OpIn
	OpNotIn
	OpIsNull
	OpIsNotNull
	OpLike
	OpNotLike
)

// Pred is an atomic predicate on one column of one table.
type Pred struct {
	Col    int // column index within the table definition
	Op     Op
	Values []catalog.Datum // typed against the column (see Op)
	// Fn and Arg (ExprFunc only) are the function applied to the column
	// and its parameter; Col2 (ExprCols only) is the second column. See
	// exprpred.go.
	Fn   Func
	Arg  catalog.Datum
	Col2 int
}

// ExprKind says what an Expr node is.
type ExprKind uint8

// Expression node kinds.
const (
	ExprPred ExprKind = iota + 1
	ExprAnd
	ExprOr
	ExprNot
)

// Expr is a boolean filter over one table's columns: AND / OR / NOT over
// atomic predicates.
type Expr struct {
	Kind ExprKind
	Pred Pred    // when Kind == ExprPred
	Args []*Expr // ExprAnd, ExprOr: two or more; ExprNot: exactly one
}

// TableRef is one occurrence of a table in FROM (a self-join has two).
type TableRef struct {
	Table  int    // index into Query.Schema.Tables
	Alias  string // the alias as written, or the table name when none
	Filter *Expr  // nil when the query puts no filter on this table
}

// Join is an equi-join edge: Tables[Left].LeftCol = Tables[Right].RightCol,
// with Left < Right. A composite join is several edges between one pair.
type Join struct {
	Left, Right       int
	LeftCol, RightCol int
}

// ColRef names a column of one table occurrence.
type ColRef struct {
	Table int // index into Query.Tables
	Col   int // column index within that table's definition
}

// Query is what the library understands of a SELECT: its cardinality is
// that of FROM + WHERE; ORDER BY, GROUP BY, LIMIT and the columns read are
// kept for index advice.
type Query struct {
	Schema  *catalog.Schema
	Tables  []TableRef
	Joins   []Join
	GroupBy []ColRef
	OrderBy []ColRef
	// OrderDesc is parallel to OrderBy, true for a DESC item; nil when
	// every item is ascending.
	OrderDesc []bool
	// Group is the grouping of a query with GROUP BY, SELECT DISTINCT or
	// HAVING (groups.go); nil otherwise. The Query's cardinality stays that
	// of FROM + WHERE; Group says how those rows become output groups.
	Group *Grouping
	// Limit is the LIMIT row count and Offset its offset; both are 0 when
	// the query has no LIMIT (or a placeholder) and for LIMIT 0, which
	// reads nothing, so that the zero Query has no limit.
	Limit, Offset int64
	// Reads are the columns the query reads anywhere (select list, WHERE,
	// ON, GROUP BY, ORDER BY), sorted by (Table, Col) without duplicates:
	// an index holding all of one occurrence's Reads covers it. SELECT *,
	// t.* and select-list expressions whose columns cannot be resolved
	// (subqueries) read every column of the tables concerned.
	Reads []ColRef
	// Outer are the null-supplying groups of outer joins (outer.go) and
	// Subqueries the semi-join, anti-join and scalar-subquery filters
	// (subquery.go); both nil for inner equi-joins.
	Outer      []OuterJoin
	Subqueries []Subquery
	// Residuals are the filters mixing several occurrences under OR or
	// NOT (residual.go); nil for most queries.
	Residuals []Residual
	// Derived are the grouped derived tables and CTEs the query reads as
	// virtual tables of its Schema (derived.go); nil for most queries.
	Derived []DerivedRel
}

// MaxTables is the largest number of table occurrences a query may have;
// sub-plans are identified by uint64 bitmasks over Query.Tables.
const MaxTables = 64
