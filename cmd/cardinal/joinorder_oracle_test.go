package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

// TestEvalJoinorderFlags: --server-oracle needs a server and a
// non-negative count, --max-result a non-negative bound, the guard's
// thresholds finite numbers.
func TestEvalJoinorderFlags(t *testing.T) {
	ctx := context.Background()
	// Small, so that a missing check fails fast (exit 1 at the server,
	// not 2) rather than after minutes of training.
	small := []string{"--train", "5", "--test", "5", "--estimator-queries", "20", "--epochs", "1"}
	for _, args := range [][]string{
		{"eval-joinorder", "--dataset", "flights", "--server-oracle", "2"},
		// Non-finite guard thresholds are refused before the preparation
		// (ServerBench refused them only after it).
		{"eval-joinorder", "--dataset", "flights", "--server", "x:y@tcp(127.0.0.1:1)/d", "--server-min-cost", "NaN"},
		{"eval-joinorder", "--dataset", "flights", "--server", "x:y@tcp(127.0.0.1:1)/d", "--server-guard", "Inf"},
		{"eval-joinorder", "--dataset", "flights", "--server", "x:y@tcp(127.0.0.1:1)/d", "--server-min-saving", "-Inf"},
		{"eval-joinorder", "--dataset", "flights", "--server", "x:y@tcp(127.0.0.1:1)/d", "--server-oracle", "-1"},
		{"eval-joinorder", "--dataset", "flights", "--max-result", "-5"},
	} {
		args = append(args, small...)
		var out, errb bytes.Buffer
		if code := run(ctx, args, &out, &errb); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (usage): %s", args, code, exitUsage, errb.String())
		}
	}
}

// TestEvalJoinorderOracleLive: eval-joinorder --server --server-oracle on
// TPC-H 0.01 times the server's plan, ours and two more candidate
// orders of 4 held-out queries (bounded by --max-result); the JSON
// carries the oracle report, whose fastest-per-query total is at most
// the server's and ours and whose candidates counted the same rows; the
// server's own cost of its plan is read with its order.
func TestEvalJoinorderOracleLive(t *testing.T) {
	dsn := testServer(t)
	ctx := context.Background()
	var out, errb bytes.Buffer
	args := []string{"eval-joinorder", "--dataset", "tpch", "--scale", "0.01", "--server", dsn, "--cost", "mariadb", "--snowflake",
		"--implied-joins", "--train", "10", "--test", "4", "--max-tables", "5", "--estimator-queries", "50", "--epochs", "1",
		"--max-result", "20000", "--server-queries", "4", "--server-limit", "20s", "--server-oracle", "2", "--format", "json"}
	if code := run(ctx, args, &out, &errb); code != 0 {
		t.Fatalf("eval-joinorder: exit %d: %s", code, errb.String())
	}
	var ev struct {
		Server *struct {
			Queries []struct {
				Count      int64   `json:"count"`
				ServerCost float64 `json:"server_cost"`
			} `json:"queries"`
		} `json:"server"`
		Oracle *struct {
			Queries []struct {
				Candidates []struct {
					Source string `json:"source"`
				} `json:"candidates"`
			} `json:"queries"`
			ServerTotalMS float64 `json:"server_total_ms"`
			OursTotalMS   float64 `json:"ours_total_ms"`
			OracleTotalMS float64 `json:"oracle_total_ms"`
			SameCount     bool    `json:"same_count"`
		} `json:"oracle"`
	}
	if err := json.Unmarshal(out.Bytes(), &ev); err != nil || ev.Server == nil || ev.Oracle == nil {
		t.Fatalf("json %v: %s", err, out.String())
	}
	o := ev.Oracle
	if len(o.Queries) != 4 || !o.SameCount || o.OracleTotalMS > o.ServerTotalMS || o.OracleTotalMS > o.OursTotalMS {
		t.Fatalf("oracle report %+v", *o)
	}
	costs := 0
	for i, q := range ev.Server.Queries {
		if q.Count > 20000 {
			t.Errorf("query %d counts %d rows, over --max-result 20000", i, q.Count)
		}
		if q.ServerCost > 0 {
			costs++
		}
	}
	if costs == 0 {
		t.Error("no query carries the server's own cost of its plan (Last_query_cost)")
	}
	for i, q := range o.Queries {
		if len(q.Candidates) < 2 || q.Candidates[0].Source != "server" || q.Candidates[1].Source != "ours" {
			t.Errorf("query %d: candidates %+v", i, q.Candidates)
		}
	}
}
