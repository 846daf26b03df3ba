package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRecommendRefusesTraps: by default recommend leaves out the index
// led by destination that the lookups want but the GROUP BY destination
// statement would be slower with (trap refusal); so does the learned
// guard (--guard); --keep-traps recommends it.
func TestRecommendRefusesTraps(t *testing.T) {
	wl := filepath.Join(t.TempDir(), "trap.sql")
	if err := os.WriteFile(wl, []byte(`
SELECT * FROM flights WHERE destination = 'LAX';
SELECT * FROM flights WHERE destination = 'ORD';
SELECT destination, COUNT(*) FROM flights WHERE distance BETWEEN 1500 AND 1510 GROUP BY destination;
`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flags := range [][]string{nil, {"--guard"}, {"--keep-traps"}} {
		args := append([]string{"recommend", "--dataset", "flights", "--workload", wl}, flags...)
		guard := len(flags) == 0 || flags[0] != "--keep-traps"
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
			t.Errorf("--keep-traps: DDL\n%s\nstderr\n%s\nwant the destination index recommended", out.String(), errb.String())
		}
	}
}
