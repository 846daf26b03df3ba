// Package features turns MySQL SELECT statements into Cardinal's query
// model and provides everything the estimators and the counting engine need
// on that model: canonical SQL, literal-free digests, sub-plans, connected
// subsets and SQL three-valued evaluation of filters.
//
// # Parsing
//
//	SQL text ──TiDB parser──► AST ──resolver──► Query
//	                           │                 ├─ Tables  []TableRef (occurrence, alias, Filter *Expr)
//	                           │                 ├─ Joins   []Join     (a.x = b.y edges, Left < Right)
//	      positions: expression offsets          └─ GroupBy / OrderBy  []ColRef
//	      + a token scan for tables/joins
//
// Parse uses github.com/pingcap/tidb/pkg/parser (with its test_driver for
// literal values) and then resolves the AST against a catalog.Schema:
//
//   - FROM: comma lists, [INNER|CROSS] JOIN ... ON, STRAIGHT_JOIN, JOIN ...
//     USING (one edge per column; the coalesced column then resolves
//     unqualified), aliases, parentheses, the same table several times
//     (self-joins). A database qualifier is ignored. At most MaxTables
//     occurrences.
//   - ON conditions and WHERE are one conjunction. Each top-level conjunct
//     is either an equi-join edge a.x = b.y between two different
//     occurrences (a composite join is several edges; duplicate edges
//     collapse) or a filter on ONE occurrence: an AND/OR/NOT tree over
//     atomic predicates col op literal with op among = <> != < <= > >=,
//     [NOT] BETWEEN, [NOT] IN (list), IS [NOT] NULL, [NOT] LIKE (any
//     pattern; ESCAPE 'c' is rewritten to backslash escapes). "literal op
//     col" is flipped. NOT BETWEEN becomes NOT over BETWEEN; NOT IN, NOT
//     LIKE and IS NOT NULL are operators of their own. Nested ANDs and ORs
//     are flattened, so equal conditions give equal trees.
//   - Literals are typed against their column: int columns take integers,
//     integral decimals and integral numeric strings; float columns any
//     number or numeric string; string columns strings; date and datetime
//     columns 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS' strings and DATE /
//     TIMESTAMP literals, stored as Unix seconds UTC. TRUE/FALSE are 1/0.
//     NULL literals are kept (comparisons with them are Unknown). Anything
//     else is ErrType.
//   - Constant expressions are folded to literals first (exprfold.go):
//     arithmetic of numbers (+ - * / DIV %, exact for integers and
//     decimals with MySQL's scale rules), DATE_ADD / DATE_SUB / ADDDATE /
//     SUBDATE and "d ± INTERVAL n unit" (SECOND ... YEAR; MONTH, QUARTER
//     and YEAR clamp the day to the month's end as MySQL does), CAST /
//     CONVERT to DATE, DATETIME, SIGNED, DECIMAL, DOUBLE, CHAR, DATE(),
//     and NOW() / CURRENT_TIMESTAMP / CURDATE() / CURRENT_DATE ...,
//     which evaluate against Options.Now (default DefaultNowUnix,
//     2025-01-01 00:00:00 UTC, so that results are reproducible).
//   - Expressions of one column (exprcol.go) become exact ranges on the
//     column where one exists, with the three-valued truth of the
//     expression on every row: YEAR(d) / EXTRACT(YEAR FROM d), DATE(d)
//     and DATE_FORMAT(d, f) with f a zero-padded %Y[%m[%d[%H[%i[%s]]]]]
//     prefix compared with =, <>, <, <=, >, >=, BETWEEN, IN become ranges
//     of d; LEFT / SUBSTRING / SUBSTR / MID(s, 1, n) = / <> / IN become
//     LIKE 'p%' (or s = v for shorter values); x + k and DATE_ADD(d,
//     INTERVAL k DAY|HOUR|...) on integer and date columns shift the
//     literals; COALESCE / IFNULL(x, c) op v becomes (x op v) OR / AND
//     x IS [NOT] NULL by what c op v is; x IS [NOT] TRUE / FALSE on a
//     number column becomes comparisons with 0 and IS [NOT] NULL, and
//     (p) IS [NOT] TRUE / FALSE of a condition p becomes a two-valued
//     form of p (istruth.go: each comparison guarded by IS NOT NULL of
//     its nullable columns, NOT pushed down; exact under NOT). Where
//     no range is exact (MONTH, QUARTER, DAYOFMONTH, DAYOFWEEK, WEEKDAY,
//     DAYOFYEAR, HOUR, MINUTE, SECOND, other DATE_FORMATs, LOWER, UPPER,
//     CHAR_LENGTH, x + k on floats, prefixes compared with < >) the
//     predicate is an ExprFunc: Pred.Fn of the column (Func.Apply)
//     compared as a column would be. Two columns of one occurrence
//     compared (a.x < a.y, a.x = a.y + k) are an ExprCols.
//   - A conjunct mixing occurrences under OR or NOT (residual.go) has the
//     join predicates and conditions common to every branch of its OR
//     factored out (TPC-H Q19) and the rest kept as a Residual in
//     disjunctive normal form over single-table filters (TPC-H Q7), at
//     most MaxResidualTerms terms. Sub-plans keep the residuals all of
//     whose occurrences they contain; Expansion lists the queries whose
//     counts give its count by inclusion-exclusion.
//   - Unqualified columns resolve through the schema across the FROM tables
//     (ErrUnknownColumn, ErrAmbiguousColumn). Subqueries of the select
//     list, ORDER BY and GROUP BY are not counted, but their names are
//     resolved as WHERE's are (select-list aliases too, in ORDER BY and
//     GROUP BY), and so are ORDER BY's expressions' and each SELECT's of
//     a set operation, also where the set operation itself is
//     ErrUnsupported: a wrong name is the server's error first.
//   - The select list, LIMIT, hints and index hints are ignored: the
//     modelled cardinality is that of FROM + WHERE (what SELECT COUNT(*)
//     would return). GROUP BY, SELECT DISTINCT and HAVING become
//     Query.Group (groups.go), which says how those rows become output
//     groups: keys are columns or YEAR / MONTH / DATE / EXTRACT(YEAR|MONTH)
//     of a date column or a LEFT / SUBSTRING(col, 1, n) prefix of a string
//     column, written directly, by position or by select-list alias;
//     DISTINCT's keys are its items (* expands); HAVING is AND / OR / NOT
//     over comparisons of COUNT / SUM / AVG / MIN / MAX (arguments: + - * /
//     over one occurrence's numeric columns; select-list aliases resolve)
//     with numbers. GROUP BY and ORDER BY also keep their plain columns in
//     GroupBy / OrderBy (for index advice); ORDER BY's expressions,
//     positions, aggregates and aliases are skipped, and its direction is
//     kept in OrderDesc.
//   - LEFT / RIGHT [OUTER] JOIN ... ON | USING: the joined side becomes a
//     null-supplying group (Query.Outer, outer.go) whose filters are ON
//     filters; a WHERE or inner-join condition that rejects its NULL rows
//     makes the join inner (outer-join simplification). The occurrences
//     are renumbered preserved side first, then each group. ValidJoin is
//     the join-order constraint (the joinorder planners refuse outer
//     joins rather than emit an order it rejects).
//   - Subqueries that are top-level conjuncts of WHERE (Query.Subqueries,
//     subquery.go): [NOT] EXISTS, [NOT] IN (SELECT col ...) (NOT IN with
//     its NULL rule), col op (SELECT [k *] COUNT|SUM|AVG|MIN|MAX(col) ...),
//     correlated by equalities (and one <> in EXISTS / NOT EXISTS) with
//     the directly enclosing query; nested subqueries. Correlation columns
//     move along the enclosing query's inner equi-joins to one occurrence,
//     the subquery's along its own to one of its occurrences; an inner
//     alias repeating an enclosing one is renamed alias_2.
//   - Derived tables and non-recursive CTEs that are a plain SELECT-FROM-
//     WHERE flatten into the enclosing query (their select list names
//     columns; expression columns may be grouping keys). Each is a name
//     scope (scope.go), as on the server: the enclosing query sees it only
//     through its alias and the columns its select list names (a * all its
//     tables' columns), its own ON, WHERE, select list and ORDER BY see
//     only its own tables, and its inner aliases may repeat outer ones
//     (renamed alias_2 in Query.Tables). As on MariaDB, a derived table
//     (flattened or grouped) may share its alias with a table (a column
//     both have is ambiguous), unless the table comes after a WITH clause in the text. An unaliased expression column
//     is named by its text, as MariaDB names it. A CTE's body sees the
//     CTEs defined before it in its WITH, not itself nor later ones (its
//     own name there is the base table's); every reference resolves the
//     body again, at most maxCTERefs per statement (ErrTooComplex).
//   - Derived tables and CTEs that group (GROUP BY, aggregates, DISTINCT,
//     HAVING; a CTE may have a column list) are derived relations:
//     virtual tables of the query's Schema whose rows are the inner
//     query's groups (Query.Derived, derived.go).
//   - Everything else is an *Error wrapping ErrUnsupported that names the
//     construct and its line:col: natural joins, ON conditions on an outer
//     join's preserved side, WHERE conditions that keep an outer join's
//     NULL rows (IS NULL: write NOT EXISTS), subqueries under OR / NOT,
//     in the select list, in ON or HAVING, ANY / ALL, outer references
//     outside correlation equalities, derived tables with LIMIT, grouped
//     ones selecting expressions of aggregates, non-equi joins, join predicates
//     inside some branches of an OR only, functions and arithmetic outside
//     the above (and of two columns), CASE, REGEXP, <=>, XOR, constant
//     conditions, grouping keys and HAVING conditions outside the above,
//     WITH ROLLUP, UNION, WITH RECURSIVE, non-SELECT statements.
//
// TiDB records byte offsets for expressions only, so errors about tables
// and join keywords are positioned by a small token scan of the text that
// skips strings and comments (position.go).
//
// # The model
//
// Query.SQL renders MySQL text that Parse maps back to a deep-equal Query
// (tested on random queries and by fuzzing). Query.Digest hashes the same
// rendering with literals replaced by ? (IN lists by one ?). Sub-plans are
// bitmasks over Query.Tables: FullMask, Connected, Sub and ConnectedSubsets
// (EnumerateCsg of DPccp, Moerkotte & Neumann, VLDB 2006).
//
// Canonical (and CanonicalFilter) rewrite every point range as the
// equality it is, everywhere in a filter: x BETWEEN a AND a, x IN (a, a),
// x >= a AND x <= a, x = a AND x < b (a < b) and, on INT, DATE and
// DATETIME columns, x > a-1 AND x < a+1 all become x = a, and an
// exclusion whose every value a range on its column excludes already or
// names at a closed end goes, opening that end (x >= a AND x NOT IN (a)
// is x > a), with the same three-valued truth on every row. Estimators
// estimate the canonical form, so every spelling gets the equality's (or
// the one range's) estimate.
//
// # Evaluation
//
// Pred.Eval and Expr.Eval implement SQL's three-valued logic (Tri):
// comparisons involving NULL are Unknown, IS [NOT] NULL never is, x IN
// (..., NULL) is Unknown unless x matches, and a row passes a filter only
// when it evaluates to True. LIKE matches bytes case-sensitively (binary
// collation) with % and _ (one UTF-8 character) and backslash escapes;
// CompileLike reduces %-separated literal patterns to strings.Index /
// HasPrefix / HasSuffix and otherwise runs an allocation-free wildcard
// matcher (no regexp per row).
package features
