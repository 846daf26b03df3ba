package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/progress"
)

// TestProgressPlain: off a terminal, progress is plain lines: one per
// plainEvery of a long stage (with a rate only once it is meaningful),
// one when a stage ends, one per event; never a '\r'.
func TestProgressPlain(t *testing.T) {
	var buf bytes.Buffer
	ui := newProgress(&buf)
	clock := ui.start
	ui.now = func() time.Time { return clock }
	step := func(d time.Duration, r progress.Report) {
		clock = clock.Add(d)
		ui.report(r)
	}
	step(0, progress.Report{Stage: "labelling", Done: 1, Total: 1000})
	if buf.Len() != 0 {
		t.Fatalf("first report printed %q (no rate is known yet)", buf.String())
	}
	for i := 2; i <= 1000; i++ {
		step(10*time.Millisecond, progress.Report{Stage: "labelling", Done: i, Total: 1000})
	}
	step(time.Second, progress.Report{Stage: "statistics", Detail: "built in 1.00s"})
	step(0, progress.Report{Stage: "gbdt", Done: 1, Total: 500, Detail: "train rmse(log) 1.0"})
	step(time.Second, progress.Report{Stage: "gbdt", Done: 2, Total: 500, Detail: "train rmse(log) 0.9"})
	ui.finish()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	wantLines := []string{
		"[  5.0s] labelling 501/1000 (50%) in 5s, 100/s",
		"[ 10.0s] labelling 1000/1000 (100%) in 10s, 100/s",
		"[ 11.0s] statistics built in 1.00s",
		"[ 12.0s] gbdt 2/500 (0%) in 1s, 2/s  train rmse(log) 0.9 (stopped)",
	}
	if strings.ContainsRune(buf.String(), '\r') || len(lines) != len(wantLines) {
		t.Fatalf("output:\n%s", buf.String())
	}
	for i := range lines {
		if lines[i] != wantLines[i] {
			t.Errorf("line %d: %q, want %q", i, lines[i], wantLines[i])
		}
	}
}

// TestProgressTerminal: on a terminal a stage is a bar redrawn in place
// that ends its line when complete or when the stage is left early.
func TestProgressTerminal(t *testing.T) {
	var buf bytes.Buffer
	ui := newProgress(&buf)
	ui.tty = true // as if stderr were a terminal
	for i := 1; i <= 50; i++ {
		ui.report(progress.Report{Stage: "labelling", Done: i, Total: 50})
	}
	ui.report(progress.Report{Stage: "gbdt", Done: 1, Total: 500, Detail: "train rmse(log) 1.0"})
	ui.finish()
	out := buf.String()
	if !strings.Contains(out, "\r") || !strings.Contains(out, "labelling") || !strings.Contains(out, "50/50") ||
		!strings.Contains(out, "gbdt train rmse(log) 1.0") || !strings.HasSuffix(out, "\n") {
		t.Errorf("terminal output:\n%q", out)
	}
}
