package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestJoinorderCommands trains an estimator and an agent on flights, plans
// a query with each method and evaluates in JSON.
func TestJoinorderCommands(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	model, agent := filepath.Join(dir, "f.model"), filepath.Join(dir, "f.agent")
	var out, errb bytes.Buffer
	log := filepath.Join(dir, "t.jsonl")
	if code := run(ctx, []string{"gen", "--dataset", "flights", "--queries", "50", "--out", log}, &out, &errb); code != 0 {
		t.Fatalf("gen: %s", errb.String())
	}
	if code := run(ctx, []string{"train", "--dataset", "flights", "--log", log, "--model", "histogram", "--out", model}, &out, &errb); code != 0 {
		t.Fatalf("train: %s", errb.String())
	}
	errb.Reset()
	if code := run(ctx, []string{"train-joinorder", "--dataset", "flights", "--model", model, "--train", "30", "--max-tables", "6", "--out", agent}, &out, &errb); code != 0 {
		t.Fatalf("train-joinorder: %s", errb.String())
	}
	sql := "SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata JOIN airports b ON f.destination = b.iata JOIN routes r ON r.origin = a.iata WHERE a.state = 'CA'"
	for _, method := range []string{"dpccp", "leftdeep", "goo", "agent"} {
		out.Reset()
		errb.Reset()
		if code := run(ctx, []string{"joinorder", "--model", model, "--agent", agent, "--method", method, "--cost", "mysql", sql}, &out, &errb); code != 0 {
			t.Fatalf("joinorder %s: %s", method, errb.String())
		}
		for _, want := range []string{"JOIN_ORDER(", "STRAIGHT_JOIN", "rows=", "cost="} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("joinorder %s output lacks %q:\n%s", method, want, out.String())
			}
		}
	}
	out.Reset()
	if code := run(ctx, []string{"joinorder", "--model", model, "--format", "json", sql}, &out, &errb); code != 0 {
		t.Fatalf("joinorder json: %s", errb.String())
	}
	var jo struct {
		Plan struct {
			Order []string `json:"order"`
		} `json:"plan"`
		MariaDB string `json:"mariadb"`
	}
	if err := json.Unmarshal(out.Bytes(), &jo); err != nil || len(jo.Plan.Order) != 4 || jo.MariaDB == "" {
		t.Fatalf("joinorder json %v: %s", err, out.String())
	}
	out.Reset()
	errb.Reset()
	if code := run(ctx, []string{"eval-joinorder", "--dataset", "flights", "--model", model, "--agent", agent, "--test", "20", "--max-tables", "6", "--format", "json"}, &out, &errb); code != 0 {
		t.Fatalf("eval-joinorder: %s", errb.String())
	}
	var ev struct {
		Methods []map[string]any `json:"methods"`
	}
	if err := json.Unmarshal(out.Bytes(), &ev); err != nil || len(ev.Methods) != 7 {
		t.Fatalf("eval json %v: %s", err, out.String())
	}
	for _, m := range ev.Methods {
		for _, k := range []string{"method", "geomean", "p95", "max", "planning_us_median"} {
			if _, ok := m[k]; !ok {
				t.Errorf("eval row lacks %q: %v", k, m)
			}
		}
	}
	// Errors: no model, bad method, wrong agent file.
	for _, args := range [][]string{
		{"joinorder", sql},
		{"joinorder", "--model", model, "--method", "nope", sql},
		{"joinorder", "--model", model, "--agent", model, sql},
	} {
		if code := run(ctx, args, &out, &errb); code == 0 {
			t.Errorf("%v succeeded", args)
		}
	}
}
