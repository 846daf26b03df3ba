package catalog

import (
	"fmt"
	"math"
	"slices"
)

// Fact tables meeting at a shared dimension (order_items and reviews both
// referencing products, orders and reviews both referencing customers),
// neither reaching the other along foreign keys, are not covered by one
// table's join synopses; they are estimated from their samples joined through that dimension: the
// join synopsis of one fact times the key-stratified sample of the other
// (estimator/tworoot.go). Where both facts are sampled, a selective filter
// on one of them leaves few sampled rows on few keys, and joins that no
// sampled row supports fall back to independence; that is where the
// learned models' join tail was (issue 12: ecommerce shared-key joins p99
// 82.9 at 10,000 rows, 34.9 with every table sampled at 25,000). Build
// therefore samples such tables at SharedKeySampleSize rows:
//
//	       D (referenced by foreign keys of two or more tables)
//	      ▲ ▲
//	 fk ──┘ └── fk
//	 T₁           T₂      both with more rows than SampleSize, neither
//	                      reaching the other along foreign keys: each
//	                      sampled at SharedKeySampleSize rows
//
// A dimension whose other referencing tables are sampled whole (flights
// and routes at airports, routes being 5,366 rows) moves nothing: there
// the exact key degrees of the whole table meet the sampled one
// (estimator/factorjoin.go). Nor do two facts of which one reaches the
// other (TPC-H's lineitem -> partsupp, both referencing part and
// supplier): the first one's synopses cover the join. Self-references do
// not count. TPC-H's customer and supplier (both referencing nation)
// qualify from scale 2 on: at scale 1 supplier has 10,000 rows, no more
// than SampleSize.

// SharedKeySampleFactor is the default SharedKeySampleSize over
// SampleSize: 30,000 rows at the default 10,000, PostgreSQL's ANALYZE
// sample (300 × the default statistics target of 100). On ecommerce's
// shared-key joins (estimator's TestSharedKeyAccuracy) gbdt p99 was 35.4
// and 30.2 on test seed 12 (gbdt seeds 1 and 2) and 30.9 and 36.3 on test
// seed 13, against 34.9, 35, 58 and 68 at 25,000 and 82.9 to 118 at
// 10,000.
const SharedKeySampleFactor = 3.0

// SampleSizes returns the sample size Build gives each table of schema
// when the tables have rows[t] rows: SampleSize, or SharedKeySampleSize for
// the facts meeting at a shared dimension (opts' defaults applied). A
// sampler that reads its rows elsewhere (live.LoadSample reads them from a
// server) uses it to read as many rows as Build would keep.
func SampleSizes(schema *Schema, rows []int64, opts StatsOptions) ([]int, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if len(rows) != len(schema.Tables) {
		return nil, fmt.Errorf("%w: %d row counts for %d tables", ErrInvalidOptions, len(rows), len(schema.Tables))
	}
	n := make([]int, len(rows))
	for i, r := range rows {
		if r < 0 {
			return nil, fmt.Errorf("%w: table %q has %d rows", ErrInvalidSource, schema.Tables[i].Name, r)
		}
		n[i] = int(min(r, math.MaxInt32))
	}
	return sampleSizes(schema, n, opts), nil
}

// sampleSizes returns the sample size of each table of schema with rows[t]
// rows under opts (defaults applied).
func sampleSizes(schema *Schema, rows []int, opts StatsOptions) []int {
	k := make([]int, len(schema.Tables))
	for i := range k {
		k[i] = opts.SampleSize
	}
	if opts.NoSharedKeySamples || opts.SharedKeySampleSize <= opts.SampleSize {
		return k
	}
	n := len(schema.Tables)
	// reach[t][u]: u is reached from t along foreign keys (t's join
	// synopses can cover u).
	reach := make([][]bool, n)
	for t := range reach {
		reach[t] = make([]bool, n)
		stack := []int{t}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, fk := range schema.ForeignKeys {
				if schema.TableIndex(fk.Table) != x {
					continue
				}
				if d := schema.TableIndex(fk.RefTable); d >= 0 && !reach[t][d] {
					reach[t][d] = true
					stack = append(stack, d)
				}
			}
		}
	}
	// refs[d]: the sampled tables other than d with a foreign key into d.
	refs := make([][]int, n)
	for _, fk := range schema.ForeignKeys {
		t, d := schema.TableIndex(fk.Table), schema.TableIndex(fk.RefTable)
		if t < 0 || d < 0 || t == d || rows[t] <= opts.SampleSize || slices.Contains(refs[d], t) {
			continue
		}
		refs[d] = append(refs[d], t)
	}
	for _, ts := range refs {
		for i, a := range ts {
			for _, b := range ts[i+1:] {
				if !reach[a][b] && !reach[b][a] {
					k[a], k[b] = opts.SharedKeySampleSize, opts.SharedKeySampleSize
				}
			}
		}
	}
	return k
}
