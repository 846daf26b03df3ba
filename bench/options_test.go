package bench

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/estimator"
)

// TestOptionsRule: a negative size or an invalid nested value is ErrOptions
// naming the field, before any work (a nil DB would fail otherwise);
// negative OODQueries and MaxJoins keep their documented meaning ("none");
// zero MaxJoins and MaxPreds mean the defaults in a real, small run.
func TestOptionsRule(t *testing.T) {
	for _, o := range []Options{{TrainQueries: -1}, {TestQueries: -2}, {MaxPreds: -1}} {
		if _, err := Run(context.Background(), "flights", nil, o); !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), "Options.") {
			t.Errorf("%+v: %v", o, err)
		}
	}
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), "flights", db, Options{TrainQueries: 200, TestQueries: 100, OODQueries: -1, Models: []string{estimator.KindLinear}, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 || rep.Results[0].OOD.N != 0 || !(rep.Results[0].All.Median >= 1) {
		t.Errorf("results %+v", rep.Results)
	}
}
