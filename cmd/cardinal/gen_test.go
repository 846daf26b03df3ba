package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/querylog"
)

// TestRunGen generates a labelled flights log and checks every label
// against the engine, and the summary on stderr.
func TestRunGen(t *testing.T) {
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "f.jsonl")
	var stdout, stderr bytes.Buffer
	err := runGen(ctx, []string{"--dataset", "flights", "--queries", "300", "--seed", "7", "--subplans", "--out", out}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	for _, want := range []string{"300 queries", "empty", "median", "queries/s", "wrote " + out} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := querylog.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 300 {
		t.Fatalf("%d records", len(recs))
	}
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	c := engine.New(db, engine.Options{})
	for i, r := range recs {
		q, err := features.Parse(db.Schema, r.SQL)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		n, err := c.Count(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if n != r.Rows {
			t.Errorf("record %d: label %d, count %d", i, r.Rows, n)
		}
		if len(r.SubPlans) != q.CountConnectedSubsets(features.DefaultMaxSubPlans) {
			t.Errorf("record %d: %d sub-plans", i, len(r.SubPlans))
		}
	}
	// Same seed, same log (to stdout this time).
	var again bytes.Buffer
	if err := runGen(ctx, []string{"--dataset", "flights", "--queries", "300", "--seed", "7", "--subplans"}, &again, &stderr); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(out)
	if !bytes.Equal(first, again.Bytes()) {
		t.Error("same seed gave a different log")
	}
}

func TestRunGenErrors(t *testing.T) {
	ctx := context.Background()
	var stdout, stderr bytes.Buffer
	for _, tc := range []struct {
		args []string
		want error
	}{
		{[]string{"--queries", "5"}, errNoSource},
		{[]string{"--dataset", "flights", "--queries", "0"}, workload.ErrOptions},
		{[]string{"--dataset", "flights", "--max-preds", "0"}, workload.ErrOptions},
		{[]string{"--dataset", "flights", "--min-joins", "3", "--max-joins", "2"}, workload.ErrOptions},
	} {
		if err := runGen(ctx, tc.args, &stdout, &stderr); !errors.Is(err, tc.want) {
			t.Errorf("%q: got %v, want %v", tc.args, err, tc.want)
		}
	}
	if err := runGen(ctx, []string{"--dataset", "flights", "extra"}, &stdout, &stderr); err == nil {
		t.Error("stray argument accepted")
	}
}
