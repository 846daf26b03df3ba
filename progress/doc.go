// Package progress is the one shape in which Cardinal's long-running
// library calls report how far they are: an optional Func in their
// options, called with a Report. Libraries never draw; the caller decides
// (the cardinal command draws a bar on a terminal and prints a plain line
// every few seconds otherwise).
//
//	library call                     Report{Stage, Done, Total, Detail}
//	workload.Label                   "labelling"  queries done / queries
//	estimator.TrainGBDT              "gbdt"       rounds / max rounds, losses
//	estimator.TrainSetNet            "setnet"     epochs / max epochs, losses
//	live.Collect                     "collect"    statements / statements
//	datasets.TPCH                    "tpch"       events (generating, cache)
//	joinorder.TrainAgent             "q-learning" rounds / rounds, experiences
//	joinbench.Prepare                "joinbench"  events
//	joinbench.Setup.ServerBench      "server"     queries / queries, timings
//	indexadvisor.EvaluateStrategies  "indexes"    events
//	internal/server load             "load"       events
//	bench.Run                        its stages, and the above for each
//	        |
//	        v
//	progress.Func (caller-owned)  ->  bar, log line, metrics, nothing
//
// A Report with Total 0 is an event ("statistics built in 0.8s"), not a
// fraction. Early stopping may end a stage before Done reaches Total.
package progress
