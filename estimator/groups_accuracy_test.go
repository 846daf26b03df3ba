package estimator

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/querylog"
)

// groupedLabelled generates n grouped queries over db (seeded) and labels
// them with rows and groups.
func groupedLabelled(t testing.TB, db *datasets.DB, n, maxJoins int, seed uint64) []querylog.Record {
	t.Helper()
	ctx := context.Background()
	qs, err := workload.Generate(ctx, db, workload.JoinGraphFromSchema(db.Schema),
		workload.Options{Queries: n, MaxJoins: maxJoins}, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := workload.AddGrouping(db, qs, workload.GroupingOptions{}, rand.New(rand.NewPCG(seed, 2))); err != nil {
		t.Fatal(err)
	}
	recs, err := workload.Label(ctx, db, qs, workload.LabelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// Issue 13's targets of group counts on never-seen queries, gated with
// CARDINAL_ACCURACY=1 on flights and ecommerce (TestGroupModelFlights,
// TestGroupModelEcommerce).
const (
	groupTargetMedian = 1.5
	groupTargetP95    = 5.0
)

// Seeds of the group accuracy tests: training queries, and never-seen
// test queries (a seed not looked at while the baseline was developed).
const (
	groupTrainSeed = 101
	groupTestSeed  = 404
)

// groupQErrors evaluates a group estimator on grouped examples.
func groupQErrors(t testing.TB, est GroupEstimator, ex []GroupExample) []float64 {
	t.Helper()
	var out []float64
	for _, e := range ex {
		got, err := est.EstimateGroups(e.Query)
		if err != nil {
			t.Fatal(err)
		}
		if !(got.Groups >= 0 && got.Low <= got.Groups && got.Groups <= got.High) {
			t.Fatalf("%s: invalid estimate %+v for %s", est.Name(), got, e.Query.SQL())
		}
		out = append(out, QError(got.Groups, e.Groups))
	}
	return out
}

// TestGroupModelFlights trains the group-count model on grouped flights
// queries over the gbdt row model and checks it beats the distinct-value
// baselines on never-seen queries; with CARDINAL_ACCURACY=1 it uses more
// queries and gates issue 13's targets.
func TestGroupModelFlights(t *testing.T) {
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	groupAccuracy(t, db)
}

// TestGroupModelEcommerce is TestGroupModelFlights on ecommerce (scale
// 0.2: 60,000 order items, so labelling fits CI's budget).
func TestGroupModelEcommerce(t *testing.T) {
	if os.Getenv("CARDINAL_ACCURACY") == "" {
		t.Skip("set CARDINAL_ACCURACY=1 (TestGroupModelFlights checks the same in short form)")
	}
	db, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	groupAccuracy(t, db)
}

func groupAccuracy(t *testing.T, db *datasets.DB) {
	nTrain, nTest, trees := 300, 150, 60
	full := os.Getenv("CARDINAL_ACCURACY") != ""
	if full {
		nTrain, nTest, trees = 3000, 1000, 0
	}
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	trainEx := examples(t, db.Schema, groupedLabelled(t, db, nTrain, 2, groupTrainSeed))
	testEx := GroupExamples(examples(t, db.Schema, groupedLabelled(t, db, nTest, 2, groupTestSeed)))
	t.Logf("labelled %d + %d queries in %v", nTrain, nTest, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	rows, err := TrainGBDT(context.Background(), cat, trainEx, GBDTOptions{Seed: 1, Trees: trees})
	if err != nil {
		t.Fatal(err)
	}
	if err := TrainGroups(context.Background(), rows, trainEx, GBDTOptions{Seed: 1, Trees: trees}); err != nil {
		t.Fatal(err)
	}
	m := Groups(rows)
	t.Logf("trained on %d grouped queries in %v", len(GroupExamples(trainEx)), time.Since(start).Round(time.Millisecond))
	base := Quantiles(groupQErrors(t, NewDistinctGroups(cat, NewHistogram(cat)), testEx))
	baseG := Quantiles(groupQErrors(t, NewDistinctGroups(cat, rows), testEx))
	learned := Quantiles(groupQErrors(t, m, testEx))
	for _, r := range []struct {
		name string
		q    QErrorSummary
	}{{"histogram+ndv", base}, {"gbdt+ndv", baseG}, {m.Name(), learned}} {
		t.Logf("%-14s median %.2f p90 %.2f p95 %.2f p99 %.2f max %.1f (%d never-seen queries)", r.name, r.q.Median, r.q.P90, r.q.P95, r.q.P99, r.q.Max, len(testEx))
	}
	if learned.P95 > base.P95 || learned.P99 > base.P99 {
		t.Errorf("the learned group model does not beat the histogram baseline")
	}
	if full && (learned.Median > groupTargetMedian || learned.P95 > groupTargetP95) {
		t.Errorf("group model: median %.2f (target %.1f), p95 %.2f (target %.1f)", learned.Median, groupTargetMedian, learned.P95, groupTargetP95)
	}
}
