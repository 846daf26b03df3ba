package estimator

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/internal/bincodec"
	"github.com/cardinaldb/cardinal/internal/golden"
)

const (
	goldenOnline          = "testdata/flights-small-online.model"
	goldenOnlineEstimates = "testdata/online-estimates.txt"
)

// onlineOverGolden wraps the golden gbdt in an Online and feeds it the
// true counts of a seeded labelled workload.
func onlineOverGolden(t *testing.T) (*Online, []Example) {
	t.Helper()
	data, err := os.ReadFile(goldenModel)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(bytes.NewReader(data), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	db := flightsDB(t)
	exs := examples(t, db.Schema, labelled(t, db, 120, 2, 21, false))
	ref := QErrorSummary{Median: 1.5, P90: 3, P95: 4, P99: 9, Max: 20, Mean: 2, N: 100}
	o := NewOnline(m, OnlineOptions{Alpha: 0.4, Capacity: 32, Window: 40, Reference: &ref})
	for _, ex := range exs[:85] {
		if err := o.Observe(ex.Query, ex.Rows); err != nil {
			t.Fatal(err)
		}
	}
	return o, exs[85:]
}

// onlineState renders everything an Online's behaviour depends on.
func onlineState(o *Online) string {
	var b strings.Builder
	o.mu.Lock()
	defer o.mu.Unlock()
	op := o.opts
	op.Reference = nil
	fmt.Fprintf(&b, "opts %+v reference %+v\nobserved %d ref %v\n", op, *o.opts.Reference, o.observed, o.ref)
	for _, r := range []*fbRing{&o.served, &o.raw} {
		fmt.Fprintf(&b, "ring n %d next %d %v\n", r.n, r.next, r.buf)
	}
	for _, l := range []*fbLRU{o.digests, o.tableSets} {
		fmt.Fprintf(&b, "lru cap %d:", l.cap)
		l.each(func(k string, c float64) { fmt.Fprintf(&b, " %q=%v", k, c) })
		b.WriteByte('\n')
	}
	return b.String()
}

// TestOnlineSaveLoad: an Online saves with its wrapped model and feedback
// state, loads back to the same state, estimates and reports drift the
// same, keeps learning the same way, and re-saves to the same bytes.
func TestOnlineSaveLoad(t *testing.T) {
	o, rest := onlineOverGolden(t)
	data := saveBytes(t, o)
	m, info, err := LoadInfo(bytes.NewReader(data), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	back, ok := m.(*Online)
	if !ok || info.Kind != KindOnline || back.Name() != o.Name() || back.Name() != "gbdt+online" {
		t.Fatalf("loaded %T kind %q name %q, want *Online %q", m, info.Kind, m.Name(), o.Name())
	}
	if a, b := onlineState(o), onlineState(back); a != b {
		t.Fatalf("state after load:\n%s\nbefore:\n%s", b, a)
	}
	if o.digests.Len() == 0 || len(o.served.buf) != 40 || o.served.next == 0 {
		t.Fatalf("fixture too weak: %d digests, ring %d at %d", o.digests.Len(), len(o.served.buf), o.served.next)
	}
	if a, b := o.Drift(), back.Drift(); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("drift after load %+v, before %+v", b, a)
	}
	if CatalogOf(back) == nil || CatalogOf(back).Fingerprint() != CatalogOf(o).Fingerprint() {
		t.Fatal("loaded online model has another catalog")
	}
	corrected := 0
	for i, ex := range rest {
		a, err1 := o.Estimate(ex.Query)
		b, err2 := back.Estimate(ex.Query)
		if err1 != nil || err2 != nil || a != b {
			t.Fatalf("query %d: %+v (%v) after load, %+v (%v) before", i, b, err2, a, err1)
		}
		if strings.HasSuffix(a.Source, "+online") {
			corrected++
		}
		// Both keep learning identically.
		if err := o.Observe(ex.Query, ex.Rows); err != nil {
			t.Fatal(err)
		}
		if err := back.Observe(ex.Query, ex.Rows); err != nil {
			t.Fatal(err)
		}
	}
	if corrected == 0 {
		t.Fatal("no estimate was corrected by the loaded feedback")
	}
	if !bytes.Equal(saveBytes(t, o), saveBytes(t, back)) {
		t.Fatal("the two models diverged after the same observations")
	}
	if again := saveBytes(t, back); !bytes.Equal(again, saveBytes(t, o)) {
		t.Fatal("re-saving changed the bytes")
	}
}

// TestOnlineSaveErrors: an Online over an estimator that is not a model
// of this package, or over another Online, cannot be saved; a corrupt
// payload is ErrCorrupt at every truncation.
func TestOnlineSaveErrors(t *testing.T) {
	if err := Save(&bytes.Buffer{}, NewOnline(fbFixed{rows: 1}, OnlineOptions{})); !errors.Is(err, ErrKind) {
		t.Errorf("online over a foreign estimator: %v", err)
	}
	o, _ := onlineOverGolden(t)
	if err := Save(&bytes.Buffer{}, NewOnline(o, OnlineOptions{})); !errors.Is(err, ErrKind) {
		t.Errorf("online over online: %v", err)
	}
	var p bincodec.Encoder
	if err := o.savePayload(&p); err != nil {
		t.Fatal(err)
	}
	cat := CatalogOf(o)
	for n := 0; n < len(p.B); n += 1 + n/64 {
		if _, err := loadOnlinePayload(p.B[:n], cat, modelVersion); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d of %d: %v", n, len(p.B), err)
		}
	}
	if _, err := loadOnlinePayload(append(bytes.Clone(p.B), 0), cat, modelVersion); !errors.Is(err, ErrCorrupt) {
		t.Errorf("trailing byte: %v", err)
	}
	v := bytes.Clone(p.B)
	v[len(onlineMagic)] = 9
	if _, err := loadOnlinePayload(v, cat, modelVersion); !errors.Is(err, ErrVersion) {
		t.Errorf("payload version 9: %v", err)
	}
}

// The golden Online file loads, estimates as recorded and re-saves to the
// same bytes; rebuilding it over the golden model gives the same bytes (it
// is not stale). -rewrite rebuilds both files.
func TestGoldenOnline(t *testing.T) {
	db := flightsDB(t)
	o, _ := onlineOverGolden(t)
	built := saveBytes(t, o)
	if golden.Rewrite() {
		if err := os.WriteFile(goldenOnline, built, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(goldenOnline)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(built, data) {
		t.Errorf("%s is stale: rebuilding it now gives other bytes (regenerate with -rewrite)", goldenOnline)
	}
	m, err := Load(bytes.NewReader(data), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(saveBytes(t, m), data) {
		t.Error("re-saving the golden online model changed its bytes")
	}
	var out strings.Builder
	for _, r := range labelled(t, db, 120, 2, 21, false)[76:92] {
		e, err := EstimateSQL(m, r.SQL)
		if err != nil {
			t.Fatalf("%s: %v", r.SQL, err)
		}
		fmt.Fprintf(&out, "%s\n----\nrows %.6g low %.6g high %.6g %s\n\n", r.SQL, e.Rows, e.Low, e.High, e.Source)
	}
	fmt.Fprintf(&out, "drift\n----\n%s\n", m.(*Online).Drift().Advice)
	golden.File(t, goldenOnlineEstimates, []byte(out.String()))
}

// FuzzLoadOnlinePayload: a corrupt Online payload is a typed error, never
// a panic or an unbounded allocation. The seed wraps a histogram (its
// payload is empty) so that the fuzzer spends its time on the feedback
// state; the gbdt payload has its own fuzz test.
func FuzzLoadOnlinePayload(f *testing.F) {
	data, err := os.ReadFile(goldenModel)
	if err != nil {
		f.Fatal(err)
	}
	m, err := Load(bytes.NewReader(data), nil, LoadOptions{})
	if err != nil {
		f.Fatal(err)
	}
	cat := CatalogOf(m)
	db := flightsDB(f)
	o := NewOnline(NewHistogram(cat), OnlineOptions{Capacity: 8, Window: 6})
	for _, ex := range examples(f, db.Schema, labelled(f, db, 20, 2, 5, false)) {
		if err := o.Observe(ex.Query, ex.Rows); err != nil {
			f.Fatal(err)
		}
	}
	var p bincodec.Encoder
	if err := o.savePayload(&p); err != nil {
		f.Fatal(err)
	}
	f.Add(p.B)
	f.Add([]byte(onlineMagic + "\x01\x09histogram\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		o2, err := loadOnlinePayload(b, cat, modelVersion)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrVersion) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		o2.Drift() // must not panic
		// What loads saves, and loads again.
		var again bincodec.Encoder
		if err := o2.savePayload(&again); err != nil {
			t.Fatalf("accepted payload does not save: %v", err)
		}
		if _, err := loadOnlinePayload(again.B, cat, modelVersion); err != nil {
			t.Fatalf("re-saved payload does not load: %v", err)
		}
	})
}
