package estimator

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/jobdata"
	"github.com/cardinaldb/cardinal/datasets/jobqueries"
	"github.com/cardinaldb/cardinal/features"
)

// JOB (datasets/jobqueries) comes without its IMDB data, so the tests
// here run it over the JOB schema two ways:
//
//   - schema only (no statistics): every estimator refuses with ErrQuery
//     (a catalog without statistics cannot estimate) instead of guessing;
//   - a small synthetic IMDB of the same schema (datasets/jobdata): the
//     engine counts all 113 queries, and the baselines give each a finite
//     estimate. The data is made up (filtered columns draw from the
//     constants JOB compares them with), so its q-errors say nothing of
//     JOB on IMDB; they are logged, not gated.

// jobSchema parses the JOB schema the features tests use.
func jobSchema(t testing.TB) (*catalog.Schema, []*features.Query) {
	t.Helper()
	b, err := os.ReadFile("../features/testdata/job_schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	s, err := catalog.ParseSchema(string(b))
	if err != nil {
		t.Fatal(err)
	}
	var qs []*features.Query
	for _, jq := range jobqueries.Queries() {
		q, err := features.Parse(s, jq.SQL)
		if err != nil {
			t.Fatalf("JOB %s: %v", jq.Name, err)
		}
		qs = append(qs, q)
	}
	return s, qs
}

// jobSynthetic is the synthetic IMDB (datasets/jobdata) of seed 1.
func jobSynthetic(t testing.TB, s *catalog.Schema) *datasets.DB {
	t.Helper()
	db, err := jobdata.Synthetic(s, jobdata.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestJOBSchemaOnly: a catalog with the JOB schema and no statistics is
// refused with ErrQuery by the baselines, for every JOB query, and never
// estimated from nothing.
func TestJOBSchemaOnly(t *testing.T) {
	s, qs := jobSchema(t)
	cat := &catalog.Catalog{Schema: s}
	for _, e := range []Estimator{NewHistogram(cat), NewSample(cat)} {
		for i, q := range qs {
			if est, err := e.Estimate(q); !errors.Is(err, ErrQuery) {
				t.Fatalf("%s on JOB query %d without statistics: %v, %v; want ErrQuery", e.Name(), i, est, err)
			}
		}
	}
}

// TestJOBEstimates counts all 113 JOB queries on the synthetic IMDB with
// the engine and estimates them with the histogram and sample baselines:
// every estimate is finite, non-negative, inside its own band, and the
// q-errors are logged (go test ./estimator -run JOBEstimates -v).
func TestJOBEstimates(t *testing.T) {
	s, qs := jobSchema(t)
	db := jobSynthetic(t, s)
	cat, err := catalog.Build(s, db, catalog.StatsOptions{}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	names := jobqueries.Queries()
	truths := make([]float64, len(qs))
	nonEmpty := 0
	start := time.Now()
	for i, q := range qs {
		n, err := engine.Count(ctx, db, q)
		if err != nil {
			t.Fatalf("engine on JOB %s: %v", names[i].Name, err)
		}
		truths[i] = float64(n)
		if n > 0 {
			nonEmpty++
		}
	}
	t.Logf("engine: 113 JOB queries counted in %v, %d non-empty", time.Since(start).Round(time.Millisecond), nonEmpty)
	if nonEmpty < len(qs)/4 {
		t.Errorf("only %d of %d JOB queries have rows on the synthetic data: the data does not exercise the estimators", nonEmpty, len(qs))
	}
	for _, e := range []Estimator{NewHistogram(cat), NewSample(cat)} {
		ests := make([]Estimate, len(qs))
		for i, q := range qs {
			est, err := e.Estimate(q)
			if err != nil {
				t.Fatalf("%s on JOB %s: %v", e.Name(), names[i].Name, err)
			}
			for _, v := range []float64{est.Rows, est.Low, est.High} {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					t.Errorf("%s on JOB %s: estimate %+v is not finite and non-negative", e.Name(), names[i].Name, est)
				}
			}
			if est.Low > est.Rows || est.Rows > est.High {
				t.Errorf("%s on JOB %s: estimate %+v outside its band", e.Name(), names[i].Name, est)
			}
			ests[i] = est
		}
		sum := Summarize(ests, truths)
		t.Logf("%s on synthetic JOB (113 queries): q-error median %.3g, p90 %.3g, p95 %.3g, max %.3g; empty results %d",
			e.Name(), sum.Median, sum.P90, sum.P95, sum.Max, sum.Empty)
	}
}

// BenchmarkJOBHistogram estimates the 113 JOB queries on the synthetic
// IMDB's statistics with the histogram baseline (one op: all 113).
func BenchmarkJOBHistogram(b *testing.B) {
	s, qs := jobSchema(b)
	db := jobSynthetic(b, s)
	cat, err := catalog.Build(s, db, catalog.StatsOptions{}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	h := NewHistogram(cat)
	b.ReportAllocs()
	for b.Loop() {
		for _, q := range qs {
			if _, err := h.Estimate(q); err != nil {
				b.Fatal(err)
			}
		}
	}
}
