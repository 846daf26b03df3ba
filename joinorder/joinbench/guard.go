package joinbench

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/cardinaldb/cardinal/internal/server"
	"github.com/cardinaldb/cardinal/joinorder"
)

// Defaults of the hint guard.
const (
	// DefaultServerMinSaving: hint only where the model also predicts
	// the hint saves at least 25 ms (predicted server cost - ours, in
	// the mariadb model's microseconds). A ratio alone hinted a 4.4 ms
	// TPC-H SF1 query predicted 2.4x cheaper that ran in 16.7 ms (3.8x
	// slower, the run of 2026-12-05 in the README): below the issue's
	// "tens of milliseconds" a query has little to gain and the model's
	// error (estimates, constants scaled for load) is as large as the
	// gain. FitGuard replaces it by a value fitted on measured training
	// queries.
	DefaultServerMinSaving = 25.0 // milliseconds
	// DefaultMaxSlowdown is the bound: no query more than 2x
	// slower in our order than in the server's. FitGuard keeps it on
	// its training queries.
	DefaultMaxSlowdown = 2.0
	// DefaultServerMinCost: keep the server's plan wherever its own
	// optimizer prices it below 10,000 (MariaDB's Last_query_cost after
	// EXPLAIN, roughly a few thousand row reads): the server expects a
	// cheap plan and is right far more often than our model there. On
	// the 168 queries timed both ways in the runs of seeds 2 and 3
	// (training and held-out, 2026-12-05/06) no query had a server cost
	// between 2,623 and 54,912; below that gap every plan ran in under
	// 50 ms but one (11 s, our order 0.9x), and 7 of the 12 hinted there
	// were slower in our order (up to 4.7x: 147 ms against 687 ms)
	// where the model, wrong about these tiny plans, predicted gains of
	// 5-196x. 10,000 lies in the gap; fixed before seed 4 was drawn.
	DefaultServerMinCost = 10_000.0
	// fitTolerance: FitGuard counts totals within 1% of the server's
	// total as equal and then prefers the guard with fewer hints (timing
	// noise on the shared machine moves a query by more than that).
	fitTolerance = 0.01
)

// Guard decides per query whether our order is hinted: when the cost
// model, on the same estimates, prices the server's own order (from its
// EXPLAIN) more than Ratio times ours and at least MinSavingMS
// milliseconds dearer. A negative Ratio hints every query whose order
// differs from the server's; a non-positive MinSavingMS asks no saving.
// With MinServerCost > 0 the server's plan is also kept wherever the
// server's own optimizer cost of it (ServerQuery.ServerCost) is known
// and below MinServerCost.
type Guard struct {
	Name          string  `json:"name"`
	Ratio         float64 `json:"ratio"`
	MinSavingMS   float64 `json:"min_saving_ms"`
	MinServerCost float64 `json:"min_server_cost,omitempty"`
}

// DefaultGuard is the guard ServerBench uses with zero ServerOptions.
var DefaultGuard = Guard{Name: "guard (ratio 1.5, saving 25 ms, server cost 10000)", Ratio: DefaultServerGuard, MinSavingMS: DefaultServerMinSaving,
	MinServerCost: DefaultServerMinCost}

// guardName is the name ServerBench reports for a guard of its options
// (DefaultGuard's with zero ServerOptions).
func guardName(g Guard) string {
	return fmt.Sprintf("guard (ratio %.3g, saving %.3g ms, server cost %s)", g.Ratio, math.Max(g.MinSavingMS, 0),
		strconv.FormatFloat(math.Max(g.MinServerCost, 0), 'f', -1, 64))
}

// NoCostGuard is DefaultGuard without the server's cost (the default
// before 2026-12-06), priced beside it.
var NoCostGuard = Guard{Name: "ratio 1.5, saving 25 ms (no server cost)", Ratio: DefaultServerGuard, MinSavingMS: DefaultServerMinSaving}

// Hint reports whether g hints a query whose orders the model prices at
// server and ours microseconds (known: the server's order is priceable).
func (g Guard) Hint(server, ours float64, known bool) bool {
	if g.Ratio < 0 {
		return true
	}
	if !known {
		return false
	}
	return server/math.Max(ours, 1e-9) > g.Ratio && (server-ours)/1e3 >= g.MinSavingMS
}

// HintQuery is Hint on q's predicted costs, keeping the server's plan
// also where its own cost of it is known and below g.MinServerCost.
func (g Guard) HintQuery(q ServerQuery) bool {
	if g.Ratio >= 0 && g.MinServerCost > 0 && q.ServerCost > 0 && q.ServerCost < g.MinServerCost {
		return false
	}
	return g.Hint(q.PredictedServer, q.PredictedOurs, q.PredictedServer > 0)
}

// GuardOutcome is a guard's result on queries timed both ways (each
// query's time is the server's plan where the guard keeps it, our
// order's where it hints).
type GuardOutcome struct {
	Guard         Guard   `json:"guard"`
	Hinted        int     `json:"hinted"`
	TotalMS       float64 `json:"total_ms"`
	ServerTotalMS float64 `json:"server_total_ms"`
	Speedup       float64 `json:"speedup"`        // server total / total
	WorstSlowdown float64 `json:"worst_slowdown"` // max per query time / server's
}

// Outcome prices g on queries timed both ways (ServerQuery.OrderMS set,
// ServerOptions.TimeBoth); queries whose order was not timed keep the
// server's time.
func (g Guard) Outcome(qs []ServerQuery) GuardOutcome {
	o := GuardOutcome{Guard: g, WorstSlowdown: 1}
	for _, q := range qs {
		t := q.ServerMS
		if q.OrderTimed && g.HintQuery(q) {
			o.Hinted++
			if !q.ServerTimedOut || !q.OrderTimedOut {
				// Both past the limit: equal, as far as is known.
				t = q.OrderMS
			}
			o.WorstSlowdown = math.Max(o.WorstSlowdown, math.Max(t, 0.001)/math.Max(q.ServerMS, 0.001))
		}
		o.TotalMS += t
		o.ServerTotalMS += q.ServerMS
	}
	o.Speedup = o.ServerTotalMS / math.Max(o.TotalMS, 0.001)
	return o
}

// Oracle is the headroom of the two orders timed per query: each query
// at the faster of the server's plan and our order (where our order was
// timed, ServerOptions.TimeBoth). No guard can do better with our one
// candidate order; it is not a guard itself (it needs both timings).
var Oracle = Guard{Name: "oracle (faster of the two, per query; not a guard)"}

// OracleOutcome prices Oracle on queries timed both ways: per query the
// faster of ServerMS and OrderMS (both censored at the limit).
func OracleOutcome(qs []ServerQuery) GuardOutcome {
	o := GuardOutcome{Guard: Oracle, WorstSlowdown: 1}
	for _, q := range qs {
		t := q.ServerMS
		if q.OrderTimed && q.OrderMS < q.ServerMS && !q.OrderTimedOut {
			o.Hinted++
			t = q.OrderMS
		}
		o.TotalMS += t
		o.ServerTotalMS += q.ServerMS
	}
	o.Speedup = o.ServerTotalMS / math.Max(o.TotalMS, 0.001)
	return o
}

// GuardFit is TrainGuard's outcome: the fitted guard and, on the
// training queries it was fitted on, its outcome beside the default's
// and hinting always.
type GuardFit struct {
	Guard     Guard          `json:"guard"`
	Fitted    GuardOutcome   `json:"fitted"`
	Baselines []GuardOutcome `json:"baselines"`
	Training  []ServerQuery  `json:"training"`
}

// FitGuard chooses the guard's thresholds from queries timed both ways
// (the server's cost threshold stays DefaultServerMinCost): among ratio
// thresholds at 1 and at each query's predicted gain, and saving
// thresholds at 0 and at each query's predicted saving, the pair with the
// least total time whose hinted queries are none more than maxSlowdown
// times slower than the server's plan (totals within fitTolerance of the
// least tie; ties: the fewest hints). Each threshold is then placed at
// the conservative end of its gap: a held-out query is hinted only where
// its predicted gain and saving are at least those of the least
// promising training query the fitted pair hints, never in the untested
// gap between that query and the next one left out.
//
// Before 2026-12-06 the thresholds sat in the gaps' geometric middle.
// The conservative end is chosen because the gap is where the training
// queries say nothing and the two targets are not symmetric: the 2x
// bound is per query, while the 1.5x total had 2-3x of slack on every
// fresh seed. Seed 5's TPC-H query 28 (predicted saving 298 ms, 3.54x
// slower) lay in such a gap: training query 1 (152 ms) had run 25.9x
// slower, query 9 (513 ms) ran 2.8x faster, and the middle (280 ms) hinted it.
// Priced on the recorded runs of seeds 2-7 (every held-out query is
// timed both ways, so a stricter guard is priced exactly), the
// conservative end hinted the same held-out queries on 9 of 12 data-set
// runs and 1-2 fewer on three: seed 5 TPC-H 5.30x / 3.54x -> 5.35x /
// 1.12x, seed 4 TPC-H 4.61x -> 3.92x, seed 4 ecommerce 5.14x -> 4.72x
// (worst 1.00x and 1.05x unchanged). Chosen on seeds 2-7; seeds 8 and up
// are the measurement (README, issue 10).
// DefaultGuard is kept when it is within that tolerance of the least
// total (the training data do not show it worse), and when no query was
// timed both ways and finished at least one way.
func FitGuard(qs []ServerQuery, maxSlowdown float64) Guard {
	if maxSlowdown <= 0 {
		maxSlowdown = DefaultMaxSlowdown
	}
	ratios, savings := []float64{1}, []float64{0}
	timed := 0
	for _, q := range qs {
		if !q.OrderTimed || q.PredictedServer <= 0 || (q.ServerTimedOut && q.OrderTimedOut) {
			continue // not priced, or no information (past the limit both ways)
		}
		timed++
		if g := q.PredictedServer / math.Max(q.PredictedOurs, 1e-9); g > 1 {
			ratios = append(ratios, g)
		}
		if s := (q.PredictedServer - q.PredictedOurs) / 1e3; s > 0 {
			savings = append(savings, s)
		}
	}
	if timed == 0 {
		return DefaultGuard
	}
	slices.Sort(ratios)
	ratios = slices.Compact(ratios)
	slices.Sort(savings)
	savings = slices.Compact(savings)
	// Two passes: the least feasible total, then the fewest hints
	// within fitTolerance of it.
	type cand struct {
		i, j int
		o    GuardOutcome
	}
	var feasible []cand
	least := math.Inf(1)
	for i, r := range ratios {
		for j, sv := range savings {
			o := Guard{Ratio: r, MinSavingMS: sv, MinServerCost: DefaultServerMinCost}.Outcome(qs)
			if o.WorstSlowdown > maxSlowdown {
				continue
			}
			feasible = append(feasible, cand{i, j, o})
			least = math.Min(least, o.TotalMS)
		}
	}
	bestI, bestJ, fewest := len(ratios)-1, len(savings)-1, math.MaxInt
	for _, c := range feasible {
		if c.o.TotalMS <= least+fitTolerance*c.o.ServerTotalMS && c.o.Hinted < fewest {
			bestI, bestJ, fewest = c.i, c.j, c.o.Hinted
		}
	}
	if d := DefaultGuard.Outcome(qs); d.WorstSlowdown <= maxSlowdown && d.TotalMS <= least+fitTolerance*d.ServerTotalMS {
		// The data do not show the default worse: keep it rather than
		// the fewest-hint guard of a tie (on 4 informative ecommerce
		// training queries that was a ratio of 6.2, which hinted 4
		// held-out queries where the default hinted 12 for 1.23x
		// against 1.11x).
		return DefaultGuard
	}
	g := Guard{Name: fmt.Sprintf("fitted on %d queries", timed), Ratio: ratios[bestI], MinSavingMS: savings[bestJ], MinServerCost: DefaultServerMinCost}
	if bestI+1 < len(ratios) {
		// Hint iff gain > Ratio: the largest ratio below the next
		// candidate hints the same training queries and, of the gap,
		// no held-out one.
		g.Ratio = math.Nextafter(ratios[bestI+1], 0)
	}
	// Hint iff saving >= MinSavingMS: savings[bestJ] itself is the
	// conservative end of its gap.
	return g
}

// TrainGuard is the latency-feedback step of the hint decision: it times
// the Setup's training queries (never the held-out ones) on srv both ways
// — as written (the server's plan) and in method's order — and fits the
// guard's thresholds to those measurements (FitGuard with
// DefaultMaxSlowdown). opts are ServerBench's (Queries counts training
// queries; TimeBoth is implied).
func (s *Setup) TrainGuard(ctx context.Context, srv *server.Server, method joinorder.Method, opts ServerOptions) (GuardFit, error) {
	opts.TimeBoth = true
	sqls := make([]string, len(s.Train))
	for i := range s.Train {
		sqls[i] = s.trainSQL(i)
	}
	rep, err := s.bench(ctx, srv, method, opts, s.Train, sqls)
	if err != nil {
		return GuardFit{}, err
	}
	fit := GuardFit{Guard: FitGuard(rep.Queries, DefaultMaxSlowdown), Training: rep.Queries}
	fit.Fitted = fit.Guard.Outcome(rep.Queries)
	for _, g := range []Guard{AlwaysHint, RatioOnlyGuard, NoCostGuard, DefaultGuard} {
		fit.Baselines = append(fit.Baselines, g.Outcome(rep.Queries))
	}
	return fit, nil
}

// AlwaysHint hints every query whose order differs from the server's;
// RatioOnlyGuard is the guard before the absolute saving (ratio 1.5).
var (
	AlwaysHint     = Guard{Name: "always hint", Ratio: -1}
	RatioOnlyGuard = Guard{Name: "ratio 1.5 only", Ratio: DefaultServerGuard}
)
