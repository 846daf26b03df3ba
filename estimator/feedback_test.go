package estimator

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// fbFixed is an Estimator that always answers the same count.
type fbFixed struct{ rows float64 }

func (f fbFixed) Name() string { return "fixed" }
func (f fbFixed) Estimate(q *features.Query) (Estimate, error) {
	if q == nil || len(q.Tables) == 0 {
		return Estimate{}, ErrQuery
	}
	return Estimate{Rows: f.rows, Low: f.rows / 2, High: f.rows * 2, Source: "fixed"}, nil
}

func ExampleNewOnline() {
	schema := &catalog.Schema{Tables: []*catalog.Table{{
		Name: "t", Columns: []catalog.Column{{Name: "a", Type: catalog.TypeInt}},
	}}}
	q1, _ := features.Parse(schema, "SELECT COUNT(*) FROM t WHERE a > 5")
	q2, _ := features.Parse(schema, "SELECT COUNT(*) FROM t WHERE a > 9")

	online := NewOnline(fbFixed{rows: 100}, OnlineOptions{})
	e, _ := online.Estimate(q1)
	fmt.Println("before:", e.Rows, e.Source)

	// The query ran and returned 400 rows.
	if err := online.Observe(q1, 400); err != nil {
		fmt.Println(err)
	}
	e, _ = online.Estimate(q1)
	fmt.Printf("after: %.0f %s\n", e.Rows, e.Source)
	e, _ = online.Estimate(q2) // same shape, other literal
	fmt.Printf("same shape: %.0f\n", e.Rows)

	err := online.Observe(q1, math.NaN())
	fmt.Println("NaN label rejected:", errors.Is(err, ErrBadLabel))
	fmt.Println(online.Drift().Advice)
	// Output:
	// before: 100 fixed
	// after: 400 fixed+online
	// same shape: 400
	// NaN label rejected: true
	// collecting a baseline: 1 of 200 observations
}

func ExampleOnline_Observe() {
	schema := &catalog.Schema{Tables: []*catalog.Table{{
		Name: "t", Columns: []catalog.Column{{Name: "a", Type: catalog.TypeInt}},
	}}}
	q, _ := features.Parse(schema, "SELECT COUNT(*) FROM t WHERE a = 1")
	online := NewOnline(fbFixed{rows: 1000}, OnlineOptions{Alpha: 0.5, Window: 4})
	// True counts arrive as queries run: the first sets the correction,
	// later ones move it halfway (in log space) toward theirs.
	for i, truth := range []float64{10, 40, 40, 40} {
		if err := online.Observe(q, truth); err != nil {
			fmt.Println(err)
		}
		e, _ := online.Estimate(q)
		if i > 0 {
			fmt.Print(" ")
		}
		fmt.Printf("%.0f", e.Rows)
	}
	d := online.Drift()
	fmt.Printf("\ndrifted: %v (model median q-error %.0f vs baseline %.0f)\n", d.Drifted, d.Raw.Median, d.Baseline.Median)
	// Output:
	// 10 20 28 34
	// drifted: false (model median q-error 25 vs baseline 25)
}

func TestOnlineBadLabels(t *testing.T) {
	f := snFlightsFixture(t)
	o := NewOnline(NewHistogram(f.cat), OnlineOptions{})
	for _, v := range []float64{math.NaN(), -1, math.Inf(1), math.Inf(-1)} {
		if err := o.Observe(f.test[0].Query, v); !errors.Is(err, ErrBadLabel) {
			t.Fatalf("label %v: %v", v, err)
		}
	}
	if err := o.Observe(&features.Query{Schema: f.cat.Schema}, 5); !errors.Is(err, ErrQuery) {
		t.Fatalf("empty query: %v", err)
	}
	if n := o.Drift().Observed; n != 0 {
		t.Fatalf("rejected observations were recorded: %d", n)
	}
}

// TestOnlineLRU: the correction maps never exceed Capacity; the least
// recently used digest is the one evicted.
func TestOnlineLRU(t *testing.T) {
	f := snFlightsFixture(t)
	o := NewOnline(NewHistogram(f.cat), OnlineOptions{Capacity: 3})
	var distinct []Example
	seen := map[string]bool{}
	for _, ex := range f.train {
		if d := ex.Query.Digest(); !seen[d] && len(distinct) < 6 {
			seen[d] = true
			distinct = append(distinct, ex)
		}
	}
	if len(distinct) < 6 {
		t.Fatalf("only %d distinct digests", len(distinct))
	}
	for i, ex := range distinct {
		if err := o.Observe(ex.Query, ex.Rows); err != nil {
			t.Fatal(err)
		}
		if o.digests.Len() > 3 || o.tableSets.Len() > 3 {
			t.Fatalf("LRU over capacity: %d digests, %d table sets", o.digests.Len(), o.tableSets.Len())
		}
		if i >= 2 {
			// Estimating digest 0 keeps it the most recently used, so
			// digests 1, 2 and 3 are evicted in turn, never 0 (a FIFO
			// would evict 0 first).
			if _, err := o.Estimate(distinct[0].Query); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, keep := range []bool{true, false, false, false, true, true} {
		if _, ok := o.digests.get(distinct[i].Query.Digest()); ok != keep {
			t.Fatalf("digest %d kept %v, want %v (least recently used evicted first)", i, ok, keep)
		}
	}
}

// TestOnlineConcurrent runs estimators and observers side by side (run
// with -race).
func TestOnlineConcurrent(t *testing.T) {
	f := snFlightsFixture(t)
	o := NewOnline(NewHistogram(f.cat), OnlineOptions{Capacity: 64, Window: 50})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(f.test); i += 4 {
				e, err := o.Estimate(f.test[i].Query)
				if err != nil || math.IsNaN(e.Rows) || math.IsInf(e.Rows, 0) {
					errs <- fmt.Errorf("estimate %d: %+v %v", i, e, err)
					return
				}
				if i%16 == 0 {
					_ = o.Drift()
				}
			}
		})
	}
	const observers, per = 2, 300
	for g := range observers {
		wg.Go(func() {
			for i := g * per; i < (g+1)*per; i++ {
				if err := o.Observe(f.train[i].Query, f.train[i].Rows); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if d := o.Drift(); d.Observed != observers*per || d.Rolling.N != 50 {
		t.Fatalf("observed %d (rolling %d), want %d (50)", d.Observed, d.Rolling.N, observers*per)
	}
}

// fbGrownFlights returns a copy of db in which every flight departing at
// or after noon appears extra times: the data changed under stale
// statistics, by a factor that depends on the query's predicates.
func fbGrownFlights(t *testing.T, db *datasets.DB, extra int) *datasets.DB {
	t.Helper()
	out := datasets.NewDB(db.Schema)
	for ti, tb := range db.Tables {
		dst := out.Tables[ti]
		hour := tb.Def.ColumnIndex("hour")
		var row []catalog.Datum
		for r := range tb.Rows {
			row = tb.Row(r, row[:0])
			copies := 1
			if tb.Def.Name == "flights" && row[hour].I >= 12 {
				copies += extra
			}
			for range copies {
				if err := dst.AppendRow(row); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return out
}

// TestOnlineRecoversAfterDataChange: the flights table grows (afternoon
// flights x6) while the catalog stays stale. Drift is reported against
// the model's accuracy on the original data, and after observing true
// counts of one stream of queries, the q-error on a fresh stream of the
// same query shapes (new literals) drops well below the stale model's.
func TestOnlineRecoversAfterDataChange(t *testing.T) {
	f := snFlightsFixture(t)
	base := NewHistogram(f.cat)
	ref := Quantiles(snQErrors(t, base, f.test))
	grown := fbGrownFlights(t, f.db, 5)

	rng := rand.New(rand.NewPCG(21, 22))
	qs, err := snGenQueries(rng, grown, 1500)
	if err != nil {
		t.Fatal(err)
	}
	exs, err := snLabel(grown, qs)
	if err != nil {
		t.Fatal(err)
	}
	observe, fresh := exs[:1000], exs[1000:]

	o := NewOnline(base, OnlineOptions{Reference: &ref, Window: 200})
	beyond := 0
	for _, ex := range observe {
		if err := o.Observe(ex.Query, ex.Rows); errors.Is(err, ErrBadLabel) {
			beyond++ // more rows than the stale catalog's cross product
		} else if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d of %d counts exceed the stale catalog's cross product", beyond, len(observe))
	d := o.Drift()
	t.Logf("reference %+v", ref)
	t.Logf("drift: %v; raw median %.2f p95 %.2f; served median %.2f p95 %.2f", d.Advice, d.Raw.Median, d.Raw.P95, d.Rolling.Median, d.Rolling.P95)
	if !d.Drifted {
		t.Errorf("no drift reported after the data changed: %+v", d)
	}

	seen := map[string]bool{}
	for _, ex := range observe {
		seen[ex.Query.Digest()] = true
	}
	var repeated []Example
	for _, ex := range fresh {
		if seen[ex.Query.Digest()] {
			repeated = append(repeated, ex)
		}
	}
	if len(repeated) < 100 {
		t.Fatalf("only %d fresh queries repeat a shape", len(repeated))
	}
	stale := Quantiles(snQErrors(t, base, repeated))
	fixed := Quantiles(snQErrors(t, o, repeated))
	t.Logf("%d repeated-shape queries: stale median %.2f p90 %.2f; with feedback median %.2f p90 %.2f",
		len(repeated), stale.Median, stale.P90, fixed.Median, fixed.P90)
	if !(fixed.Median < stale.Median/1.5) || !(fixed.P90 < stale.P90) {
		t.Errorf("feedback did not bring q-error down: stale %+v, feedback %+v", stale, fixed)
	}

	// On unchanged data the same monitor reports no drift.
	calm := NewOnline(base, OnlineOptions{Reference: &ref, Window: 200})
	for _, ex := range f.train[:400] {
		if err := calm.Observe(ex.Query, ex.Rows); err != nil {
			t.Fatal(err)
		}
	}
	if d := calm.Drift(); d.Drifted {
		t.Errorf("drift reported on unchanged data: %+v", d)
	}
}

// TestOnlineTableSetFallback: a query shape never observed takes half the
// correction of its table set; another table set takes none.
func TestOnlineTableSetFallback(t *testing.T) {
	schema := &catalog.Schema{Tables: []*catalog.Table{
		{Name: "t", Columns: []catalog.Column{{Name: "a", Type: catalog.TypeInt}}},
		{Name: "u", Columns: []catalog.Column{{Name: "a", Type: catalog.TypeInt}}},
	}}
	parse := func(sql string) *features.Query {
		q, err := features.Parse(schema, sql)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	online := NewOnline(fbFixed{rows: 100}, OnlineOptions{})
	if err := online.Observe(parse("SELECT COUNT(*) FROM t WHERE a > 5"), 400); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sql  string
		rows float64
	}{
		{"SELECT COUNT(*) FROM t WHERE a > 7", 400}, // same digest
		{"SELECT COUNT(*) FROM t WHERE a < 3", 200}, // same table set: e^(ln 4 / 2)
		{"SELECT COUNT(*) FROM u WHERE a > 5", 100}, // nothing learned
	} {
		e, err := online.Estimate(parse(c.sql))
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(e.Rows-c.rows) > 1e-9*c.rows {
			t.Errorf("%s: %v rows, want %v", c.sql, e.Rows, c.rows)
		}
	}
}
