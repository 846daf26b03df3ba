// Package engine counts queries exactly over an in-memory datasets.DB: the
// true COUNT(*) of FROM + WHERE, and of every connected sub-plan, which
// are the labels cardinality estimators are trained and evaluated on.
//
// A count runs in three stages:
//
//	query ──► per occurrence: vectorised filter ──► selection (bitset, row ids)
//	                 │
//	                 ▼
//	  join edges grouped per occurrence pair (composite keys)
//	  key values of both sides mapped to shared dense ids
//	                 │
//	       acyclic? ─┴───────────────┐ cyclic
//	                 ▼               ▼
//	  message passing (no joins   hash joins along a spanning
//	  materialised)               tree, other edges checked,
//	                              budget Options.MaxRows
//
// Filters. Each table occurrence's filter is evaluated column at a time
// into a bitset, 64 rows per word, with SQL three-valued logic: NOT is
// pushed down to the atoms (negation normal form is valid in Kleene
// logic), so every node only computes where it is TRUE; a negated atom
// selects where the atom is FALSE, so NULL rows, unknown under both, never
// pass. Integer and float comparisons are branch-free interval tests (floats
// through their IEEE 754 total-order keys); string predicates (=, <, IN,
// LIKE via features.CompileLike, ...) are evaluated once per dictionary
// entry and mapped through the codes. Conjunctions narrow the selection
// child by child and skip words that are already empty.
//
// Joins. All equi-join predicates between one pair of occurrences form one
// edge with a composite key. The key values of both sides' selected rows
// are mapped once into a shared space of dense ids: integers by offset
// from the minimum when the range is small (else a hash map), strings by
// dictionary code with the other table's codes translated by string value
// (different tables have different dictionaries; the translation is cached
// per column pair in the Counter), composite keys pairwise. NULL and
// unmatched values get id -1 and never join.
//
// Counting without joining. When the join graph is a tree, the count is
// computed in the counting semiring by one bottom-up pass (Yannakakis,
// "Algorithms for Acyclic Database Schemes", VLDB 1981; the same exact
// join counting by message passing used to label training data in e.g.
// NeuroCard, Yang et al., VLDB 2021, and "Cardinality Estimation Done
// Right: Index-Based Join Sampling", Leis et al., CIDR 2017):
//
//	        root (most selected rows)
//	       /    \
//	msg_c1[k]   msg_c2[k]      msg_c[k] = Σ weight(r), r ∈ sel(c), key(r) = k
//	     /        \            weight(r) = Π over c's children d of msg_d[key_d(r)]
//	   c1          c2          COUNT    = Σ weight(r), r ∈ sel(root)
//
// Messages are arrays over the dense ids, so passing one costs a gather
// per row. CountSubPlans enumerates every connected subset in the same
// pass: each connected subset S of a tree has one top node v, and its
// weights are products of the messages of the rooted subsets of v's
// children, so every child message is computed once and shared by all
// sub-plans containing it. Arithmetic is int64 with overflow detection
// (ErrOverflow).
//
// Cyclic join graphs fall back to hash joins along a spanning tree
// (smallest selection first), checking the other edges on each tuple; the
// last occurrence is only counted, and intermediate tuples are bounded by
// Options.MaxRows (ErrTooLarge).
//
// Groups. CountGroups counts the output groups of GROUP BY / DISTINCT /
// HAVING (features.Grouping) in the same pass, with the semiring lifted
// from counts to group tables: a message maps each join key to the
// distinct key tuples of the subtree below it, each with its row count
// and aggregate accumulators (sum, non-NULL count, min, max), so the
// groups of an acyclic join are found without materialising it. At a
// node, each row's own key values are combined with one entry of each
// child's list (a cross product when a key reaches several tuples):
//
//	entry = (key tuple, rows, Σ, n, min, max)
//	join of (a, rows_a) with (b, rows_b): rows_a·rows_b, Σ_a·rows_b + Σ_b·rows_a, ...
//
// Key tuples are interned into dense ids per node (a node's id stands for
// the values of its whole subtree), so the root holds one entry per
// group; HAVING is then evaluated on each (features.Having.Eval).
// Cyclic components group the tuples of the hash-join fallback, and
// disconnected components multiply their groups (HAVING enumerates the
// combinations, at most 2^24).
//
// Expressions. Predicates on a function of a column (features.ExprFunc)
// are evaluated once per dictionary entry on string columns and once per
// row otherwise (date parts once per calendar day run), with features'
// scalar semantics (Func.Apply, Pred.Eval); comparisons of two columns of
// a row (features.ExprCols) read both column arrays. Residual filters
// (features.Residual, conditions mixing tables under OR / NOT) are counted
// by inclusion-exclusion over the terms of their DNF (residual.go): each
// of the 2^terms - 1 expanded queries has single-table filters only and
// is counted as above. A sub-plan counts the residuals whose occurrences
// it contains. Group counts add up over the terms when every two terms
// force different constants on a grouping key (TPC-H Q7); other grouped
// queries with residuals are ErrBadQuery.
//
// Outer joins and subqueries (semijoin.go). A LEFT JOIN's attach edge is
// a tree edge on which a row that matches nothing keeps its weight (one
// NULL-extended row): the child's message m becomes max(m, 1), and the
// root is a preserved occurrence. A semi-join, anti-join or scalar
// subquery is decorrelated into a filter of its occurrence: the subquery is
// counted by the same engine, its exposing occurrence's rows keep their
// join multiplicity (the root weights of a pass rooted there), and both
// sides' correlation columns share one dense id space (as join keys), so
// EXISTS / NOT EXISTS / NOT IN (with its NULL rule) and per-group
// aggregates are array look-ups, linear in the rows of both sides. A
// subquery's own GROUP BY ... HAVING (TPC-H Q18) groups those weighted
// rows by its keys and correlation columns and gives the rows of failing
// groups weight 0 (subgroup.go); a HAVING threshold that is a scalar
// subquery (Q11) is evaluated once the same way (havingsub.go).
//
// Derived relations (derived.go). A grouped derived table or CTE
// (features.DerivedRel) is materialised as a table of its groups (key
// values carried through the group plan as extra aggregates, HAVING
// applied), and the enclosing query is counted over the DB extended with
// it, like any query.
//
// A Counter caches query-independent work (NULL bitmaps, dictionary
// translations) and is safe for concurrent use; Count and CountSubPlans
// are one-shot shorthands.
package engine
