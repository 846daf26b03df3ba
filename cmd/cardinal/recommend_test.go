package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRecommendRefusesTraps: with --refuse-traps recommend leaves out the
// index led by destination that the lookups want but the GROUP BY
// destination statement would be slower with; so does the learned guard
// (--guard); by default it is recommended.
func TestRecommendRefusesTraps(t *testing.T) {
	wl := filepath.Join(t.TempDir(), "trap.sql")
	if err := os.WriteFile(wl, []byte(`
SELECT * FROM flights WHERE destination = 'LAX';
SELECT * FROM flights WHERE destination = 'ORD';
SELECT destination, COUNT(*) FROM flights WHERE distance BETWEEN 1500 AND 1510 GROUP BY destination;
`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flags := range [][]string{{"--refuse-traps"}, {"--guard"}, nil} {
		args := append([]string{"recommend", "--dataset", "flights", "--workload", wl}, flags...)
		guard := len(flags) > 0
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		led := strings.Contains(out.String(), "(`destination`")
		left := strings.Contains(errb.String(), "left out flights(destination)")
		if guard && (led || !left) {
			t.Errorf("%v: DDL\n%s\nstderr\n%s\nwant the destination index left out", flags, out.String(), errb.String())
		}
		if !guard && (!led || left) {
			t.Errorf("default: DDL\n%s\nstderr\n%s\nwant the destination index recommended", out.String(), errb.String())
		}
	}
}
