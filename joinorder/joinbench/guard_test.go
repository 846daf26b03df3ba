package joinbench

import (
	"math"
	"testing"
)

// guardQuery is a query timed both ways with the model's predictions (in
// milliseconds here; ServerQuery keeps microseconds).
func guardQuery(predServer, predOurs, serverMS, orderMS float64) ServerQuery {
	return ServerQuery{PredictedServer: predServer * 1e3, PredictedOurs: predOurs * 1e3, ServerMS: serverMS, OrderMS: orderMS, OrderTimed: true}
}

// TestFitGuard: the fitted thresholds hint exactly the queries whose
// measured gain is worth it — a large predicted saving that pays, and a
// small ratio with a real saving — and leave out a 4 ms query predicted
// 2.5x cheaper that ran 4x slower (a ratio alone would hint it) and a
// query predicted 3x cheaper by 15 ms that ran 4x slower; each threshold
// sits at the conservative end of its gap, so that a held-out query whose
// predicted gain or saving lies between a training query left out and
// the least promising one hinted is not hinted (the geometric middle of
// before hinted both held-out queries below; seed 5's TPC-H query 28,
// 3.54x slower, lay in such a gap).
func TestFitGuard(t *testing.T) {
	qs := []ServerQuery{
		guardQuery(100, 20, 1000, 200),  // gain 5, saving 80 ms: pays
		guardQuery(5, 2, 4, 16),         // gain 2.5, saving 3 ms: 4x slower
		guardQuery(50, 30, 300, 250),    // gain 1.67, saving 20 ms: pays a little
		guardQuery(22.5, 7.5, 100, 400), // gain 3, saving 15 ms: 4x slower
	}
	g := FitGuard(qs, 0)
	o := g.Outcome(qs)
	if o.Hinted != 2 || o.TotalMS != 200+4+250+100 || o.WorstSlowdown != 1 {
		t.Fatalf("fitted %+v: %+v", g, o)
	}
	if want := math.Nextafter(50.0/30, 0); g.Ratio != want {
		t.Errorf("ratio %v, want %v (just below the smallest gain hinted)", g.Ratio, want)
	}
	if g.MinSavingMS != 20 {
		t.Errorf("saving %v ms, want 20 (the smallest saving hinted)", g.MinSavingMS)
	}
	for _, held := range []ServerQuery{
		guardQuery(150, 100, 1000, 200), // gain 1.5 (between 1 and 1.67), saving 50 ms
		guardQuery(36, 18, 1000, 200),   // gain 2, saving 18 ms (between 15 and 20)
	} {
		if g.HintQuery(held) {
			t.Errorf("held-out query in a gap hinted: gain %.2f, saving %.0f ms", held.PredictedServer/held.PredictedOurs,
				(held.PredictedServer-held.PredictedOurs)/1e3)
		}
	}
	if !g.HintQuery(guardQuery(50, 30, 1, 1)) || !g.HintQuery(guardQuery(100, 20, 1, 1)) {
		t.Error("the training queries the fit hints are not hinted by the fitted guard")
	}
	// The ratio-only guard of before hints every query, the 4 ms one
	// and the 15 ms one too: 4x slower.
	if o := RatioOnlyGuard.Outcome(qs); o.WorstSlowdown != 4 || o.Hinted != 4 {
		t.Errorf("ratio only: %+v", o)
	}
	// Where the default guard is as good on the training queries, it is
	// kept (a tie would otherwise go to the fewest hints).
	tie := []ServerQuery{guardQuery(100, 20, 1000, 200), guardQuery(1000, 20, 900, 890)}
	if g := FitGuard(tie, 0); g != DefaultGuard {
		t.Errorf("tie with the default: fitted %+v", g)
	}
	// Past the limit both ways says nothing: the default guard.
	to := guardQuery(100, 10, 5000, 5100)
	to.ServerTimedOut, to.OrderTimedOut = true, true
	if g := FitGuard([]ServerQuery{to}, 0); g != DefaultGuard || g.Outcome([]ServerQuery{to}).TotalMS != 5000 {
		t.Errorf("censored both ways: %+v", g)
	}
	// Nothing timed both ways: the default guard.
	if g := FitGuard([]ServerQuery{{PredictedServer: 1, ServerMS: 3}}, 0); g != DefaultGuard {
		t.Errorf("untimed: %+v", g)
	}
	for _, c := range []struct {
		g    Guard
		want bool
	}{{AlwaysHint, true}, {DefaultGuard, false}, {Guard{Ratio: 1.5, MinSavingMS: 2}, true}} {
		if got := c.g.Hint(5e3, 2e3, true); got != c.want {
			t.Errorf("%+v.Hint(5 ms, 2 ms) = %v", c.g, got)
		}
	}
	if DefaultGuard.Hint(100e3, 1e3, false) || !AlwaysHint.Hint(0, 0, false) {
		t.Error("an unpriceable server order is hinted only by AlwaysHint")
	}
	// The server's own cost: below MinServerCost its plan is kept, an
	// unknown cost (0) does not decide, AlwaysHint ignores it.
	q := guardQuery(100, 1, 50, 100)
	for _, c := range []struct {
		g    Guard
		cost float64
		want bool
	}{{DefaultGuard, 0, true}, {DefaultGuard, DefaultServerMinCost / 2, false}, {DefaultGuard, DefaultServerMinCost, true},
		{NoCostGuard, 1, true}, {AlwaysHint, 1, true}} {
		q.ServerCost = c.cost
		if got := c.g.HintQuery(q); got != c.want {
			t.Errorf("%s.HintQuery(server cost %g) = %v, want %v", c.g.Name, c.cost, got, c.want)
		}
	}
	q.ServerCost = 100
	if o := DefaultGuard.Outcome([]ServerQuery{q}); o.Hinted != 0 || o.TotalMS != 50 {
		t.Errorf("a cheap server plan priced as hinted: %+v", o)
	}
	if o := NoCostGuard.Outcome([]ServerQuery{q}); o.Hinted != 1 || o.TotalMS != 100 || o.WorstSlowdown != 2 {
		t.Errorf("without the server's cost: %+v", o)
	}
}

// TestOracleOutcome: the oracle takes, per query, the faster of the two
// timed orders; an order past the limit or not timed keeps the server's
// time, and it is never slower than the server's plans.
func TestOracleOutcome(t *testing.T) {
	to := guardQuery(100, 10, 60000, 60000)
	to.ServerTimedOut, to.OrderTimedOut = true, true
	slowOurs := guardQuery(5, 2, 4, 16)
	untimed := ServerQuery{ServerMS: 7}
	censoredServer := guardQuery(100, 20, 60000, 1200)
	censoredServer.ServerTimedOut = true
	qs := []ServerQuery{guardQuery(100, 20, 1000, 200), slowOurs, untimed, to, censoredServer}
	o := OracleOutcome(qs)
	if o.Hinted != 2 || o.TotalMS != 200+4+7+60000+1200 || o.ServerTotalMS != 1000+4+7+60000+60000 || o.WorstSlowdown != 1 {
		t.Fatalf("oracle %+v", o)
	}
	if a := AlwaysHint.Outcome(qs); a.TotalMS < o.TotalMS {
		t.Errorf("always hinting %.0f ms beats the oracle's %.0f ms", a.TotalMS, o.TotalMS)
	}
}

// TestGuardName: ServerBench names the guard of zero ServerOptions as
// DefaultGuard is named (it read "server cost 1e+04" against
// DefaultGuard's "server cost 1e4").
func TestGuardName(t *testing.T) {
	if got := guardName(DefaultGuard); got != DefaultGuard.Name {
		t.Errorf("guardName(DefaultGuard) = %q, want %q", got, DefaultGuard.Name)
	}
}
