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

	"github.com/cardinaldb/cardinal/features"
)

func TestRunCount(t *testing.T) {
	ctx := context.Background()
	var stdout, stderr bytes.Buffer
	err := runCount(ctx, []string{"--dataset", "flights", "--subplans",
		"SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata WHERE a.state = 'CA' AND f.delay > 15",
		"SELECT * FROM airports WHERE state IS NULL",
	}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	// count, f, a, f+a, then the second count and its one sub-plan.
	if len(lines) != 6 {
		t.Fatalf("output:\n%s", stdout.String())
	}
	if strings.TrimSpace(lines[3]) != "f,a\t"+lines[0] {
		t.Errorf("full sub-plan line %q does not repeat the count %q", lines[3], lines[0])
	}
	if strings.TrimSpace(lines[1]) == "" || !strings.HasPrefix(strings.TrimSpace(lines[2]), "a\t") {
		t.Errorf("sub-plan lines: %q", lines[1:4])
	}
	if strings.TrimSpace(lines[5]) != "airports\t"+lines[4] {
		t.Errorf("single-table sub-plan %q vs count %q", lines[5], lines[4])
	}

	// Errors: no query, a parse error with its position.
	if err := runCount(ctx, []string{"--dataset", "flights"}, &stdout, &stderr); !errors.Is(err, errNoQuery) {
		t.Errorf("no query: %v", err)
	}
	err = runCount(ctx, []string{"--dataset", "flights", "SELECT * FROM flights WHERE nope = 1"}, &stdout, &stderr)
	if !errors.Is(err, features.ErrUnknownColumn) || !strings.Contains(err.Error(), "line 1:") {
		t.Errorf("unknown column: %v", err)
	}
}

// TestRunCountSchemaDir counts over --schema FILE without --data: the CSV
// files are read from the schema's directory.
func TestRunCountSchemaDir(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "schema.sql"), []byte("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL);\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "t.csv"), []byte("id,v\n1,5\n2,7\n3,7\n"), 0o644))
	var stdout, stderr bytes.Buffer
	err := runCount(context.Background(), []string{"--schema", filepath.Join(dir, "schema.sql"), "SELECT * FROM t WHERE v = 7"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if got := strings.TrimSpace(stdout.String()); got != "2" {
		t.Errorf("count = %q, want 2", got)
	}
}

// TestCountJSONOnFailure: a failing statement still leaves --format json
// one valid array (of the results before it), and exits 1.
func TestCountJSONOnFailure(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"count", "--dataset", "flights", "--format", "json",
		"SELECT * FROM airports WHERE state = 'TX'", "SELECT * FROM nowhere"}, &out, &errb)
	var res []countResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || code != exitFailure || len(res) != 1 || res[0].Rows != 209 {
		t.Errorf("exit %d, %v, results %+v\n%s", code, err, res, out.String())
	}
}
