package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
	dbserver "github.com/cardinaldb/cardinal/internal/server"
	"github.com/cardinaldb/cardinal/joinorder"
	"github.com/cardinaldb/cardinal/joinorder/joinbench"
)

// loadAgent reads a join-order agent file, checking it against the
// estimator model's catalog when one is given.
func loadAgent(path string, m estimator.Model) (*joinorder.Agent, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cat = estimator.CatalogOf(m)
	a, err := joinorder.LoadAgent(bufio.NewReader(f), cat)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// joinorderOut is the JSON output of 'cardinal joinorder --format json'.
type joinorderOut struct {
	SQL     string          `json:"sql"`
	Plan    *joinorder.Plan `json:"plan"`
	MySQL   string          `json:"mysql"`
	MariaDB string          `json:"mariadb"`
}

// runJoinorder plans one query:
//
//	cardinal joinorder --model m.model [--agent a.agent] [--method dpccp] "SELECT ..."
//
// It estimates every connected sub-plan with the model, plans with the
// chosen method (the guarded agent when --agent is given, else DPccp) and
// prints the plan tree with rows and cost per node, the SQL with MySQL 8's
// JOIN_ORDER hint and the MariaDB STRAIGHT_JOIN rewrite.
func runJoinorder(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("joinorder", stdout)
	modelPath := fs.String("model", "", "estimator model file from 'cardinal train' (cardinalities)")
	agentPath := fs.String("agent", "", "join-order agent from 'cardinal train-joinorder' (plans guarded by DPccp)")
	method := fs.String("method", "", "dpccp, leftdeep, goo or agent (default: agent with --agent, else dpccp)")
	cost := fs.String("cost", "cout", "cost model: cout, mysql or mariadb")
	format := formatFlag(fs.FlagSet)
	maxPairs := fs.Int("max-pairs", 0, "joins a DP may consider before falling back to GOO (0: default)")
	if err := fs.parse(args); err != nil {
		return err
	}
	switch {
	case *modelPath == "":
		return usagef("--model FILE is required")
	case fs.NArg() != 1:
		return usagef("want one \"SELECT ...\" argument, got %d", fs.NArg())
	case *maxPairs < 0:
		return usagef("--max-pairs %d is negative", *maxPairs)
	}
	if _, ok := joinorder.CostModelByName(*cost, nil); !ok {
		return usagef("--cost %q (want cout, mysql or mariadb)", *cost)
	}
	if *method == "" {
		*method = joinorder.MethodDPccp
		if *agentPath != "" {
			*method = joinorder.MethodAgent
		}
	}
	switch *method {
	case joinorder.MethodDPccp, joinorder.MethodLeftDeep, joinorder.MethodGOO:
	case joinorder.MethodAgent:
		if *agentPath == "" {
			return usagef("--method agent needs --agent FILE")
		}
	default:
		return usagef("--method %q (want dpccp, leftdeep, goo or agent)", *method)
	}
	m, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	cat := estimator.CatalogOf(m)
	model, _ := joinorder.CostModelByName(*cost, cat)
	var agent *joinorder.Agent
	if *method == joinorder.MethodAgent {
		if agent, err = loadAgent(*agentPath, m); err != nil {
			return err
		}
	}
	q, err := features.Parse(cat.Schema, fs.Arg(0))
	if err != nil {
		return err
	}
	cards, err := joinorder.Estimated(m).Cards(ctx, q)
	if err != nil {
		return err
	}
	opts := joinorder.Options{MaxPairs: *maxPairs}
	var p *joinorder.Plan
	switch *method {
	case joinorder.MethodDPccp:
		p, err = joinorder.DPccp(cards, model, opts)
	case joinorder.MethodLeftDeep:
		p, err = joinorder.LeftDeep(cards, model, opts)
	case joinorder.MethodGOO:
		p, err = joinorder.GOO(cards, model)
	default:
		p, err = agent.PlanGuarded(cards, model, opts)
	}
	if err != nil {
		return err
	}
	return writeDoc(stdout, *format, joinorderOut{SQL: fs.Arg(0), Plan: p, MySQL: p.HintedSQL(), MariaDB: p.StraightJoinSQL()}, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "%s\nMySQL 8:\n  %s\nMariaDB:\n  %s\n", p, p.HintedSQL(), p.StraightJoinSQL())
		return err
	})
}

// joinFlags are the knobs of train-joinorder and eval-joinorder.
type joinFlags struct {
	opts      joinbench.Options
	modelPath string
}

func (j *joinFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&j.modelPath, "model", "", "estimator model the agent plans with (default: train a gbdt on a fresh workload)")
	fs.IntVar(&j.opts.TrainQueries, "train", joinbench.DefaultTrainQueries, "join queries the agent trains on")
	fs.IntVar(&j.opts.TestQueries, "test", joinbench.DefaultTestQueries, "held-out join queries (fresh seed)")
	fs.IntVar(&j.opts.MinTables, "min-tables", joinbench.DefaultMinTables, "tables per join query, at least")
	fs.IntVar(&j.opts.MaxTables, "max-tables", joinbench.DefaultMaxTables, "tables per join query, at most")
	fs.IntVar(&j.opts.EstimatorQueries, "estimator-queries", joinbench.DefaultEstimatorQueries, "labelled queries the gbdt estimator trains on (without --model)")
	fs.StringVar(&j.opts.CostModel, "cost", "cout", "cost model: cout, mysql or mariadb (microseconds, calibrated on TPC-H SF1; --calibrate refits it on the server)")
	fs.BoolVar(&j.opts.ImpliedJoins, "implied-joins", false, "plan with the join edges the queries' equalities imply by transitivity (a.x = b.y = c.z: a joins c)")
	fs.Uint64Var(&j.opts.Seed, "seed", 1, "seed of workloads and training")
	fs.Int64Var(&j.opts.MaxResultRows, "max-result", 0, "workload rule: keep only join queries whose COUNT(*) (the engine's) is at most this many rows, drawing more (0: keep all; the SF1 server runs use 500000)")
	fs.IntVar(&j.opts.Agent.Epochs, "epochs", joinorder.DefaultEpochs, "Q-learning rounds")
	fs.IntVar(&j.opts.Agent.Beam, "beam", joinorder.DefaultBeam, "the agent's beam width")
}

// check refuses bad sizes before any work.
func (j *joinFlags) check() error {
	o := j.opts
	switch {
	case o.MinTables < 2 || o.MaxTables < o.MinTables || o.MaxTables > 64:
		return usagef("--min-tables %d / --max-tables %d: want 2 <= min <= max <= 64", o.MinTables, o.MaxTables)
	case o.TrainQueries < 0 || o.TestQueries < 0 || o.EstimatorQueries < 0 || o.Agent.Epochs < 0 || o.Agent.Beam < 0 || o.MaxResultRows < 0:
		return usagef("query counts, --epochs, --beam and --max-result must not be negative")
	}
	if _, ok := joinorder.CostModelByName(o.CostModel, nil); !ok {
		return usagef("--cost %q (want cout, mysql or mariadb)", o.CostModel)
	}
	return nil
}

// prepare loads the data and builds the comparison's queries.
func (j *joinFlags) prepare(ctx context.Context, src *sourceFlags, stderr io.Writer) (*joinbench.Setup, error) {
	db, err := src.open(ctx, stderr)
	if err != nil {
		return nil, err
	}
	if j.modelPath != "" {
		m, err := loadModel(j.modelPath)
		if err != nil {
			return nil, err
		}
		j.opts.Estimator = m
	}
	ui := newProgress(stderr)
	j.opts.Progress, j.opts.Agent.Progress = ui.report, ui.report
	setup, err := joinbench.Prepare(ctx, db, j.opts)
	ui.finish()
	return setup, err
}

// runTrainJoinorder trains the learned join-order agent:
//
//	cardinal train-joinorder --dataset flights [--model m.model] --out flights.agent
func runTrainJoinorder(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("train-joinorder", stdout)
	var src sourceFlags
	src.register(fs.FlagSet)
	var j joinFlags
	j.register(fs.FlagSet)
	out := fs.String("out", "", "agent file to write")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out FILE is required")
	}
	if err := j.check(); err != nil {
		return err
	}
	if err := src.check(fs.FlagSet); err != nil {
		return err
	}
	j.opts.TestQueries = -1
	s, err := j.prepare(ctx, &src, stderr)
	if err != nil {
		return err
	}
	a, err := s.TrainAgent(ctx)
	if err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := a.Save(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "wrote %s: agent trained on %d join queries with %s cardinalities, cost model %s\n", *out, len(s.Train), s.AgentCards, s.Model.Name())
	return err
}

// evalOut is the JSON output of eval-joinorder.
type evalOut struct {
	CostModel string              `json:"cost_model"`
	Cards     string              `json:"agent_cards"`
	Train     int                 `json:"train_queries"`
	Test      int                 `json:"test_queries"`
	Methods   []joinorder.EvalRow `json:"methods"`
	// Server holds the measured execution times with --server / --dsn.
	Server *joinbench.ServerReport `json:"server,omitempty"`
	// Oracle holds the headroom run with --server-oracle.
	Oracle *joinbench.OracleReport `json:"oracle,omitempty"`
}

// timeOnServer opens the server (loading a built-in data set into its
// conventional database first) and times the held-out queries there.
// With oracle > 0 it then times that many more candidate orders per
// query (Setup.OracleBench, reusing the server's and our times).
func timeOnServer(ctx context.Context, s *joinbench.Setup, src *sourceFlags, dsn string, opts joinbench.ServerOptions, calibrate, oracle int, stderr io.Writer) (joinbench.ServerReport, *joinbench.OracleReport, error) {
	start := time.Now()
	var sopts dbserver.Options
	lo := dbserver.LoadOptions{ForeignKeyIndexes: true}
	if src.dataset != "" {
		scale := src.scale
		if src.dataset == "flights" {
			scale = 1
		}
		sopts.Database = dbserver.DatabaseName(src.dataset, scale, lo)
	}
	srv, err := dbserver.Open(ctx, dsn, sopts)
	if err != nil {
		return joinbench.ServerReport{}, nil, err
	}
	defer srv.Close()
	if src.dataset != "" {
		lr, err := srv.Load(ctx, s.DB, lo)
		if err != nil {
			return joinbench.ServerReport{}, nil, err
		}
		fmt.Fprintf(stderr, "[%5.1fs] %s: loaded=%v\n", time.Since(start).Seconds(), lr.Database, !lr.Skipped)
	}
	if calibrate > 0 {
		ui := newProgress(stderr)
		cal, err := s.Calibrate(ctx, srv, joinbench.CalibrateOptions{Queries: calibrate, Progress: ui.report})
		ui.finish()
		if err != nil {
			return joinbench.ServerReport{}, nil, err
		}
		fmt.Fprintf(stderr, "[%5.1fs] cost model calibrated on %d executions (%d censored): %+v -> %+v us, median relative error %.2f -> %.2f\n",
			time.Since(start).Seconds(), len(cal.Samples), cal.Censored, cal.Before, cal.After, cal.MedianErrBefore, cal.MedianErrAfter)
	}
	ui := newProgress(stderr)
	opts.Progress = ui.report
	if oracle > 0 {
		opts.TimeBoth = true // the oracle reuses our order's time
	}
	rep, err := s.ServerBench(ctx, srv, s.ServerMethod(), opts)
	ui.finish()
	if err != nil || oracle == 0 {
		return rep, nil, err
	}
	ui = newProgress(stderr)
	orep, err := s.OracleBench(ctx, srv, s.ServerMethod(), joinbench.OracleOptions{Queries: opts.Queries, Limit: opts.Limit, Candidates: oracle,
		Known: rep.Queries, Progress: ui.report})
	ui.finish()
	return rep, &orep, err
}

// runEvalJoinorder compares every join-ordering method on held-out
// queries: the plan cost under TRUE counts over the true optimum
// (geomean, median, p95, max) and the median planning time.
//
//	cardinal eval-joinorder --dataset flights [--agent a.agent] [--format json]
func runEvalJoinorder(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval-joinorder", stdout)
	var src sourceFlags
	src.register(fs.FlagSet)
	var j joinFlags
	j.register(fs.FlagSet)
	agentPath := fs.String("agent", "", "agent file (default: train one on --train queries)")
	serverDSN := fs.String("server", "", "also time the held-out queries on this MySQL/MariaDB server, as written and as our STRAIGHT_JOIN orders (a --dataset is loaded into a cardinal_* database once; with --dsn the source's own database is used)")
	var sopts joinbench.ServerOptions
	fs.IntVar(&sopts.Queries, "server-queries", joinbench.DefaultServerQueries, "held-out queries timed on the server")
	fs.DurationVar(&sopts.Limit, "server-limit", joinbench.DefaultServerLimit, "server-side time limit per execution")
	fs.Float64Var(&sopts.GuardRatio, "server-guard", joinbench.DefaultServerGuard, "hint only where the model predicts this gain over the server's EXPLAIN order (negative: always)")
	fs.Float64Var(&sopts.MinSavingMS, "server-min-saving", joinbench.DefaultServerMinSaving, "and only where it predicts at least this saving in milliseconds (negative: none)")
	fs.Float64Var(&sopts.MinServerCost, "server-min-cost", joinbench.DefaultServerMinCost, "and keep the server's plan where its own optimizer cost of it (Last_query_cost after EXPLAIN) is below this (negative: none)")
	oracle := fs.Int("server-oracle", 0, "with --server: also time this many more candidate join orders per held-out query (greedy and left-deep DP under the other cost models) and report the fastest per query, the headroom")
	calibrate := fs.Int("calibrate", 0, "with --server and --cost mariadb: first time this many training queries there and fit the cost model's constants to their latencies")
	fs.BoolVar(&j.opts.Snowflake, "snowflake", false, "generate snowflake joins only (foreign-key lookups from one root, as TPC-H Q2-Q10)")
	format := formatFlag(fs.FlagSet)
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	if err := j.check(); err != nil {
		return err
	}
	if err := src.check(fs.FlagSet); err != nil {
		return err
	}
	if *serverDSN == "" && src.dsn != "" {
		*serverDSN = src.dsn
	}
	if *serverDSN != "" && src.dataset == "" && src.dsn == "" {
		return usagef("--server needs --dataset (loaded into the server) or --dsn (timed in place)")
	}
	if *calibrate < 0 || (*calibrate > 0 && (*serverDSN == "" || j.opts.CostModel != "mariadb" || *agentPath != "")) {
		return usagef("--calibrate %d needs --server (or --dsn), --cost mariadb and training queries (no --agent)", *calibrate)
	}
	if *oracle < 0 || (*oracle > 0 && *serverDSN == "") {
		return usagef("--server-oracle %d needs --server (or --dsn)", *oracle)
	}
	if sopts.Queries < 0 || sopts.Limit < time.Millisecond {
		return usagef("--server-queries %d / --server-limit %v", sopts.Queries, sopts.Limit)
	}
	// Checked before the (possibly long) preparation: ServerBench would
	// refuse them only after training.
	for _, f := range []struct {
		name string
		v    float64
	}{{"--server-guard", sopts.GuardRatio}, {"--server-min-saving", sopts.MinSavingMS}, {"--server-min-cost", sopts.MinServerCost}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return usagef("%s %v: want a finite number", f.name, f.v)
		}
	}
	if *agentPath != "" {
		j.opts.TrainQueries = -1
	}
	s, err := j.prepare(ctx, &src, stderr)
	if err != nil {
		return err
	}
	var a *joinorder.Agent
	if *agentPath != "" {
		if a, err = loadAgent(*agentPath, j.opts.Estimator); err != nil {
			return err
		}
	} else if a, err = s.TrainAgent(ctx); err != nil {
		return err
	}
	rows, err := s.Evaluate(ctx, a)
	if err != nil {
		return err
	}
	out := evalOut{CostModel: s.Model.Name(), Cards: s.AgentCards, Train: len(s.Train), Test: len(s.Test), Methods: rows}
	if *serverDSN != "" {
		rep, orep, err := timeOnServer(ctx, s, &src, *serverDSN, sopts, *calibrate, *oracle, stderr)
		if err != nil {
			return err
		}
		out.Server, out.Oracle = &rep, orep
	}
	return writeDoc(stdout, *format, out, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "Join orders on %d held-out queries of %d-%d tables: plan cost under TRUE counts / the true optimum (cost model %s; planning time excludes estimation)\n\n%s",
			len(s.Test), j.opts.MinTables, j.opts.MaxTables, s.Model.Name(), joinorder.FormatEval(rows))
		if err == nil && out.Server != nil {
			_, err = fmt.Fprintf(w, "\nOn the server:\n\n%s", joinbench.FormatServer(*out.Server))
		}
		if err == nil && out.Oracle != nil {
			_, err = fmt.Fprintf(w, "\nHeadroom (the fastest of the server's plan, ours and %d more candidate orders per query):\n\n%s", *oracle, joinbench.FormatOracle(*out.Oracle))
		}
		return err
	})
}

// Sizes of the demo's join-ordering part: with the estimator part, the
// demo stays within about a minute on 2 cores.
const (
	demoJoinEstimatorQueries = 500
	demoJoinTrain            = 150
	demoJoinTest             = 60
	demoJoinMaxTables        = 8
	demoJoinShowcase         = 3
)

// demoJoinorder is the demo's join-ordering part on the bundled flights:
// the quality table of every method and a few queries ordered by each.
func demoJoinorder(ctx context.Context, seed uint64, stdout, stderr io.Writer) error {
	start := time.Now()
	j := joinFlags{opts: joinbench.Options{EstimatorQueries: demoJoinEstimatorQueries, TrainQueries: demoJoinTrain,
		TestQueries: demoJoinTest, MaxTables: demoJoinMaxTables, Seed: seed}}
	fmt.Fprintln(stderr, "\nJoin ordering: a gbdt estimator, the learned agent and the classic enumerators on generated flights joins")
	src := sourceFlags{dataset: "flights"}
	s, err := j.prepare(ctx, &src, stderr)
	if err != nil {
		return err
	}
	a, err := s.TrainAgent(ctx)
	if err != nil {
		return err
	}
	rows, err := s.Evaluate(ctx, a)
	if err != nil {
		return err
	}
	show, err := s.Showcase(ctx, a, rows, demoJoinShowcase)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "\n## Join ordering\n\n%d never-seen generated joins of %d-%d tables (self-joins of airports), each method's plan cost under TRUE counts over the true optimum (C_out; %.0fs in all):\n\n%s\nThe %d queries where the methods differ most, with each method's join tree and cost ratio:\n\n%s",
		len(s.Test), joinbench.DefaultMinTables, demoJoinMaxTables, time.Since(start).Seconds(), joinorder.FormatEval(rows), demoJoinShowcase, show)
	return err
}

// benchJoinorder is 'cardinal bench --joinorder': the join-ordering
// comparison of eval-joinorder, with its defaults, on the bench's data.
func benchJoinorder(ctx context.Context, src *sourceFlags, seed uint64, stdout, stderr io.Writer) error {
	j := joinFlags{opts: joinbench.Options{Seed: seed}}
	s, err := j.prepare(ctx, src, stderr)
	if err != nil {
		return err
	}
	a, err := s.TrainAgent(ctx)
	if err != nil {
		return err
	}
	rows, err := s.Evaluate(ctx, a)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "\n## Join ordering\n\n%d never-seen join queries of %d-%d tables: plan cost (C_out) under TRUE counts over the true optimum\n\n%s",
		len(s.Test), joinbench.DefaultMinTables, joinbench.DefaultMaxTables, joinorder.FormatEval(rows))
	return err
}
