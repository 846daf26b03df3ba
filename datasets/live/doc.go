// Package live makes a running MySQL or MariaDB server a data source: its
// schema and statistics, its workload, the true row counts of that
// workload, and its optimizer's estimates as a baseline.
//
//	          DSN (--dsn / CARDINAL_DSN)       RedactDSN: "user:xxxxx@tcp(host)/db"
//	                  |
//	                Open ---- ping, VERSION() -> Flavour (MySQL | MariaDB)
//	                  |       SetMaxOpenConns, dial/call timeouts
//	                  v
//	 +------------- *sql.DB ---------------------------------------------+
//	 |   every statement passes CheckReadOnly (the guard) before the     |
//	 |   driver: SELECT, EXPLAIN SELECT, SHOW, SET STATEMENT..FOR SELECT |
//	 +-------------------------------------------------------------------+
//	    |                 |                     |                 |
//	LoadSchema       LoadSample/LoadAll    CaptureDigests     ExplainEstimator
//	information_     SELECT .. WHERE       performance_       EXPLAIN FORMAT=JSON
//	schema -> Schema RAND(seed) < p        schema digests     -> PlanRows
//	+ Indexes        -> datasets.DB +           |
//	                 COUNT(*) per table         |    ParseSlowLog (file)
//	                 -> SampleCatalog           |    ParseSQLFile (file)
//	                                            v         |
//	                                       []Statement <--+
//	                                            |
//	                                        Classify -- features.Parse; the rest
//	                                            |        counted by reason
//	                                         Collect -- COUNT(*) per distinct query
//	                                            |        (and sub-plan), READ ONLY
//	                                            |        tx, server time limit,
//	                                            |        N at a time, retries
//	                                            v
//	                           labelled query log (querylog.Record JSON Lines,
//	                           fsync per batch; resumes by SQL text)
//
// Safety. The package only reads. Every statement it sends goes through one
// function that refuses, before the driver sees it, anything but the
// statements listed above (a test parses the package's source to check
// that nothing else calls the driver). Collect never sends captured text:
// it sends the COUNT(*) rendering of the parsed query model, inside START
// TRANSACTION READ ONLY, with MAX_EXECUTION_TIME (MySQL) or
// max_statement_time (MariaDB). The password of the DSN never appears in
// errors, logs or reports (RedactDSN; driver errors are wrapped with the
// password scrubbed).
//
// Crash safety of Collect follows the write-ahead pattern of an append-only
// log: a record is appended once its count is known, the file is fsynced
// every BatchSize records, and a restart trusts every complete line,
// truncates a torn last line and redoes only what is missing.
//
// The EXPLAIN baseline reads the optimizer's cardinality estimate as the
// System R style product of per-table row estimates and selectivities
// along the nested-loop plan (P. G. Selinger et al., "Access Path
// Selection in a Relational Database Management System", SIGMOD 1979);
// see PlanRows for the two servers' JSON.
//
// docs/live.md tells an operator what the package sends and what it costs
// the server.
package live
