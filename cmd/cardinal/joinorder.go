package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
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
	fs := flag.NewFlagSet("joinorder", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelPath := fs.String("model", "", "estimator model file from 'cardinal train' (cardinalities)")
	agentPath := fs.String("agent", "", "join-order agent from 'cardinal train-joinorder' (plans guarded by DPccp)")
	method := fs.String("method", "", "dpccp, leftdeep, goo or agent (default: agent with --agent, else dpccp)")
	cost := fs.String("cost", "cout", "cost model: cout or mysql")
	format := fs.String("format", "text", "output: text or json")
	maxPairs := fs.Int("max-pairs", 0, "joins a DP may consider before falling back to GOO (0: default)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *modelPath == "" || fs.NArg() != 1 {
		return fmt.Errorf("%w: cardinal joinorder --model FILE [--agent FILE] [--method M] [--cost cout|mysql] [--format text|json] \"SELECT ...\"", errUsage)
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: --format %q (want text or json)", errUsage, *format)
	}
	m, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	cat := estimator.CatalogOf(m)
	model, ok := joinorder.CostModelByName(*cost, cat)
	if !ok {
		return fmt.Errorf("%w: --cost %q (want cout or mysql)", errUsage, *cost)
	}
	if *method == "" {
		*method = joinorder.MethodDPccp
		if *agentPath != "" {
			*method = joinorder.MethodAgent
		}
	}
	var agent *joinorder.Agent
	if *method == joinorder.MethodAgent {
		if *agentPath == "" {
			return fmt.Errorf("%w: --method agent needs --agent FILE", errUsage)
		}
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
	case joinorder.MethodAgent:
		p, err = agent.PlanGuarded(cards, model, opts)
	default:
		return fmt.Errorf("%w: --method %q (want dpccp, leftdeep, goo or agent)", errUsage, *method)
	}
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(joinorderOut{SQL: fs.Arg(0), Plan: p, MySQL: p.HintedSQL(), MariaDB: p.StraightJoinSQL()})
	}
	_, err = fmt.Fprintf(stdout, "%s\nMySQL 8:\n  %s\nMariaDB:\n  %s\n", p, p.HintedSQL(), p.StraightJoinSQL())
	return err
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
	fs.StringVar(&j.opts.CostModel, "cost", "cout", "cost model: cout or mysql")
	fs.Uint64Var(&j.opts.Seed, "seed", 1, "seed of workloads and training")
	fs.IntVar(&j.opts.Agent.Epochs, "epochs", joinorder.DefaultEpochs, "Q-learning rounds")
	fs.IntVar(&j.opts.Agent.Beam, "beam", joinorder.DefaultBeam, "the agent's beam width")
}

// prepare loads the data and builds the comparison's queries.
func (j *joinFlags) prepare(ctx context.Context, src *sourceFlags, stderr io.Writer) (*joinbench.Setup, error) {
	start := time.Now()
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
	j.opts.Progress = func(stage string) { fmt.Fprintf(stderr, "[%5.1fs] %s\n", time.Since(start).Seconds(), stage) }
	j.opts.Agent.Progress = func(round, rounds, samples int) {
		fmt.Fprintf(stderr, "[%5.1fs] Q-learning round %d/%d: %d experiences\n", time.Since(start).Seconds(), round, rounds, samples)
	}
	return joinbench.Prepare(ctx, db, j.opts)
}

// runTrainJoinorder trains the learned join-order agent:
//
//	cardinal train-joinorder --dataset flights [--model m.model] --out flights.agent
func runTrainJoinorder(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train-joinorder", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var src sourceFlags
	src.register(fs)
	var j joinFlags
	j.register(fs)
	out := fs.String("out", "", "agent file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() != 0 {
		return fmt.Errorf("%w: cardinal train-joinorder (--dataset NAME | --schema FILE --data DIR | --dsn DSN) [--model m.model] --out FILE", errUsage)
	}
	if !src.given() {
		return errNoSource
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
	Methods   []joinorder.EvalRow `json:"methods"`
}

// runEvalJoinorder compares every join-ordering method on held-out
// queries: the plan cost under TRUE counts over the true optimum
// (geomean, median, p95, max) and the median planning time.
//
//	cardinal eval-joinorder --dataset flights [--agent a.agent] [--format json]
func runEvalJoinorder(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval-joinorder", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var src sourceFlags
	src.register(fs)
	var j joinFlags
	j.register(fs)
	agentPath := fs.String("agent", "", "agent file (default: train one on --train queries)")
	format := fs.String("format", "text", "output: text (Markdown) or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("%w: cardinal eval-joinorder (--dataset NAME | --schema FILE --data DIR | --dsn DSN) [--model m.model] [--agent a.agent] [--format text|json]", errUsage)
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: --format %q (want text or json)", errUsage, *format)
	}
	if !src.given() {
		return errNoSource
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
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(evalOut{CostModel: s.Model.Name(), Cards: s.AgentCards, Train: len(s.Train), Methods: rows})
	}
	_, err = fmt.Fprintf(stdout, "Join orders on %d held-out queries of %d-%d tables: plan cost under TRUE counts / the true optimum (cost model %s; planning time excludes estimation)\n\n%s",
		len(s.Test), j.opts.MinTables, j.opts.MaxTables, s.Model.Name(), joinorder.FormatEval(rows))
	return err
}
