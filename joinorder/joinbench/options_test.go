package joinbench

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/joinorder"
)

// TestOptionsRule: negative, NaN and infinite options of Prepare (nested
// agent and gbdt options too) and ServerBench are ErrOptions naming the
// field, before any work (a nil DB, setup or server would fail
// otherwise). Negative TrainQueries, TestQueries, Warmups and GuardRatio
// keep their documented meaning; zero is the defaults in TestSmall.
func TestOptionsRule(t *testing.T) {
	ctx := context.Background()
	for _, o := range []Options{{EstimatorQueries: -1}, {EstimatorMaxJoins: -1}, {MinTables: -2},
		{Agent: joinorder.AgentOptions{Ridge: math.NaN()}}, {Agent: joinorder.AgentOptions{Epsilon: math.Inf(1)}},
		{GBDT: estimator.GBDTOptions{Trees: -1}}, {MaxResultRows: -1}} {
		if _, err := Prepare(ctx, nil, o); !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), "Options.") {
			t.Errorf("%+v: %v", o, err)
		}
	}
	var s *Setup
	for _, o := range []ServerOptions{{Queries: -1}, {Runs: -1}, {Limit: -time.Second},
		{GuardRatio: math.NaN()}, {GuardRatio: math.Inf(-1)}, {MinSavingMS: math.NaN()}, {MinServerCost: math.Inf(1)}} {
		if _, err := s.ServerBench(ctx, nil, joinorder.Method{}, o); !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), "ServerOptions.") {
			t.Errorf("%+v: %v", o, err)
		}
	}
}

// TestPrepareContext: Prepare stops with the context's error once it is
// done, its catalog build included (with no queries to draw and no
// estimator to train, the build is the only work that could notice).
func TestPrepareContext(t *testing.T) {
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o := Options{TrainQueries: -1, TestQueries: -1, EstimatesOnly: true, PlanWith: estimator.KindHistogram}
	if _, err := Prepare(ctx, db, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("Prepare on a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := Prepare(context.Background(), db, o); err != nil {
		t.Fatal(err)
	}
}
