package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/estimator"
)

// genLog writes a labelled flights log with runGen.
func genLog(t *testing.T, path string, queries, seed string, subplans bool) {
	t.Helper()
	args := []string{"--dataset", "flights", "--queries", queries, "--seed", seed, "--out", path}
	if subplans {
		args = append(args, "--subplans")
	}
	var stdout, stderr bytes.Buffer
	if err := runGen(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("gen: %v\n%s", err, stderr.String())
	}
}

// train -> estimate -> eval on the bundled flights data.
func TestTrainEstimateEval(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	trainLog, testLog, model := filepath.Join(dir, "train.jsonl"), filepath.Join(dir, "test.jsonl"), filepath.Join(dir, "m.model")
	genLog(t, trainLog, "400", "1", true)
	genLog(t, testLog, "150", "2", false)

	var stdout, stderr bytes.Buffer
	err := runTrain(ctx, []string{"--dataset", "flights", "--log", trainLog, "--model", "gbdt", "--trees", "60", "--out", model}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("train: %v\n%s", err, stderr.String())
	}
	if strings.ContainsRune(stderr.String(), '\r') {
		t.Errorf("train wrote a \\r frame to a log: %q", stderr.String())
	}
	for _, want := range []string{"400 queries", "] gbdt ", "train rmse(log)", "trees kept", "trained gbdt"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("train stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if !strings.Contains(stdout.String(), "wrote "+model) {
		t.Errorf("train stdout: %s", stdout.String())
	}

	// One query on the command line, text output.
	stdout.Reset()
	sql := "SELECT COUNT(*) FROM flights WHERE delay > 60"
	if err := runEstimate(ctx, []string{"--model", model, sql}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if f := strings.Split(strings.TrimSpace(stdout.String()), "\t"); len(f) != 4 || f[2] != "gbdt" || f[3] != sql {
		t.Errorf("text output %q", stdout.String())
	}

	// A file with a bad line: the run goes on, the bad line gets an error.
	in := filepath.Join(dir, "q.sql")
	lines := "# comment\n" + sql + "\nSELECT COUNT(*) FROM nowhere\n{\"sql\":\"SELECT COUNT(*) FROM airports\"}\n"
	if err := os.WriteFile(in, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	if err := runEstimate(ctx, []string{"--model", model, "--in", in, "--format", "jsonl", "--keep-going"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	var outs []estimateResult
	dec := json.NewDecoder(&stdout)
	for dec.More() {
		var l estimateResult
		if err := dec.Decode(&l); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, l)
	}
	if len(outs) != 3 {
		t.Fatalf("%d output lines, want 3", len(outs))
	}
	if outs[0].Rows == nil || *outs[0].Rows <= 0 || outs[0].Error != "" || outs[0].Line != 2 {
		t.Errorf("line 2: %+v", outs[0])
	}
	if outs[1].Error == "" || outs[1].Rows != nil || outs[1].Line != 3 {
		t.Errorf("bad line: %+v", outs[1])
	}
	// airports is fully sampled: a single-table count is exact.
	if outs[2].Rows == nil || *outs[2].Rows != 3376 {
		t.Errorf("airports: %+v", outs[2])
	}
	if !strings.Contains(stderr.String(), "1 statements could not be estimated") {
		t.Errorf("stderr: %s", stderr.String())
	}
	// A record that is not JSON, in text format: a text error line.
	if err := os.WriteFile(in, []byte("{\"sql\": 1}\n"+sql+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	if err := runEstimate(ctx, []string{"--model", model, "--in", in, "--keep-going"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	text := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(text) != 2 || !strings.HasPrefix(text[0], "error\tline 1: bad query-log record: ") || !strings.HasSuffix(text[1], "\tgbdt\t"+sql) ||
		!strings.Contains(stderr.String(), "1 statements could not be estimated") {
		t.Errorf("text output with a bad record:\n%s\nstderr: %s", stdout.String(), stderr.String())
	}

	// Exit codes: a failed statement stops estimate with exit 1 after its
	// error result; --keep-going goes on and exits 0. --format json is one
	// array holding every result.
	bad := "SELECT * FROM nowhere"
	for _, tc := range []struct {
		args    []string
		code, n int
	}{
		{[]string{"estimate", "--model", model, sql, bad, sql}, exitFailure, 2},
		{[]string{"estimate", "--model", model, "--keep-going", sql, bad, sql}, exitOK, 3},
		{[]string{"estimate", "--model", model, "--keep-going", "--format", "json", sql, bad, sql}, exitOK, 3},
	} {
		stdout.Reset()
		stderr.Reset()
		if code := run(ctx, tc.args, &stdout, &stderr); code != tc.code {
			t.Errorf("%q: exit %d, want %d: %s", tc.args, code, tc.code, stderr.String())
		}
		n := strings.Count(stdout.String(), "\n")
		if tc.args[len(tc.args)-4] == "json" {
			var arr []estimateResult
			if err := json.Unmarshal(stdout.Bytes(), &arr); err != nil {
				t.Fatalf("--format json: %v\n%s", err, stdout.String())
			}
			n = len(arr)
		}
		if n != tc.n {
			t.Errorf("%q: %d results, want %d:\n%s", tc.args, n, tc.n, stdout.String())
		}
	}

	// eval --format json: the same figures as the text table.
	stdout.Reset()
	if err := runEval(ctx, []string{"--model", model, "--log", testLog, "--format", "json"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	var rep evalReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Model != "gbdt" || rep.Queries != 150 || rep.Overall.N != 150 || rep.Histogram.Overall.N != 150 {
		t.Errorf("report %+v", rep)
	}
	n := 0
	for _, s := range rep.ByJoins {
		n += s.N
	}
	if n != 150 {
		t.Errorf("by-joins counts sum to %d", n)
	}
	if !(rep.Overall.P95 < rep.Histogram.Overall.P95) {
		t.Errorf("gbdt p95 %v not better than histogram %v", rep.Overall.P95, rep.Histogram.Overall.P95)
	}
	stdout.Reset()
	if err := runEval(ctx, []string{"--model", model, "--log", testLog}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "median") || !strings.Contains(stdout.String(), "histogram") {
		t.Errorf("eval table:\n%s", stdout.String())
	}
}

func TestModelCommandErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	for _, args := range [][]string{{}, {"--log", "x"}, {"--model", "nope", "--log", "x", "--out", "y", "--dataset", "flights"}} {
		if err := runTrain(ctx, args, &stdout, &stderr); err == nil {
			t.Errorf("train %v: no error", args)
		}
	}
	// An unknown --model is refused as such (not only for a missing log).
	logPath := filepath.Join(dir, "l.jsonl")
	genLog(t, logPath, "20", "1", false)
	err := runTrain(ctx, []string{"--model", "nope", "--log", logPath, "--out", filepath.Join(dir, "y"), "--dataset", "flights"}, &stdout, &stderr)
	if !errors.Is(err, errUsage) || !errors.Is(err, estimator.ErrKind) {
		t.Errorf("train --model nope: %v", err)
	}
	if err := runEstimate(ctx, []string{"--model", "m"}, &stdout, &stderr); !errors.Is(err, errUsage) {
		t.Errorf("estimate without a query: %v", err)
	}
	bad := filepath.Join(dir, "bad.model")
	if err := os.WriteFile(bad, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runEstimate(ctx, []string{"--model", bad, "SELECT 1"}, &stdout, &stderr); !errors.Is(err, estimator.ErrBadMagic) {
		t.Errorf("foreign model file: %v", err)
	}
	if err := runEval(ctx, []string{"--model", bad, "--log", bad, "--format", "xml"}, &stdout, &stderr); !errors.Is(err, errUsage) {
		t.Errorf("eval --format xml: %v", err)
	}
}

// --sample-size is not the sample size of every table: facts meeting at a
// shared dimension get catalog.SharedKeySampleFactor times as many rows,
// and the help says so.
func TestTrainSampleSizeHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := runTrain(context.Background(), []string{"-h"}, &stdout, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("train -h: %v", err)
	}
	help := stdout.String() + stderr.String()
	i := strings.Index(help, "--sample-size")
	if i < 0 {
		t.Fatalf("no --sample-size in the help:\n%s", help)
	}
	if !strings.Contains(help[i:], "shared dimension get 3x") {
		t.Errorf("--sample-size help does not say that facts on a shared dimension get 3x the rows:\n%s", help[i:])
	}
}
