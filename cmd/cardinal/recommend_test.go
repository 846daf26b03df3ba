package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRecommendGuardByDefault: recommend trains the regression guard
// unless told not to, and it leaves out the index led by destination that
// the lookups want but the GROUP BY destination statement would be slower
// with; --guard=false recommends it.
func TestRecommendGuardByDefault(t *testing.T) {
	wl := filepath.Join(t.TempDir(), "trap.sql")
	if err := os.WriteFile(wl, []byte(`
SELECT * FROM flights WHERE destination = 'LAX';
SELECT * FROM flights WHERE destination = 'ORD';
SELECT destination, COUNT(*) FROM flights WHERE distance BETWEEN 1500 AND 1510 GROUP BY destination;
`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, guard := range []bool{true, false} {
		args := []string{"recommend", "--dataset", "flights", "--workload", wl}
		if !guard {
			args = append(args, "--guard=false")
		}
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		led := strings.Contains(out.String(), "(`destination`")
		left := strings.Contains(errb.String(), "guard: left out flights(destination)")
		if guard && (led || !left) {
			t.Errorf("with the guard: DDL\n%s\nstderr\n%s\nwant the destination index left out", out.String(), errb.String())
		}
		if !guard && (!led || left) {
			t.Errorf("--guard=false: DDL\n%s\nstderr\n%s\nwant the destination index recommended", out.String(), errb.String())
		}
	}
}
