package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/internal/hostile"
)

// TestHostileCorpusCLI runs the corpus of hostile inputs (issue 9,
// internal/hostile) through the commands a user would feed them to: no
// panic, no crash, exit 1 with the error printed when the API gives a
// typed error, exit 0 otherwise, and no DSN password printed.
func TestHostileCorpusCLI(t *testing.T) {
	cases, err := hostile.Cases()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	model := "../../estimator/testdata/flights-small.model"
	cli := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, &out, &errb)
		return code, errb.String()
	}
	exitFor := func(want string) int {
		if want == "ok" || strings.HasPrefix(want, "rows") {
			return exitOK
		}
		return exitFailure
	}
	for i, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(c.Kind, "/", "_")+string(rune('a'+i%26)))
			if err := os.WriteFile(file, c.Input, 0o644); err != nil {
				t.Fatal(err)
			}
			switch c.Kind {
			case "sql":
				if w, ok := c.Want["parse"]; ok {
					if code, stderr := cli("parse", "--dataset", "flights", string(c.Input)); code != exitFor(w) {
						t.Errorf("parse: exit %d, want %d (%s): %s", code, exitFor(w), w, clipText(stderr))
					}
				}
				if w, ok := c.Want["estimate"]; ok {
					if code, stderr := cli("estimate", "--model", model, string(c.Input)); code != exitFor(w) {
						t.Errorf("estimate: exit %d, want %d (%s): %s", code, exitFor(w), w, clipText(stderr))
					}
				}
			case "log":
				code, stderr := cli("eval", "--model", model, "--log", file)
				if code != exitFor(c.Want["read"]) {
					t.Errorf("eval: exit %d for %s: %s", code, c.Want["read"], clipText(stderr))
				}
			case "model":
				if code, stderr := cli("estimate", "--model", file, "SELECT COUNT(*) FROM flights"); code != exitFailure {
					t.Errorf("estimate with a hostile model: exit %d: %s", code, clipText(stderr))
				}
			case "dsn":
				code, stderr := cli("collect", "--dsn", string(c.Input), "--from", "sql", filepath.Join(dir, "missing.sql"), "--out", filepath.Join(dir, "l.jsonl"))
				if code == exitOK || strings.Contains(stderr, c.Want["secret"]) {
					t.Errorf("collect: exit %d, stderr %q leaks %q", code, stderr, c.Want["secret"])
				}
			}
		})
	}
	// A 40-table star: cardinal count --subplans grew past 2.5 GB on it.
	code, stderr := cli("count", "--dataset", "flights", "--subplans", hostile.Star40())
	if code != exitFailure || !strings.Contains(stderr, "too many sub-plans") {
		t.Errorf("count --subplans of a 40-table star: exit %d: %s", code, clipText(stderr))
	}
	// Training options: NaN, Inf and absurd learning rates are refused
	// before training.
	logPath := filepath.Join(dir, "train.jsonl")
	var lb strings.Builder
	for m := 1; m <= 3; m++ {
		for _, d := range []int{0, 15, 60, 120} {
			fmt.Fprintf(&lb, `{"sql":"SELECT COUNT(*) FROM flights WHERE month = %d AND delay > %d","rows":%d}`+"\n", m, d, 1000/(m+d))
		}
	}
	if err := os.WriteFile(logPath, []byte(lb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, lr := range []string{"NaN", "Inf", "1e300", "-1"} {
		code, stderr := cli("train", "--dataset", "flights", "--log", logPath, "--model", "gbdt", "--learning-rate", lr, "--out", filepath.Join(dir, "m"+lr))
		if code != exitFailure || !strings.Contains(stderr, "invalid options") {
			t.Errorf("--learning-rate %s: exit %d: %s", lr, code, clipText(stderr))
		}
		if _, err := os.Stat(filepath.Join(dir, "m"+lr)); err == nil {
			t.Errorf("--learning-rate %s wrote a model", lr)
		}
	}
}

func clipText(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}
