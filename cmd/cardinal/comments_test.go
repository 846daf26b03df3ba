package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets/tpchqueries"
)

// TestCountTPCHComments: TPC-H Q13 filters on o_comment, which --dataset
// tpch holds with --comments (scale 0.01, the data the tpchqueries tests
// cache); --comments on another data set is a usage error.
func TestCountTPCHComments(t *testing.T) {
	ctx := context.Background()
	q13, ok := tpchqueries.ByName("q13")
	if !ok {
		t.Fatal("no q13")
	}
	var stdout, stderr bytes.Buffer
	if err := runCount(ctx, []string{"--dataset", "tpch", "--scale", "0.01", "--comments", q13.SQL}, &stdout, &stderr); err != nil {
		t.Fatalf("q13 with --comments: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "groups") {
		t.Errorf("q13 with --comments printed %q, want its groups", stdout.String())
	}
	if err := runCount(ctx, []string{"--dataset", "flights", "--comments", "SELECT COUNT(*) FROM flights"}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "--comments applies") {
		t.Errorf("--comments with flights: %v, want a usage error", err)
	}
	// Without --comments Q13 names a column the loaded schema lacks: the
	// error stays an ErrUnknownColumn and says which flag loads it; an
	// unknown column that no flag would load gets no such hint.
	err := runCount(ctx, []string{"--dataset", "tpch", "--scale", "0.01", q13.SQL}, &stdout, &stderr)
	if !errors.Is(err, catalog.ErrUnknownColumn) || !strings.Contains(err.Error(), "only with --comments") {
		t.Errorf("q13 without --comments: %v, want ErrUnknownColumn naming --comments", err)
	}
	err = runCount(ctx, []string{"--dataset", "tpch", "--scale", "0.01", "SELECT COUNT(*) FROM orders WHERE o_remark = 'x'"}, &stdout, &stderr)
	if !errors.Is(err, catalog.ErrUnknownColumn) || strings.Contains(err.Error(), "--comments") {
		t.Errorf("o_remark: %v, want ErrUnknownColumn without a --comments hint", err)
	}
}
