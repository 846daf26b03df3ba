package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunParse(t *testing.T) {
	ctx := context.Background()
	var out, errb bytes.Buffer
	err := runParse(ctx, []string{"--dataset", "flights", "--format", "jsonl",
		"SELECT COUNT(*) FROM flights f JOIN airports a ON a.iata = f.origin WHERE a.state = 'CA' AND f.delay > 15",
		"SELECT * FROM flights f WHERE f.delay > ANY (SELECT delay FROM flights)",
	}, &out, &errb)
	if !errors.Is(err, errNotUnderstood) {
		t.Fatalf("err = %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	var ok struct {
		SQL     string
		Tables  []struct{ Name, Alias string }
		Joins   []string
		Filters []struct{ Alias, Expr string }
		Digest  string
		Error   any
	}
	if err := json.Unmarshal([]byte(lines[0]), &ok); err != nil {
		t.Fatal(err)
	}
	if len(ok.Tables) != 2 || ok.Tables[1].Name != "airports" || len(ok.Joins) != 1 || ok.Joins[0] != "f.origin = a.iata" ||
		len(ok.Filters) != 2 || ok.Filters[0].Expr != "f.delay > 15" || ok.Digest == "" || ok.Error != nil {
		t.Errorf("first line: %s", lines[0])
	}
	var bad struct {
		SQL   string
		Error struct {
			Message, Construct string
			Line, Col          int
		}
	}
	if err := json.Unmarshal([]byte(lines[1]), &bad); err != nil {
		t.Fatal(err)
	}
	if bad.Error.Construct != "ANY/ALL subquery" || bad.Error.Line != 1 || bad.Error.Col != 31 || !strings.Contains(bad.Error.Message, "unsupported ANY/ALL subquery") {
		t.Errorf("second line: %s", lines[1])
	}
}

func TestRunParseFiles(t *testing.T) {
	dir := t.TempDir()
	schema := filepath.Join(dir, "schema.sql")
	queries := filepath.Join(dir, "q.sql")
	if err := os.WriteFile(schema, []byte("CREATE TABLE t (id INT PRIMARY KEY, x VARCHAR(10));\nCREATE TABLE u (t_id INT, y DATE);"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(queries, []byte("SELECT * FROM t WHERE x = 'a;b';\n\nSELECT * FROM t, u\n  WHERE t.id = u.t_id AND u.y >= '2024-01-01';"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if err := runParse(context.Background(), []string{"--schema", schema, "--in", queries, "--format", "jsonl"}, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	want := []string{
		`{"sql":"SELECT * FROM t WHERE x = 'a;b'","source":"` + queries + `:1","tables":[{"name":"t","alias":"t"}],"joins":[],"filters":[{"alias":"t","expr":"t.x = 'a;b'"}],"digest":`,
		`{"sql":"SELECT * FROM t, u\n  WHERE t.id = u.t_id AND u.y >= '2024-01-01'","source":"` + queries + `:3","tables":[{"name":"t","alias":"t"},{"name":"u","alias":"u"}],"joins":["t.id = u.t_id"],"filters":[{"alias":"u","expr":"u.y >= '2024-01-01'"}],"digest":`,
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(want) {
		t.Fatalf("output:\n%s", out.String())
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], strings.ReplaceAll(want[i], "\n", `\n`)) {
			t.Errorf("line %d:\n got %s\nwant %s...", i+1, lines[i], want[i])
		}
	}
}

func TestRunParseUsageErrors(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{
		{"SELECT 1"},                                        // no schema
		{"--dataset", "nope", "SELECT 1"},                   // unknown dataset
		{"--dataset", "flights"},                            // no statements
		{"--schema", "/nonexistent/schema.sql", "SELECT 1"}, // unreadable
		{"--dataset", "flights", "--bogus"},                 // bad flag
	} {
		var out, errb bytes.Buffer
		if err := runParse(ctx, args, &out, &errb); err == nil || errors.Is(err, errNotUnderstood) {
			t.Errorf("%q: err = %v", args, err)
		}
		if out.Len() != 0 {
			t.Errorf("%q: wrote to stdout: %s", args, out.String())
		}
	}
}
