package joinbench

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/internal/server"
	"github.com/cardinaldb/cardinal/progress"
)

// testDSN returns the private test server's DSN. Without one the
// integration tests skip, except under CI=true, where they fail.
func testDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(server.EnvTestDSN)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is empty: .ci/run must start MariaDB and set it", server.EnvTestDSN)
		}
		t.Skipf("%s is empty: no MySQL/MariaDB server to test against (bash .ci/mariadb.sh start)", server.EnvTestDSN)
	}
	return dsn
}

// serverRun loads db into its conventional database (with foreign-key
// indexes; skipped when already there), prepares the join queries with
// the MySQL-like cost model and times them on the server.
func serverRun(t *testing.T, name string, scale float64, db *datasets.DB, opts Options, sopts ServerOptions) ServerReport {
	t.Helper()
	ctx := context.Background()
	lo := server.LoadOptions{ForeignKeyIndexes: true}
	srv, err := server.Open(ctx, testDSN(t), server.Options{Database: server.DatabaseName(name, scale, lo)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	start := time.Now()
	lr, err := srv.Load(ctx, db, lo)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("load into %s: skipped=%v in %.1fs", lr.Database, lr.Skipped, time.Since(start).Seconds())
	return serverRunOn(t, srv, db, opts, sopts, ServerOptions{})
}

// serverRunOn prepares the join queries on db (the data srv holds) and
// times them on srv. With training queries it first calibrates the
// mariadb cost model (when the Setup has TRUE counts) and, when
// guardOpts.Queries > 0, fits the hint guard on them (TrainGuard), then
// uses the fitted guard on the held-out queries with the others priced
// beside it on the same measurements.
func serverRunOn(t *testing.T, srv *server.Server, db *datasets.DB, opts Options, sopts, guardOpts ServerOptions) ServerReport {
	t.Helper()
	ctx := context.Background()
	if opts.CostModel == "" {
		opts.CostModel = "mysql"
	}
	opts.Progress = func(r progress.Report) { t.Log(r.Stage, r.Detail) }
	s, err := Prepare(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if opts.CostModel == "mariadb" && len(s.Train) > 0 && !opts.EstimatesOnly {
		cal, err := s.Calibrate(ctx, srv, CalibrateOptions{Queries: len(s.Train), Progress: func(r progress.Report) {
			t.Logf("calibrate %d/%d: %s", r.Done, r.Total, r.Detail)
		}})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("calibrated on %d executions (%d censored): %+v -> %+v (overhead %.2f ms); median relative error %.2f -> %.2f",
			len(cal.Samples), cal.Censored, cal.Before, cal.After, cal.OverheadMS, cal.MedianErrBefore, cal.MedianErrAfter)
	}
	if len(s.Train) > 0 && guardOpts.Queries > 0 {
		start := time.Now()
		fit, err := s.TrainGuard(ctx, srv, s.ServerMethod(), guardOpts)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("guard fitted on %d training queries in %.0fs: %+v\n%s", len(fit.Training), time.Since(start).Seconds(), fit.Guard,
			FormatServer(ServerReport{Database: srv.Database(), Method: s.ServerMethod().Name, Queries: fit.Training, Guard: AlwaysHint,
				Baselines: append(fit.Baselines, fit.Fitted), AllSameCount: true}))
		if out := os.Getenv("CARDINAL_SERVER_JSON"); out != "" {
			if b, err := json.MarshalIndent(fit, "", "  "); err == nil {
				if err := os.WriteFile(out+"."+srv.Database()+".guard.json", b, 0o644); err != nil {
					t.Error(err)
				}
			}
		}
		sopts.GuardRatio, sopts.MinSavingMS, sopts.MinServerCost = fit.Guard.Ratio, fit.Guard.MinSavingMS, fit.Guard.MinServerCost
		if sopts.MinSavingMS <= 0 {
			sopts.MinSavingMS = -1 // none (0 would mean the default)
		}
		if sopts.MinServerCost <= 0 {
			sopts.MinServerCost = -1
		}
		sopts.Baselines = []Guard{AlwaysHint, RatioOnlyGuard, NoCostGuard, DefaultGuard, fit.Guard}
	}
	rep, err := s.ServerBench(ctx, srv, s.ServerMethod(), sopts)
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, s, &rep)
	t.Log("\n" + FormatServer(rep))
	return rep
}

// TestMariaDBJoinOrders: on the CI server, 30 generated join queries of
// 4-10 tables over TPC-H (sub-scale 0.01; snowflakes, as TPC-H's own
// queries, so that no result runs into billions of rows) return the same COUNT(*) as
// written (the server's own plan) and as the STRAIGHT_JOIN rewrite of our
// left-deep plan, equal to the engine's count (every query hinted: the
// guard is off); times are logged.
func TestMariaDBJoinOrders(t *testing.T) {
	db, err := datasets.TPCH(context.Background(), datasets.TPCHOptions{Scale: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	rep := serverRun(t, "tpch", 0.01, db, Options{Seed: 5, EstimatorQueries: 200, TrainQueries: -1, TestQueries: 30, Snowflake: true},
		ServerOptions{Queries: 30, Limit: 20 * time.Second, GuardRatio: -1})
	if len(rep.Queries) != 30 {
		t.Fatalf("%d queries timed, want 30", len(rep.Queries))
	}
	for i, q := range rep.Queries {
		if !q.SameCount {
			t.Errorf("query %d: counts differ or timed out (%+v)\n%s\n%s", i, q, q.SQL, q.Hinted)
		}
	}
}

// TestMariaDBJoinOrdersBig is the server proof: at least 30 join
// queries on TPC-H SF1 (the data .ci/run loads, CARDINAL_TPCH_SF1) and
// ecommerce scale 10 (loaded the first time, minutes, then skipped), our
// orders against the server's, total and per-query times
// (CARDINAL_SERVER_BIG=1). The hint guard is fitted on training
// queries of another seed timed both ways first
// (CARDINAL_SERVER_GUARD_TRAIN, default 20; 0 keeps DefaultGuard), then
// the held-out queries are timed both ways and every guard priced on
// the same measurements.
//
//	CARDINAL_SERVER_BIG=1 go test ./joinorder/joinbench -run MariaDBJoinOrdersBig -v -timeout 3h
//
// CARDINAL_SERVER_LIMIT_S (default 20) is the limit per execution,
// CARDINAL_SERVER_QUERIES the held-out queries, CARDINAL_SERVER_SEED the
// workload's seed, CARDINAL_SERVER_JSON a prefix for the reports;
// CARDINAL_SERVER_ORACLE and CARDINAL_SERVER_KNOWN below.
func TestMariaDBJoinOrdersBig(t *testing.T) {
	if os.Getenv("CARDINAL_SERVER_BIG") == "" {
		t.Skip("set CARDINAL_SERVER_BIG=1 for the SF1 / scale-10 server timings")
	}
	envInt := func(name string, def int) int {
		if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v >= 0 {
			return v
		}
		return def
	}
	n := envInt("CARDINAL_SERVER_QUERIES", DefaultServerQueries)
	guardTrain := envInt("CARDINAL_SERVER_GUARD_TRAIN", 20)
	limit := time.Duration(envInt("CARDINAL_SERVER_LIMIT_S", 20)) * time.Second
	// CARDINAL_SERVER_SEED draws another workload (training queries from
	// the seed, held-out ones from seed+testSeedOffset): a fresh held-out
	// set for a rule changed after seeing a previous seed's results.
	seed := uint64(envInt("CARDINAL_SERVER_SEED", 1))
	// CARDINAL_SERVER_ORACLE=k > 0 measures the headroom instead
	// (Setup.OracleBench: k more candidate orders per held-out query);
	// CARDINAL_SERVER_KNOWN=prefix reuses the times of a previous run's
	// prefix.<dataset>.json (CARDINAL_SERVER_JSON of the same seed);
	// without CARDINAL_SERVER_ORACLE it only checks that run's hinted
	// COUNT(*)s against the engine where the server's plan timed out.
	oracle := envInt("CARDINAL_SERVER_ORACLE", 0)
	// CARDINAL_SERVER_CALIBRATE=n > 0 counts every sub-plan with the
	// engine (TRUE counts) and calibrates the MariaDB cost model on n
	// training queries first; at TPC-H SF1 the engine's sub-plan counts of
	// 50 queries of up to 10 tables took more than 20 minutes and 10 GB
	// (killed by the OOM killer on the 24 GB machine), so by default the
	// queries are estimated only (EstimatesOnly) and the server's
	// COUNT(*) as written is the reference.
	calib := envInt("CARDINAL_SERVER_CALIBRATE", 0)
	// CARDINAL_SERVER_MAX_RESULT is the workload rule (Options.
	// MaxResultRows; default DefaultServerMaxResult, 0 keeps every
	// generated query, as the runs before 2026-12-06 did).
	maxResult := int64(envInt("CARDINAL_SERVER_MAX_RESULT", DefaultServerMaxResult))
	t.Logf("workload rule: result of at most %d rows (0: none)", maxResult)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		open func(t *testing.T) (*datasets.DB, *server.Server)
	}{
		{"tpch", func(t *testing.T) (*datasets.DB, *server.Server) {
			if os.Getenv(server.EnvTPCHSF1) == "" {
				t.Skipf("%s is empty: no TPC-H SF1 loaded (CARDINAL_TPCH_SF1_LOAD=1 go test -run TestLoadTPCHSF1 ./internal/server/)", server.EnvTPCHSF1)
			}
			db, srv, _, err := server.OpenTPCHSF1(ctx, testDSN(t), server.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return db, srv
		}},
		{"ecommerce", func(t *testing.T) (*datasets.DB, *server.Server) {
			db, err := datasets.Ecommerce(ctx, datasets.EcommerceOptions{Scale: 10, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			lo := server.LoadOptions{ForeignKeyIndexes: true}
			srv, err := server.Open(ctx, testDSN(t), server.Options{Database: server.DatabaseName("ecommerce", 10, lo)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.Load(ctx, db, lo); err != nil {
				srv.Close()
				t.Fatal(err)
			}
			return db, srv
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, srv := c.open(t)
			train := max(calib, guardTrain)
			if train == 0 {
				train = -1 // none (0 would mean the default)
			}
			defer srv.Close()
			logp := func(r progress.Report) { t.Logf("%d/%d: %s", r.Done, r.Total, r.Detail) }
			if known := os.Getenv("CARDINAL_SERVER_KNOWN"); known != "" && oracle == 0 {
				// Check only: the engine's COUNT(*) of the hinted
				// queries of a previous run whose server plan ran past
				// the limit (the same seed's queries; no estimator
				// needed).
				s, err := Prepare(ctx, db, Options{Seed: seed, TrainQueries: -1, TestQueries: n, Snowflake: true, ImpliedJoins: true,
					EstimatesOnly: true, PlanWith: "histogram", CostModel: "mariadb", MaxResultRows: maxResult})
				if err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(known + "." + c.name + ".json")
				if err != nil {
					t.Fatal(err)
				}
				var prev ServerReport
				if err := json.Unmarshal(b, &prev); err != nil {
					t.Fatal(err)
				}
				checkCounts(t, s, &prev)
				return
			}
			if oracle > 0 {
				// The headroom run: the same held-out queries (same
				// seed), the server's and our times reused from a
				// previous run's JSON where given, plus oracle
				// candidates per query.
				oracleRun(t, srv, db, Options{Seed: seed, EstimatorQueries: 200, EstimatorMaxJoins: 5, TrainQueries: -1, TestQueries: n, Snowflake: true,
					CostModel: "mariadb", ImpliedJoins: true, EstimatesOnly: true, MaxResultRows: maxResult},
					OracleOptions{Queries: n, Limit: limit, Candidates: oracle, Progress: logp}, c.name)
				return
			}
			rep := serverRunOn(t, srv, db, Options{Seed: seed, EstimatorQueries: 200, EstimatorMaxJoins: 5, TrainQueries: train, TestQueries: n, Snowflake: true,
				CostModel: "mariadb", ImpliedJoins: true, EstimatesOnly: calib == 0, MaxResultRows: maxResult},
				ServerOptions{Queries: n, Limit: limit, Warmups: -1, Progress: logp},
				ServerOptions{Queries: guardTrain, Limit: limit, Warmups: -1, Progress: logp})
			if b, err := json.MarshalIndent(rep, "", "  "); err == nil {
				if out := os.Getenv("CARDINAL_SERVER_JSON"); out != "" {
					if err := os.WriteFile(out+"."+c.name+".json", b, 0o644); err != nil {
						t.Error(err)
					}
				}
			}
			if !rep.AllSameCount {
				t.Error("a hinted query returned another COUNT(*) than the original")
			}
		})
	}
}

// TestMariaDBJoinOrdersSF1 is the CI run at TPC-H scale 1 (the data .ci/run
// loads once, server.OpenTPCHSF1): 30 generated snowflake joins of 4-6
// tables planned with the implied join edges, histogram estimates and the
// MariaDB cost model (default constants: no calibration, no engine counts,
// to stay within about 3 minutes), timed as written and, where the model
// predicts a 1.5x gain and 25 ms over the server's EXPLAIN order (DefaultGuard), as our
// STRAIGHT_JOIN order, under a 3 s server-side limit (at most about 3
// minutes). Asserted: every query that finished both ways returned the
// same COUNT(*) as written and hinted, and at least 3 finished; the total
// and per-query ratios are logged, not asserted (on the shared machine a
// query's time moves by 2x between runs and most SF1 joins of 4-6 tables
// take seconds).
func TestMariaDBJoinOrdersSF1(t *testing.T) {
	if os.Getenv("CARDINAL_JOINORDER_SF1") == "" {
		// Not yet in CI: on the shared machine (load average 20-30) its
		// preparation at SF1 alone took more than 6 minutes, past the
		// 3-minute budget; .ci/run enables it once measured within it.
		t.Skip("set CARDINAL_JOINORDER_SF1=1 (and CARDINAL_TPCH_SF1) for the SF1 join-order run")
	}
	dsn := testDSN(t)
	if os.Getenv(server.EnvTPCHSF1) == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is empty: .ci/run must load TPC-H SF1", server.EnvTPCHSF1)
		}
		t.Skipf("%s is empty: no TPC-H SF1 loaded (CARDINAL_TPCH_SF1_LOAD=1 go test -run TestLoadTPCHSF1 ./internal/server/)", server.EnvTPCHSF1)
	}
	ctx := context.Background()
	start := time.Now()
	db, srv, _, err := server.OpenTPCHSF1(ctx, dsn, server.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	s, err := Prepare(ctx, db, Options{Seed: 7, TrainQueries: -1, TestQueries: 30, MaxTables: 6, Snowflake: true,
		ImpliedJoins: true, EstimatesOnly: true, PlanWith: "histogram", CostModel: "mariadb"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("SF1 opened and 30 queries planned in %.1fs", time.Since(start).Seconds())
	rep, err := s.ServerBench(ctx, srv, s.ServerMethod(), ServerOptions{Queries: 30, Limit: 3 * time.Second, Warmups: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%.1fs in all\n%s", time.Since(start).Seconds(), FormatServer(rep))
	finished := 0
	for i, q := range rep.Queries {
		if q.ServerTimedOut || q.OursTimedOut {
			continue
		}
		finished++
		if !q.SameCount {
			t.Errorf("query %d: COUNT(*) differs between the SQL as written and hinted (%+v)\n%s\n%s", i, q, q.SQL, q.Hinted)
		}
	}
	if len(rep.Queries) != 30 || finished < 3 {
		t.Errorf("%d queries timed, %d finished both ways within 3 s; want 30 and at least 3", len(rep.Queries), finished)
	}
}

// oracleRun prepares the held-out queries and times the oracle
// candidates on srv (TestMariaDBJoinOrdersBig with CARDINAL_SERVER_ORACLE).
func oracleRun(t *testing.T, srv *server.Server, db *datasets.DB, opts Options, oopts OracleOptions, name string) {
	t.Helper()
	ctx := context.Background()
	opts.Progress = func(r progress.Report) { t.Log(r.Stage, r.Detail) }
	s, err := Prepare(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if known := os.Getenv("CARDINAL_SERVER_KNOWN"); known != "" {
		// The previous run may still be timing its last queries
		// (started side by side to overlap the preparation): wait for
		// its JSON up to an hour.
		b, err := os.ReadFile(known + "." + name + ".json")
		for wait := time.Now(); errors.Is(err, os.ErrNotExist) && time.Since(wait) < time.Hour; {
			time.Sleep(10 * time.Second)
			b, err = os.ReadFile(known + "." + name + ".json")
		}
		if err != nil {
			t.Fatal(err)
		}
		var prev ServerReport
		if err := json.Unmarshal(b, &prev); err != nil {
			t.Fatal(err)
		}
		oopts.Known = prev.Queries
	}
	if len(oopts.Known) > 0 {
		prev := ServerReport{Queries: oopts.Known, AllSameCount: true}
		checkCounts(t, s, &prev)
	}
	rep, err := s.OracleBench(ctx, srv, s.ServerMethod(), oopts)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + FormatOracle(rep))
	if out := os.Getenv("CARDINAL_SERVER_JSON"); out != "" {
		if b, err := json.MarshalIndent(rep, "", "  "); err == nil {
			if err := os.WriteFile(out+"."+name+".oracle.json", b, 0o644); err != nil {
				t.Error(err)
			}
		}
	}
	if !rep.SameCount {
		t.Error("candidate orders returned different COUNT(*)s")
	}
}

// TestMariaDBOracle: on the CI server's TPC-H 0.01, the oracle times the
// server's plan, our order and two more candidate orders of 8 generated
// joins; every candidate returns the same COUNT(*), the fastest per
// query is at most the server's and our time, and the candidates are
// connected left-deep orders other than ours.
func TestMariaDBOracle(t *testing.T) {
	ctx := context.Background()
	db, srv := tpchServer(ctx, t)
	s, err := Prepare(ctx, db, Options{Seed: 3, TrainQueries: -1, TestQueries: 8, MaxTables: 6, Snowflake: true, ImpliedJoins: true,
		EstimatesOnly: true, PlanWith: "histogram", CostModel: "mariadb"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.OracleBench(ctx, srv, s.ServerMethod(), OracleOptions{Queries: 8, Limit: 20 * time.Second, Candidates: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + FormatOracle(rep))
	if len(rep.Queries) != 8 || !rep.SameCount {
		t.Fatalf("%d queries, same count %v", len(rep.Queries), rep.SameCount)
	}
	if rep.OracleTotalMS > rep.ServerTotalMS || rep.OracleTotalMS > rep.OursTotalMS {
		t.Errorf("oracle %.1f ms above the server's %.1f or ours %.1f", rep.OracleTotalMS, rep.ServerTotalMS, rep.OursTotalMS)
	}
	more := 0
	for i, q := range rep.Queries {
		more += len(q.Candidates) - 2
		for _, c := range q.Candidates[2:] {
			if slices.Equal(c.Order, q.Candidates[1].Order) || len(c.Order) != q.Tables {
				t.Errorf("query %d: candidate %+v repeats ours %v or misses tables", i, c, q.Candidates[1].Order)
			}
		}
	}
	if more == 0 {
		t.Error("no candidate orders besides the server's and ours")
	}
}

// checkCounts counts with the engine the hinted queries whose server plan
// ran past the limit (Setup.CheckCounts) and fails on a mismatch.
func checkCounts(t *testing.T, s *Setup, rep *ServerReport) {
	t.Helper()
	start := time.Now()
	chk, err := s.CheckCounts(context.Background(), rep.Queries)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("engine COUNT(*) of %d hinted queries whose server plan ran past the limit: %d differ %v (%.1fs)", chk.Checked, len(chk.Mismatched), chk.Mismatched, time.Since(start).Seconds())
	if len(chk.Mismatched) > 0 {
		rep.AllSameCount = false
		t.Errorf("hinted COUNT(*) differs from the engine's on queries %v", chk.Mismatched)
	}
}

// TestCheckCounts: a hinted query whose server plan ran past the limit is
// checked against the engine's COUNT(*): the right count passes, a wrong
// one is reported; queries compared both ways or not hinted are skipped.
func TestCheckCounts(t *testing.T) {
	ctx := context.Background()
	db, err := datasets.TPCH(ctx, datasets.TPCHOptions{Scale: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Prepare(ctx, db, Options{Seed: 3, TrainQueries: -1, TestQueries: 3, MaxTables: 5, Snowflake: true, ImpliedJoins: true,
		EstimatesOnly: true, PlanWith: "histogram", CostModel: "mariadb"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := engine.New(db, engine.Options{}).Count(ctx, s.Test[0].Est["histogram"].Query())
	if err != nil {
		t.Fatal(err)
	}
	qs := []ServerQuery{
		{SQL: s.TestSQL[0], ServerTimedOut: true, UsedHint: true, OrderTimed: true, Count: want},
		{SQL: s.TestSQL[1], ServerTimedOut: true, UsedHint: true, OrderTimed: true, Count: -7},
		{SQL: s.TestSQL[2], ServerTimedOut: true, UsedHint: false, OrderTimed: true},
	}
	chk, err := s.CheckCounts(ctx, qs)
	if err != nil {
		t.Fatal(err)
	}
	if chk.Checked != 2 || !slices.Equal(chk.Mismatched, []int{1}) || !qs[0].SameCount || qs[1].SameCount || qs[2].SameCount {
		t.Errorf("check %+v, queries %+v", chk, qs)
	}
	qs[0].SQL = "SELECT 1"
	if _, err := s.CheckCounts(ctx, qs[:1]); !errors.Is(err, ErrOptions) {
		t.Errorf("another query's SQL: %v", err)
	}
}

// TestMariaDBOrderCosts: on the CI server's TPC-H 0.01, every timed
// query whose order differs from the server's carries the server's own
// optimizer cost of our STRAIGHT_JOIN order (OrderServerCost, from a
// second EXPLAIN) and the predicted gain under the estimator planned with
// and the histogram baseline (GainBy), the former equal to
// PredictedGain; where the orders agree neither is asked.
func TestMariaDBOrderCosts(t *testing.T) {
	ctx := context.Background()
	db, srv := tpchServer(ctx, t)
	s, err := Prepare(ctx, db, Options{Seed: 3, TrainQueries: -1, TestQueries: 8, MaxTables: 6, Snowflake: true, ImpliedJoins: true,
		EstimatesOnly: true, PlanWith: "sample", CostModel: "mariadb"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.ServerBench(ctx, srv, s.ServerMethod(), ServerOptions{Queries: 8, Limit: 20 * time.Second, TimeBoth: true})
	if err != nil {
		t.Fatal(err)
	}
	differ := 0
	for i, q := range rep.Queries {
		if q.ServerOrder == nil || slices.Equal(q.ServerOrder, q.OursOrder) {
			if q.OrderServerCost != 0 {
				t.Errorf("query %d: our order is the server's (%v), yet OrderServerCost %g", i, q.ServerOrder, q.OrderServerCost)
			}
			continue
		}
		differ++
		if q.OrderServerCost <= 0 || q.ServerCost <= 0 {
			t.Errorf("query %d: server's cost %g, of our order %g; want both > 0", i, q.ServerCost, q.OrderServerCost)
		}
		if q.PredictedServer > 0 && (len(q.GainBy) != 2 || q.GainBy["sample"] != q.PredictedGain || !(q.GainBy["histogram"] > 0)) {
			t.Errorf("query %d: gains by estimator %v, predicted gain %g", i, q.GainBy, q.PredictedGain)
		}
	}
	if differ == 0 {
		t.Error("no query where our order differs from the server's: nothing checked")
	}
}

// tpchServer loads TPC-H at scale 0.01 with foreign-key indexes onto the
// test server (closed when t ends) and returns the data and the server.
func tpchServer(ctx context.Context, t *testing.T) (*datasets.DB, *server.Server) {
	t.Helper()
	db, err := datasets.TPCH(ctx, datasets.TPCHOptions{Scale: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	lo := server.LoadOptions{ForeignKeyIndexes: true}
	srv, err := server.Open(ctx, testDSN(t), server.Options{Database: server.DatabaseName("tpch", 0.01, lo)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if _, err := srv.Load(ctx, db, lo); err != nil {
		t.Fatal(err)
	}
	return db, srv
}
