package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/cardinaldb/cardinal/querylog"
)

func TestCollectUsageErrors(t *testing.T) {
	const secret = "pa55-w0rd-xyz"
	t.Setenv("CARDINAL_DSN", "u:"+secret+"@tcp(127.0.0.1:9)/db")
	for _, args := range [][]string{
		{"--from", "perfschema"},                          // no --out
		{"--from", "slowlog", "--out", "x.jsonl"},         // no FILE
		{"--from", "nowhere", "--out", "x.jsonl"},         // bad source
		{"--from", "perfschema", "f", "--out", "x"},       // FILE with perfschema
		{"--from", "sql", "a.sql", "b.sql", "--out", "x"}, // two FILEs
		{"--from", "sql", "a.sql", "--out", "x", "--concurrency", "0"},
	} {
		var stdout, stderr bytes.Buffer
		err := runCollect(context.Background(), args, &stdout, &stderr)
		if !errors.Is(err, errCollectUsage) {
			t.Errorf("runCollect(%q) = %v, want errCollectUsage", args, err)
		}
		if strings.Contains(stderr.String()+stdout.String(), secret) {
			t.Errorf("runCollect(%q) printed the password", args)
		}
	}
	var stderr bytes.Buffer
	if err := runCollect(context.Background(), []string{"-h"}, &stderr, &stderr); !errors.Is(err, flag.ErrHelp) || strings.Contains(stderr.String(), secret) {
		t.Errorf("-h: %v, leaks password: %v", err, strings.Contains(stderr.String(), secret))
	}
	// A server that is not there: the error names the DSN without its password.
	err := runCollect(context.Background(), []string{"--from", "perfschema", "--out", filepath.Join(t.TempDir(), "o")}, &stderr, &stderr)
	if err == nil || strings.Contains(err.Error(), secret) || strings.Contains(stderr.String(), secret) {
		t.Errorf("unreachable server: %v", err)
	}
}

// TestCollectCommandLive runs the command twice against the test server
// (see datasets/live): the second run resumes and has nothing to do.
func TestCollectCommandLive(t *testing.T) {
	dsn := os.Getenv("CARDINAL_TEST_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but CARDINAL_TEST_DSN is empty")
		}
		t.Skip("CARDINAL_TEST_DSN is empty: no server")
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	admin, err := sql.Open("mysql", dsn) // the test's own write path
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for _, stmt := range []string{
		"DROP TABLE IF EXISTS cli_collect",
		"CREATE TABLE cli_collect (id INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(20))",
		"INSERT INTO cli_collect SELECT seq, seq % 7, CONCAT('s', seq % 3) FROM seq_1_to_100",
	} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "w.sql")
	work := "SELECT * FROM cli_collect WHERE v = 3;\nSELECT id FROM cli_collect WHERE s = 's1' AND v < 4;\nDELETE FROM cli_collect;\n"
	if err := os.WriteFile(in, []byte(work), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "labels.jsonl")
	args := []string{"--dsn", dsn, "--from", "sql", in, "--out", out, "--timeout", "30s"}
	var stdout, stderr bytes.Buffer
	if err := runCollect(ctx, args, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if cfg.Passwd != "" && strings.Contains(stdout.String()+stderr.String(), cfg.Passwd) {
		t.Errorf("output shows the password")
	}
	if !strings.Contains(stdout.String(), "2 new") || !strings.Contains(stdout.String(), "not a SELECT: DELETE") {
		t.Errorf("report:\n%s", stdout.String())
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := querylog.ReadAll(f)
	f.Close()
	if err != nil || len(recs) != 2 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	// v = 3: ids 3, 10, ..., 94 -> 14 rows; s = 's1' (id%3 = 1) AND v < 4.
	want1 := 0
	for id := 1; id <= 100; id++ {
		if id%3 == 1 && id%7 < 4 {
			want1++
		}
	}
	for _, r := range recs { // in order of completion
		want := int64(14)
		if strings.Contains(r.SQL, "'s1'") {
			want = int64(want1)
		}
		if r.Rows != want {
			t.Errorf("count %d, want %d: %s", r.Rows, want, r.SQL)
		}
	}
	stdout.Reset()
	if err := runCollect(ctx, args, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "0 new, 2 already") || !strings.Contains(stderr.String(), "appending to "+out) {
		t.Errorf("second run report:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	admin.ExecContext(ctx, "DROP TABLE cli_collect")
}
