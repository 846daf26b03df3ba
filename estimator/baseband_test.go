package estimator

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
)

// The histogram and sample baselines trained on a flights workload
// (whole queries, as `cardinal train` gets them from a query log) cover
// 88-95% of fresh queries at every join count with their conformal band,
// where their fixed spreads covered 24-75% of the joins; their model
// files keep the band, and a corrupt band is refused.
func TestBaselineConformalBands(t *testing.T) {
	if testing.Short() {
		t.Skip("labels 6,000 flights queries")
	}
	db := flightsDB(t)
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	train := examples(t, db.Schema, labelled(t, db, 3000, 4, 31, false))
	test := examples(t, db.Schema, labelled(t, db, 3000, 4, 32, false))
	ctx := context.Background()
	for _, kind := range []string{KindHistogram, KindSample} {
		m, err := Train(ctx, kind, cat, train, TrainOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var plain Estimator = NewHistogram(cat)
		if kind == KindSample {
			plain = NewSample(cat)
		}
		cov, fixed := bandCoverageByJoins(t, m, test), bandCoverageByJoins(t, plain, test)
		for j := 0; j <= 4; j++ {
			s := cov[j]
			t.Logf("%s: %d joins: coverage %.3f, median width %.2f (fixed spreads: %.3f, %.2f; n %d)",
				kind, j, s.Coverage, s.BandWidth, fixed[j].Coverage, fixed[j].BandWidth, s.N)
			if s.N < 300 || s.Coverage < 0.88 || s.Coverage > 0.95 {
				t.Errorf("%s: %d joins: band coverage %.3f of %d queries outside [0.88, 0.95]", kind, j, s.Coverage, s.N)
			}
		}
		// The band is saved and loaded with the model.
		var buf bytes.Buffer
		if err := Save(&buf, m); err != nil {
			t.Fatal(err)
		}
		back, err := Load(bytes.NewReader(buf.Bytes()), nil, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range test[:50] {
			e1, _ := m.Estimate(ex.Query)
			e2, err := back.Estimate(ex.Query)
			if err != nil || e1 != e2 {
				t.Fatalf("%s: loaded model estimates %+v (%v), saved one %+v", kind, e2, err, e1)
			}
		}
		// Without a workload: the fixed spreads, and an empty payload.
		var empty bytes.Buffer
		if err := Save(&empty, plain); err != nil {
			t.Fatal(err)
		}
		if empty.Len() >= buf.Len() {
			t.Errorf("%s: model without a band (%d bytes) not smaller than with one (%d)", kind, empty.Len(), buf.Len())
		}
	}
	// Corrupt band payloads are refused with ErrBadPayload.
	h, _ := Train(ctx, KindHistogram, cat, train[:500], TrainOptions{})
	var p bytes.Buffer
	if err := h.(*Histogram).savePayload(&p); err != nil {
		t.Fatal(err)
	}
	good := p.Bytes()
	if b, err := loadBandPayload(good); err != nil || b == nil {
		t.Fatalf("good payload: %v", err)
	}
	for name, bad := range map[string][]byte{
		"truncated": good[:len(good)-3],
		"short":     good[:2],
		"trailing":  append(bytes.Clone(good), 0, 0, 0, 0, 0, 0, 0, 0),
		"positive":  func() []byte { b := bytes.Clone(good); b[4+8+7] = 0x3f; return b }(), // lo of 0 joins > 0
	} {
		if _, err := loadBandPayload(bad); !errors.Is(err, ErrBadPayload) {
			t.Errorf("%s band payload: %v", name, err)
		}
	}
}
