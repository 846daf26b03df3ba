// Package jobqueries holds the 113 queries of the Join Order Benchmark
// (JOB: Leis, Gubichev, Mirchev, Boncz, Kemper, Neumann, "How Good Are
// Query Optimizers, Really?", PVLDB 9(3), VLDB 2015) over the IMDB schema,
// named 1a ... 33c as in JOB. The text is the one
// github.com/dolthub/go-mysql-server v0.20.0 holds in
// enginetest/queries/imdb_plans.go (Apache License 2.0, Copyright
// Dolthub, Inc.), extracted by internal/extract from the Go module cache
// into queries.sql, which is what the package embeds (the module is not a
// dependency):
//
//	module cache: imdb_plans.go ─► go generate (internal/extract: go/parser,
//	      file-name order 10a..9d renamed, templates checked) ─► queries.sql
//	queries.sql ─► Queries() ─► features.Parse (features/testdata/job/parse.txt)
//	                        └─► engine = MariaDB, histogram / sample over a synthetic
//	                            IMDB (datasets/jobdata)
//
// JOB's queries are the classic stress test of a cardinality estimator:
// 3 to 16 joins of a real, skewed, correlated database, with LIKE, IN
// lists, ORs inside a table and self-joins of dimension tables. Cardinal
// has no IMDB data, so the tests check what holds without it: every
// query is read into the query model (features/job_test.go); a catalog of
// the schema alone is refused by the baselines with a typed error rather
// than guessed from; and on a small synthetic IMDB of the same schema
// (datasets/jobdata) the engine's counts of all 113 equal the server's
// (datasets/engine/job_live_test.go) and the histogram and sample
// baselines estimate each finitely (estimator/job_test.go,
// BenchmarkJOBHistogram).
package jobqueries
