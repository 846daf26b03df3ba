// Package joinorder orders the joins of a query: plans (bushy and
// left-deep join trees with rows and cost per node), cost models, the
// classic enumerators, a learned agent, and the SQL that makes MySQL or
// MariaDB follow a plan.
//
//	features.Query ──► Source ──► Cards (rows of every connected sub-plan, bit masks)
//	                    │  Estimated(any estimator.Estimator): EstimateSubPlans
//	                    │  exact.Source: the engine's true CountSubPlans
//	                    ▼
//	  Cards + CostModel (Cout | MySQL | MariaDB) ──► enumerator ──► Plan ──► String / JSON
//	                    DPccp      optimal bushy                 HintedSQL  (MySQL 8 JOIN_ORDER)
//	                    LeftDeep   optimal left-deep             StraightJoinSQL (MariaDB)
//	                    GOO        greedy, O(n^3)
//	                    Agent      learned value function, beam rollout, guarded by DPccp
//
// # Cardinalities
//
// A plan is chosen from the rows of connected sub-plans only (a
// disconnected set's rows are its components' product). At plan time the
// package depends on estimator, catalog and features alone; true counts
// come through package joinorder/exact, which wraps the in-memory engine.
//
// # Cost models
//
// Cout is C_out, the sum of intermediate result sizes (Cluet and
// Moerkotte, ICDT 1995). MySQL is a MySQL-like model of left-deep
// execution choosing, per join, an index nested loop (when the inner table
// has an index on a join column) or a hash join, with MySQL 8.0's default
// cost constants (row_evaluate_cost 0.1, key_compare_cost 0.05,
// memory_block_read_cost 0.25, io_block_read_cost 1.0; see cost.go).
// Both index lookups on primary keys, foreign-key columns and the
// catalog's secondary indexes (Table.Indexes).
//
// MariaDB prices MariaDB's own executor in microseconds: no hash joins at
// its default join_cache_level 2, so a join is an index lookup (ref /
// eq_ref: Lookup per outer row, FetchPK or FetchSec per fetched row, a
// secondary index costing a clustered lookup more unless it covers) or a
// block nested loop. The rows a lookup join fetches are the join's rows
// over the inner filter's selectivity, capped at the outer rows times the
// inner table's rows per join key from the catalog (MariaDB's
// best_access_path counts a ref access by the index's rec_per_key; see
// mariadb_keys.go), so an overestimated join is not multiplied by 1/sel:
//
//	fetched = min(Rows/sel, LeftRows·|T|, max(Rows, LeftRows·rows per key))
//
// A plan's cost is the dot product of its Work (rows
// scanned, lookups, rows fetched, row pairs compared) with MariaDBCosts.
// The defaults are set from probe timings on TPC-H SF1; FitMariaDBCosts refits them to
// measured latencies (non-negative least squares on relative errors with
// a ridge towards the prior), which is how joinbench.Calibrate refines
// the model from a server's own executions:
//
//	timed STRAIGHT_JOIN orders ──► (OrderWork under TRUE counts, latency) ──► FitMariaDBCosts ──► NewMariaDB
//
// # Implied join edges
//
// Equalities chain: a.x = b.y AND b.y = c.z implies a.x = c.z, and the
// servers join a to c directly when that is cheaper. ImpliedJoins adds
// those edges to a query (per equivalence class of join columns, one edge
// per unlinked pair of occurrences), so that the planners can choose such
// orders and the guard can price the server's. Estimated sources estimate
// a query with redundant edges per sub-plan on a spanning tree of each
// class (no equality counted twice); exact counts are unaffected.
//
// # Enumerators
//
// DPccp (Moerkotte and Neumann, VLDB 2006) enumerates each pair of a
// connected subgraph and a connected complement once and is optimal among
// bushy trees without cross products; LeftDeep is Selinger-style DP over
// connected sets; GOO is Fegaras' greedy operator ordering (DEXA 1998).
// Bounded work: a DP stops after Options.MaxPairs joins considered
// (DefaultMaxPairs, about 2^18) and the component is planned by GOO; the
// Plan's Source says so. Sub-plans are uint64 masks, so a query has at most
// features.MaxTables = 64 occurrences: the parser rejects more, and every
// planner returns ErrQuery for more.
//
// A disconnected query (no join edge between some tables) is planned per
// connected component, then the components are cross-joined smallest
// first: the only cross products any method makes. Validate checks that a
// plan joins each table once and only along join edges.
//
// # The learned agent
//
// Agent (after DQ, Krishnan et al. 2018, and Balsa, Yang et al. SIGMOD
// 2022) plans by a beam rollout over states = the forest of sub-plans
// joined so far; an action joins two trees linked by a join edge; a
// linear value function over 14 features of (query, state, action) —
// estimated rows and costs of the new tree and the forest, selectivity,
// a one-step lookahead, size — predicts log(1 + the TRUE cost of the best
// complete plan). TrainAgent bootstraps a replay memory from the
// trajectories of DPccp on true counts and of DPccp, left-deep DP and GOO
// on the estimates, then alternates ridge fits with ε-greedy and beam
// rollouts; targets are minimum backups over every observed episode
// through a state, priced with true sub-plan counts. Training is
// deterministic for a seed. PlanGuarded falls back to DPccp on the same
// cardinalities when the agent's plan costs more than GuardRatio times
// DPccp's or the query is out of the training distribution, and says so
// in Plan.Source. Model files (Save, LoadAgent) carry a format version, a
// CRC and the catalog fingerprint; testdata/agent.golden pins the format.
//
// # Hints
//
// MySQL and MariaDB execute left-deep trees. HintedSQL prefixes the query
// with /*+ JOIN_ORDER(...) */ (MySQL 8 optimizer hint); StraightJoinSQL
// rewrites FROM in the plan's order under SELECT STRAIGHT_JOIN (MariaDB,
// MySQL). A bushy plan is hinted by its connected linearisation
// (Plan.Order). Inner joins commute, so both return the original result;
// the tests count every hinted query with the engine and, against a live
// server, compare COUNT(*)s.
package joinorder
