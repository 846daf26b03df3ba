package estimator

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/querylog"
)

// labelled generates n queries over db (seeded) and labels them.
func labelled(t testing.TB, db *datasets.DB, n, maxJoins int, seed uint64, subplans bool) []querylog.Record {
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

func examples(t testing.TB, schema *catalog.Schema, recs []querylog.Record) []Example {
	t.Helper()
	ex, err := Examples(schema, recs)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// sharedKeyJoins is the key of qerrors' byJoins holding the joins through
// a shared dimension or a many-to-many key (features.Query.SharedKeyJoin),
// also counted under their join count.
const sharedKeyJoins = -1

// qerrors evaluates est on the examples, split by join count (and the
// shared-key joins under sharedKeyJoins).
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
		if e.Query.SharedKeyJoin(e.Query.FullMask()) {
			byJoins[sharedKeyJoins] = append(byJoins[sharedKeyJoins], qe)
		}
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

// Out of distribution: a model trained on queries of at most one join,
// asked about two-join queries, is no worse than the histogram baseline at
// the 95th percentile, and its band widens.
func TestGBDTOutOfDistribution(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	db := flightsDB(t)
	cat := flightsCatalog(t, db)
	train := examples(t, db.Schema, labelled(t, db, 800, 1, 5, true))
	ood := examples(t, db.Schema, labelled(t, db, 1500, 2, 6, false))
	var test []Example
	for _, e := range ood {
		if len(e.Query.Tables) == 3 {
			test = append(test, e)
		}
	}
	if len(test) < 100 {
		t.Fatalf("only %d two-join queries", len(test))
	}
	m, err := TrainGBDT(context.Background(), cat, train, GBDTOptions{Seed: 2, Trees: 100})
	if err != nil {
		t.Fatal(err)
	}
	gq, _ := qerrors(t, m, test)
	hq, _ := qerrors(t, NewHistogram(cat), test)
	g, h := Quantiles(gq), Quantiles(hq)
	t.Logf("out of distribution: gbdt %+v", g)
	t.Logf("out of distribution: hist %+v", h)
	if g.P95 > h.P95 {
		t.Errorf("gbdt p95 %v worse than histogram %v out of distribution", g.P95, h.P95)
	}
	// The split-conformal band keeps at least 80% coverage out of
	// distribution (issue 12), with a finite width.
	ests := make([]Estimate, len(test))
	truths := make([]float64, len(test))
	for i, e := range test {
		if ests[i], err = m.Estimate(e.Query); err != nil {
			t.Fatal(err)
		}
		truths[i] = e.Rows
	}
	s := Summarize(ests, truths)
	t.Logf("out of distribution: coverage %.3f, median band width %.2f", s.Coverage, s.BandWidth)
	if s.Coverage < 0.8 || math.IsInf(s.BandWidth, 0) {
		t.Errorf("out-of-distribution band coverage %.3f (width %.2f), want >= 0.8", s.Coverage, s.BandWidth)
	}
}

// No estimator returns NaN, a negative or an infinite estimate, or a band
// that does not contain its estimate, on random filters including
// out-of-range literals.
func TestEstimatesAlwaysValid(t *testing.T) {
	db := flightsDB(t)
	cat := flightsCatalog(t, db)
	m, err := Load(bytesReader(t, goldenModel), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	ests := []Estimator{NewHistogram(cat), NewSample(cat), m}
	fl, ap := db.Schema.TableIndex("flights"), db.Schema.TableIndex("airports")
	orig, iata := db.Schema.Tables[fl].ColumnIndex("origin"), db.Schema.Tables[ap].ColumnIndex("iata")
	for i := 0; i < 300; i++ {
		q := &features.Query{Schema: db.Schema, Tables: []features.TableRef{
			{Table: fl, Filter: randomFilter(rng, db.Tables[fl], 2)},
			{Table: ap, Filter: randomFilter(rng, db.Tables[ap], 2)}},
			Joins: []features.Join{{Left: 0, Right: 1, LeftCol: orig, RightCol: iata}}}
		for _, est := range ests {
			plans, err := EstimateSubPlans(est, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range plans {
				if !validEstimate(p.Estimate) {
					t.Fatalf("%s: invalid estimate %+v", est.Name(), p.Estimate)
				}
			}
		}
	}
}

func bytesReader(t testing.TB, path string) *bytes.Reader {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}
