package indexadvisor

import (
	"errors"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/datasets/live"
)

// TestEmptyWorkloadSaysWhy: a workload whose every statement is skipped
// is ErrEmptyWorkload naming each reason and an example (recommend and
// eval-indexes print only this error: "all skipped" alone left the user
// guessing).
func TestEmptyWorkloadSaysWhy(t *testing.T) {
	_, cat := flights(t)
	stmts, err := live.ParseSQLFile(strings.NewReader("SELECT * FROM flights WHERE origin = ;\nSELECT COUNT(*) FROM flights WHERE nope = 1;\nSHOW TABLES;\n"), "bad.sql")
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWorkload(cat.Schema, stmts)
	if !errors.Is(err, ErrEmptyWorkload) {
		t.Fatalf("%v, want ErrEmptyWorkload (modelled: %+v)", err, w.Statements)
	}
	if len(w.Skipped) == 0 {
		t.Fatal("no skip reasons")
	}
	for _, k := range w.Skipped {
		if !strings.Contains(err.Error(), k.Reason) || !strings.Contains(err.Error(), k.Example) {
			t.Errorf("error %q does not name skip reason %q (e.g. %q)", err, k.Reason, k.Example)
		}
	}
	t.Log(err)
}
