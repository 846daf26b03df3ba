package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// TestNowFlag: --now sets what NOW() means for parse and count; without
// it NOW() is features.DefaultNowUnix; a bad value is a usage error.
func TestNowFlag(t *testing.T) {
	ctx := context.Background()
	const sql = "SELECT * FROM flights WHERE dep_time > NOW() - INTERVAL 3 DAY"
	var out, errb bytes.Buffer
	if err := runParse(ctx, []string{"--dataset", "flights", "--now", "2001-02-01", sql}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "flights.dep_time > '2001-01-29 00:00:00'") {
		t.Errorf("parse --now:\n%s", out.String())
	}
	out.Reset()
	if err := runParse(ctx, []string{"--dataset", "flights", sql}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "flights.dep_time > '2024-12-29 00:00:00'") {
		t.Errorf("parse without --now:\n%s", out.String())
	}
	out.Reset()
	if err := runCount(ctx, []string{"--dataset", "flights", "--now", "2001-02-01 00:00:00", sql}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got == "0" || got == "" {
		t.Errorf("count --now: %q rows, want the flights of the last three days of January 2001", got)
	}
	if err := runCount(ctx, []string{"--dataset", "flights", "--now", "yesterday", sql}, &out, &errb); !errors.Is(err, errUsage) {
		t.Errorf("bad --now: %v", err)
	}
}
