// Feedback wraps an estimator in the online feedback loop: true counts
// observed after queries run are folded back in, so repeated query shapes
// are estimated better, and drift (accuracy falling) is reported.
//
//	go run ./examples/feedback
package main

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/estimator"
)

func main() {
	ctx := context.Background()
	db, err := datasets.Flights()
	if err != nil {
		log.Fatal(err)
	}
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		log.Fatal(err)
	}
	// A workload of join queries; the histogram baseline is poor on them.
	rng := rand.New(rand.NewPCG(3, 4))
	qs, err := workload.Generate(ctx, db, workload.JoinGraphFromSchema(db.Schema), workload.Options{Queries: 4000, MinJoins: 1, MaxJoins: 2}, rng)
	if err != nil {
		log.Fatal(err)
	}
	recs, err := workload.Label(ctx, db, qs, workload.LabelOptions{})
	if err != nil {
		log.Fatal(err)
	}
	hist := estimator.NewHistogram(cat)
	online := estimator.NewOnline(hist, estimator.OnlineOptions{})

	// The first half runs and is observed; the second half is estimated
	// before and with the feedback.
	half := len(qs) / 2
	seen := map[string]bool{}
	for i, q := range qs[:half] {
		if err := online.Observe(q, float64(recs[i].Rows)); err != nil {
			log.Fatal(err)
		}
		seen[q.Digest()] = true
	}
	var before, after []float64
	for i, q := range qs[half:] {
		if !seen[q.Digest()] {
			continue // feedback helps shapes it has observed
		}
		truth := float64(recs[half+i].Rows)
		b, err := hist.Estimate(q)
		if err != nil {
			log.Fatal(err)
		}
		a, err := online.Estimate(q)
		if err != nil {
			log.Fatal(err)
		}
		before = append(before, estimator.QError(b.Rows, truth))
		after = append(after, estimator.QError(a.Rows, truth))
	}
	qb, qa := estimator.Quantiles(before), estimator.Quantiles(after)
	fmt.Printf("%d queries of already-observed shapes\n", qb.N)
	fmt.Printf("histogram alone:   median %.2f  p90 %.2f  p95 %.2f\n", qb.Median, qb.P90, qb.P95)
	fmt.Printf("with feedback:     median %.2f  p90 %.2f  p95 %.2f\n", qa.Median, qa.P90, qa.P95)
	d := online.Drift()
	fmt.Printf("drift: %v (%s)\n", d.Drifted, d.Advice)
}
