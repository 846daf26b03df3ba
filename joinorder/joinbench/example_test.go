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
// hand-made one) as Markdown: totals, then one row per query.
func ExampleFormatServer() {
	rep := joinbench.ServerReport{Database: "cardinal_tpch_s1_fk", Method: "leftdeep (gbdt)", AllSameCount: true,
		Queries: []joinbench.ServerQuery{
			{Tables: 4, UsedHint: true, PredictedGain: 3.2, ServerMS: 900, OursMS: 300, Count: 42, SameCount: true},
			{Tables: 6, UsedHint: false, PredictedGain: 1.1, ServerMS: 50, OursMS: 50, Count: 7, SameCount: true},
		},
		ServerTotalMS: 950, OursTotalMS: 350, Speedup: 950.0 / 350, MedianSpeedup: 3, WorstSlowdown: 1}
	fmt.Print(joinbench.FormatServer(rep))
	// Output:
	// 2 queries on cardinal_tpch_s1_fk (1 hinted with our leftdeep (gbdt) order as STRAIGHT_JOIN, the rest kept by the guard) against the server's own plans: total 350 ms vs 950 ms (2.71x), median per-query speedup 3.00x, worst slowdown 1.00x, same COUNT(*) everywhere: true
	//
	// | # | tables | hinted | predicted gain | server ms | ours ms | speedup | count | same |
	// |---:|---:|---|---:|---:|---:|---:|---:|---|
	// | 1 | 4 | true | 3.20 | 900.0 | 300.0 | 3.00 | 42 | true |
	// | 2 | 6 | false | 1.10 | 50.0 | 50.0 | 1.00 | 7 | true |
}
