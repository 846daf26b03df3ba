// Package jobdata makes a small synthetic database of the Join Order
// Benchmark's IMDB schema, so that JOB's 113 queries
// (datasets/jobqueries) can be counted, estimated and checked against a
// server without IMDB's data (3.7 GB, not bundled):
//
//	schema (JOB's 21 tables) ─┐
//	jobqueries.Queries() ─────┴─► constants each column is compared with
//	                                 │
//	        Synthetic ◄──────────────┘  ids 1..n; keys skewed to the rows
//	                                    holding JOB's constants; filtered
//	                                    columns draw those constants (LIKE
//	                                    patterns instantiated); 10% NULLs
//
// The data is made up and uniform apart from that skew, so counts and
// estimates on it say whether the engine and the estimators handle JOB's
// shapes (up to 17 tables, cycles, LIKE, IN, OR inside a table, self-
// joins of dimension tables), not how they do on IMDB.
package jobdata
