package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fakeSource writes an imdb_plans.go whose queries are named by their
// FROM lists: template i joins tables t0 ... ti, so every template
// differs from the next; order is the order of names to write.
func fakeSource(t *testing.T, order []string) string {
	var b strings.Builder
	b.WriteString("package queries\n\nvar ImdbPlanTests = []QueryPlanTest{\n")
	for _, n := range order {
		tmpl, err := strconv.Atoi(strings.TrimRight(n, "abcdef"))
		if err != nil {
			t.Fatal(err)
		}
		var from []string
		for i := range tmpl + 1 {
			from = append(from, fmt.Sprintf("t%d AS a%d", i, i))
		}
		fmt.Fprintf(&b, "\t{\n\t\tQuery: \"SELECT MIN(a0.x) AS `q%s`\\n\" +\n\t\t\t`FROM %s WHERE a0.x = 1;`,\n\t\tExpectedPlan: \"\",\n\t},\n", n, strings.Join(from, ", "))
	}
	b.WriteString("}\n")
	path := filepath.Join(t.TempDir(), "imdb_plans.go")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRun: the source in file-name order comes out in JOB's order with
// JOB's names; a source in any other order is refused.
func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "queries.sql")
	if err := run(fakeSource(t, fileOrder()), out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for line := range strings.Lines(string(b)) {
		if n, ok := strings.CutPrefix(strings.TrimSpace(line), "-- "); ok && n != "" && n[0] >= '0' && n[0] <= '9' {
			names = append(names, n)
		}
	}
	if got, want := strings.Join(names, " "), strings.Join(jobOrder(), " "); got != want {
		t.Errorf("names\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(string(b), "-- 2a\nSELECT MIN(a0.x) AS `q2a`\nFROM") {
		t.Errorf("2a is not the source's 2a:\n%.600s", b)
	}
	if err := run(fakeSource(t, jobOrder()), out); !errors.Is(err, errExtract) {
		t.Errorf("a source in JOB's order (not file-name order): %v, want errExtract", err)
	}
	if err := run(fakeSource(t, fileOrder()[1:]), out); !errors.Is(err, errExtract) {
		t.Errorf("a source with 112 queries: %v, want errExtract", err)
	}
}
