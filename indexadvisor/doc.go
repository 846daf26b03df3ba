// Package indexadvisor recommends MySQL/MariaDB indexes for a weighted
// workload: RecommendIndex(ctx, workload, options).
//
// MySQL and MariaDB have no hypothetical indexes, so the advisor costs
// candidate indexes itself, with Cardinal's estimators for selectivities
// (by default the sample baseline, and the histogram baseline for an
// equality on one column, which the server estimates exactly by
// records_in_range: estimate.go):
//
//	statements (SQL file, slow log, performance_schema digests + counts)
//	   │  NewWorkload: SELECT -> features.Query (eq / IN / range columns,
//	   │  ORDER BY + direction + LIMIT, GROUP BY, columns read);
//	   │  INSERT / UPDATE / DELETE -> writes per table (+ their WHERE)
//	   ▼
//	occurrences in a greedy join order (estimated sub-plan sizes)
//	   │  candidates: E, E+range, join+E, E+ORDER BY, E+GROUP BY, covering
//	   │  (after E+range, and in GROUP BY order), singles; <= MaxColumns;
//	   │  merged; prefixes of existing indexes dropped
//	   ▼
//	what-if cost (cost.go): full scan vs index range + row lookups,
//	   index-only when covering, sort / temp table avoided (a secondary
//	   index's key goes on with the primary key, so it serves ORDER BY
//	   id after its equalities: extendedKeyColumn), inner-side
//	   lookups per outer row, index maintenance per written row;
//	   sizes InnoDB-like (size.go); calibrated on MariaDB 10.11 where
//	   MySQL's constants mislead: a row lookup costs 20 scanned rows,
//	   7.5 when the index's first column follows the primary key
//	   (lookups in clustered order; by the squared correlation) or
//	   an equality ref's run of primary keys is dense in the
//	   clustered leaves (a hot key; sortedRunDensity),
//	   a leaf page 30 row reads in a clustered or secondary index
//	   (covering full scans: scanPageRows), a join without an index a block nested loop compare per
//	   (inner, outer) pair (0.4 scanned rows) or an eq_ref lookup per
//	   inner row, and a
//	   join is run from a table larger than the driving filter's
//	   result (blind) unless an index leading with that table's join
//	   columns makes the lookups from the driving table cheaper in the
//	   server's view, every driving row it cannot estimate times the
//	   fan-out (blind.go), its eq_ref lookups the runs of the join key
//	   in the order that table is read (eqrefruns.go: MariaDB skips a
//	   lookup of the previous row's key); a driving table read out of
//	   its primary key order scatters the probes of an index on the
//	   inner table's join column, 9 scanned rows more a probe
//	   (probeorder.go); an equality to a constant on
//	   a join column filters the joined tables' scans too
//	   (propagate.go); an equality ref through a covering index
//	   with a column between its equality columns and the primary
//	   key, its entries within 1.5 pages of key bytes (or at most 6
//	   rows through any index), makes MariaDB drive a BNL join from it,
//	   which pays every pair (bnl.go)
//	   │  each statement at the plan a MySQL-like optimizer PICKS
//	   │  (serverChoice: a lookup as 5 row reads, 1 when walking an index
//	   │  for ORDER BY / GROUP BY; ORDER BY ... LIMIT walks as
//	   │  short as estimated, an unbounded one at 5 row reads a row
//	   │  as MariaDB weighs it against a ref (serverWalkRowCost),
//	   │  GROUP BY temp tables of every row
//	   │  the existing indexes do not estimate away, an index range's
//	   │  rows doubled past ten leaf pages as InnoDB's records_in_range
//	   │  does, a single-table LIMIT taking any range its constants
//	   │  bound over the scan unless it costs more than the scan at 1.2
//	   │  a row: limitForcedScanRow), priced at what the model says that
//	   │  plan costs (a LIMIT
//	   │  walk with a pessimistic rest filter, to where the matches
//	   │  of a column the walk's column determines cluster: walkfd.go,
//	   │  and past the sample's first match when the sample shows the
//	   │  start of the walk depleted of matches: walksample.go):
//	   │  the traps show up as dearer statements
//	   ▼
//	Extend-style greedy (selection.go): best benefit per byte within the
//	   budget and per-table limit, or a one-column extension of a chosen
//	   index; no step that makes a statement >10% (and regressionFloor,
//	   ~2 ms) dearer, but two indexes of a table taken together when
//	   each alone lures a statement the other serves, or one with two
//	   that serve its lured statements between them (curePair); prune indexes
//	   that stop paying; swap local search (one chosen index for one
//	   candidate, at no worse benefit per byte); a portfolio of restarts
//	   (budget, its halves; server or cheapest plans; regressions
//	   weighed, then repaired by add / swap / drop moves on the slowed
//	   statements' tables (repair.go), kept only when none remain),
//	   keeping the smallest configuration
//	   within 3% of the best estimated benefit, or a smaller one where
//	   the larger's extra bytes buy less than a third of its benefit per
//	   byte (the knee) and 90% of the best is kept; drop advice
//	   │
//	   ▼
//	Trap refusal (traps.go, opt-in): an index a server-like
//	   optimizer would switch a statement to and run >10% slower (an
//	   index led by the GROUP BY / ORDER BY column, read with a row
//	   lookup per entry) is banned and the selection reruns;
//	   optionally the learned Guard (guard.go, golearn ID3 tree) vets
//	   each (statement, index) pair the same way
//	   │
//	   ▼
//	DDL (ALTER TABLE ... ADD INDEX ..., ALGORITHM=INPLACE, LOCK=NONE),
//	Liquibase changelog (changeSet + rollback per index), JSON
//
// Selection follows Extend (R. Schlosser, J. Kossmann, M. Boissier,
// "Efficient Scalable Multi-Attribute Index Selection Using Recursive
// Strategies", ICDE 2019), the best performer in J. Kossmann et al.,
// "Magic mirror in my hand, which is the best in the land? An Experimental
// Evaluation of Index Selection Algorithms", PVLDB 13(11), 2020. The guard
// follows B. Ding et al., "AI Meets AI: Leveraging Query Executions to
// Improve Index Recommendations", SIGMOD 2019: a classifier trained on
// measured outcomes of (query, index) pairs rather than on the what-if
// model's own estimates. Cost constants are MySQL's default cost model
// (cost.go); storage constants are InnoDB's page and record formats
// (size.go).
//
// Regressions are avoided by default in the selection itself: priced at
// the server's plans, an index that would lure a statement into a slower
// plan makes that statement dearer, and the greedy does not take a step
// that makes any statement more than RegressionThreshold (and
// regressionFloor cost units, the measured 2 ms noise floor) dearer
// (Options.AllowRegressions weighs them against the savings instead;
// Options.CheapestPlan restores pricing at cheapest plans, the previous
// default, which cannot see a trap). A statement's cost is the sum of its
// table occurrences': a blind join moves cost between the occurrences of
// one statement, which is no regression (selection.go, stmtCost).
//
// The two post-selection checks are opt-in (Options.RefuseTraps, --refuse-traps;
// Options.Guard, --guard, trained with MeasurePairs on the workload and
// generated statements labelled with the engine's exact counts, then
// TrainGuard). Measured on MariaDB (ecommerce, scale 1 and 10) each cost
// far more of the workload-time reduction than the regressions it
// avoided, and neither removed all regressions, so the default
// recommendation is the unvetted selection (README, index advice).
// EvaluateStrategies reports each variant beside it and scores both
// checks on the (statement, candidate) pairs it measures.

// EvaluateStrategies measures on a server (measure.go): indexes move
// between configurations by difference, and each statement is timed once
// per distinct plan: its EXPLAIN, without row estimates, keys a memo of
// median times, so a configuration that leaves a statement's plan alone
// gets exactly the time measured for that plan before, not fresh timer
// noise. A statement measured more than 10% and 2 ms slower is timed
// again in pairs with and without the new indexes (IGNORE INDEX) while
// the configuration is on the server: the pair medians give the verdict,
// and its time is its base time times their ratio or plus their
// difference, whichever agrees with it (recheck.go). The oracle builds and times each candidate alone, then its
// greedy configuration is measured like the others; the guard is judged
// (not trained) on every (statement, candidate) pair timed there.
//
// The cost model fixes each statement's join order from estimated
// sub-plan sizes (it does not re-order joins per configuration), costs
// ORDER BY / GROUP BY avoidance only on the first table of the order and
// LIMIT only for single-table statements.
package indexadvisor
