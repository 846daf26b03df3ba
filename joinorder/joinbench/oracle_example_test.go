package joinbench_test

import (
	"fmt"

	"github.com/cardinaldb/cardinal/joinorder/joinbench"
)

// FormatOracle renders OracleBench's headroom report (here a hand-made
// one) as Markdown: per held-out query the server's plan, our order and
// the other candidate orders, each cut at the fastest time so far (">");
// a total holding a time cut at its limit is a lower bound (">=").
func ExampleFormatOracle() {
	rep := joinbench.OracleReport{Database: "cardinal_tpch_s1_fk_comments", SameCount: true,
		ServerTotalMS: 20900, OursTotalMS: 1300, OracleTotalMS: 1150,
		Queries: []joinbench.OracleQuery{
			{Tables: 4, Best: 2, Candidates: []joinbench.OracleCandidate{
				{Source: "server", MS: 20000, TimedOut: true}, {Source: "ours", MS: 1200},
				{Source: "greedy from l", MS: 1050}, {Source: "leftdeep (cout)", MS: 1051, TimedOut: true}}},
			{Tables: 5, Best: 1, Candidates: []joinbench.OracleCandidate{
				{Source: "server", MS: 900}, {Source: "ours", MS: 100}, {Source: "greedy from o", MS: 101, TimedOut: true}}},
		}}
	fmt.Print(joinbench.FormatOracle(rep))
	// Output:
	// 2 queries on cardinal_tpch_s1_fk_comments: server's plans >= 20900 ms, our orders (always hinted) 1300 ms (16.08x), the fastest timed candidate per query 1150 ms (18.17x); same COUNT(*) wherever finished: true; past the limit: server 1, ours 0, fastest 0
	//
	// | # | tables | server ms | ours ms | fastest | fastest ms | other candidates (ms, > = cut at the fastest so far) |
	// |---:|---:|---:|---:|---|---:|---|
	// | 1 | 4 | >20000 | 1200.0 | greedy from l | 1050.0 | greedy from l 1050.0, leftdeep (cout) >1051 |
	// | 2 | 5 | 900.0 | 100.0 | ours | 100.0 | greedy from o >101 |
}
