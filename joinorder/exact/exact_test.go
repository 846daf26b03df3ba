package exact

import (
	"context"
	"errors"
	"testing"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
)

// TestCardsAreEngineCounts: every connected sub-plan's rows in the Cards
// equal the engine's own count of that sub-plan on the bundled flights
// data, and an unconnected mask is the product of its parts.
func TestCardsAreEngineCounts(t *testing.T) {
	ctx := context.Background()
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	q, err := features.Parse(db.Schema, "SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata "+
		"JOIN routes r ON r.origin = f.origin AND r.destination = f.destination WHERE a.state = 'TX' AND f.delay > 30")
	if err != nil {
		t.Fatal(err)
	}
	src := New(db)
	if src.Name() != Name {
		t.Fatalf("Name() = %q", src.Name())
	}
	cards, err := src.Cards(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	masks, err := q.ConnectedSubsets(0)
	if err != nil {
		t.Fatal(err)
	}
	if cards.Len() != len(masks) {
		t.Fatalf("%d sub-plans in Cards, %d connected subsets", cards.Len(), len(masks))
	}
	for _, m := range masks {
		want, err := engine.Count(ctx, db, q.Sub(m))
		if err != nil {
			t.Fatal(err)
		}
		got, ok := cards.Rows(m)
		if !ok || got != float64(want) {
			t.Errorf("mask %b: Cards %v (ok %v), engine %d", m, got, ok, want)
		}
	}
	if full, _ := cards.Rows(q.FullMask()); full == 0 {
		t.Error("the whole query counts no rows: the test checks nothing interesting")
	}
	// a (0b010) and r (0b100) are joined only through f: their rows are
	// the cross product of the two single-table counts.
	ra, _ := cards.Rows(0b010)
	rr, _ := cards.Rows(0b100)
	if got, ok := cards.Rows(0b110); !ok || got != ra*rr || got == 0 {
		t.Errorf("unconnected {a, r}: %v (ok %v), want %v x %v", got, ok, ra, rr)
	}
	// A cancelled context is the engine's error, passed through.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := FromCounter(engine.New(db, engine.Options{})).Cards(cctx, q); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v, want context.Canceled", err)
	}
}
