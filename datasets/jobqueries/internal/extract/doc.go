// Package main is the command extract. It writes ../../queries.sql: the
// 113 queries of the Join
// Order Benchmark (Leis et al., "How Good Are Query Optimizers, Really?",
// VLDB 2015) as github.com/dolthub/go-mysql-server v0.20.0 holds them in
// enginetest/queries/imdb_plans.go (ImdbPlanTests, Apache License 2.0,
// Copyright Dolthub, Inc.). It reads that file from the Go module cache
// (go mod download github.com/dolthub/go-mysql-server@v0.20.0; the module
// is not a dependency of Cardinal) with go/parser, so nothing of it is
// compiled or imported:
//
//	go generate ./datasets/jobqueries      # from the repository root
//
// The source lists the queries in the lexicographic order of JOB's file
// names (10a.sql, 10b.sql, ..., 19d.sql, 1a.sql, ..., 9d.sql); extract
// names them by that order and writes them in JOB's own order (1a, 1b,
// ..., 33c). The naming is checked here (every template's queries share
// their SELECT list, consecutive templates differ) and by the package's
// tests against the queries' known content.
package main
