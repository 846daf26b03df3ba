package joinbench_test

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/joinorder/joinbench"
)

var (
	smallOnce sync.Once
	small     *joinbench.Setup
)

// smallSetup prepares a small flights comparison once (the examples only
// read it): a gbdt estimator on 100 labelled queries, 20 training and 10
// held-out join queries of 4-5 tables.
func smallSetup() *joinbench.Setup {
	smallOnce.Do(func() {
		db, err := datasets.Flights()
		if err != nil {
			panic(err)
		}
		small, err = joinbench.Prepare(context.Background(), db, joinbench.Options{Seed: 3, EstimatorQueries: 100, TrainQueries: 20, TestQueries: 10, MaxTables: 5})
		if err != nil {
			panic(err)
		}
	})
	return small
}

// Prepare builds the estimators and the join queries with their true and
// estimated sub-plan rows; Evaluate plans the held-out ones with every
// method and prices each plan under TRUE counts against the true optimum
// (a ratio of 1 is optimal).
func ExamplePrepare() {
	s := smallSetup()
	fmt.Println(len(s.Train), "training and", len(s.Test), "held-out queries; cost model", s.Model.Name(), "; agent plans with", s.AgentCards)
	rows, err := s.Evaluate(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	for _, r := range rows {
		fmt.Printf("%-20s %d queries, never below the optimum: %v\n", r.Method, r.Queries, r.Geomean >= 1-1e-9)
	}
	// Output:
	// 20 training and 10 held-out queries; cost model cout ; agent plans with gbdt
	// goo (gbdt)           10 queries, never below the optimum: true
	// leftdeep (gbdt)      10 queries, never below the optimum: true
	// dpccp (histogram)    10 queries, never below the optimum: true
	// dpccp (sample)       10 queries, never below the optimum: true
	// dpccp (gbdt)         10 queries, never below the optimum: true
}

// TrainAgent trains the learned agent on the training queries (gbdt
// estimates in, TRUE-count costs as feedback); Methods then includes it
// alone and guarded by DPccp.
func ExampleSetup_TrainAgent() {
	s := smallSetup()
	agent, err := s.TrainAgent(context.Background())
	if err != nil {
		panic(err)
	}
	for _, m := range s.Methods(agent)[5:] {
		fmt.Println(m.Name)
	}
	// Output:
	// agent (gbdt)
	// agent+guard (gbdt)
}

// Showcase prints the held-out queries on which the methods disagree
// most, each method's join tree and its cost ratio to the optimum.
func ExampleSetup_Showcase() {
	s := smallSetup()
	rows, err := s.Evaluate(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	text, err := s.Showcase(context.Background(), nil, rows, 1)
	if err != nil {
		panic(err)
	}
	lines := strings.Split(strings.TrimSpace(text), "\n")
	fmt.Println(strings.HasPrefix(lines[0], "SELECT COUNT(*) FROM"), len(lines)-1, "methods")
	// Output:
	// true 5 methods
}

// ImpliedJoins plans with the edges the queries' equalities imply by
// transitivity; the SQL a server runs as written stays the generated one
// (TestSQL).
func ExampleOptions_impliedJoins() {
	db, err := datasets.TPCH(context.Background(), datasets.TPCHOptions{Scale: 0.01})
	if err != nil {
		panic(err)
	}
	s, err := joinbench.Prepare(context.Background(), db, joinbench.Options{Seed: 1, EstimatorQueries: 50, TrainQueries: -1, TestQueries: 20,
		MaxTables: 6, Snowflake: true, ImpliedJoins: true, CostModel: "mariadb"})
	if err != nil {
		panic(err)
	}
	implied := 0
	for i, q := range s.Test {
		if q.True.Query().SQL() != s.TestSQL[i] {
			implied++
		}
	}
	fmt.Println(len(s.TestSQL), "queries,", s.Model.Name(), "cost model; some with implied edges:", implied > 0)
	// Output:
	// 20 queries, mariadb cost model; some with implied edges: true
}

// FormatServer renders a server comparison (ServerBench's report; here a
// hand-made one) as Markdown: totals, the guards priced on the same
// measurements, then one row per query.
func ExampleFormatServer() {
	qs := []joinbench.ServerQuery{
		{Tables: 4, UsedHint: true, PredictedGain: 3.2, PredictedServer: 960e3, PredictedOurs: 300e3, ServerMS: 900, OursMS: 300, OrderMS: 300, OrderTimed: true, Count: 42, SameCount: true, ServerCost: 2.4e5, OrderServerCost: 7.2e5},
		{Tables: 6, UsedHint: false, PredictedGain: 2.5, PredictedServer: 5e3, PredictedOurs: 2e3, ServerCost: 130, ServerMS: 4, OursMS: 4, OrderMS: 16, OrderTimed: true, Count: 7, SameCount: true},
	}
	rep := joinbench.ServerReport{Database: "cardinal_tpch_s1_fk_comments", Method: "leftdeep (gbdt)", AllSameCount: true, Queries: qs,
		Guard:         joinbench.DefaultGuard,
		Baselines:     []joinbench.GuardOutcome{joinbench.AlwaysHint.Outcome(qs), joinbench.DefaultGuard.Outcome(qs), joinbench.OracleOutcome(qs)},
		ServerTotalMS: 904, OursTotalMS: 304, Speedup: 904.0 / 304, MedianSpeedup: 3, WorstSlowdown: 1}
	fmt.Print(joinbench.FormatServer(rep))
	// Output:
	// 2 queries on cardinal_tpch_s1_fk_comments (1 hinted with our leftdeep (gbdt) order as STRAIGHT_JOIN by the guard (ratio 1.5, saving 25 ms, server cost 10000), the rest kept) against the server's own plans: total 304 ms vs 904 ms (2.97x), median per-query speedup 3.00x, worst slowdown 1.00x, same COUNT(*) everywhere: true; 0 past the limit every way timed
	//
	// | guard on the same measurements | hinted | total ms | speedup | worst slowdown |
	// |---|---:|---:|---:|---:|
	// | always hint | 2 | 316 | 2.86 | 4.00 |
	// | guard (ratio 1.5, saving 25 ms, server cost 10000) | 1 | 304 | 2.97 | 1.00 |
	// | oracle (faster of the two, per query; not a guard) | 1 | 304 | 2.97 | 1.00 |
	//
	// | # | tables | hinted | predicted gain | predicted saving ms | server's cost | server's cost of ours | server ms | ours ms | our order ms | speedup | count | same |
	// |---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|
	// | 1 | 4 | true | 3.20 | 660.0 | 240000 | 720000 | 900.0 | 300.0 | 300.0 | 3.00 | 42 | true |
	// | 2 | 6 | false | 2.50 | 3.0 | 130 | - | 4.0 | 4.0 | 16.0 | 1.00 | 7 | true |
}

// FitGuard fits the hint decision to queries timed both ways (here
// hand-made; TrainGuard times the Setup's training queries): a query
// predicted 2.5x cheaper by 3 ms ran 4x slower in our order, so the
// fitted guard asks for a saving larger than 3 ms.
func ExampleFitGuard() {
	qs := []joinbench.ServerQuery{
		{PredictedServer: 100e3, PredictedOurs: 20e3, ServerMS: 1000, OrderMS: 200, OrderTimed: true},
		{PredictedServer: 5e3, PredictedOurs: 2e3, ServerMS: 4, OrderMS: 16, OrderTimed: true},
		{PredictedServer: 50e3, PredictedOurs: 30e3, ServerMS: 300, OrderMS: 250, OrderTimed: true},
	}
	g := joinbench.FitGuard(qs, joinbench.DefaultMaxSlowdown)
	o := g.Outcome(qs)
	fmt.Printf("%s: ratio %.2f, saving %.1f ms; %d hinted, %.0f ms against %.0f ms, worst slowdown %.1fx\n",
		g.Name, g.Ratio, g.MinSavingMS, o.Hinted, o.TotalMS, o.ServerTotalMS, o.WorstSlowdown)
	// Output:
	// fitted on 3 queries: ratio 1.67, saving 20.0 ms; 2 hinted, 454 ms against 1304 ms, worst slowdown 1.0x
}
