// Package workload generates random query workloads over an in-memory
// database and labels them with exact counts, as querylog records (the
// JSON Lines log that estimators train on; reading and writing it is
// package querylog's job).
//
//	catalog.Schema ──JoinGraphFromSchema──┐
//	[]*features.Query ─JoinGraphFromQueries┴─► JoinGraph
//	                                             │
//	          datasets.DB + Options + *rand.Rand ▼
//	                                         Generate ──► []*features.Query
//	                                                            │
//	                        engine.Counter (shared, N workers)  ▼
//	                                          Label ──► []querylog.Record ──► querylog.Writer
//
// Generation follows the usual recipe of learned-estimator benchmarks
// (Kipf et al., "Learned Cardinalities", CIDR 2019; the JOB-light style
// workloads of Yang et al., NeuroCard, VLDB 2021): a random connected walk
// over the join graph picks 0..MaxJoins joins, each step adding a new table
// occurrence, so a table may appear twice (a self join through a
// many-to-many edge such as airports(city, state), or two foreign keys to
// one table such as flights.origin and flights.destination to airports).
// Then one tuple of the (unfiltered) join is drawn by following the join
// keys from a random row, and 1..MaxPreds predicates of every kind the
// query model supports (=, <>, <, <=, >, >=, BETWEEN, IN, NOT IN, IS [NOT]
// NULL, LIKE 'x%' / '%x%', NOT LIKE, OR of two atoms, NOT) take their
// literals from that tuple, so most results are non-empty; a few literals
// (Options.OutOfRange) lie outside the column's values and some
// predicates exclude their own tuple, giving empty results too.
//
// Options.Snowflake keeps only walks in which every occurrence is the
// referenced side of at most one join: on foreign keys, TPC-H-like
// snowflakes hanging from one root (lineitem -> orders -> customer ->
// nation -> region beside lineitem -> supplier -> nation -> region), whose
// results are no larger than the root table. For 4 to 10 tables set
// MinJoins 3 and MaxJoins 9 (a query of n tables has n-1 joins):
//
//	g := workload.JoinGraphFromSchema(tpch.Schema)
//	qs, err := workload.Generate(ctx, tpch, g, workload.Options{
//		Queries: 500, MinJoins: 3, MaxJoins: 9, Snowflake: true}, rng)
package workload
