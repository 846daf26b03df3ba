package estimator

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"
)

// snRoundTrip saves m, loads it against the fixture catalog, and checks
// identical estimates on the held-out queries and identical re-saved
// bytes; it returns the payload.
func snRoundTrip(t *testing.T, f *snFixture, m Estimator) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	var m2 Estimator
	switch x := m.(type) {
	case *SetNet:
		if err = x.savePayload(&buf); err == nil {
			m2, err = loadSetNetPayload(bytes.NewReader(buf.Bytes()), f.cat)
		}
	case *Linear:
		if err = x.savePayload(&buf); err == nil {
			m2, err = loadLinearPayload(bytes.NewReader(buf.Bytes()), f.cat, modelVersion)
		}
	}
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
	switch x := m2.(type) {
	case *SetNet:
		err = x.savePayload(&again)
	case *Linear:
		err = x.savePayload(&again)
	}
	if err != nil || !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Fatalf("re-saved payload differs (%v)", err)
	}
	return buf.Bytes()
}

// TestLearnedPayloadVersions: version-2 payloads record the baseline (the
// join-sample default or a histogram) and restore it; version-1 payloads
// (histogram baseline, fewer global features, no baseline byte) still
// load, estimate identically and re-save as version 1; an unknown
// baseline code or a custom baseline is a typed error.
func TestLearnedPayloadVersions(t *testing.T) {
	f := snFlightsFixture(t)
	ctx := context.Background()
	opts := SetNetOptions{Seed: 8, Epochs: 2, Hidden: 8, FinalHidden: 8}
	def := snTrain(t, f, opts)
	opts.Baseline = NewHistogram(f.cat)
	hist := snTrain(t, f, opts)
	for _, c := range []struct {
		m    *SetNet
		kind byte
	}{{def, baseCodeSample}, {hist, baseCodeHistogram}} {
		p := snRoundTrip(t, f, c.m)
		if string(p[:4]) != snMagic || p[4] != c.kind {
			t.Fatalf("payload starts %q %d, want %q %d", p[:4], p[4], snMagic, c.kind)
		}
		bad := bytes.Clone(p)
		bad[4] = 7
		if _, err := loadSetNetPayload(bytes.NewReader(bad), f.cat); !errors.Is(err, ErrBadPayload) {
			t.Fatalf("baseline code 7: %v", err)
		}
	}

	// A version-1 SetNet: histogram baseline, five global features.
	hOpts := hist.opts
	v1 := newSetNet(f.cat, NewHistogram(f.cat), hist.enc.vocab, hOpts, snGlobInV1)
	v1.net.init(rand.New(rand.NewPCG(1, 2)))
	for i := range v1.net.layers[snFin2].w {
		v1.net.layers[snFin2].w[i] = 0.01 * float64(i+1)
	}
	p := snRoundTrip(t, f, v1)
	if string(p[:4]) != snMagicV1 || binary.LittleEndian.Uint32(p[4:]) != uint32(len(f.cat.Schema.Tables)) {
		t.Fatalf("version-1 payload starts %q %v", p[:4], p[4:8])
	}
	if got := len(v1.net.params); got != hist.net.shape.size()-(snGlobIn-snGlobInV1)*hist.net.shape.FinalHidden {
		t.Fatalf("version-1 network has %d parameters", got)
	}

	lin, err := TrainLinear(ctx, f.cat, f.train[:500], LinearOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Its sample baseline with or without the synopsis cap (chosen in
	// training, chooseSynopsisCap): each is its own code, and loads back.
	for range 2 {
		want := baseCodeSample
		if lin.figs.synopsisCap {
			want = baseCodeSampleCapped
		}
		p := snRoundTrip(t, f, lin)
		if string(p[:4]) != linMagic || p[4] != want {
			t.Fatalf("linear payload starts %q %d, want %q %d", p[:4], p[4], linMagic, want)
		}
		back, err := loadLinearPayload(bytes.NewReader(p), f.cat, modelVersion)
		if err != nil {
			t.Fatal(err)
		}
		if back.figs.synopsisCap != lin.figs.synopsisCap {
			t.Fatalf("synopsis cap %v loaded as %v", lin.figs.synopsisCap, back.figs.synopsisCap)
		}
		lin.figs.synopsisCap = !lin.figs.synopsisCap
	}
	// A version-1 Linear: histogram baseline, no sample figures.
	k := linFeaturesV1(len(f.cat.Schema.Tables))
	lv1 := newLinearShell(f.cat, NewHistogram(f.cat), lin.opts)
	lv1.mu, lv1.sd, lv1.coef = lin.mu[:k], lin.sd[:k], lin.coef[:k]
	lv1.yMean, lv1.resLo, lv1.resHi = lin.yMean, lin.resLo, lin.resHi
	if p := snRoundTrip(t, f, lv1); string(p[:4]) != linMagicV1 {
		t.Fatalf("version-1 linear payload starts %q", p[:4])
	}

	// A custom baseline cannot be saved.
	opts.Baseline = NewSample(f.cat)
	custom := snTrain(t, f, opts)
	if err := custom.savePayload(&bytes.Buffer{}); !errors.Is(err, ErrNotSaveable) {
		t.Fatalf("custom baseline: %v", err)
	}
}
