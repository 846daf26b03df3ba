package indexadvisor

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/internal/server"
)

// ecommerceTraps are GROUP BY traps on ecommerce beside lookups that make
// an index led by the GROUP BY column worthwhile: with order_items
// (order_id) MariaDB answers the GROUP BY statements by a full scan of
// that index with a row lookup each (EXPLAIN type index), several times
// slower than a table scan and a temporary table.
const ecommerceTraps = `
SELECT * FROM order_items WHERE order_id = 4711;
SELECT * FROM order_items WHERE order_id = 90210;
SELECT order_id, COUNT(*) FROM order_items WHERE unit_price BETWEEN 20 AND 21 GROUP BY order_id;
SELECT customer_id, COUNT(*) FROM orders WHERE total BETWEEN 100 AND 101 GROUP BY customer_id;
SELECT * FROM orders WHERE customer_id = 777;
`

// TestLiveEvaluateEcommerce is the measured integration test CI runs:
// ecommerce (scale 1, 300k order items) in a database of its own on the
// test server, 4 generated statements (point, range, top-k, GROUP BY and
// join templates) plus the GROUP BY traps, at a budget of 25% of what all
// candidates need. Every strategy is built and timed, the oracle's
// candidates one by one, and the figures are logged. It asserts the
// measuring path: every strategy measured, all candidates together save
// time, trap refusal judged on every (statement, candidate) pair the
// oracle timed, every index dropped again. The targets (>= 90% of
// the oracle, no statement >10% slower) are NOT asserted: they do not
// hold yet (README, index advice).
// The full-size figures (ecommerce scale 10, TPC-H SF1, three budgets)
// come from cardinal eval-indexes; see the README.
func TestLiveEvaluateEcommerce(t *testing.T) {
	dsn := liveDSN(t, "measure on")
	if testing.Short() {
		t.Skip("-short: the measured evaluation takes a minute or two")
	}
	ctx := context.Background()
	start := time.Now()
	cat, srv := ecommerceServer(ctx, t, dsn)
	traps := flightsStatements(t, ecommerceTraps)
	stmts := append(GenerateWorkload(cat, 4, rand.New(rand.NewPCG(3, 4))), traps...)
	w, err := NewWorkload(cat.Schema, stmts)
	if err != nil {
		t.Fatal(err)
	}
	trapIDs := []int{}
	for si, st := range w.Statements {
		if strings.Contains(st.SQL, "BETWEEN 20 AND 21 GROUP BY") || strings.Contains(st.SQL, "BETWEEN 100 AND 101 GROUP BY") {
			trapIDs = append(trapIDs, si)
		}
	}
	opts := Options{Catalog: cat}
	t.Logf("loaded in %v", time.Since(start).Round(time.Millisecond))
	ev, err := EvaluateStrategies(ctx, w, opts, EvalOptions{Server: srv, Budgets: []float64{0.25},
		IndexPrefix: "cx" + runTag() + "_", NoiseFloor: 5 * time.Millisecond,
		Strategies: []string{StrategyCardinal, StrategyTraps, StrategyPerColumn, StrategyDexter, StrategyAll, StrategyOracle},
		Time:       server.TimeOptions{Runs: 3, Warmups: -1, Limit: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d statements, %d candidates (%.1f MiB), %d timings, %d reused plans, %d server pairs (%d regressed; trap refusal %+v), %v in all",
		ev.Statements, ev.Candidates, ev.CandidateBytes/(1<<20), ev.Timings, ev.PlansReused, ev.ServerPairs, ev.ServerRegressions,
		*ev.TrapsOnServer, time.Since(start).Round(time.Second))
	got := map[string]StrategyResult{}
	for _, r := range ev.Results {
		if r.MeasuredBenefit == nil {
			t.Fatalf("%s: not measured", r.Strategy)
		}
		got[r.Strategy] = r
		t.Logf("%-18s %6.1f MiB measured %6.1f%% estimated %6.1f%% regressions %d %v distrusted %v",
			r.Strategy, r.Bytes/(1<<20), 100**r.MeasuredBenefit, 100*r.EstimatedBenefit, r.Regressions, r.Regressed, r.Distrusted)
	}
	for _, name := range []string{StrategyCardinal, StrategyTraps, StrategyPerColumn, StrategyDexter, StrategyAll, StrategyOracle} {
		if _, ok := got[name]; !ok {
			t.Errorf("strategy %s not measured", name)
		}
	}
	if all := got[StrategyAll]; all.MeasuredBenefit != nil && *all.MeasuredBenefit <= 0 {
		t.Errorf("all %d candidates together save nothing measured (%.1f%%): the measuring path is broken", len(all.Indexes), 100**all.MeasuredBenefit)
	}
	if n := len(ev.ServerExamples); n != ev.ServerPairs {
		t.Errorf("%d server examples for %d server pairs", n, ev.ServerPairs)
	}
	if s := ev.TrapsOnServer; s == nil || s.Caught+s.Missed+s.FalseAlarms+s.Correct != ev.ServerPairs || ev.ServerPairs == 0 {
		t.Errorf("trap refusal not judged on the %d server pairs: %+v", ev.ServerPairs, s)
	}
	for _, reg := range got[StrategyCardinal].Regressed { // the default path
		for _, id := range trapIDs {
			if strings.HasPrefix(reg, "#"+strconv.Itoa(id)+" ") {
				t.Logf("NOT MET: cardinal's configuration %v makes trap statement %s slower", got[StrategyCardinal].Indexes, reg)
			}
		}
	}
	left, err := srv.SecondaryIndexes(ctx)
	if left = ownIndexes(left); err != nil || len(left) != 0 {
		t.Errorf("indexes left on the server: %v %v", left, err)
	}
}

// ecommerceServer loads ecommerce at scale 1 (seed 1) onto the test
// server at dsn (closed when t ends) and returns its catalog and the
// server.
func ecommerceServer(ctx context.Context, t *testing.T, dsn string) (*catalog.Catalog, *server.Server) {
	t.Helper()
	db, err := datasets.Ecommerce(ctx, datasets.EcommerceOptions{Scale: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	lo := server.LoadOptions{}
	srv, err := server.Open(ctx, dsn, server.Options{Database: server.DatabaseName("ecommerce_ixadv", 1, lo)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if _, err := srv.Load(ctx, db, lo); err != nil {
		t.Fatal(err)
	}
	return cat, srv
}
