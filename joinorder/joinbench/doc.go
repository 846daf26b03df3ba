// Package joinbench is the join-ordering comparison behind the
// eval-joinorder, train-joinorder, bench and demo commands: it generates
// join queries of MinTables..MaxTables tables over a data set, counts
// every sub-plan exactly, estimates them with the histogram, sample and
// gbdt estimators, trains the learned agent on some queries and plans the
// held-out ones with every method:
//
//	data set ─► workload (fresh seeds) ─► estimator training queries ─► gbdt
//	         └► join queries ─► exact.Source (true) ┐
//	                         └► Estimated(histogram | sample | gbdt)
//	                               │ train split ─► TrainAgent (gbdt cards, true feedback)
//	                               ▼ held-out split
//	         joinorder.Evaluate: GOO, left-deep DP, DPccp × {histogram, sample, gbdt}, agent
//
// Every method's plan is priced under TRUE counts and divided by the true
// optimum (DPccp on true counts).
//
// On a server (server.go, guard.go, oracle.go), ServerBench times each
// held-out query as written (the server's own order) against the
// STRAIGHT_JOIN rewrite of our left-deep order where the hint guard says
// so; TrainGuard fits the guard on training queries timed both ways;
// OracleBench measures the headroom: the fastest of the server's plan,
// ours and a few more candidate orders per query.
//
// Two rules shape the server runs (README, issue 10):
//
//   - Options.MaxResultRows is a workload rule: a generated join query is
//     kept only when the engine's COUNT(*) of it is at most that many rows
//     (DefaultServerMaxResult, 500,000, for the SF1 runs; more are drawn
//     from the same seeded stream). Past that the output, not the join
//     order, is the work; the rule looks at no timing and is the same for
//     every method.
//   - The hint guard (Guard) hints our order only where the model prices
//     the server's EXPLAIN order more than Ratio times ours and by
//     MinSavingMS, and the server's own optimizer cost of its plan
//     (MariaDB's Last_query_cost after the EXPLAIN, ServerQuery.ServerCost)
//     is unknown or at least MinServerCost (DefaultServerMinCost, 10,000): below it
//     the server expects a cheap plan and is right more often than the
//     model.
package joinbench
