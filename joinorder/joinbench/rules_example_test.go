package joinbench_test

import (
	"context"
	"fmt"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/joinorder/joinbench"
)

// MaxResultRows is a workload rule: only generated join queries whose
// COUNT(*) (the engine's) is at most the bound are kept, more being drawn
// from the same seeded stream; Dropped counts those left out.
func ExampleOptions_maxResultRows() {
	ctx := context.Background()
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	const bound = 1000
	s, err := joinbench.Prepare(ctx, db, joinbench.Options{Seed: 1, TrainQueries: -1, TestQueries: 5, MaxTables: 5,
		EstimatesOnly: true, PlanWith: "histogram", MaxResultRows: bound})
	if err != nil {
		panic(err)
	}
	ctr := engine.New(db, engine.Options{})
	within := true
	for _, q := range s.Test {
		n, err := ctr.Count(ctx, q.Est["histogram"].Query())
		if err != nil {
			panic(err)
		}
		within = within && n <= bound
	}
	fmt.Println(len(s.Test), "held-out queries, each of at most", bound, "rows:", within, "; some drawn were left out:", s.Dropped > 0)
	// Output:
	// 5 held-out queries, each of at most 1000 rows: true ; some drawn were left out: true
}

// HintQuery is the guard's decision on one query: hint our order where
// the model prices the server's order more than Ratio times ours and by
// MinSavingMS, unless the server's own optimizer cost of its plan is known
// and below MinServerCost (the server expects a cheap plan).
func ExampleGuard_HintQuery() {
	q := joinbench.ServerQuery{PredictedServer: 900e3, PredictedOurs: 100e3} // microseconds: 9x, 800 ms saved
	for _, cost := range []float64{0, 500, 2e5} {
		q.ServerCost = cost
		fmt.Printf("server cost %6.0f: default guard hints %v, without the cost %v\n", cost,
			joinbench.DefaultGuard.HintQuery(q), joinbench.NoCostGuard.HintQuery(q))
	}
	// Output:
	// server cost      0: default guard hints true, without the cost true
	// server cost    500: default guard hints false, without the cost true
	// server cost 200000: default guard hints true, without the cost true
}
