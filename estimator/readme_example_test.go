package estimator_test

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

// check stops the example on an error.
func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// Example is the README's library snippet ("As a library"): keep the two
// identical, from ctx to the last Println. It trains a gbdt estimator on
// a labelled generated workload over the bundled flights data, estimates
// a query, saves the self-contained model, and feeds an observed count to
// the online wrapper.
func Example() {
	ctx, rng := context.Background(), rand.New(rand.NewPCG(1, 2))
	db, err := datasets.Flights() // or LoadCSVDir, live.LoadDB, Ecommerce
	check(err)
	cat, err := db.Catalog(catalog.StatsOptions{}, 1) // histograms, MCVs, 10,000-row samples
	check(err)
	g := workload.JoinGraphFromSchema(db.Schema)
	qs, err := workload.Generate(ctx, db, g, workload.Options{Queries: 1000}, rng)
	check(err)
	recs, err := workload.Label(ctx, db, qs, workload.LabelOptions{SubPlans: true}) // exact counts
	check(err)
	examples, err := estimator.Examples(db.Schema, recs)
	check(err)
	model, err := estimator.TrainGBDT(ctx, cat, examples, estimator.GBDTOptions{Seed: 1})
	check(err)

	const sql = "SELECT COUNT(*) FROM flights WHERE month = 2 AND delay > 60"
	est, err := estimator.EstimateSQL(model, sql)
	check(err)
	q, err := features.Parse(db.Schema, sql)
	check(err)
	trueRows, err := engine.Count(ctx, db, q) // the exact count, for comparison
	check(err)
	fmt.Println(est.Source, trueRows, estimator.QError(est.Rows, float64(trueRows)) < 1.5, est.Low <= est.Rows && est.Rows <= est.High)

	var w bytes.Buffer
	check(estimator.Save(&w, model)) // self-contained: carries its statistics

	online := estimator.NewOnline(model, estimator.OnlineOptions{}) // learns from observed counts
	check(online.Observe(q, float64(trueRows)))
	fmt.Println(online.Drift().Observed)
	// Output:
	// gbdt 370 true true
	// 1
}
