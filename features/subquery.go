package features

// Query shapes beyond inner equi-joins: semi-joins (EXISTS, IN (SELECT)),
// anti-joins (NOT EXISTS, NOT IN (SELECT)) and scalar-subquery comparisons.
// Each is a filter on ONE occurrence of the enclosing query: it keeps the
// rows of that occurrence for which the subquery, with the occurrence's
// correlation columns bound, has a match (or none, or an aggregate that
// the row's column compares true with). The parser moves correlation
// columns along the enclosing query's inner equi-joins to one occurrence
// (TPC-H Q17's l_partkey = p_partkey becomes a correlation on lineitem's
// own l_partkey), so decorrelation is a grouping of the subquery on its
// correlation columns (Kim, "On Optimizing an SQL-like Nested Query",
// TODS 1982; Dayal, VLDB 1987): a hash semi-/anti-join or a keyed
// aggregate per subquery, evaluated once per query.
//
//	outer occurrence t ─── Table, Corr[i].Outer ──┐
//	                                             ├─ key (composite)
//	Subquery.Query (own FROM + WHERE) ─ Corr[i].Inner ─┘
//	  EXISTS / IN       keep t's rows whose key occurs
//	  NOT EXISTS        keep t's rows whose key does not occur
//	  NOT IN            ... and, SQL's NULL rule, none when the
//	                    subquery's IN column has a NULL, no NULL key kept
//	  scalar            keep t's rows with t.Col Op Scale*Agg(group(key))

// SubKind says what a Subquery filter is.
type SubKind uint8

// Subquery kinds.
const (
	// SubExists is a semi-join: EXISTS (SELECT ...) or x IN (SELECT y ...).
	SubExists SubKind = iota + 1
	// SubNotExists is an anti-join: NOT EXISTS (SELECT ...).
	SubNotExists
	// SubNotIn is x NOT IN (SELECT y ...): an anti-join that is UNKNOWN
	// (so drops the row) when x is NULL or the subquery's y has a NULL,
	// and TRUE for any x when the (correlated) subquery is empty.
	SubNotIn
	// SubScalar is x op (SELECT Scale * AGG(y) ...): a comparison with a
	// scalar subquery, uncorrelated or grouped by its correlation.
	SubScalar
)

// String returns the SQL keyword of k.
func (k SubKind) String() string {
	switch k {
	case SubExists:
		return "EXISTS"
	case SubNotExists:
		return "NOT EXISTS"
	case SubNotIn:
		return "NOT IN"
	case SubScalar:
		return "scalar"
	}
	return "SubKind(?)"
}

// AggFunc is the aggregate of a scalar subquery.
type AggFunc uint8

// Aggregates of scalar subqueries. Aggregates of no row are NULL, except
// COUNT, which is 0.
const (
	AggCount AggFunc = iota + 1
	AggSum
	AggAvg
	AggMin
	AggMax
)

// String returns the SQL name of a.
func (a AggFunc) String() string {
	switch a {
	case AggCount:
		return "COUNT"
	case AggSum:
		return "SUM"
	case AggAvg:
		return "AVG"
	case AggMin:
		return "MIN"
	case AggMax:
		return "MAX"
	}
	return "AGG?"
}

// Correlation is a predicate between a column of the filtered outer
// occurrence and a column of the subquery: equality, or <> when NotEqual
// (TPC-H Q21's l2.l_suppkey <> l1.l_suppkey).
type Correlation struct {
	Outer    int    // column of the filtered occurrence (Subquery.Table)
	Inner    ColRef // column of an occurrence of Subquery.Query
	NotEqual bool
}

// Subquery is a semi-join, anti-join or scalar-subquery filter on one
// occurrence of the enclosing query (see the file comment for the
// semantics). It is a top-level conjunct of WHERE.
type Subquery struct {
	Kind  SubKind
	Table int    // the filtered occurrence, an index into the enclosing Query.Tables
	Query *Query // the subquery's FROM + WHERE (its own subqueries nest)
	// Corr are the correlation predicates. For IN and NOT IN the first
	// is the IN pair itself (x = y) and In is true. At most one is
	// NotEqual, and only for EXISTS and NOT EXISTS.
	Corr []Correlation
	In   bool
	// Scalar comparison: Tables[Table].Col Op Scale * Agg(AggCol); AggCol
	// is {-1, -1} for COUNT(*). Scale is 1 without a multiplier.
	Col    int
	Op     Op
	Agg    AggFunc
	AggCol ColRef
	Scale  float64
}

// EqualityCorr returns the equality correlations (the IN pair included).
func (s *Subquery) EqualityCorr() []Correlation {
	var out []Correlation
	for _, c := range s.Corr {
		if !c.NotEqual {
			out = append(out, c)
		}
	}
	return out
}

// HasShapes reports whether q has outer joins or subquery filters, the
// shapes beyond inner equi-joins and single-table filters.
func (q *Query) HasShapes() bool { return len(q.Outer) > 0 || len(q.Subqueries) > 0 }

// SubqueriesOf returns the subquery filters on occurrence occ.
func (q *Query) SubqueriesOf(occ int) []*Subquery {
	var out []*Subquery
	for i := range q.Subqueries {
		if q.Subqueries[i].Table == occ {
			out = append(out, &q.Subqueries[i])
		}
	}
	return out
}
