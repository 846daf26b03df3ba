// Quickstart trains a gradient-boosted cardinality estimator on the bundled
// real flights data and compares it with the histogram baseline and the true
// count on one query.
//
//	go run ./examples/quickstart
package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
)

const query = `SELECT COUNT(*) FROM flights f
  JOIN airports a ON f.origin = a.iata
  WHERE a.state = 'CA' AND f.hour BETWEEN 6 AND 9 AND f.distance > 1500`

func main() {
	ctx := context.Background()
	db, err := datasets.Flights()
	if err != nil {
		log.Fatal(err)
	}
	// Statistics: histograms, most-common values, a 10,000-row sample.
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		log.Fatal(err)
	}
	// A training workload labelled with exact counts by the in-memory engine.
	rng := rand.New(rand.NewPCG(1, 2))
	qs, err := workload.Generate(ctx, db, workload.JoinGraphFromSchema(db.Schema), workload.Options{Queries: 3000, MaxJoins: 2}, rng)
	if err != nil {
		log.Fatal(err)
	}
	recs, err := workload.Label(ctx, db, qs, workload.LabelOptions{SubPlans: true})
	if err != nil {
		log.Fatal(err)
	}
	examples, err := estimator.Examples(db.Schema, recs)
	if err != nil {
		log.Fatal(err)
	}
	model, err := estimator.TrainGBDT(ctx, cat, examples, estimator.GBDTOptions{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}

	// A model file is self-contained: it carries the statistics it needs.
	var file bytes.Buffer
	if err := estimator.Save(&file, model); err != nil {
		log.Fatal(err)
	}
	loaded, err := estimator.Load(&file, cat, estimator.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}

	q, err := features.Parse(db.Schema, query)
	if err != nil {
		log.Fatal(err)
	}
	truth, err := engine.Count(ctx, db, q)
	if err != nil {
		log.Fatal(err)
	}
	hist, err := estimator.NewHistogram(cat).Estimate(q)
	if err != nil {
		log.Fatal(err)
	}
	est, err := loaded.Estimate(q)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("query:      %s\n", q.SQL())
	fmt.Printf("true rows:  %d\n", truth)
	fmt.Printf("histogram:  %.0f (q-error %.2f)\n", hist.Rows, estimator.QError(hist.Rows, float64(truth)))
	fmt.Printf("gbdt:       %.0f in [%.0f, %.0f] (q-error %.2f)\n", est.Rows, est.Low, est.High, estimator.QError(est.Rows, float64(truth)))
	ex, err := estimator.Explain(loaded, q)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("baseline %.0f from %s, learned correction x%.2f\n", ex.Baseline, ex.BaselineSource, ex.Correction)
	for i, c := range ex.Contributions {
		if i == 3 {
			break
		}
		fmt.Printf("  %+v\n", c)
	}
}
