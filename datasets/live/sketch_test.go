package live

import (
	"context"
	"math"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
)

// TestLiveSampleCatalogSketches: with Sketches, SampleCatalog's distinct
// counts of the sampled flights table come from sketches streamed off the
// server, within 4 standard errors of the exact counts of the bundled
// data; without, they are the sample's (a lower bound: the 20,000 ids
// show as at most 1,000).
func TestLiveSampleCatalogSketches(t *testing.T) {
	s := newFlightsServer(t)
	ctx := context.Background()
	schema := datasets.FlightsSchema()
	exact, err := s.data.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := SampleCatalog(ctx, s.db, schema, SampleOptions{Rows: 1000, Seed: 3}, catalog.StatsOptions{NoJoinSynopses: true})
	if err != nil {
		t.Fatal(err)
	}
	sk, err := SampleCatalog(ctx, s.db, schema, SampleOptions{Rows: 1000, Seed: 3, Sketches: true}, catalog.StatsOptions{NoJoinSynopses: true})
	if err != nil {
		t.Fatal(err)
	}
	bound := 4 * catalog.HLLStdError(catalog.DefaultSketchPrecision)
	for ti, tab := range schema.Tables {
		if int64(sk.Stats[ti].SampleSize()) >= sk.Stats[ti].Rows {
			if len(sk.Stats[ti].Sketches) != 0 {
				t.Errorf("%s is sampled whole but has sketches", tab.Name)
			}
			continue
		}
		if len(sk.Stats[ti].Sketches) != len(tab.Columns) {
			t.Fatalf("%s: %d sketches for %d columns", tab.Name, len(sk.Stats[ti].Sketches), len(tab.Columns))
		}
		for ci, col := range tab.Columns {
			want := float64(exact.Stats[ti].Columns[ci].Distinct)
			got := float64(sk.Stats[ti].Columns[ci].Distinct)
			if rel := math.Abs(got-want) / want; rel > bound && math.Abs(got-want) > 1 {
				t.Errorf("%s.%s: sketched Distinct %.0f, exact %.0f (relative error %.3f over %.3f)", tab.Name, col.Name, got, want, rel, bound)
			}
			if nonNull := math.Round(float64(sk.Stats[ti].Rows) * (1 - sk.Stats[ti].Columns[ci].NullFrac)); got > nonNull {
				t.Errorf("%s.%s: sketched Distinct %.0f over the %.0f non-NULL rows", tab.Name, col.Name, got, nonNull)
			}
			if p := plain.Stats[ti].Columns[ci].Distinct; p > int64(want) || (want > 2000 && p > 1000) {
				t.Errorf("%s.%s: sample's Distinct %d, exact %.0f: not the sample's lower bound", tab.Name, col.Name, p, want)
			}
		}
	}
	if len(sk.Stats[0].Sketches) == 0 {
		t.Error("flights (20,000 rows, 1,000 sampled) has no sketches")
	}
}
