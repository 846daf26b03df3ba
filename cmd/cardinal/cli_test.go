package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/estimator"
)

// TestEveryCommand runs each registered command with -h, with a bad flag
// and with a failing input, and checks the exit code and that stderr holds
// no terminal-only rendering ('\r' frames): stderr is not a terminal here.
func TestEveryCommand(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.model")
	if err := os.WriteFile(bad, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	// failing is, per command, a command line that fails and its exit code.
	failing := map[string]struct {
		ctx  context.Context
		args []string
		code int
	}{
		"demo":            {cancelled, nil, exitFailure},
		"gen":             {nil, []string{"--schema", missing + ".sql"}, exitFailure},
		"count":           {nil, []string{"--dataset", "flights", "SELECT * FROM nowhere"}, exitFailure},
		"parse":           {nil, []string{"--dataset", "flights", "SELECT * FROM nowhere"}, exitFailure},
		"train":           {nil, []string{"--dataset", "flights", "--log", missing, "--out", filepath.Join(dir, "m")}, exitFailure},
		"estimate":        {nil, []string{"--model", bad, "SELECT * FROM flights"}, exitFailure},
		"explain":         {nil, []string{"--model", bad, "--dataset", "flights", "SELECT * FROM flights"}, exitFailure},
		"eval":            {nil, []string{"--model", bad, "--log", missing}, exitFailure},
		"collect":         {nil, []string{"--dsn", "u:p@tcp(127.0.0.1:1)/db", "--from", "sql", missing, "--out", filepath.Join(dir, "l.jsonl")}, exitFailure},
		"bench":           {nil, []string{"--schema", missing + ".sql"}, exitFailure},
		"version":         {nil, []string{"extra"}, exitUsage},
		"joinorder":       {nil, []string{"--model", bad, "SELECT * FROM flights"}, exitFailure},
		"train-joinorder": {nil, []string{"--schema", missing + ".sql", "--out", filepath.Join(dir, "a.agent")}, exitFailure},
		"eval-joinorder":  {nil, []string{"--schema", missing + ".sql"}, exitFailure},
		"eval-indexes":    {nil, []string{"--dataset", "flights", "--workload", missing}, exitFailure},
		"recommend":       {nil, []string{"--dataset", "flights", "--workload", missing}, exitFailure},
		"help":            {nil, []string{"nope"}, exitUsage},
	}
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			check := func(what string, ctx context.Context, args []string, want int) (stdout, stderr string) {
				t.Helper()
				if ctx == nil {
					ctx = context.Background()
				}
				var out, errb bytes.Buffer
				got := run(ctx, append([]string{c.name}, args...), &out, &errb)
				if got != want {
					t.Errorf("%s: cardinal %s %q exited %d, want %d\nstderr: %s", what, c.name, args, got, want, errb.String())
				}
				if strings.ContainsRune(errb.String(), '\r') {
					t.Errorf("%s: stderr holds a '\\r' frame: %q", what, errb.String())
				}
				return out.String(), errb.String()
			}
			help, _ := check("-h", nil, []string{"-h"}, exitOK)
			for _, want := range []string{"usage: cardinal " + c.name, "example:\n  "} {
				if !strings.Contains(help, want) {
					t.Errorf("-h lacks %q:\n%s", want, help)
				}
			}
			if c.args != "" && !strings.Contains(help, "arguments:") {
				t.Errorf("-h lacks the arguments:\n%s", help)
			}
			if viaHelp := func() string {
				var o, e bytes.Buffer
				run(context.Background(), []string{"help", c.name}, &o, &e)
				return o.String()
			}(); viaHelp != help {
				t.Errorf("'cardinal help %s' differs from -h:\n%s", c.name, viaHelp)
			}
			_, stderr := check("bad flag", nil, []string{"--no-such-flag"}, exitUsage)
			if n := strings.Count(stderr, "no-such-flag"); n != 1 {
				t.Errorf("bad flag: the error is printed %d times:\n%s", n, stderr)
			}
			f, ok := failing[c.name]
			if !ok {
				t.Fatalf("no failing input for %s: add one to this test", c.name)
			}
			_, stderr = check("failing input", f.ctx, f.args, f.code)
			if !strings.HasPrefix(stderr, "cardinal "+c.name+": ") && !strings.Contains(stderr, "\ncardinal "+c.name+": ") {
				t.Errorf("failing input: no error line on stderr:\n%s", stderr)
			}
		})
	}
}

func TestTopLevelUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, exitUsage, "commands:"},
		{[]string{"-h"}, exitOK, "commands:"},
		{[]string{"help"}, exitOK, "commands:"},
		{[]string{"nope"}, exitUsage, `unknown command "nope"`},
	} {
		var out, errb bytes.Buffer
		if got := run(context.Background(), tc.args, &out, &errb); got != tc.code || !strings.Contains(out.String()+errb.String(), tc.want) {
			t.Errorf("cardinal %q: exit %d, want %d; output lacks %q:\n%s%s", tc.args, got, tc.code, tc.want, out.String(), errb.String())
		}
	}
	var out, errb bytes.Buffer
	if run(context.Background(), []string{"version"}, &out, &errb) != exitOK || !strings.Contains(out.String(), fmt.Sprintf("model format version %d", estimator.FormatVersion)) ||
		!strings.Contains(out.String(), fmt.Sprintf("learned models %d-%d", estimator.LearnedMinFormatVersion, estimator.FormatVersion)) {
		t.Errorf("version: %s%s", out.String(), errb.String())
	}
}

// TestRefusedBeforeWork: conflicting or ignored flags and an existing
// --out are usage errors found before any data is loaded ("loaded" never
// appears on stderr), and an existing file is left as it was.
func TestRefusedBeforeWork(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.jsonl")
	if err := os.WriteFile(existing, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"gen", "--dataset", "flights", "--schema", "s.sql"}, "give one data source"},
		{[]string{"count", "--dataset", "flights", "--dsn", "u:p@tcp(h)/d", "SELECT 1"}, "give one data source"},
		{[]string{"gen", "--dataset", "flights", "--scale", "3"}, "--scale"},
		{[]string{"gen", "--dataset", "nope"}, "unknown --dataset"},
		{[]string{"train", "--dataset", "flights", "--log", filepath.Join(dir, "missing"), "--model", "nope", "--out", filepath.Join(dir, "m")}, "unknown model kind"},
		{[]string{"train", "--dataset", "flights", "--log", filepath.Join(dir, "missing"), "--model", "setnet", "--trees", "5", "--out", filepath.Join(dir, "m")}, "--trees acts on --model gbdt only, not setnet"},
		{[]string{"train", "--dataset", "flights", "--log", filepath.Join(dir, "missing"), "--model", "linear", "--calib-folds", "2", "--out", filepath.Join(dir, "m")}, "--calib-folds acts on --model gbdt or setnet only"},
		{[]string{"bench", "--dataset", "flights", "--models", "gbdt,nope"}, "unknown model kind"},
		{[]string{"gen", "--dataset", "flights", "--out", existing}, "--force"},
		{[]string{"train", "--dataset", "flights", "--log", existing, "--out", existing}, "--force"},
		{[]string{"demo", "--md", existing}, "--force"},
		{[]string{"demo", "--joinorder", "--format", "json"}, "text only"},
		{[]string{"count", "--dataset", "flights", "--format", "yaml", "SELECT 1"}, "want text, json or jsonl"},
		{[]string{"estimate", "--model", "m", "--in", "q.sql", "SELECT 1"}, "not both"},
		{[]string{"estimate", "--model", "m", "--format", "xml", "SELECT 1"}, "want text, json or jsonl"},
		{[]string{"eval-indexes", "--dataset", "flights", "--guard", "--strategies", "cardinal,cardnial"}, `unknown strategy "cardnial"`},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), tc.args, &out, &errb)
		if code != exitUsage || !strings.Contains(errb.String(), tc.want) || strings.Contains(errb.String(), "loaded") {
			t.Errorf("cardinal %q: exit %d, stderr:\n%s(want exit 2 and %q before loading)", tc.args, code, errb.String(), tc.want)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me\n" {
		t.Errorf("the existing file was changed: %q", b)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"gen", "--dataset", "flights", "--queries", "3", "--out", existing, "--force"}, &out, &errb); code != exitOK {
		t.Fatalf("gen --force: exit %d: %s", code, errb.String())
	}
	if b, _ := os.ReadFile(existing); strings.Count(string(b), "\n") != 3 {
		t.Errorf("gen --force did not overwrite: %q", b)
	}
}

// TestProgressToAFile: progress written to a file (a log, not a
// terminal) is plain lines, never '\r' frames.
func TestProgressToAFile(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	if code := run(context.Background(), []string{"gen", "--dataset", "flights", "--queries", "200"}, &out, f); code != exitOK {
		t.Fatalf("gen: exit %d", code)
	}
	log, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(string(log), '\r') || !strings.Contains(string(log), "labelling 200/200 (100%)") {
		t.Errorf("progress in a log file:\n%q", log)
	}
}
