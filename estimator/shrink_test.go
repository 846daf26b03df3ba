package estimator

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
)

// bestShrinkTau shrinks where the held-out corrections of sampled
// baselines are noise, and not where they are right.
func TestBestShrinkTau(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var noise, right []shrinkFig
	for range 400 {
		// A baseline the samples count from 1,000 rows is within a few
		// percent: a correction of ±0.3 in logs is the trees' noise.
		noise = append(noise, shrinkFig{pred: 0.3 * rng.NormFloat64(), y: 0.03 * rng.NormFloat64(), base: 2000, sampled: 1000})
		// Histogram baselines (sampled 0) are corrected right.
		c := rng.NormFloat64()
		noise = append(noise, shrinkFig{pred: c, y: c, base: 50})
		// Sampled baselines whose correction is right.
		right = append(right, shrinkFig{pred: c, y: c, base: 2000, sampled: 1000})
	}
	tau := bestShrinkTau(noise)
	if tau <= 0 {
		t.Fatalf("noise on precise baselines: shrink constant %v, want > 0", tau)
	}
	if got := shrinkCorrection(0.5, 0, tau); got != 0.5 {
		t.Errorf("a baseline with no sampled rows is shrunk: %v, want 0.5", got)
	}
	if got := shrinkCorrection(0.5, 1000, tau); got >= 0.5/(1+1e-4*1000) {
		t.Errorf("correction of a 1,000-row sampled baseline %v: not shrunk", got)
	}
	if tau := bestShrinkTau(right); tau != 0 {
		t.Errorf("right corrections: shrink constant %v, want 0", tau)
	}
}

// On the flights data with the default catalog (a 50% sample of flights),
// gbdt's chosen shrink constant estimates never-seen single-table queries
// whose baseline rests on at least 100 sampled rows nearer the truth than
// the same trees unshrunk, and the rest no worse.
func TestShrinkFlights(t *testing.T) {
	db := flightsDB(t)
	cat, err := db.CatalogContext(context.Background(), catalog.StatsOptions{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	g, err := TrainGBDT(context.Background(), cat, examples(t, db.Schema, labelled(t, db, 1500, 2, 31, true)), GBDTOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if g.shrinkTau <= 0 {
		t.Fatalf("shrink constant %v: the 50%% sample's baselines are not trusted", g.shrinkTau)
	}
	test := examples(t, db.Schema, labelled(t, db, 600, 0, 97, false))
	tau := g.shrinkTau
	var shrunkErr, plainErr [2]float64
	var n [2]int
	for _, ex := range test {
		in := learnedBase(t, g, ex.Query)
		if in.exact {
			continue
		}
		k := 0
		if in.sampled >= 100 {
			k = 1
		}
		a, err := g.Estimate(ex.Query)
		if err != nil {
			t.Fatal(err)
		}
		g.shrinkTau = 0 // the same trees unshrunk
		b, err := g.Estimate(ex.Query)
		g.shrinkTau = tau
		if err != nil {
			t.Fatal(err)
		}
		shrunkErr[k] += math.Abs(math.Log(QError(a.Rows, ex.Rows)))
		plainErr[k] += math.Abs(math.Log(QError(b.Rows, ex.Rows)))
		n[k]++
	}
	t.Logf("shrink constant %v; mean |ln q| of %d queries on >= 100 sampled rows %.4f (unshrunk %.4f), of %d others %.4f (%.4f)",
		g.shrinkTau, n[1], shrunkErr[1]/float64(n[1]), plainErr[1]/float64(n[1]), n[0], shrunkErr[0]/float64(n[0]), plainErr[0]/float64(n[0]))
	if n[1] < 50 {
		t.Fatalf("%d test queries on >= 100 sampled rows, want at least 50", n[1])
	}
	if shrunkErr[1] >= plainErr[1] {
		t.Errorf("queries on >= 100 sampled rows: mean |ln q| %.4f shrunk, %.4f unshrunk", shrunkErr[1]/float64(n[1]), plainErr[1]/float64(n[1]))
	}
	if shrunkErr[0] > plainErr[0]*1.01 {
		t.Errorf("other queries: mean |ln q| %.4f shrunk, %.4f unshrunk", shrunkErr[0]/float64(n[0]), plainErr[0]/float64(n[0]))
	}
}

// Linear chooses its shrink constant on its cross-fitted folds and saves
// it; a payload of a file before version 15 has none and loads with 0.
func TestLinearShrinkPayload(t *testing.T) {
	f := snFlightsFixture(t)
	lin, err := TrainLinear(context.Background(), f.cat, f.train, LinearOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("linear shrink constant %v", lin.shrinkTau)
	var buf bytes.Buffer
	if err := lin.savePayload(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := loadLinearPayload(bytes.NewReader(buf.Bytes()), f.cat, modelVersion)
	if err != nil || back.shrinkTau != lin.shrinkTau {
		t.Fatalf("loaded shrink constant %v (%v), want %v", back.shrinkTau, err, lin.shrinkTau)
	}
	old := buf.Bytes()[:buf.Len()-8] // a version-14 payload: no constant
	back, err = loadLinearPayload(bytes.NewReader(old), f.cat, linearShrinkMinVersion-1)
	if err != nil || back.shrinkTau != 0 {
		t.Fatalf("version-14 payload: shrink constant %v (%v), want 0", back.shrinkTau, err)
	}
	if _, err := loadLinearPayload(bytes.NewReader(old), f.cat, modelVersion); !errors.Is(err, ErrBadPayload) && !errors.Is(err, ErrCorrupt) {
		t.Fatalf("version-15 payload without its constant: %v", err)
	}
}
