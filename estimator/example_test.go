package estimator_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/querylog"
)

// flights returns the bundled flights data and its catalog.
func flights() (*datasets.DB, *catalog.Catalog) {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		panic(err)
	}
	return db, cat
}

func ExampleNewHistogram() {
	_, cat := flights()
	est := estimator.NewHistogram(cat)
	e, err := estimator.EstimateSQL(est, "SELECT COUNT(*) FROM flights WHERE month = 2")
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: %.0f rows\n", e.Source, e.Rows)
	// Output: histogram: 5964 rows
}

func ExampleNewSample() {
	_, cat := flights()
	est := estimator.NewSample(cat)
	// airports is smaller than the sample: single-table estimates are exact.
	e, err := estimator.EstimateSQL(est, "SELECT COUNT(*) FROM airports WHERE state = 'CA'")
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: %.0f rows in [%.0f, %.0f]\n", e.Source, e.Rows, e.Low, e.High)
	// Output: sample: 205 rows in [205, 205]
}

func ExampleEstimateSQL() {
	_, cat := flights()
	e, err := estimator.EstimateSQL(estimator.NewHistogram(cat), "SELECT COUNT(*) FROM flights WHERE nope = 1")
	fmt.Println(e.Rows, err != nil)
	// Output: 0 true
}

func ExampleEstimateSubPlans() {
	db, cat := flights()
	q, err := features.Parse(db.Schema, `SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata
		WHERE a.state = 'CA' AND f.delay > 60`)
	if err != nil {
		panic(err)
	}
	plans, err := estimator.EstimateSubPlans(estimator.NewSample(cat), q)
	if err != nil {
		panic(err)
	}
	for _, p := range plans {
		fmt.Printf("mask %b: %.0f rows\n", p.Mask, p.Estimate.Rows)
	}
	// Output:
	// mask 1: 1140 rows
	// mask 10: 205 rows
	// mask 11: 69 rows
}

func ExampleQError() {
	fmt.Println(estimator.QError(50, 100), estimator.QError(100, 50), estimator.QError(0, 0))
	// Output: 2 2 1
}

func ExampleQuantiles() {
	s := estimator.Quantiles([]float64{1, 1, 1, 2, 4})
	fmt.Printf("median %.0f p90 %.0f max %.0f mean %.1f n %d\n", s.Median, s.P90, s.Max, s.Mean, s.N)
	// Output: median 1 p90 4 max 4 mean 1.8 n 5
}

// trainSmall trains a small model on generated, labelled flights queries.
func trainSmall(db *datasets.DB, cat *catalog.Catalog) *estimator.GBDT {
	ctx := context.Background()
	qs, err := workload.Generate(ctx, db, workload.JoinGraphFromSchema(db.Schema),
		workload.Options{Queries: 400, MaxJoins: 2}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		panic(err)
	}
	recs, err := workload.Label(ctx, db, qs, workload.LabelOptions{SubPlans: true})
	if err != nil {
		panic(err)
	}
	train, err := estimator.Examples(db.Schema, recs)
	if err != nil {
		panic(err)
	}
	m, err := estimator.TrainGBDT(ctx, cat, train, estimator.GBDTOptions{Seed: 1, Trees: 50})
	if err != nil {
		panic(err)
	}
	return m
}

func ExampleTrainGBDT() {
	db, cat := flights()
	m := trainSmall(db, cat)
	e, err := estimator.EstimateSQL(m, `SELECT COUNT(*) FROM flights f
		JOIN airports a ON f.origin = a.iata WHERE a.state = 'CA' AND f.delay > 60`)
	if err != nil {
		panic(err)
	}
	// The true count is 137.
	fmt.Println(e.Source, e.Low <= e.Rows && e.Rows <= e.High, estimator.QError(e.Rows, 137) < 1.5)
	// Output: gbdt true true
}

func ExampleSave() {
	db, cat := flights()
	m := trainSmall(db, cat)
	var file bytes.Buffer
	if err := estimator.Save(&file, m); err != nil {
		panic(err)
	}
	back, err := estimator.Load(&file, cat, estimator.LoadOptions{})
	if err != nil {
		panic(err)
	}
	q, _ := features.Parse(db.Schema, "SELECT COUNT(*) FROM flights WHERE distance < 500")
	a, _ := m.Estimate(q)
	b, _ := back.Estimate(q)
	fmt.Println(back.Name(), a == b)
	// Output: gbdt true
}

func ExampleExplain() {
	db, cat := flights()
	m := trainSmall(db, cat)
	q, _ := features.Parse(db.Schema, `SELECT COUNT(*) FROM flights f
		JOIN airports a ON f.origin = a.iata WHERE a.state = 'TX' AND f.hour < 9`)
	ex, err := estimator.Explain(m, q)
	if err != nil {
		panic(err)
	}
	fmt.Println(ex.BaselineSource, len(ex.Contributions) > 0, ex.Rows == ex.Baseline*ex.Correction)
	// Output: join-synopsis true true
}

func ExampleAppendSubPlans() {
	db, cat := flights()
	est := estimator.NewHistogram(cat)
	var buf []estimator.SubPlanEstimate
	for _, sql := range []string{
		"SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata",
		"SELECT COUNT(*) FROM routes r JOIN airports a ON r.origin = a.iata JOIN airports b ON r.destination = b.iata",
	} {
		q, err := features.Parse(db.Schema, sql)
		if err != nil {
			panic(err)
		}
		buf, err = estimator.AppendSubPlans(buf[:0], est, q)
		if err != nil {
			panic(err)
		}
		fmt.Println(len(buf), "sub-plans")
	}
	// Output:
	// 3 sub-plans
	// 6 sub-plans
}

func ExampleExamples() {
	db, _ := flights()
	recs := []querylog.Record{{
		SQL:  "SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata WHERE a.state = 'CA'",
		Rows: 2000,
		SubPlans: []querylog.SubPlan{
			{Aliases: []string{"a"}, Rows: 205},
			{Aliases: []string{"f", "a"}, Rows: 2000},
		},
	}}
	ex, err := estimator.Examples(db.Schema, recs)
	if err != nil {
		panic(err)
	}
	for _, e := range ex {
		fmt.Println(len(e.Query.Tables), "tables:", e.Rows, "rows, group", e.Group)
	}
	// Output:
	// 2 tables: 2000 rows, group 1
	// 1 tables: 205 rows, group 1
}

func ExampleLoad() {
	m, err := estimator.Load(bytes.NewReader(goldenFile()), nil, estimator.LoadOptions{})
	if err != nil {
		panic(err)
	}
	cat := estimator.CatalogOf(m)
	e, err := estimator.EstimateSQL(m, "SELECT COUNT(*) FROM airports WHERE state = 'TX'")
	if err != nil {
		panic(err)
	}
	// The model file carries its catalog: no data is needed to estimate.
	fmt.Println(m.Name(), len(cat.Schema.Tables), "tables,", e.Rows > 0)
	_, err = estimator.Load(bytes.NewReader([]byte("GIF89a")), nil, estimator.LoadOptions{})
	fmt.Println(errors.Is(err, estimator.ErrBadMagic))
	// Output:
	// gbdt 3 tables, true
	// true
}

func goldenFile() []byte {
	b, err := os.ReadFile("testdata/flights-small.model")
	if err != nil {
		panic(err)
	}
	return b
}

// Estimate the output groups of a GROUP BY with the distinct-value
// baseline over the histogram's rows.
func ExampleNewDistinctGroups() {
	_, cat := flights()
	est := estimator.NewDistinctGroups(cat, estimator.NewHistogram(cat))
	q, err := features.Parse(cat.Schema, "SELECT origin, month FROM flights WHERE delay > 60 GROUP BY origin, month")
	if err != nil {
		panic(err)
	}
	g, err := est.EstimateGroups(q)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: %.0f groups of %.0f rows\n", g.Source, g.Groups, g.Rows)
	// Output: histogram+ndv: 228 groups of 1104 rows
}
