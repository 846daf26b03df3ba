package indexadvisor

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/internal/server"
)

// TestOptionsRule: negative, NaN and infinite options of RecommendIndex
// and EvaluateStrategies are ErrOptions naming the field, before any work;
// zero means the defaults (a real recommendation on the flights data).
func TestOptionsRule(t *testing.T) {
	_, cat := flights(t)
	w, err := NewWorkload(cat.Schema, flightsStatements(t, flightsWorkload))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, o := range []Options{{Budget: -1}, {Budget: math.NaN()}, {Budget: math.Inf(1)}, {MaxColumns: -1}, {MaxPerTable: -3}} {
		o.Catalog = cat
		if _, err := RecommendIndex(ctx, w, o); !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), "Options.") {
			t.Errorf("%+v: %v", o, err)
		}
	}
	for _, eo := range []EvalOptions{{NoiseFloor: -time.Millisecond}, {Time: server.TimeOptions{Runs: -1}},
		{Time: server.TimeOptions{Limit: -time.Second}}, {Budgets: []float64{math.NaN()}}, {Budgets: []float64{-0.1}},
		{Strategies: []string{StrategyCardinal, "cardnial"}}} {
		if _, err := EvaluateStrategies(ctx, w, Options{Catalog: cat}, eo); !errors.Is(err, ErrOptions) {
			t.Errorf("%+v: %v", eo, err)
		}
	}
	r, err := RecommendIndex(ctx, w, Options{Catalog: cat})
	if err != nil || len(r.Queries) == 0 {
		t.Fatalf("zero Options: %v", err)
	}
	for _, ix := range r.Indexes {
		if len(ix.Columns) > DefaultMaxColumns {
			t.Errorf("index %v wider than DefaultMaxColumns %d", ix.Columns, DefaultMaxColumns)
		}
	}
}
