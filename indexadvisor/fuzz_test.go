package indexadvisor

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/datasets/live"
)

// FuzzWorkload feeds arbitrary SQL files through capture, workload
// modelling and a recommendation: no panic; an empty workload is
// ErrEmptyWorkload; every statement is either modelled or counted as
// skipped.
func FuzzWorkload(f *testing.F) {
	for _, s := range strings.Split(flightsWorkload+trapWorkload, "\n") {
		f.Add(s)
	}
	f.Add("UPDATE flights SET delay = delay + 1, hour = 3 WHERE origin IN ('SFO', 'LAX') AND distance > 10")
	f.Add("DELETE FROM airports WHERE state IS NULL")
	f.Add("INSERT INTO routes SELECT * FROM routes")
	f.Add("REPLACE INTO routes VALUES ('a','b',1),('c','d',2)")
	f.Add("SELECT * FROM flights f JOIN flights g ON f.id = g.id WHERE f.origin LIKE 'S%' ORDER BY f.delay, g.delay DESC LIMIT 3, 4")
	_, cat := flights(f)
	f.Fuzz(func(t *testing.T, text string) {
		stmts, err := live.ParseSQLFile(strings.NewReader(text), "fuzz.sql")
		if err != nil {
			return
		}
		w, err := NewWorkload(cat.Schema, stmts)
		if err != nil {
			if !errors.Is(err, ErrEmptyWorkload) {
				t.Fatalf("%q: %v", text, err)
			}
			return
		}
		skipped := 0
		for _, s := range w.Skipped {
			skipped += s.Statements
		}
		if len(w.Statements)+skipped != len(stmts) {
			t.Fatalf("%q: %d modelled + %d skipped of %d", text, len(w.Statements), skipped, len(stmts))
		}
		if _, err := RecommendIndex(context.Background(), w, Options{Catalog: cat}); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
	})
}
