package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets/live"
	"github.com/cardinaldb/cardinal/indexadvisor"
	dbserver "github.com/cardinaldb/cardinal/internal/server"
)

// runEvalIndexes compares index selection strategies at storage budgets,
// estimated and (with --server) measured on a MySQL/MariaDB server.
func runEvalIndexes(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval-indexes", stdout)
	var src sourceFlags
	src.register(fs.FlagSet)
	format := formatFlag(fs.FlagSet)
	workload := fs.String("workload", "", "workload SQL file (default: --queries generated statements)")
	queries := fs.Int("queries", 50, "statements to generate when no --workload is given")
	seed := fs.Uint64("seed", 1, "seed of the generated workload")
	budgets := fs.String("budgets", "10,25,50", "budgets in percent of the storage all candidates need")
	srvDSN := fs.String("server", "", "measure on this MySQL/MariaDB server: the data is loaded into a database cardinal_<dataset>_ixadv_s<scale> (created) and indexes are built and dropped there")
	runs := fs.Int("runs", 3, "timed runs per statement (the median counts; a statement is timed once per distinct plan)")
	limit := fs.Duration("limit", time.Minute, "server-side time limit of one statement execution")
	warmups := fs.Int("warmups", 0, "untimed executions before the timed ones (0: none; the median of --runs already discards one cold run)")
	prefix := fs.String("index-prefix", indexadvisor.DefaultIndexPrefix, "names of the indexes built on --server start with this (runs sharing a server need different ones)")
	strategies := fs.String("strategies", "", "comma-separated strategies to evaluate (default all: cardinal, cardinal+guard, cardinal+traps, cardinal-unvetted, cardinal-cheapest, cardinal-weighed, per-column, dexter, all, oracle)")
	database := fs.String("database", "", "with --server: the database to load into and measure in (default cardinal_<dataset>_ixadv_s<scale>)")
	guard := fs.Bool("guard", false, "also train the learned regression guard on engine-labelled (statement, index) pairs and report cardinal+guard (trap refusal and the guard)")
	guardFile := fs.String("guard-examples", "", "train the learned guard (as --guard) on measured outcomes: the server_examples of an earlier eval-indexes --format json run with --server (another data set, or the same), added to the engine-labelled pairs when --guard is also given")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := src.check(fs.FlagSet); err != nil {
		return err
	}
	var fracs []float64
	for _, p := range strings.Split(*budgets, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || v <= 0 {
			return usagef("--budgets %q: want positive percentages like 10,25,50", *budgets)
		}
		fracs = append(fracs, v/100)
	}
	if *queries < 1 || *runs < 1 || *warmups < 0 {
		return usagef("--queries and --runs must be positive, --warmups not negative")
	}
	if *strategies != "" {
		if err := indexadvisor.CheckStrategies(strings.Split(*strategies, ",")); err != nil {
			return usageError{fmt.Errorf("--strategies: %w", err)}
		}
	}
	var fileExamples []indexadvisor.GuardExample
	if *guardFile != "" { // read before any work: a bad file is refused at once
		ex, err := readServerExamples(*guardFile)
		if err != nil {
			return err
		}
		fileExamples = ex
	}
	db, err := src.open(ctx, stderr)
	if err != nil {
		return err
	}
	cat, err := db.CatalogContext(ctx, catalog.StatsOptions{}, 1)
	if err != nil {
		return err
	}
	var stmts []live.Statement
	if *workload != "" {
		f, err := os.Open(*workload)
		if err != nil {
			return err
		}
		stmts, err = live.ParseSQLFile(f, *workload)
		f.Close()
		if err != nil {
			return err
		}
	} else {
		stmts = indexadvisor.GenerateWorkload(cat, *queries, rand.New(rand.NewPCG(*seed, *seed+1)))
	}
	w, err := indexadvisor.NewWorkload(cat.Schema, live.Merge(stmts))
	if err != nil {
		return err
	}
	opts := indexadvisor.Options{Catalog: cat}
	eo := indexadvisor.EvalOptions{Budgets: fracs, Time: dbserver.TimeOptions{Runs: *runs, Warmups: cmp.Or(*warmups, -1), Limit: *limit},
		Progress: newProgress(stderr).report, LearnGuard: *guard, IndexPrefix: *prefix}
	if *strategies != "" {
		eo.Strategies = strings.Split(*strategies, ",")
	}
	if *guard {
		fmt.Fprintln(stderr, "measuring (statement, index) pairs with the engine for the regression guard")
		ex, err := guardExamples(ctx, db, cat, stmts, opts)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%d engine-labelled pairs for the guard\n", len(ex))
		eo.GuardExamples = ex
	}
	if *guardFile != "" {
		fmt.Fprintf(stderr, "%d server-measured pairs for the guard from %s\n", len(fileExamples), *guardFile)
		eo.GuardExamples = append(eo.GuardExamples, fileExamples...)
		eo.LearnGuard = true
	}
	if *srvDSN != "" {
		name := src.dataset
		if name == "" {
			name = "custom"
		}
		lo := dbserver.LoadOptions{}
		srv, err := dbserver.Open(ctx, *srvDSN, dbserver.Options{Database: cmp.Or(*database, dbserver.DatabaseName(name+"_ixadv", src.scale, lo))})
		if err != nil {
			return err
		}
		defer srv.Close()
		fmt.Fprintf(stderr, "loading into %s (skipped when already loaded)\n", srv.Database())
		if _, err := srv.Load(ctx, db, lo); err != nil {
			return err
		}
		eo.Server = srv
	}
	start := time.Now()
	ev, err := indexadvisor.EvaluateStrategies(ctx, w, opts, eo)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%d statements, %d candidates (%s) evaluated in %v", ev.Statements, ev.Candidates, fmtBytes(ev.CandidateBytes), time.Since(start).Round(time.Second))
	if ev.Measured {
		fmt.Fprintf(stderr, " (%d timings, %d statements kept the time of a plan already timed; %d suspected regressions rechecked in pairs, %d not confirmed)",
			ev.Timings, ev.PlansReused, ev.Rechecked, ev.RechecksRefuted)
	}
	fmt.Fprintln(stderr)
	score := func(what string, s *indexadvisor.GuardScore) {
		if s != nil {
			fmt.Fprintf(stderr, "%s on the %d server-measured (statement, candidate) pairs (%d regressed): caught %d, missed %d, false alarms %d\n",
				what, ev.ServerPairs, ev.ServerRegressions, s.Caught, s.Missed, s.FalseAlarms)
		}
	}
	score("trap refusal", ev.TrapsOnServer)
	score("learned guard", ev.GuardOnServer)
	score("trusting the what-if model", ev.BaselineOnServer)
	for _, r := range ev.Results {
		for _, d := range r.Distrusted {
			fmt.Fprintf(stderr, "%s at %s: left out %s\n", r.Strategy, fmtBytes(r.BudgetBytes), d)
		}
	}
	return writeDoc(stdout, *format, ev, func(w io.Writer) error {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "strategy\tbudget\tused\tindexes\testimated\tmeasured\tper MiB\tregressions\t")
		for _, r := range ev.Results {
			m := "-"
			if r.MeasuredBenefit != nil {
				m = fmt.Sprintf("%.1f%%", 100**r.MeasuredBenefit)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.1f%%\t%s\t%.3f\t%d\t\n", r.Strategy, fmtBytes(r.BudgetBytes), fmtBytes(r.Bytes),
				len(r.Indexes), 100*r.EstimatedBenefit, m, r.BenefitPerMiB, r.Regressions)
		}
		return tw.Flush()
	})
}

// readServerExamples reads the server_examples of an eval-indexes JSON
// report.
func readServerExamples(path string) ([]indexadvisor.GuardExample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ev indexadvisor.Evaluation
	if err := json.NewDecoder(f).Decode(&ev); err != nil {
		return nil, fmt.Errorf("--guard-examples %s: %w", path, err)
	}
	if len(ev.ServerExamples) == 0 {
		return nil, usagef("--guard-examples %s: no server_examples (an eval-indexes --format json report of a run with --server and the oracle)", path)
	}
	return ev.ServerExamples, nil
}
