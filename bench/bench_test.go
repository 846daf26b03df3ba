package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"math"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
)

func smallRun(t *testing.T, models []string) *Report {
	t.Helper()
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), "flights", db, Options{
		TrainQueries: 400, TestQueries: 300, OODQueries: 50, ShapeQueries: 100, MaxJoins: 2, Models: models, Seed: 7,
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestRunInvariants(t *testing.T) {
	rep := smallRun(t, []string{estimator.KindHistogram, estimator.KindSample})
	if rep.TestQueries != 300 || rep.TrainQueries != 400 || rep.FactRows != 20000 || rep.OODJoins != 3 ||
		rep.ShapeQueries != 100 || rep.ShapeTrainQueries != 80 {
		t.Fatalf("report sizes: %+v", rep)
	}
	if len(rep.Results) != 2 {
		t.Fatalf("results: %d", len(rep.Results))
	}
	for _, r := range rep.Results {
		if r.Single.N+r.Joins.N != r.All.N || r.All.N != rep.TestQueries {
			t.Errorf("%s: counts %d + %d != %d", r.Model, r.Single.N, r.Joins.N, r.All.N)
		}
		if r.Shapes.N < 50 || r.Shapes.N > rep.ShapeQueries {
			t.Errorf("%s: %d of %d shape queries have an outer, semi or anti join", r.Model, r.Shapes.N, rep.ShapeQueries)
		}
		if r.Single.N == 0 || r.Joins.N == 0 {
			t.Errorf("%s: workload lacks single-table or join queries", r.Model)
		}
		s := r.All
		if !(1 <= s.Median && s.Median <= s.P90 && s.P90 <= s.P95 && s.P95 <= s.P99 && s.P99 <= s.Max) {
			t.Errorf("%s: quantiles not ordered: %+v", r.Model, s)
		}
		if r.OOD.N == 0 {
			t.Errorf("%s: no out-of-distribution queries measured", r.Model)
		}
		if r.Shared.N == 0 || r.Shared.N >= r.Joins.N {
			t.Errorf("%s: %d shared-key joins of %d joins", r.Model, r.Shared.N, r.Joins.N)
		}
		if r.ModelBytes <= 0 {
			t.Errorf("%s: model size %d", r.Model, r.ModelBytes)
		}
		// Band coverage by join count: 0-2 joins, then the 3-join OOD
		// set, adding up to the summaries' counts and coverage.
		if len(r.Bands) != 4 || r.Bands[3].Joins != 3 || r.Bands[3].N != r.OOD.N {
			t.Fatalf("%s: bands %+v", r.Model, r.Bands)
		}
		n, covered := 0, 0.0
		for j, b := range r.Bands[:3] {
			if b.Joins != j || b.N == 0 || b.Coverage < 0 || b.Coverage > 1 || b.BandWidth < 1 {
				t.Errorf("%s: band summary %+v", r.Model, b)
			}
			n, covered = n+b.N, covered+b.Coverage*float64(b.N)
		}
		if n != r.All.N || math.Abs(covered/float64(n)-r.All.Coverage) > 1e-9 || r.Bands[0].Coverage != r.Single.Coverage {
			t.Errorf("%s: bands %+v do not add up to all %+v", r.Model, r.Bands, r.All)
		}
	}
	// The sample estimator evaluates predicates on real rows; on
	// single-table flights queries it must beat independence at the tail.
	if h, s := rep.Results[0].Single, rep.Results[1].Single; s.P95 > h.P95 {
		t.Errorf("sample p95 %.2f worse than histogram p95 %.2f on single tables", s.P95, h.P95)
	}

	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Results[1].All != rep.Results[1].All {
		t.Errorf("JSON round trip changed figures: %+v vs %+v", back.Results[1].All, rep.Results[1].All)
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| histogram |", "| sample |", "Join queries", "Joins through a shared dimension", "Out of distribution: 3 joins", "| 3 joins (OOD) |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	var img bytes.Buffer
	if err := rep.WritePlot(&img); err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(&img); err != nil {
		t.Fatalf("plot is not a PNG: %v", err)
	}
}

func TestRunBadOptions(t *testing.T) {
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), "flights", db, Options{Models: []string{"oracle"}})
	if !errors.Is(err, ErrOptions) {
		t.Fatalf("unknown model: got %v, want ErrOptions", err)
	}
	_, err = Run(context.Background(), "flights", db, Options{TrainQueries: -1})
	if !errors.Is(err, ErrOptions) {
		t.Fatalf("negative size: got %v, want ErrOptions", err)
	}
}

// TestRunSingleTable: negative MaxJoins (the CLI's --max-joins 0) trains and
// tests on single-table queries only, and the out-of-distribution set has
// one join.
func TestRunSingleTable(t *testing.T) {
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), "flights", db, Options{
		TrainQueries: 100, TestQueries: 100, OODQueries: 20, MaxJoins: -1, Models: []string{estimator.KindHistogram}, Seed: 7,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	if rep.OODJoins != 1 || r.Joins.N != 0 || r.Single.N != rep.TestQueries || rep.TrainExamples != rep.TrainQueries || r.OOD.N == 0 {
		t.Errorf("report %+v, results %+v", rep, r)
	}
}

// oneRow is a baseline that always estimates one row.
type oneRow struct{}

func (oneRow) Name() string { return "one-row" }
func (oneRow) EstimateContext(ctx context.Context, q *features.Query) (estimator.Estimate, error) {
	return estimator.Estimate{Rows: 1, Low: 1, High: 1, Source: "one-row"}, ctx.Err()
}

// TestRunBaselines: a baseline outside the model kinds (as the server's
// optimizer is) is scored on the same test queries, after the models.
func TestRunBaselines(t *testing.T) {
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), "flights", db, Options{TrainQueries: 50, TestQueries: 200, OODQueries: 20, MaxJoins: 2,
		Models: []string{estimator.KindHistogram}, Seed: 7, Baselines: []estimator.ContextEstimator{oneRow{}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 2 || rep.Results[1].Model != "one-row" {
		t.Fatalf("results: %+v", rep.Results)
	}
	b := rep.Results[1]
	if b.All.N != rep.TestQueries || b.OOD.N != rep.OODQueries || b.TrainSeconds != 0 || b.ModelBytes != 0 {
		t.Errorf("baseline result %+v", b)
	}
	// Estimating one row is worse than the histogram on this workload.
	if !(b.All.Median > rep.Results[0].All.Median) {
		t.Errorf("one-row median %v not worse than histogram %v", b.All.Median, rep.Results[0].All.Median)
	}
}
