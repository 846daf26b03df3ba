package engine_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/jobdata"
	"github.com/cardinaldb/cardinal/datasets/jobqueries"
	"github.com/cardinaldb/cardinal/datasets/live"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/server"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// jobLiveLiteralShare is the synthetic data's skew for the server test:
// at the default (0.7) the intermediate results of nested-loop plans on
// the hot keys take the server tens of seconds on some queries; at 0.5
// more than half of the queries still have rows.
const jobLiveLiteralShare = 0.5

// jobStatementLimit is the server's time limit on one JOB statement, in
// seconds (each takes well under a second with the key indexes).
const jobStatementLimit = 60

// jobSelectList is the SELECT list of a JOB query (MIN(...) AS ..., ...):
// JOB's text has no FROM before the query's own.
var jobSelectList = regexp.MustCompile(`(?is)^\s*SELECT\s.*?\sFROM\s`)

// TestJOBAgainstServer counts JOB's 113 queries on the synthetic IMDB
// (datasets/jobdata, seed 1, key indexes) with the engine and with the
// server: JOB's text with its SELECT list replaced by COUNT(*), a rewrite
// independent of the parser, must give the engine's count. (The model's
// rendering, Query.SQL, gave the same 113 counts when checked once; the
// test sends one statement per query to keep CI's time.) Without
// CARDINAL_TEST_DSN the test skips, or fails under CI=true.
func TestJOBAgainstServer(t *testing.T) {
	dsn := os.Getenv(server.EnvTestDSN)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is empty", server.EnvTestDSN)
		}
		t.Skipf("%s is empty: no MySQL/MariaDB server to test against", server.EnvTestDSN)
	}
	b, err := os.ReadFile("../../features/testdata/job_schema.sql")
	testutil.Must(t, err)
	schema, err := catalog.ParseSchema(string(b))
	testutil.Must(t, err)
	// The keys JOB indexes (fkindexes.sql), as foreign keys so that Load
	// indexes them: without them the server joins by scans.
	schema.ForeignKeys = append(schema.ForeignKeys, jobdata.ForeignKeys(schema)...)
	db, err := jobdata.Synthetic(schema, jobdata.Options{Seed: 1, LiteralShare: jobLiveLiteralShare})
	testutil.Must(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	srv, err := server.Open(ctx, dsn, server.Options{Database: "cardinal_job_synthetic_s1_l50_fk"})
	testutil.Must(t, err)
	t.Cleanup(func() { srv.Close() })
	start := time.Now()
	rep, err := srv.Load(ctx, db, server.LoadOptions{ForeignKeyIndexes: true})
	testutil.Must(t, err)
	t.Logf("load: %+v in %v", rep, time.Since(start).Round(time.Millisecond))
	// MariaDB searches join orders exhaustively by default (optimizer_
	// search_depth 62), which takes minutes on JOB's 17-table queries;
	// 0 lets it pick a depth, as MySQL's greedy search does. A statement
	// limit turns a slow plan into a failure instead of a hang.
	prefix := ""
	if srv.Flavour() == live.FlavourMariaDB {
		prefix = fmt.Sprintf("SET STATEMENT optimizer_search_depth = 0, max_statement_time = %d FOR ", jobStatementLimit)
	}
	c := engine.New(db, engine.Options{})
	nonEmpty := 0
	slowest, slowestName := time.Duration(0), ""
	for _, jq := range jobqueries.Queries() {
		q, err := features.Parse(schema, jq.SQL)
		if err != nil {
			t.Errorf("JOB %s: %v", jq.Name, err)
			continue
		}
		got, err := c.Count(ctx, q)
		if err != nil {
			t.Fatalf("JOB %s: %v", jq.Name, err)
		}
		if got > 0 {
			nonEmpty++
		}
		counted := jobSelectList.ReplaceAllString(jq.SQL, "SELECT COUNT(*) FROM ")
		var want int64
		start := time.Now()
		if err := srv.DB().QueryRowContext(ctx, prefix+counted).Scan(&want); err != nil {
			t.Fatalf("JOB %s on the server: %v\n%s", jq.Name, err, counted)
		}
		if d := time.Since(start); d > slowest {
			slowest, slowestName = d, jq.Name
		}
		if got != want {
			t.Errorf("JOB %s: engine %d, server %d\n%s\nmodel: %s", jq.Name, got, want, counted, q.SQL())
		}
	}
	if nonEmpty < jobqueries.Count/2 {
		t.Errorf("only %d of %d JOB queries have rows on the synthetic data", nonEmpty, jobqueries.Count)
	}
	t.Logf("%d JOB queries: engine = server on each, %d non-empty; slowest on the server: %s, %v", jobqueries.Count, nonEmpty, slowestName, slowest.Round(time.Millisecond))
}
