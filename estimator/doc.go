// Package estimator estimates the cardinality of queries: baselines that
// mirror today's optimisers and a learned model that corrects them.
//
//	             features.Query
//	                   |
//	   +---------------+----------------+
//	   |                                |
//	histogram (MCVs + equi-depth,   sample (catalog samples as
//	 independence; PostgreSQL        bitmaps; join-sample message
//	 selfuncs.c, MySQL histograms)   passing over the join tree)
//	   |                                |
//	   +------------> flat encoding <---+   (Dutt et al., VLDB 2019)
//	                       |
//	                gbdt correction          (Friedman 2001; LightGBM,
//	                 log(rows/baseline)       Ke et al., NeurIPS 2017)
//	                       |
//	            Estimate{Rows, Low, High}
//
// Baselines. Histogram reproduces PostgreSQL's selectivity functions
// (src/backend/utils/adt/selfuncs.c: var_eq_const,
// ineq_histogram_selectivity, patternsel with DEFAULT_MATCH_SEL,
// eqjoinsel): predicates are independent, OR is inclusion-exclusion, NOT
// is 1-s and each join edge has selectivity 1/max(ndv_R, ndv_S) (Selinger
// et al., SIGMOD 1979). Sample evaluates each table's filter on the
// catalog's sample: every column of a sample is indexed once by sorted
// position with cumulative bitmaps every cumStep positions, so a range
// predicate costs two word passes over a 10,000-row bitmap, and AND/OR/NOT
// are word operations (three-valued: TRUE and FALSE sets are tracked
// separately so NOT over NULLs is right).
//
// Join samples. Besides the textbook join formula, the package estimates a
// sub-plan by message passing over a spanning tree of its join graph on the
// samples (Haas et al., JCSS 1996; Leis et al., CIDR 2017): exact when the
// samples are whole tables, unbiased otherwise. It is a feature of the
// learned model.
//
// Files in this package: bitmap.go, sampleindex.go, like.go (sample
// predicate evaluation), histogram.go, sample.go, joinsample.go
// (baselines), api.go (sub-plans, q-error).
package estimator
