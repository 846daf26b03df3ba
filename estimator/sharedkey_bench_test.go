package estimator

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/features"
)

// BenchmarkSharedKeyEstimate times the sample baseline (what every learned
// model corrects; the trees' cost does not depend on the sample) over
// generated joins through a shared dimension on ecommerce scale 1 with
// reviews and stores, per query, with the facts on shared dimensions
// sampled at 10,000 rows (NoSharedKeySamples) and at the default
// SharedKeySampleSize (30,000; reviews whole):
//
//	go test ./estimator -run X -bench SharedKeyEstimate -benchtime 5x -cpu 1
func BenchmarkSharedKeyEstimate(b *testing.B) {
	ctx := context.Background()
	db, err := datasets.Ecommerce(ctx, datasets.EcommerceOptions{Scale: 1, Seed: 1, SharedKeys: true})
	if err != nil {
		b.Fatal(err)
	}
	gen, err := workload.Generate(ctx, db, workload.JoinGraphFromSchema(db.Schema),
		workload.Options{Queries: 600, MaxJoins: 4}, rand.New(rand.NewPCG(12, 1)))
	if err != nil {
		b.Fatal(err)
	}
	var qs []*features.Query
	for _, q := range gen {
		if q.SharedKeyJoin(q.FullMask()) {
			qs = append(qs, q)
		}
	}
	for _, c := range []struct {
		name string
		opts catalog.StatsOptions
	}{{"sample=10000", catalog.StatsOptions{NoSharedKeySamples: true}}, {"sample=shared", catalog.StatsOptions{}}} {
		cat, err := db.Catalog(c.opts, 1)
		if err != nil {
			b.Fatal(err)
		}
		est := NewSample(cat)
		for _, q := range qs { // sample indexes and memoised messages built once
			if _, err := est.Estimate(q); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				for _, q := range qs {
					if _, err := est.Estimate(q); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(qs)), "us/query")
		})
	}
}
