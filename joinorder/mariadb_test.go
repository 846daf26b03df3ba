package joinorder_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cardinaldb/cardinal/joinorder"
	"github.com/cardinaldb/cardinal/joinorder/exact"
)

// TestMariaDBWork: on generated TPC-H queries, the work of every
// connected left-deep order priced by the model's constants is the cost
// FromOrder gives the same order (Work is the cost's decomposition), and
// a fit on latencies made from known constants recovers them.
func TestMariaDBWork(t *testing.T) {
	f := fixtures(t)["tpch"]
	m, err := joinorder.NewMariaDB(f.cat, joinorder.MariaDBCosts{})
	if err != nil {
		t.Fatal(err)
	}
	want := joinorder.MariaDBCosts{ScanRow: 0.3, Lookup: 2, FetchPK: 0.2, FetchSec: 1.5, JoinRow: 0.05}
	var samples []joinorder.LatencySample
	rng := rand.New(rand.NewPCG(1, 2))
	for _, q := range genQueries(t, f.db, 12, 2, 5, 3) {
		cards, err := exact.New(f.db).Cards(context.Background(), joinorder.ImpliedJoins(q))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []func() (*joinorder.Plan, error){
			func() (*joinorder.Plan, error) { return joinorder.LeftDeep(cards, m, joinorder.Options{}) },
			func() (*joinorder.Plan, error) { return joinorder.GOO(cards, m) },
		} {
			plan, err := p()
			if err != nil {
				t.Fatal(err)
			}
			order := plan.Order()
			w, err := m.OrderWork(cards, order)
			if err != nil {
				t.Fatal(err)
			}
			lp, err := joinorder.FromOrder(cards, m, order)
			if err != nil {
				t.Fatal(err)
			}
			if got := w.Cost(m.Costs()); math.Abs(got-lp.Cost()) > 1e-9*math.Max(1, lp.Cost()) {
				t.Errorf("work %+v costs %g, FromOrder %g", w, got, lp.Cost())
			}
			// Latency from known constants, 200 us overhead, 5% noise.
			lat := (w.Cost(want) + 200) * (1 + 0.05*(rng.Float64()-0.5))
			samples = append(samples, joinorder.LatencySample{Work: w, LatencyUS: lat})
		}
	}
	got, overhead, err := joinorder.FitMariaDBCosts(samples, joinorder.FitOptions{PriorWeight: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	var pred, meas []float64
	for _, s := range samples {
		pred = append(pred, s.Work.Cost(got)+overhead)
		meas = append(meas, s.LatencyUS)
	}
	for i := range pred {
		if r := pred[i] / meas[i]; r < 0.8 || r > 1.25 {
			t.Errorf("sample %d: fitted %g us, measured %g (fit %+v, overhead %g)", i, pred[i], meas[i], got, overhead)
		}
	}
	if _, _, err := joinorder.FitMariaDBCosts(nil, joinorder.FitOptions{}); !errors.Is(err, joinorder.ErrOptions) {
		t.Errorf("no samples: %v", err)
	}
	if _, _, err := joinorder.FitMariaDBCosts([]joinorder.LatencySample{{LatencyUS: 0}}, joinorder.FitOptions{}); !errors.Is(err, joinorder.ErrOptions) {
		t.Errorf("zero latency: %v", err)
	}
	if _, _, err := joinorder.FitMariaDBCosts(samples, joinorder.FitOptions{PriorWeight: math.NaN()}); !errors.Is(err, joinorder.ErrOptions) {
		t.Errorf("NaN prior weight: %v", err)
	}
	if _, err := joinorder.NewMariaDB(f.cat, joinorder.MariaDBCosts{Lookup: -1}); !errors.Is(err, joinorder.ErrOptions) {
		t.Errorf("negative cost: %v", err)
	}
}
