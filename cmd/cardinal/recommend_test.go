package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRecommendRefusesTraps: priced at cheapest plans (--cheapest-plan),
// which cannot see the trap, recommend with --refuse-traps leaves out the
// index led by destination that the lookups want but the GROUP BY
// destination statement would be slower with; so does the learned guard
// (--guard); without either it is recommended. The default pricing (the
// server's plans) never leaves the GROUP BY statement to it: it leaves the
// destination index out, or recommends it only beside the covering range
// index (distance, destination) that serves that statement. (Since the
// page-priced secondary scans, 2026-12-06, it recommends the pair: the
// lookups of destination = 'LAX' are estimated 19% cheaper than the scan
// and those of 'ORD' 19% dearer, 383 cost units, below regressionFloor;
// on these 28,742 bundled rows both are within a millisecond.)
func TestRecommendRefusesTraps(t *testing.T) {
	wl := filepath.Join(t.TempDir(), "trap.sql")
	if err := os.WriteFile(wl, []byte(`
SELECT * FROM flights WHERE destination = 'LAX';
SELECT * FROM flights WHERE destination = 'ORD';
SELECT destination, COUNT(*) FROM flights WHERE distance BETWEEN 1500 AND 1510 GROUP BY destination;
`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flags := range [][]string{{"--refuse-traps"}, {"--guard"}, nil, {"--default"}} {
		args := []string{"recommend", "--dataset", "flights", "--workload", wl}
		if flags == nil || flags[0] != "--default" {
			args = append(append(args, "--cheapest-plan"), flags...)
		}
		guard := len(flags) > 0 && flags[0] != "--default"
		if !guard && flags != nil { // the default pricing
			var out, errb bytes.Buffer
			if code := run(context.Background(), args, &out, &errb); code != exitOK {
				t.Fatalf("%v: exit %d: %s", args, code, errb.String())
			}
			if strings.Contains(out.String(), "(`destination`") && !strings.Contains(out.String(), "(`distance`, `destination`)") {
				t.Errorf("default pricing: DDL\n%s\nwant no index led by destination without (distance, destination)", out.String())
			}
			continue
		}
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
			t.Errorf("cheapest plans: DDL\n%s\nstderr\n%s\nwant the destination index recommended", out.String(), errb.String())
		}
	}
}
