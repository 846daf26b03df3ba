package estimator

import (
	"bytes"
	"context"
	"errors"
	"math"
	"testing"

	"github.com/cardinaldb/cardinal/features"
)

// snTrained trains a SetNet on the flights fixture with the given options
// and returns it; the default options unless overridden.
func snTrain(t testing.TB, f *snFixture, opts SetNetOptions) *SetNet {
	t.Helper()
	m, err := TrainSetNet(context.Background(), f.cat, f.train, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSetNetBeatsHistogram trains SetNet on 2,000 labelled flights
// queries and checks that its median q-error on 400 held-out queries is
// below the histogram baseline's, and that p95 does not get worse.
func TestSetNetBeatsHistogram(t *testing.T) {
	f := snFlightsFixture(t)
	var log []SetNetProgress
	m := snTrain(t, f, SetNetOptions{Seed: 1, Progress: func(p SetNetProgress) { log = append(log, p) }})
	if len(log) != m.Epochs() || len(log) == 0 {
		t.Fatalf("progress called %d times for %d epochs", len(log), m.Epochs())
	}
	hist := Quantiles(snQErrors(t, NewHistogram(f.cat), f.test))
	sn := Quantiles(snQErrors(t, m, f.test))
	t.Logf("%v", m)
	t.Logf("held-out q-error histogram: median %.2f p90 %.2f p95 %.2f max %.3g", hist.Median, hist.P90, hist.P95, hist.Max)
	t.Logf("held-out q-error setnet:    median %.2f p90 %.2f p95 %.2f max %.3g", sn.Median, sn.P90, sn.P95, sn.Max)
	if !(sn.Median < hist.Median) {
		t.Errorf("setnet median q-error %.3f not below histogram %.3f", sn.Median, hist.Median)
	}
	if !(sn.P95 <= hist.P95) {
		t.Errorf("setnet p95 q-error %.3f above histogram %.3f", sn.P95, hist.P95)
	}
	// The 90% band should hold about 90% of held-out truths.
	in := 0
	for _, ex := range f.test {
		e, _ := m.Estimate(ex.Query)
		if e.Low <= math.Max(ex.Rows, 1) && math.Max(ex.Rows, 1) <= e.High {
			in++
		}
	}
	cover := float64(in) / float64(len(f.test))
	t.Logf("band coverage %.2f", cover)
	if cover < 0.75 {
		t.Errorf("only %.2f of held-out truths inside [Low, High]", cover)
	}
}

// TestSetNetDeterministic: the same seed gives the same payload bytes;
// another seed gives other bytes.
func TestSetNetDeterministic(t *testing.T) {
	f := snFlightsFixture(t)
	small := f.train[:400]
	opts := SetNetOptions{Seed: 5, Epochs: 4, Hidden: 16, FinalHidden: 16}
	payload := func(o SetNetOptions) []byte {
		m, err := TrainSetNet(context.Background(), f.cat, small, o)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := m.savePayload(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	a, b := payload(opts), payload(opts)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed, different payloads")
	}
	opts.Seed = 6
	if bytes.Equal(a, payload(opts)) {
		t.Fatal("different seeds, same payload")
	}
}

// TestSetNetRoundTrip: a saved and loaded SetNet gives identical estimates,
// and saving it again gives the same bytes.
func TestSetNetRoundTrip(t *testing.T) {
	f := snFlightsFixture(t)
	m := snTrain(t, f, SetNetOptions{Seed: 2, Epochs: 5, Hidden: 16, FinalHidden: 16})
	var buf bytes.Buffer
	if err := m.savePayload(&buf); err != nil {
		t.Fatal(err)
	}
	saved := bytes.Clone(buf.Bytes())
	m2, err := loadSetNetPayload(&buf, f.cat)
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range f.test {
		a, err1 := m.Estimate(ex.Query)
		b, err2 := m2.Estimate(ex.Query)
		if err1 != nil || err2 != nil || a != b {
			t.Fatalf("%s: %+v (%v) vs loaded %+v (%v)", ex.Query.SQL(), a, err1, b, err2)
		}
	}
	var again bytes.Buffer
	if err := m2.savePayload(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(saved, again.Bytes()) {
		t.Fatal("re-saved payload differs")
	}
	// Every truncation is a typed error.
	for n := 0; n < len(saved); n += 1 + n/3 {
		if _, err := loadSetNetPayload(bytes.NewReader(saved[:n]), f.cat); !errors.Is(err, ErrBadPayload) {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
}

// TestSetNetFiniteAndOOD: estimates are finite with Low <= Rows <= High on
// every test query and on queries outside the training distribution (more
// joins than trained on: the baseline; unseen columns: damped).
func TestSetNetFiniteAndOOD(t *testing.T) {
	f := snFlightsFixture(t)
	var single []Example
	for _, ex := range f.train {
		if len(ex.Query.Joins) == 0 {
			single = append(single, ex)
		}
	}
	m := snTrain(t, f, SetNetOptions{Seed: 3, Epochs: 5, Hidden: 16, FinalHidden: 16})
	ms, err := TrainSetNet(context.Background(), f.cat, single, SetNetOptions{Seed: 3, Epochs: 5, Hidden: 16, FinalHidden: 16})
	if err != nil {
		t.Fatal(err)
	}
	hist := NewHistogram(f.cat)
	fallbacks := 0
	for _, ex := range f.test {
		for _, est := range []Estimator{m, ms} {
			e, err := est.Estimate(ex.Query)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range []float64{e.Rows, e.Low, e.High} {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					t.Fatalf("%s: non-finite estimate %+v", ex.Query.SQL(), e)
				}
			}
			if !(e.Low <= e.Rows && e.Rows <= e.High) {
				t.Fatalf("%s: band %+v does not hold Rows", ex.Query.SQL(), e)
			}
			if est == ms && len(ex.Query.Joins) > 0 {
				h, _ := hist.Estimate(ex.Query)
				if e.Rows != h.Rows || e.Source != KindSetNet+":fallback" {
					t.Fatalf("join query on a single-table model: %+v, histogram %+v", e, h)
				}
				fallbacks++
			}
		}
	}
	if fallbacks == 0 {
		t.Fatal("no fallback exercised")
	}
	// A column no training query filtered on damps the correction.
	q, err := features.Parse(f.cat.Schema, "SELECT COUNT(*) FROM flights WHERE id < 500")
	if err != nil {
		t.Fatal(err)
	}
	var ex snExample
	if ood := m.enc.encode(q, 1, &ex); ood.unseen != 1 {
		t.Fatalf("unseen column not detected: %+v", ood)
	}
	if _, err := m.Estimate(&features.Query{Schema: f.cat.Schema}); !errors.Is(err, ErrQuery) {
		t.Fatalf("empty query: %v", err)
	}
}

// TestTrainSetNetErrors: bad labels and too few examples are typed errors;
// a cancelled context stops training.
func TestTrainSetNetErrors(t *testing.T) {
	f := snFlightsFixture(t)
	ctx := context.Background()
	if _, err := TrainSetNet(ctx, f.cat, f.train[:3], SetNetOptions{}); !errors.Is(err, ErrNoExamples) {
		t.Fatalf("3 examples: %v", err)
	}
	bad := append([]Example(nil), f.train[:50]...)
	for _, v := range []float64{math.NaN(), -1, math.Inf(1)} {
		bad[7].Rows = v
		if _, err := TrainSetNet(ctx, f.cat, bad, SetNetOptions{}); !errors.Is(err, ErrBadLabel) {
			t.Fatalf("label %v: %v", v, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := TrainSetNet(cctx, f.cat, f.train[:100], SetNetOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func BenchmarkSetNetEstimate(b *testing.B) {
	f := snFlightsFixture(b)
	m := snTrain(b, f, SetNetOptions{Seed: 1, Epochs: 2})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := m.Estimate(f.test[i%len(f.test)].Query); err != nil {
			b.Fatal(err)
		}
	}
}
