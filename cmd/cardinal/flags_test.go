package main

import (
	"bytes"
	"context"
	"testing"
)

// TestFlagsAfterArguments: flags typed after the SQL are read as flags
// (the output equals that of the same command with the flags first),
// positional arguments keep their order around them, an argument that
// merely starts with "-" (a SQL comment) stays an argument, and "--" ends
// the flags.
func TestFlagsAfterArguments(t *testing.T) {
	const q1 = "SELECT * FROM flights WHERE distance > 500"
	const q2 = "SELECT * FROM airports"
	const c1 = "-- a comment\n" + q1
	for _, tc := range []struct {
		name      string
		args      []string
		flagFirst []string // the same command with its flags first
		code      int
	}{
		{"flag after", []string{"count", q1, "--dataset", "flights"}, []string{"count", "--dataset", "flights", q1}, exitOK},
		{"flags between", []string{"count", q1, "--dataset=flights", q2, "--format", "jsonl"}, []string{"count", "--dataset=flights", "--format", "jsonl", q1, q2}, exitOK},
		{"comment argument", []string{"count", q2, "--format", "jsonl", c1, "--dataset", "flights"}, []string{"count", "--format", "jsonl", "--dataset", "flights", q2, c1}, exitOK},
		{"double dash", []string{"count", "--dataset", "flights", "--", q2, "--format"}, nil, exitFailure},
		{"unknown flag after", []string{"count", "--dataset", "flights", q1, "--nope"}, nil, exitUsage},
		{"dash value", []string{"gen", "--dataset", "flights", "--queries", "4", "--out", "-"}, []string{"gen", "--out=-", "--queries=4", "--dataset=flights"}, exitOK},
		{"help after", []string{"count", q1, "-h"}, []string{"count", "-h"}, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tc.args, &out, &errb)
			if code != tc.code {
				t.Fatalf("cardinal %q: exit %d, want %d; stderr:\n%s", tc.args, code, tc.code, errb.String())
			}
			if tc.flagFirst == nil {
				return
			}
			var want, werr bytes.Buffer
			if c := run(context.Background(), tc.flagFirst, &want, &werr); c != tc.code {
				t.Fatalf("cardinal %q: exit %d; stderr:\n%s", tc.flagFirst, c, werr.String())
			}
			if out.String() != want.String() || out.Len() == 0 {
				t.Errorf("cardinal %q printed\n%s\nwant (as %q)\n%s", tc.args, out.String(), tc.flagFirst, want.String())
			}
		})
	}
}
