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
