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

// labelled generates n queries over db (seeded) and labels them.
func labelled(t testing.TB, db *datasets.DB, n, maxJoins int, seed uint64, subplans bool) []workload.Record {
	t.Helper()
	ctx := context.Background()
	qs, err := workload.Generate(ctx, db, workload.JoinGraphFromSchema(db.Schema),
		workload.Options{Queries: n, MaxJoins: maxJoins}, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := workload.Label(ctx, db, qs, workload.LabelOptions{SubPlans: subplans})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func examples(t testing.TB, schema *catalog.Schema, recs []workload.Record) []Example {
	t.Helper()
	ex, err := Examples(schema, recs)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// qerrors evaluates est on the examples, split by join count.
func qerrors(t testing.TB, est Estimator, ex []Example) (all []float64, byJoins map[int][]float64) {
	t.Helper()
	byJoins = map[int][]float64{}
	for _, e := range ex {
		got, err := est.Estimate(e.Query)
		if err != nil {
			t.Fatal(err)
		}
		if !validEstimate(got) {
			t.Fatalf("%s: invalid estimate %+v for %s", est.Name(), got, e.Query.SQL())
		}
		qe := QError(got.Rows, e.Rows)
		all = append(all, qe)
		j := len(e.Query.Tables) - 1
		byJoins[j] = append(byJoins[j], qe)
	}
	return all, byJoins
}

func validEstimate(e Estimate) bool {
	ok := func(x float64) bool { return x >= 0 && x <= maxRows }
	return ok(e.Rows) && ok(e.Low) && ok(e.High) && e.Low <= e.Rows && e.Rows <= e.High
}

func flightsCatalog(t testing.TB, db *datasets.DB) *catalog.Catalog {
	t.Helper()
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// The learned model beats the histogram baseline on never-seen flights
// queries at the median and the tail, and never returns an invalid
// estimate.
func TestGBDTBeatsHistogramOnFlights(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	db := flightsDB(t)
	cat := flightsCatalog(t, db)
	train := examples(t, db.Schema, labelled(t, db, 1500, 3, 1, true))
	test := examples(t, db.Schema, labelled(t, db, 400, 3, 2, false))
	m, err := TrainGBDT(context.Background(), cat, train, GBDTOptions{Seed: 1, Trees: 150})
	if err != nil {
		t.Fatal(err)
	}
	gq, gj := qerrors(t, m, test)
	hq, hj := qerrors(t, NewHistogram(cat), test)
	g, h := Quantiles(gq), Quantiles(hq)
	t.Logf("gbdt      %+v", g)
	t.Logf("histogram %+v", h)
	for j := 0; j <= 3; j++ {
		t.Logf("joins=%d gbdt %+v", j, Quantiles(gj[j]))
		t.Logf("joins=%d hist %+v", j, Quantiles(hj[j]))
	}
	if !(g.Median < h.Median && g.P90 < h.P90 && g.P95 < h.P95 && g.P99 < h.P99) {
		t.Errorf("gbdt %+v does not beat histogram %+v", g, h)
	}
}

var _ = features.MaxTables
