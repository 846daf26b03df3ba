// Package bench is the harness that compares every estimator with the
// baselines on the same never-seen queries.
//
//	datasets.DB ──► catalog statistics
//	     │
//	     ├─ workload.Generate(seed)      ─► Label (+ sub-plans) ─► train every model
//	     ├─ workload.Generate(seed+Δ)    ─► Label ─► test: 0..MaxJoins joins
//	     └─ workload.Generate(seed+Δ')   ─► Label ─► out of distribution: MaxJoins+1
//	                                                    │
//	                  q-error quantiles, latency, training time, model size
//	                                                    │
//	                      Markdown tables · JSON · PNG plot
//
// Accuracy is the q-error max(est/true, true/est) with both sides clamped to
// at least one row (Moerkotte, Neumann and Steidl, "Preventing Bad Plans by
// Bounding the Impact of Cardinality Estimation Errors", VLDB 2009),
// reported as median, 90th, 95th, 99th percentile and maximum, split into
// single-table and join queries as in Kipf et al. (MSCN, CIDR 2019). Test
// queries come from a fresh seed, so no test query is a training query.
package bench
