// Package estimator estimates the cardinality of queries (COUNT(*) of FROM
// + WHERE): baselines that mirror today's optimisers, and a learned model
// that corrects them.
//
//	                   features.Query
//	                         |
//	      +------------------+-------------------+
//	      |                                      |
//	histogram baseline                      sample baseline
//	MCVs + equi-depth histograms,           each filter on the catalog
//	independence, 1/max(ndv) joins          sample as bitmaps; joins by
//	(PostgreSQL selfuncs.c, MySQL 8         the textbook formula, by join
//	column histograms)                      synopses along foreign keys, or
//	      |                                 by join-sample message passing
//	      |                                      |
//	      +---------> flat encoding <------------+   (Dutt et al., VLDB 2019)
//	                        |
//	          gradient-boosted trees predict          (Friedman 2001;
//	          log(true rows / baseline rows)           LightGBM, Ke et al.
//	                        |                          NeurIPS 2017)
//	        Estimate{Rows, Low, High, Source}
//	                        |
//	    model file "CARDMODL": kind, catalog fingerprint,
//	    catalog (with sample), payload, CRC-32C
//
// # Baselines
//
// Histogram reproduces PostgreSQL's selectivity functions
// (src/backend/utils/adt/selfuncs.c: var_eq_const,
// ineq_histogram_selectivity, patternsel with DEFAULT_MATCH_SEL = 0.005,
// eqjoinsel without MCV matching): predicates are independent, OR is
// inclusion-exclusion, NOT is 1-s, and each join edge R.a = S.b has
// selectivity (1-nullfrac_a)(1-nullfrac_b)/max(ndv_a, ndv_b) (Selinger et
// al., SIGMOD 1979). Estimates are clamped to one row, as clamp_row_est
// does.
//
// Sample evaluates each table's filter on the catalog's sample. Every
// column of a sample is indexed once by sorted position, with cumulative
// bitmaps every cumStep positions, so a range or equality predicate costs
// two word passes over the sample bitmap plus a few bit fix-ups; AND, OR
// and NOT are word operations with SQL's three-valued logic (TRUE and FALSE
// sets are tracked apart, so NOT over NULLs is right). Single-table
// estimates over completely sampled tables are exact.
//
// Join samples (joinsample.go) estimate a sub-plan by message passing over
// a spanning tree of its join graph on the samples (Haas et al., JCSS 1996;
// Leis et al., "Index-Based Join Sampling", CIDR 2017): exact when the
// samples are whole tables, unbiased otherwise. The sub-plans of one query
// share that work (joinMemo): filter bitmaps are evaluated once per query,
// a message depends only on its child's subtree and is computed once, row
// weights extend memoised partial products of a node's first children
// (dynamic programming over the connected subsets), and the message of an
// unfiltered leaf is kept with the join keys for every later query; the
// shared results are bit-for-bit those of evaluating each sub-plan alone.
//
// Join synopses (synopsis.go; Acharya et al., "Join Synopses for
// Approximate Query Answering", SIGMOD 1999) come first when a sub-plan's
// joins all follow foreign keys away from one root occurrence, each
// referenced occurrence reached once (order_items -> orders -> customers,
// order_items -> products): the catalog stores, for each sampled row of
// the root, the rows its key paths reference (catalog.JoinSample), so the
// filters of every table are evaluated on the same joined sample row and
//
//	|plan| ~= |root| / n * #{sampled root rows passing every filter}
//
// is unbiased with all n sampled rows as support (independent samples of
// a 3M-row and a 1M-row table share about n*n/1M joining pairs), exact
// when the root is sampled whole, and sees correlations across the join
// that independence cannot (an order's date and its customer's signup).
// Other shapes (many-to-many through one table, cycles, joins on non-key
// columns) use the join samples, stratified by join key where the catalog
// has degree tables (factorjoin.go; after FactorJoin, Wu et al., SIGMOD
// 2023): a sampled child sends per key its exact degree times its pass
// rate among the key's sampled rows, and a completely sampled table of the
// sub-plan (a shared dimension) is the root, so two facts meeting at a
// dimension are summed key by key from exact degrees:
//
//	order_items ──product_id──▶ products ◀──product_id── reviews
//	  deg_oi(k)·sel_oi(k)         root, exact     deg_r(k)·sel_r(k)
//
// Where a sampled root's synopses reach a second sampled table and another
// sampled table lies outside them (two facts at a shared dimension with
// their own foreign-key trees), the sub-plan is estimated from that
// root's synopses times the key-stratified messages of the rest
// (tworoot.go; correlated sampling after CS2, Yu et al., SIGMOD 2013).
// Before any of these, an unfiltered occurrence joined by one edge on a
// foreign key into its primary key, where the sample shows every key
// reaching a row, leaves the sub-plan (fkelim.go; join elimination):
//
//	|R ⋈ D| = |R|   (D unfiltered, R.fk → D's primary key, no NULL or dangling R.fk)
//
// so a sub-plan and the same sub-plan with such a dimension hung on it
// get the same sampled estimate.
//
// Every estimator, and every learned model in training, sees a query in
// its canonical form (features.Canonical): x BETWEEN a AND a, x IN (a),
// x >= a AND x <= a and every conjunction on one column that admits one
// value are x = a, so all of them get the equality's estimate (a
// histogram that interpolated BETWEEN a AND a inside a bucket said one
// row where = a said thousands); an exclusion at a range's closed end
// opens it (month >= 3 AND month NOT IN (3) is month > 3, where the
// product of the two selectivities said 2/9 of a table whose months end
// at 3).
//
// Filters no row can satisfy (features.Unsatisfiable: x = 10 AND x < 10,
// x IN (2, 4) AND NOT (x BETWEEN 1 AND 5)) make a sub-plan exactly empty,
// as MySQL's "Impossible WHERE" does; every learned model answers them
// with zero rows. Conjuncts on one column that list values are merged
// (x IN (a, b) AND x > a is the selectivity of b), not multiplied, in the
// histogram features; a single-table query filtering one column takes the
// histogram (its exact MCVs and equi-depth buckets) as its baseline.
//
// Functions of columns (features.ExprFunc: MONTH(d) = 5) and comparisons
// of two columns of a row (features.ExprCols) are evaluated on the
// sampled rows by the sample-based estimators and the baseline, so the
// learned models correct them like any filter; the histogram uses
// uniform date-part ranges, the column's own statistics for DATE, LEFT
// and x + k, PostgreSQL's default selectivities otherwise, and column
// independence for x < y (exprsel.go). Residual filters (conditions
// mixing tables under OR / NOT, features.Residual) are estimated by every
// estimator by inclusion-exclusion over the estimates of their expansion,
// clamped to [largest term, min(sum of terms, query without them)]
// (residual.go); learned training leaves such queries out. Queries that
// read derived relations (grouped derived tables and CTEs,
// features.DerivedRel) are estimated by every estimator as its own
// estimate of the base tables times each relation's estimated groups,
// joins on its keys as key/foreign-key joins and default selectivities
// for filters on its aggregates (derived.go).
//
// # The baseline and the corrections over it
//
// The estimate every learned model corrects is one baseline (baseline.go,
// with its constants and the correction caps in one place): per sub-plan,
// zero for a contradiction, the exact join sample when every table is
// sampled whole, the histogram for a filter on one column, the
// join-synopsis or join-sample estimate when sampled rows survive; for a
// join whose samples find no surviving row, zero when complete tables,
// exact key degrees or a key map prove it empty, else the samples with
// the zero-hit filters relaxed to their selectivity (a filter fixing a
// key the catalog's key map holds: the fan-out of the sampled rows
// sharing that row's join keys; zerohit.go), else the histogram capped
// by the rule of three (over each table's sample, and, when Linear's
// training chooses it, over the root of a join synopsis that found none
// of its sampled rows: chooseSynopsisCap).
//
// Points (col = v) use what the catalog counts (poststrat.go): a value's
// MCV count or its key's exact degree (also in the histogram figures),
// else the gamma-Poisson posterior of the sampled rows holding it over
// the histogram's count of a value (Robbins 1956), for a filter of
// points on one column; a single table's sample estimate is
// post-stratified on a point conjunct (the ratio estimator, Cochran
// 1977):
//
//	|F| ≈ count(col = v) · hits(F) / hits(col = v)
//
// A learned kind predicts only
// the log-correction Δ and estimates baseline · e^Δ (learned.go); Online
// corrects any model the same way from observed counts (feedback.go).
//
// Model kinds register themselves (kinds.go): each kind's file registers
// how Train builds it and how Load reads its payload, and the model names
// its kind and writes its payload, so Save, Load, Train, Kinds and
// CatalogOf hold no list of kinds.
//
// # Learned model
//
// GBDT (gbdt.go, gbdt_io.go, trees.go, encode.go) encodes a query flatly: per table
// slot and column the predicate's range mapped through the column CDF,
// operator flags, number of literals and histogram selectivity; per slot
// the sample and histogram selectivities and sample hits; a join-edge
// bitmap; and the baselines' log-estimates. Its target is the log of true
// rows over the best baseline (the join-synopsis or join-sample estimate
// when the samples found joining rows, the histogram for a filter on one
// column, else the histogram estimate capped by what the samples allow),
// so the trees learn a correction. A join's join-sample estimate (never a
// synopsis's) is shrunk toward the
// histogram's, in logs with weight support/(support+k), k chosen in
// training from a small grid: independent samples of big tables meet on
// few rows. Trees minimise the Huber loss of the log-correction (empty
// results do not pull every leaf) and are grown leaf-wise on features
// binned into at most 255 bins, with gradient histograms built in parallel
// over features, the sibling-subtraction trick, shrinkage, L2 leaf
// regularisation, row and feature subsampling, and early stopping on a
// held-out set of query groups. The correction of a baseline the samples
// counted from h sampled rows is shrunk to Δ/(1+τh), τ chosen on the
// held-out set (shrink.go): a filter the sample already pins is not moved
// by leaves fitted to noisier baselines.
// Training is deterministic for a seed. Sub-plans whose tables are all
// completely sampled are answered exactly. The band [Low, High] is split
// conformal on the held-out whole queries per join count, the exact
// answers among them included (conformal.go); with CalibFolds > 1 more
// models, each holding out another fold, add their folds' residuals
// (cross-conformal, crossfit.go); out of distribution (more
// joins than any training query, an unseen join edge or filtered column)
// the correction is halved toward the baseline and the band widened.
// Explain attributes the correction to features along each tree's path
// (Saabas, "Interpreting random forests", 2014).
//
// # Group counts
//
// A query that groups (features.Grouping: GROUP BY, DISTINCT, HAVING)
// outputs groups, not rows. DistinctGroups (groups.go) estimates them
// from any row estimator's FROM + WHERE estimate R. The keys are first
// reduced by the joins (groupkeys.go): keys equal through equi-join
// classes count once, and a key equal to a unique column of an occurrence
// makes that occurrence's other keys (and those of occurrences reached
// from it through their unique columns) add no groups. Per occurrence the
// distinct key tuples of its filtered rows come from GEE on the catalog
// sample rows passing its filter (Charikar, Chaudhuri, Motwani &
// Narasayya, "Towards Estimation Error Guarantees for Distinct Values",
// PODS 2000), every row when a key column is among them, with Shlosser's
// estimator beside it as a feature (Haas, Naughton, Seshadri & Stokes,
// VLDB 1995; ndv.go); they are capped by the catalog's distinct counts,
// the ranges of YEAR, MONTH and DATE and the fewest filtered distinct
// values of each key's join class; thinned to the rows that survive the
// joins (semi-join share under containment) by Cardenas' formula;
// multiplied across occurrences and capped by R. HAVING (grouphaving.go)
// reads COUNT(*) thresholds against geometric group sizes of mean
// R/groups, SUM/AVG/MIN/MAX of a column against its filtered sample
// values at quantiles of that law (a single table's sample grouped
// directly), other aggregates PostgreSQL's default selectivities.
// GroupModel learns log(true groups / DistinctGroups' groups) with the
// GBDT's boosted trees from the figures above (per key: catalog,
// filtered and class distinct counts, the sample's distinct tuples, share
// seen once and rows, function, table rows; per query: GEE and Shlosser
// of the joint tuples; per HAVING comparison: the aggregate, operator and
// threshold over the aggregate's typical value). Train trains one with a
// learned kind when the examples carry group labels (TrainGroups attaches
// one later); it is saved in the model file's groups section
// (groups_io.go) and Groups(m) returns it.
// Examples carry a record's groups label (Example.Groups; GroupExamples).
//
// # Files
//
// Save and Load write and read a self-contained model file (modelfile.go):
// estimating needs no data. Load checks magic, version, lengths and a
// CRC-32C (ErrBadMagic, ErrVersion, ErrCorrupt) and, when given a catalog,
// its fingerprint (ErrFingerprint). The catalog inside, most of a file,
// is compressed from version 11 (catalog format 7): the flights demo's
// files take 0.36-0.48 MB instead of 4.28-4.40 MB. Files of versions 1 to
// 10 still load (learned models from version 10, see
// LearnedMinFormatVersion).
//
// An Online saves as kind "online" (online_io.go): the wrapped model's
// payload and the feedback state (options, rolling q-errors, the digest
// and table-set corrections in LRU order), so a restarted process resumes
// where it stopped.
//
// Sources: bitmap.go, sampleindex.go, like.go (sample predicate
// evaluation), histogram.go, sample.go, joinsample.go, synopsis.go
// (estimators the baseline is built from), baseline.go (the baseline),
// learned.go, learned_io.go (what the learned models share), kinds.go
// (the kind registry), api.go (sub-plans, q-error), encode.go, trees.go,
// gbdt.go, gbdt_io.go (learned model), explain.go, modelfile.go, binio.go,
// examples.go (query logs to training examples); setnet*.go, linear*.go
// hold the other learned models, feedback.go and online_io.go online
// feedback.
package estimator
