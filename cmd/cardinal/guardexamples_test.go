package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/indexadvisor"
)

// TestEvalIndexesGuardExamples: --guard-examples trains the guard on the
// server_examples of an earlier report (here two measured outcomes written
// by hand: one regression, one not) and eval-indexes reports
// cardinal+guard; a report without server_examples is refused.
func TestEvalIndexesGuardExamples(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, ev indexadvisor.Evaluation) string {
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	f := func(ratio float64) []float64 { return []float64{4.3, -2, ratio, 0, 1, 0, 0, 1, 0, 1, 1} }
	good := write("report.json", indexadvisor.Evaluation{ServerExamples: []indexadvisor.GuardExample{
		{Features: f(0.8), Regress: true}, {Features: f(-1), Regress: false}}})
	empty := write("empty.json", indexadvisor.Evaluation{})
	short := write("short.json", indexadvisor.Evaluation{ServerExamples: []indexadvisor.GuardExample{
		{Features: f(0.8)[:2], Regress: true}, {Features: f(-1)[:2], Regress: false}}})
	base := []string{"eval-indexes", "--dataset", "flights", "--queries", "20", "--budgets", "25", "--strategies", "cardinal,cardinal+guard"}
	var out, errb bytes.Buffer
	if code := run(context.Background(), append(base, "--guard-examples", good), &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "cardinal+guard") || !strings.Contains(errb.String(), "2 server-measured pairs") {
		t.Errorf("no cardinal+guard from the measured pairs:\n%s\n%s", out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), append(base, "--guard-examples", empty), &out, &errb); code == exitOK || !strings.Contains(errb.String(), "no server_examples") {
		t.Errorf("a report without server_examples: exit %d, stderr %s", code, errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), append(base, "--guard-examples", short), &out, &errb); code == exitOK || !strings.Contains(errb.String(), "has 2 features") {
		t.Errorf("examples of 2 features: exit %d, stderr %s", code, errb.String())
	}
}
