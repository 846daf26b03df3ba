package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// TestRunCountGroups checks that count says what it counted: a grouping
// query prints its groups beside the rows of FROM + WHERE (text) and has
// "groups" and "counted" in JSON, equal to the engine's.
func TestRunCountGroups(t *testing.T) {
	ctx := context.Background()
	const grouped = "SELECT a.state, COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata WHERE f.delay > 15 GROUP BY a.state HAVING COUNT(*) > 10"
	const plain = "SELECT COUNT(*) FROM flights WHERE delay > 15"
	db := testutil.Flights(t)
	q, err := features.Parse(db.Schema, grouped)
	testutil.Must(t, err)
	want, err := engine.CountGroups(ctx, db, q)
	testutil.Must(t, err)
	if want.Groups == 0 || want.Groups >= want.Rows {
		t.Fatalf("test query is degenerate: %+v", want)
	}

	var stdout, stderr bytes.Buffer
	if err := runCount(ctx, []string{"--dataset", "flights", grouped, plain}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("output:\n%s", stdout.String())
	}
	if got := lines[0]; got != strings.TrimSpace(strings.Join([]string{itoa(want.Groups), "groups (" + itoa(want.Rows), "rows of FROM + WHERE)"}, " ")) {
		t.Errorf("grouped line %q, want %d groups of %d rows", got, want.Groups, want.Rows)
	}

	stdout.Reset()
	if err := runCount(ctx, []string{"--dataset", "flights", "--format", "jsonl", grouped, plain}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var res []countResult
	for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var r countResult
		testutil.Must(t, json.Unmarshal([]byte(l), &r))
		res = append(res, r)
	}
	if len(res) != 2 || res[0].Groups == nil || *res[0].Groups != want.Groups || res[0].Rows != want.Rows || res[0].Counted != "groups" {
		t.Errorf("grouped JSON %+v, want %+v", res[0], want)
	}
	if res[1].Groups != nil || res[1].Counted != "rows" {
		t.Errorf("plain JSON %+v", res[1])
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestEstimateExplainGroups checks that estimate and explain say what they
// estimated: a grouping query has its groups (and, in explain with an
// engine, its true groups) beside the rows of FROM + WHERE.
func TestEstimateExplainGroups(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	logPath, model := dir+"/l.jsonl", dir+"/h.model"
	genLog(t, logPath, "5", "1", false)
	var stderr bytes.Buffer
	if err := runTrain(ctx, []string{"--dataset", "flights", "--log", logPath, "--model", "histogram", "--out", model}, &bytes.Buffer{}, &stderr); err != nil {
		t.Fatalf("train: %v\n%s", err, stderr.String())
	}
	const grouped = "SELECT a.state FROM flights f JOIN airports a ON f.origin = a.iata GROUP BY a.state"
	var stdout bytes.Buffer
	if err := runEstimate(ctx, []string{"--model", model, "--format", "jsonl", grouped, "SELECT COUNT(*) FROM airports"}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var res []estimateResult
	for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var r estimateResult
		testutil.Must(t, json.Unmarshal([]byte(l), &r))
		res = append(res, r)
	}
	if len(res) != 2 || res[0].Counted != "groups" || res[0].Groups == nil || res[0].Groups.Groups < 1 || res[0].Groups.Groups > *res[0].Rows {
		t.Fatalf("grouped estimate %+v", res[0])
	}
	if res[1].Counted != "rows" || res[1].Groups != nil {
		t.Errorf("plain estimate %+v", res[1])
	}
	stdout.Reset()
	if err := runEstimate(ctx, []string{"--model", model, grouped}, &stdout, &stderr); err != nil || !strings.Contains(stdout.String(), "    groups ") {
		t.Errorf("text estimate %q, %v", stdout.String(), err)
	}
	stdout.Reset()
	if err := runExplain(ctx, []string{"--model", model, "--dataset", "flights", "--format", "json", grouped}, &stdout, &stderr); err != nil {
		t.Fatalf("explain: %v\n%s", err, stderr.String())
	}
	var ex explainResult
	testutil.Must(t, json.Unmarshal(stdout.Bytes(), &ex))
	db := testutil.Flights(t)
	q, err := features.Parse(db.Schema, grouped)
	testutil.Must(t, err)
	want, err := engine.CountGroups(ctx, db, q)
	testutil.Must(t, err)
	if ex.Counted != "groups" || ex.Groups == nil || ex.TrueGroups == nil || *ex.TrueGroups != want.Groups {
		t.Errorf("explain %+v %+v, want true groups %d", ex.Groups, ex.TrueGroups, want.Groups)
	}
}
