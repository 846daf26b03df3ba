package estimator

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/progress"
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
	var log []progress.Report
	m := snTrain(t, f, SetNetOptions{Seed: 1, Progress: func(p progress.Report) { log = append(log, p) }})
	if len(log) != m.Epochs() || len(log) == 0 {
		t.Fatalf("progress called %d times for %d epochs", len(log), m.Epochs())
	}
	for i, r := range log {
		if r.Stage != KindSetNet || r.Done != i+1 || r.Total < m.Epochs() || r.Detail == "" {
			t.Fatalf("report %d: %+v", i, r)
		}
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

// TestSetNetWorkload trains on the workload generator's queries and their
// sub-plans (random join walks, up to 3 tables) and compares held-out
// q-errors with the histogram's. Most of these examples are single-table
// sub-plans the histogram gets exactly (median 1.00, which cannot be
// beaten), so the test asserts on the tail: p90 and mean.
func TestSetNetWorkload(t *testing.T) {
	f := snFlightsFixture(t)
	m, err := TrainSetNet(context.Background(), f.cat, f.wlTrain, SetNetOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	hist := Quantiles(snQErrors(t, NewHistogram(f.cat), f.wlTest))
	sn := Quantiles(snQErrors(t, m, f.wlTest))
	t.Logf("%v; %d train, %d held-out examples", m, len(f.wlTrain), len(f.wlTest))
	t.Logf("held-out q-error histogram: median %.2f p90 %.2f p95 %.2f max %.3g", hist.Median, hist.P90, hist.P95, hist.Max)
	t.Logf("held-out q-error setnet:    median %.2f p90 %.2f p95 %.2f max %.3g", sn.Median, sn.P90, sn.P95, sn.Max)
	if !(sn.P90 < hist.P90/2) || !(sn.Mean < hist.Mean) {
		t.Errorf("setnet p90/mean q-error %.3f/%.3f not below histogram %.3f/%.3f", sn.P90, sn.Mean, hist.P90, hist.Mean)
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
	saved := snRoundTrip(t, f, m)
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
			if unsatisfiable(ex.Query) {
				if e.Rows != 0 {
					t.Fatalf("%s: unsatisfiable filter estimated at %+v", ex.Query.SQL(), e)
				}
				continue
			}
			if est == ms && len(ex.Query.Joins) > 0 {
				// The fallback is the sample baseline's estimate.
				b, _ := ms.base.Estimate(ex.Query)
				if e.Rows != b.Rows || e.Source != KindSetNet+":fallback" || b.Source != sourceJoinSample {
					t.Fatalf("join query on a single-table model: %+v, baseline %+v", e, b)
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
	var pr baseProbe
	m.enc.figs.start(q, &pr)
	if ood := m.enc.encode(q, 1, baseFigures{}, &pr, &ex); ood.unseen != 1 {
		t.Fatalf("unseen column not detected: %+v", ood)
	}
	// Encoding evaluates predicates beside the probe's filter bitmaps,
	// never over them.
	q2, err := features.Parse(f.cat.Schema, "SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata "+
		"WHERE f.hour > 12 AND f.month < 6 AND a.latitude > 40 AND a.longitude < -80")
	if err != nil {
		t.Fatal(err)
	}
	var pr2 baseProbe
	m.enc.figs.start(q2, &pr2)
	var before [][]uint64
	for _, p := range pr2.probes {
		before = append(before, slices.Clone(p.bits))
	}
	m.enc.encode(q2, 1, baseFigures{}, &pr2, &ex)
	for i, p := range pr2.probes {
		if !slices.Equal(before[i], p.bits) {
			t.Fatalf("encoding overwrote the filter bitmap of table %d", i)
		}
	}
	m.enc.figs.finish(&pr2)
	// A table no training query read is unseen too.
	q, err = features.Parse(f.cat.Schema, "SELECT COUNT(*) FROM routes WHERE num_flights > 10")
	if err != nil {
		t.Fatal(err)
	}
	ms.enc.figs.start(q, &pr)
	if ood := ms.enc.encode(q, 1, baseFigures{}, &pr, &ex); ood.unseen != 2 || ms.enc.vocab.tooLarge(q) {
		t.Fatalf("unseen table and column: %+v", ood)
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

// Targets: <= 10 us per single-table estimate, <= 30 us per 3-table
// estimate (queries of benchQueries, each table filtered by 1-3
// predicates); "mixed" cycles through the fixture's held-out queries.
func BenchmarkSetNetEstimate(b *testing.B) {
	f := snFlightsFixture(b)
	m := snTrain(b, f, SetNetOptions{Seed: 1, Epochs: 2})
	benchLearned(b, m, f)
}

// benchLearned times m on the single-table and 3-table benchmark queries
// and on the fixture's held-out queries.
func benchLearned(b *testing.B, m Estimator, f *snFixture) {
	_, q1, q3, _ := benchQueries(b)
	for _, c := range []struct {
		name string
		qs   []*features.Query
	}{{"1table", []*features.Query{q1}}, {"3table", []*features.Query{q3}}, {"mixed", snQueries(f.test)}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := m.Estimate(c.qs[i%len(c.qs)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func snQueries(exs []Example) []*features.Query {
	out := make([]*features.Query, len(exs))
	for i, ex := range exs {
		out[i] = ex.Query
	}
	return out
}

// TestLearnedModelFiles: SetNet and Linear survive Save/Load (the model
// file carries its own catalog) with identical estimates.
func TestLearnedModelFiles(t *testing.T) {
	f := snFlightsFixture(t)
	sn := snTrain(t, f, SetNetOptions{Seed: 4, Epochs: 3, Hidden: 16, FinalHidden: 16})
	lin, err := TrainLinear(context.Background(), f.cat, f.train[:300], LinearOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []Model{sn, lin} {
		var buf bytes.Buffer
		if err := Save(&buf, m); err != nil {
			t.Fatalf("%s: %v", m.Name(), err)
		}
		m2, err := Load(&buf, f.cat, LoadOptions{})
		if err != nil {
			t.Fatalf("%s: %v", m.Name(), err)
		}
		if m2.Name() != m.Name() {
			t.Fatalf("loaded %q, saved %q", m2.Name(), m.Name())
		}
		for _, ex := range f.test[:100] {
			a, err1 := m.Estimate(ex.Query)
			b, err2 := m2.Estimate(ex.Query)
			if err1 != nil || err2 != nil || a != b {
				t.Fatalf("%s: %s: %+v (%v) vs loaded %+v (%v)", m.Name(), ex.Query.SQL(), a, err1, b, err2)
			}
		}
	}
	// A model correcting another baseline cannot be saved.
	custom, err := TrainSetNet(context.Background(), f.cat, f.train[:100],
		SetNetOptions{Epochs: 1, Hidden: 8, FinalHidden: 8, Baseline: fbFixed{rows: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(&bytes.Buffer{}, custom); !errors.Is(err, ErrNotSaveable) {
		t.Fatalf("custom baseline: %v", err)
	}
}

// FuzzLoadSetNetPayload: corrupt payloads are errors, never panics, and
// whatever loads estimates finite counts.
func FuzzLoadSetNetPayload(f *testing.F) {
	fx := snFlightsFixture(f)
	m, err := TrainSetNet(context.Background(), fx.cat, fx.train[:60], SetNetOptions{Epochs: 1, Hidden: 4, FinalHidden: 4, Bits: 8})
	if err != nil {
		f.Fatal(err)
	}
	fuzzPayload(f, fx, m.savePayload, func(r io.Reader) (Estimator, error) { return loadSetNetPayload(r, fx.cat) }, snMagic, snMagicV1)
}

// FuzzLoadLinearPayload: as FuzzLoadSetNetPayload for Linear.
func FuzzLoadLinearPayload(f *testing.F) {
	fx := snFlightsFixture(f)
	m, err := TrainLinear(context.Background(), fx.cat, fx.train[:100], LinearOptions{})
	if err != nil {
		f.Fatal(err)
	}
	fuzzPayload(f, fx, m.savePayload, func(r io.Reader) (Estimator, error) { return loadLinearPayload(r, fx.cat, modelVersion) }, linMagic, linMagicV1)
}

// fuzzPayload seeds f with a saved payload and the bare magics, then
// checks that every input either fails with ErrBadPayload or loads a model
// whose estimate is finite and inside its band.
func fuzzPayload(f *testing.F, fx *snFixture, save func(io.Writer) error, load func(io.Reader) (Estimator, error), magics ...string) {
	var buf bytes.Buffer
	if err := save(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	for _, m := range magics {
		f.Add([]byte(m))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m2, err := load(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrBadPayload) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		e, err := m2.Estimate(fx.test[0].Query)
		if err != nil || math.IsNaN(e.Rows) || math.IsInf(e.Rows, 0) || !(e.Low <= e.Rows && e.Rows <= e.High) {
			t.Fatalf("loaded model estimates %+v, %v", e, err)
		}
	})
}

// TestSetNetConcurrent: estimates from many goroutines equal sequential
// ones (run with -race).
func TestSetNetConcurrent(t *testing.T) {
	f := snFlightsFixture(t)
	m := snTrain(t, f, SetNetOptions{Seed: 8, Epochs: 2, Hidden: 8, FinalHidden: 8})
	lin, err := TrainLinear(context.Background(), f.cat, f.train[:300], LinearOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []Estimator{m, lin} {
		want := make([]Estimate, len(f.test))
		for i, ex := range f.test {
			want[i], _ = m.Estimate(ex.Query)
		}
		var wg sync.WaitGroup
		bad := make(chan int, 4)
		for g := range 4 {
			wg.Go(func() {
				for i := g; i < len(f.test); i += 2 {
					if e, err := m.Estimate(f.test[i].Query); err != nil || e != want[i] {
						bad <- i
						return
					}
				}
			})
		}
		wg.Wait()
		close(bad)
		for i := range bad {
			t.Fatalf("%s: query %d: concurrent estimate differs", m.Name(), i)
		}
	}
}
