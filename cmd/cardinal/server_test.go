package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql"
)

// testServer returns the DSN of the test server: skipped locally without
// one, a failure in CI.
func testServer(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("CARDINAL_TEST_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but CARDINAL_TEST_DSN is empty")
		}
		t.Skip("CARDINAL_TEST_DSN is empty: no server")
	}
	return dsn
}

// TestServerBaselineLive puts the same two tables on the server and in
// CSV files, and checks that eval --dsn scores the server's optimizer on
// every query of the log, and that explain --dsn --analyze shows the
// server's estimate and true counts equal to the engine's.
func TestServerBaselineLive(t *testing.T) {
	dsn := testServer(t)
	ctx := context.Background()
	admin, err := sql.Open("mysql", dsn) // the test's own write path
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	dir := t.TempDir()
	schema := "CREATE TABLE cli_srv_dim (k INT PRIMARY KEY, grp INT NOT NULL);\n" +
		"CREATE TABLE cli_srv_fact (id INT PRIMARY KEY, k INT NOT NULL, v INT NOT NULL);\n"
	var dim, fact strings.Builder
	var dimRows, factRows []string
	dim.WriteString("k,grp\n")
	for k := 0; k < 50; k++ {
		fmt.Fprintf(&dim, "%d,%d\n", k, k%7)
		dimRows = append(dimRows, fmt.Sprintf("(%d,%d)", k, k%7))
	}
	fact.WriteString("id,k,v\n")
	for id := 0; id < 3000; id++ {
		k, v := (id*id)%50, (id*31)%97
		fmt.Fprintf(&fact, "%d,%d,%d\n", id, k, v)
		factRows = append(factRows, fmt.Sprintf("(%d,%d,%d)", id, k, v))
	}
	for name, body := range map[string]string{"schema.sql": schema, "cli_srv_dim.csv": dim.String(), "cli_srv_fact.csv": fact.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, stmt := range []string{
		"DROP TABLE IF EXISTS cli_srv_fact", "DROP TABLE IF EXISTS cli_srv_dim",
		strings.Split(schema, ";")[0], strings.Split(schema, ";")[1],
		"INSERT INTO cli_srv_dim VALUES " + strings.Join(dimRows, ","),
		"INSERT INTO cli_srv_fact VALUES " + strings.Join(factRows, ","),
		"ANALYZE TABLE cli_srv_dim, cli_srv_fact",
	} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	defer admin.ExecContext(ctx, "DROP TABLE IF EXISTS cli_srv_fact, cli_srv_dim")

	schemaFile := filepath.Join(dir, "schema.sql")
	logFile, model := filepath.Join(dir, "log.jsonl"), filepath.Join(dir, "m.model")
	mustRun := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(ctx, args, &out, &errb); code != exitOK {
			t.Fatalf("cardinal %q: exit %d\n%s", args, code, errb.String())
		}
		if strings.Contains(errb.String(), "card1nal-ci-pw") {
			t.Errorf("cardinal %q printed the password", args)
		}
		return out.String()
	}
	mustRun("gen", "--schema", schemaFile, "--queries", "60", "--max-joins", "1", "--seed", "3", "--out", logFile)
	mustRun("train", "--schema", schemaFile, "--log", logFile, "--model", "histogram", "--out", model)

	var rep evalReport
	if err := json.Unmarshal([]byte(mustRun("eval", "--model", model, "--log", logFile, "--dsn", dsn, "--format", "json")), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Baselines) != 1 || !strings.HasPrefix(rep.Baselines[0].Name, "explain-") || rep.Baselines[0].Overall.N != rep.Queries || rep.Queries != 60 {
		t.Fatalf("eval --dsn: %+v", rep)
	}
	t.Logf("q-error medians: %s %.2f, %s %.2f", rep.Model, rep.Overall.Median, rep.Baselines[0].Name, rep.Baselines[0].Overall.Median)

	query := "SELECT * FROM cli_srv_fact f JOIN cli_srv_dim d ON f.k = d.k WHERE d.grp = 3 AND f.v < 40"
	var byServer, byEngine explainResult
	if err := json.Unmarshal([]byte(mustRun("explain", "--model", model, "--dsn", dsn, "--analyze", "--format", "json", query)), &byServer); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(mustRun("explain", "--model", model, "--schema", schemaFile, "--format", "json", query)), &byEngine); err != nil {
		t.Fatal(err)
	}
	if len(byServer.Plans) != 3 || len(byEngine.Plans) != 3 || byServer.TrueSource != "server" || byEngine.TrueSource != "engine" {
		t.Fatalf("plans: %+v\n%+v", byServer, byEngine)
	}
	for i, p := range byServer.Plans {
		e := byEngine.Plans[i]
		if p.TrueRows == nil || e.TrueRows == nil || *p.TrueRows != *e.TrueRows || p.ServerRows == nil || p.ServerQError == nil {
			t.Errorf("plan %v: server %+v, engine %+v", p.Tables, p, e)
		}
		if p.Rows != e.Rows {
			t.Errorf("plan %v: the model's estimate differs between runs: %v, %v", p.Tables, p.Rows, e.Rows)
		}
	}
	text := mustRun("explain", "--model", model, "--dsn", dsn, "--analyze", query)
	if !strings.Contains(text, "true counts: server; server estimates: explain-") || !strings.Contains(text, "  f ") {
		t.Errorf("explain text:\n%s", text)
	}
}
