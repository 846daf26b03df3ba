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

// TestTrainSeed: TrainSeed equal to Seed is the default; another one
// leaves the data sample and workloads as they were (the histogram's
// figures, which train nothing, are identical) and draws another GBDT.
func TestTrainSeed(t *testing.T) {
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	run := func(trainSeed uint64) *Report {
		t.Helper()
		rep, err := Run(context.Background(), "flights", db, Options{TrainQueries: 600, TestQueries: 200, OODQueries: -1, ShapeQueries: -1, GroupQueries: -1,
			Models: []string{estimator.KindHistogram, estimator.KindGBDT}, Seed: 3, TrainSeed: trainSeed, CalibFolds: 1})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	def, same, other := run(0), run(3), run(4)
	if def.Results[1].All != same.Results[1].All {
		t.Errorf("TrainSeed = Seed: gbdt %+v, default %+v", same.Results[1].All, def.Results[1].All)
	}
	if other.Results[0].All != def.Results[0].All || other.TrainExamples != def.TrainExamples {
		t.Errorf("another TrainSeed moved the workloads: histogram %+v against %+v, %d examples against %d",
			other.Results[0].All, def.Results[0].All, other.TrainExamples, def.TrainExamples)
	}
	if other.Results[1].All == def.Results[1].All {
		t.Errorf("another TrainSeed gave the same gbdt: %+v", other.Results[1].All)
	}
}
