package workload_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

func benchLabel(b *testing.B, db *datasets.DB, n int, subplans bool) {
	g := workload.JoinGraphFromSchema(db.Schema)
	qs, err := workload.Generate(context.Background(), db, g, workload.Options{Queries: n}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	var elapsed time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := workload.Label(context.Background(), db, qs, workload.LabelOptions{SubPlans: subplans}); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "queries/s")
}

// BenchmarkLabelFlights labels the 20,000-query flights workload.
func BenchmarkLabelFlights(b *testing.B) {
	benchLabel(b, testutil.Flights(b), 20000, false)
}

// BenchmarkLabelFlightsSubPlans labels it with every sub-plan.
func BenchmarkLabelFlightsSubPlans(b *testing.B) {
	benchLabel(b, testutil.Flights(b), 20000, true)
}

// BenchmarkLabelEcommerce3M labels 50 queries over ecommerce scale 10
// (~3M order_items).
func BenchmarkLabelEcommerce3M(b *testing.B) {
	db, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 10, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	benchLabel(b, db, 50, false)
}

// BenchmarkGenerateFlights draws the 20,000-query flights workload.
func BenchmarkGenerateFlights(b *testing.B) {
	db := testutil.Flights(b)
	g := workload.JoinGraphFromSchema(db.Schema)
	for b.Loop() {
		if _, err := workload.Generate(context.Background(), db, g, workload.Options{Queries: 20000}, rand.New(rand.NewPCG(1, 1))); err != nil {
			b.Fatal(err)
		}
	}
}
