package estimator

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// guardModels trains one small model of every kind on flights (seconds,
// not minutes: the guarantees under test do not depend on accuracy) and
// wraps one in Online.
func guardModels(t testing.TB) (*datasets.DB, *catalog.Catalog, []Estimator) {
	t.Helper()
	db := flightsDB(t)
	cat := flightsCatalog(t, db)
	train := examples(t, db.Schema, labelled(t, db, 150, 2, 91, false))
	ctx := context.Background()
	g, err := TrainGBDT(ctx, cat, train, GBDTOptions{Seed: 1, Trees: 20})
	if err != nil {
		t.Fatal(err)
	}
	sn, err := TrainSetNet(ctx, cat, train, SetNetOptions{Seed: 1, Epochs: 2, Hidden: 8, FinalHidden: 8})
	if err != nil {
		t.Fatal(err)
	}
	lin, err := TrainLinear(ctx, cat, train, LinearOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return db, cat, []Estimator{NewHistogram(cat), NewSample(cat), g, sn, lin, NewOnline(g, OnlineOptions{})}
}

// crossJoin returns a query of a's and b's tables with no join between
// them (aliases of b renamed apart).
func crossJoin(a, b *features.Query) *features.Query {
	q := &features.Query{Schema: a.Schema}
	q.Tables = append(q.Tables, a.Tables...)
	q.Joins = append(q.Joins, a.Joins...)
	n := len(a.Tables)
	for _, t := range b.Tables {
		t.Alias = "x_" + t.Alias
		q.Tables = append(q.Tables, t)
	}
	for _, j := range b.Joins {
		j.Left += n
		j.Right += n
		q.Joins = append(q.Joins, j)
	}
	return q
}

// checkCapped fails unless e is finite, 0 <= Low <= Rows <= High, and
// Rows and High are at most limit.
func checkCapped(t testing.TB, what string, e Estimate, limit float64) {
	t.Helper()
	fin := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) && x >= 0 }
	if !fin(e.Rows) || !fin(e.Low) || !fin(e.High) || e.Low > e.Rows || e.Rows > e.High || e.High > limit {
		t.Fatalf("%s: estimate %+v, cap %g", what, e, limit)
	}
}

// TestEstimatesCapped is the property over generated queries, their
// sub-plans and cross joins of them, for every model kind, before and
// after Online observes hostile labels: every estimate is finite,
// ordered, and at most the product of its tables' row counts.
func TestEstimatesCapped(t *testing.T) {
	db, cat, models := guardModels(t)
	recs := labelled(t, db, 120, 3, 92, false)
	test := examples(t, db.Schema, recs)
	rng := rand.New(rand.NewPCG(93, 1))
	var qs []*features.Query
	for _, e := range test {
		qs = append(qs, e.Query)
		if len(e.Query.Tables) < 3 {
			o := test[rng.IntN(len(test))].Query
			if len(o.Tables)+len(e.Query.Tables) <= 5 {
				qs = append(qs, crossJoin(e.Query, o))
			}
		}
	}
	online := models[len(models)-1].(*Online)
	for round := 0; round < 2; round++ {
		for _, m := range models {
			for _, q := range qs {
				limit := tableProduct(cat, q, q.FullMask())
				e, err := m.Estimate(q)
				if err != nil {
					t.Fatalf("%s: %v: %s", m.Name(), err, q.SQL())
				}
				checkCapped(t, m.Name()+" "+q.SQL(), e, limit)
				subs, err := EstimateSubPlans(m, q)
				if err != nil {
					t.Fatalf("%s sub-plans: %v", m.Name(), err)
				}
				for _, s := range subs {
					checkCapped(t, m.Name()+" sub-plan", s.Estimate, tableProduct(cat, q, s.Mask))
				}
				ex, err := Explain(m, q)
				if err != nil || ex.Rows > limit || math.IsNaN(ex.Rows) {
					t.Fatalf("%s explain: %+v %v", m.Name(), ex, err)
				}
			}
		}
		// Hostile labels: above the cross product is refused; the
		// largest allowed one and zero pull corrections to their limits.
		for i, q := range qs {
			limit := tableProduct(cat, q, q.FullMask())
			for _, bad := range []float64{math.NaN(), math.Inf(1), -1, limit * 2, math.Nextafter(limit, math.Inf(1)), 1e300} {
				if err := online.Observe(q, bad); !errors.Is(err, ErrBadLabel) {
					t.Fatalf("Observe(%v) of a %g-row cross product: %v", bad, limit, err)
				}
			}
			label := limit
			if i%2 == 1 {
				label = 0
			}
			if err := online.Observe(q, label); err != nil {
				t.Fatal(err)
			}
		}
	}
	if online.Drift().Observed != 2*len(qs) {
		t.Errorf("observed %d, want %d", online.Drift().Observed, 2*len(qs))
	}
}

// TestCrossJoin: a cross join is the product of its parts for every kind
// (they were estimated at about 20,000, the disconnected tables dropped).
func TestCrossJoin(t *testing.T) {
	_, _, models := guardModels(t)
	cases := []struct {
		sql  string
		want float64
	}{
		{"SELECT COUNT(*) FROM flights CROSS JOIN airports", 20000 * 3376},
		{"SELECT COUNT(*) FROM flights, airports, routes", 20000 * 3376 * 5366},
		{"SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata, routes r", 20000 * 5366},
	}
	for _, m := range models {
		for _, c := range cases {
			e, err := EstimateSQL(m, c.sql)
			if err != nil {
				t.Fatalf("%s: %v", m.Name(), err)
			}
			if q := QError(e.Rows, c.want); q > 2 {
				t.Errorf("%s: %s = %.4g, true %.4g (q-error %.1f)", m.Name(), c.sql, e.Rows, c.want, q)
			}
		}
	}
}

// TestOtherSchema: a query parsed against another schema is refused
// (it used to be estimated by table index: FROM orders of the ecommerce
// schema was the row count of routes).
func TestOtherSchema(t *testing.T) {
	_, _, models := guardModels(t)
	other, err := features.Parse(datasets.EcommerceSchema(), "SELECT COUNT(*) FROM orders")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range models {
		if _, err := m.Estimate(other); !errors.Is(err, ErrSchema) || !errors.Is(err, ErrQuery) {
			t.Errorf("%s: %v", m.Name(), err)
		}
		if _, err := EstimateSubPlans(m, other); !errors.Is(err, ErrSchema) {
			t.Errorf("%s sub-plans: %v", m.Name(), err)
		}
		if _, err := Explain(m, other); !errors.Is(err, ErrSchema) {
			t.Errorf("%s explain: %v", m.Name(), err)
		}
	}
	if err := models[len(models)-1].(*Online).Observe(other, 1); !errors.Is(err, ErrSchema) {
		t.Errorf("observe: %v", err)
	}
	if _, err := EstimateSQL(wrapped{models[0]}, "SELECT COUNT(*) FROM flights"); !errors.Is(err, ErrQuery) {
		t.Errorf("EstimateSQL of a foreign estimator: %v", err)
	}
}

// wrapped hides an estimator's type (an estimator from another package).
type wrapped struct{ Estimator }

// TestConcurrentEveryKind: every kind (and Online) estimating, estimating
// sub-plans, explaining and observing at once from several goroutines
// gives the answers of one goroutine (run with -race: .ci/run does).
func TestConcurrentEveryKind(t *testing.T) {
	db, cat, models := guardModels(t)
	test := examples(t, db.Schema, labelled(t, db, 40, 3, 94, false))
	online := models[len(models)-1].(*Online)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for _, m := range models[:len(models)-1] {
		want := make([]Estimate, len(test))
		for i, e := range test {
			var err error
			if want[i], err = m.Estimate(e.Query); err != nil {
				t.Fatal(err)
			}
		}
		for g := 0; g < 2; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i, e := range test {
					got, err := m.Estimate(e.Query)
					if err == nil && got != want[i] {
						err = fmt.Errorf("%s: estimate %+v, alone %+v", m.Name(), got, want[i])
					}
					if err == nil {
						_, err = EstimateSubPlans(m, e.Query)
					}
					if err == nil {
						_, err = Explain(m, e.Query)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
	}
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, e := range test {
				_, err := online.Estimate(e.Query)
				if err == nil {
					err = online.Observe(e.Query, e.Rows)
				}
				if err == nil {
					_, err = EstimateSubPlans(online, e.Query)
				}
				if err == nil {
					_, err = Explain(online, e.Query)
				}
				if err == nil {
					_ = online.Drift()
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	_ = cat
}

// TestOptionsRule: zero is the default; a negative, NaN or infinite
// option (or one above its maximum) is ErrOptions before any work (here,
// before the nil catalog is even looked at).
func TestOptionsRule(t *testing.T) {
	ctx := context.Background()
	bad := []TrainOptions{
		{GBDT: GBDTOptions{Trees: -1}},
		{GBDT: GBDTOptions{LearningRate: math.NaN()}},
		{GBDT: GBDTOptions{LearningRate: math.Inf(1)}},
		{GBDT: GBDTOptions{LearningRate: 1e300}},
		{GBDT: GBDTOptions{Subsample: -0.5}},
		{GBDT: GBDTOptions{HuberDelta: math.Inf(-1)}},
		{SetNet: SetNetOptions{Epochs: -3}},
		{SetNet: SetNetOptions{LearningRate: math.NaN()}},
		{Linear: LinearOptions{Lambda: -1}},
		{Linear: LinearOptions{SampleRows: -10}},
	}
	for _, o := range bad {
		for _, kind := range []string{KindGBDT, KindSetNet, KindLinear} {
			if _, err := Train(ctx, kind, nil, nil, o); !errors.Is(err, ErrOptions) {
				t.Errorf("%s %+v: %v", kind, o, err)
			}
		}
	}
	if _, err := TrainGBDT(ctx, nil, nil, GBDTOptions{MinLeaf: -1}); !errors.Is(err, ErrOptions) {
		t.Error(err)
	}
	if _, err := TrainSetNet(ctx, nil, nil, SetNetOptions{BatchSize: -1}); !errors.Is(err, ErrOptions) {
		t.Error(err)
	}
	if _, err := TrainLinear(ctx, nil, nil, LinearOptions{Lambda: math.Inf(1)}); !errors.Is(err, ErrOptions) {
		t.Error(err)
	}
	if err := (OnlineOptions{Alpha: 2}).Validate(); !errors.Is(err, ErrOptions) {
		t.Error(err)
	}
	if err := (TrainOptions{GBDT: GBDTOptions{HuberDelta: -1}}).Validate(); err != nil {
		t.Errorf("HuberDelta < 0 is documented squared loss: %v", err)
	}
	func() {
		defer func() {
			if err, _ := recover().(error); !errors.Is(err, ErrOptions) {
				t.Errorf("NewOnline with Window -1: %v", err)
			}
		}()
		NewOnline(wrapped{}, OnlineOptions{Window: -1})
	}()
}

// endless is an endless stream of one byte.
type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

// TestLoadHostileStreams: a model path that is an endless stream is
// refused after its first bytes, and a declared section longer than the
// file costs only the bytes that exist.
func TestLoadHostileStreams(t *testing.T) {
	for _, b := range []byte{0, 'C'} {
		if _, err := Load(io.LimitReader(endless(b), 1<<40), nil, LoadOptions{}); !errors.Is(err, ErrBadMagic) {
			t.Errorf("endless %q: %v", b, err)
		}
	}
	head := []byte(modelMagic + string([]byte{modelVersion, 0}) + "\x04gbdt\x00")
	huge := binary.LittleEndian.AppendUint64(append([]byte(nil), head...), 1<<29)
	if _, err := Load(bytes.NewReader(append(huge, "short"...)), nil, LoadOptions{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("declared 512 MiB, sent 5 bytes: %v", err)
	}
	over := binary.LittleEndian.AppendUint64(append([]byte(nil), head...), 1<<62)
	if _, err := Load(bytes.NewReader(over), nil, LoadOptions{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("declared 2^62 bytes: %v", err)
	}
	// Endless valid-looking sections stop at the model size limit.
	body := binary.LittleEndian.AppendUint64(append([]byte(nil), head...), maxModelBytes)
	if _, err := Load(io.MultiReader(bytes.NewReader(body), io.LimitReader(endless(0), 1<<20)), nil, LoadOptions{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("declared the limit: %v", err)
	}
}
