package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/bench"
	"github.com/cardinaldb/cardinal/estimator"
)

// benchFlags are the knobs shared by demo and bench.
type benchFlags struct {
	opts     bench.Options
	models   string
	seed     uint64
	format   *format
	force    bool
	mdOut    string
	plotOut  string
	subPlans bool
}

func (b *benchFlags) register(fs *flag.FlagSet, train, test int) {
	fs.IntVar(&b.opts.TrainQueries, "train", train, "generated training queries")
	fs.IntVar(&b.opts.TestQueries, "test", test, "never-seen test queries (fresh seed)")
	fs.IntVar(&b.opts.OODQueries, "ood", bench.DefaultOODQueries, "out-of-distribution test queries (one more join than training)")
	fs.IntVar(&b.opts.ShapeQueries, "shapes", bench.DefaultShapeQueries, "never-seen test queries with an outer, semi or anti join (negative: none, nor their training queries)")
	fs.IntVar(&b.opts.MaxJoins, "max-joins", bench.DefaultMaxJoins, "joins per training/test query: 0..N")
	fs.IntVar(&b.opts.MaxPreds, "max-preds", bench.DefaultMaxPreds, "predicates per query: 1..N")
	fs.Float64Var(&b.opts.Expressions, "expressions", 0, "fraction of predicates on expressions of columns: MONTH(d) = 5, a < b (0..1)")
	fs.Float64Var(&b.opts.DateWindows, "date-windows", 0, "share of date predicates drawn as narrow windows of an hour to a month (0..1)")
	fs.IntVar(&b.opts.CalibFolds, "calib-folds", estimator.DefaultCalibFolds, "gbdt, setnet: models whose held-out residuals calibrate the band (1: the held-out split alone; each more is one more training)")
	fs.IntVar(&b.opts.GroupQueries, "group-queries", 0, "grouped training queries of the GROUP BY section (0: a fifth of --train; negative: none)")
	fs.BoolVar(&b.subPlans, "subplans", true, "also train on every connected sub-plan's true count")
	fs.StringVar(&b.models, "models", strings.Join(estimator.Kinds(), ","), "comma-separated estimators to compare")
	fs.Uint64Var(&b.seed, "seed", 1, "seed of workloads and training")
	fs.Uint64Var(&b.opts.TrainSeed, "train-seed", 0, "gbdt, setnet and the GROUP BY model: seed of their training alone, the data sample and workloads staying --seed's (0: --seed)")
	b.format = formatFlag(fs)
	fs.BoolVar(&b.force, "force", false, "overwrite existing --md and --plot files")
	fs.StringVar(&b.mdOut, "md", "", "also write the Markdown tables to this file")
	fs.StringVar(&b.plotOut, "plot", "", "also draw the q-error quantiles as a PNG to this file")
}

// check refuses unknown --models and existing output files before any
// work.
func (b *benchFlags) check() error {
	if err := checkCalibFolds(b.opts.CalibFolds); err != nil {
		return err
	}
	for _, m := range strings.Split(b.models, ",") {
		if !slices.Contains(estimator.Kinds(), m) {
			return usagef("--models: %w %q (want some of %s)", estimator.ErrKind, m, strings.Join(estimator.Kinds(), ","))
		}
	}
	for _, p := range []string{b.mdOut, b.plotOut} {
		if err := checkOut(p, b.force); err != nil {
			return err
		}
	}
	return nil
}

// runBenchmark runs the comparison and writes the tables and files.
func (b *benchFlags) run(ctx context.Context, name string, src *sourceFlags, stdout, stderr io.Writer) error {
	start := time.Now()
	db, err := src.open(ctx, stderr)
	if err != nil {
		return err
	}
	b.opts.Models = strings.Split(b.models, ",")
	if b.opts.MaxJoins == 0 {
		b.opts.MaxJoins = -1 // bench.Options: negative means single-table queries
	}
	b.opts.Seed = b.seed
	b.opts.SubPlans = b.subPlans
	ui := newProgress(stderr)
	b.opts.Progress = ui.report
	rep, err := bench.Run(ctx, name, db, b.opts)
	ui.finish()
	if err != nil {
		return err
	}
	if err := writeDoc(stdout, *b.format, rep, func(w io.Writer) error {
		fmt.Fprintln(w)
		return rep.WriteMarkdown(w)
	}); err != nil {
		return err
	}
	for _, out := range []struct {
		path  string
		write func(io.Writer) error
	}{{b.mdOut, rep.WriteMarkdown}, {b.plotOut, rep.WritePlot}} {
		if out.path == "" {
			continue
		}
		if err := writeFile(out.path, out.write); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s\n", out.path)
	}
	fmt.Fprintf(stderr, "done in %.1fs\n", time.Since(start).Seconds())
	return nil
}

// runBench compares every estimator on any data source.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", stdout)
	var src sourceFlags
	src.register(fs.FlagSet)
	var b benchFlags
	b.register(fs.FlagSet, bench.DefaultTrainQueries, bench.DefaultTestQueries)
	joins := fs.Bool("joinorder", false, "also compare the join-ordering methods on the same data (as eval-joinorder with its defaults; text output)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	if err := src.check(fs.FlagSet); err != nil {
		return err
	}
	if err := b.check(); err != nil {
		return err
	}
	name := src.dataset
	if name == "" {
		name = "custom"
	}
	if src.dsn != "" {
		// The server's own optimizer scored on the same test queries.
		srv, err := openServer(ctx, src.dsn, stderr)
		if err != nil {
			return err
		}
		defer srv.close()
		b.opts.Baselines = append(b.opts.Baselines, srv.explain)
	}
	if err := b.run(ctx, name, &src, stdout, stderr); err != nil || !*joins || *b.format != formatText {
		return err
	}
	return benchJoinorder(ctx, &src, b.seed, stdout, stderr)
}

// runDemo is the README's main job: generate and label a workload on the
// bundled real flights data, train every estimator, and print the
// side-by-side q-error, latency and training-time tables.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", stdout)
	var b benchFlags
	b.register(fs.FlagSet, demoTrainQueries, bench.DefaultTestQueries)
	joins := fs.Bool("joinorder", true, "also order generated joins with every join-ordering method (text output)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	if err := b.check(); err != nil {
		return err
	}
	joinsSet := false
	fs.Visit(func(f *flag.Flag) { joinsSet = joinsSet || f.Name == "joinorder" })
	if joinsSet && *joins && *b.format != formatText {
		return usagef("--joinorder prints text only: not with --format %s", *b.format)
	}
	fmt.Fprintln(stderr, "Cardinal demo: learned cardinality estimation on the bundled real flights data (BTS, Jan-Mar 2001)")
	src := sourceFlags{dataset: "flights"}
	if err := b.run(ctx, "flights", &src, stdout, stderr); err != nil {
		return err
	}
	if *joins && *b.format == formatText {
		if err := demoJoinorder(ctx, b.seed, stdout, stderr); err != nil {
			return err
		}
	}
	return demoIndexAdvice(ctx, *b.format, stdout, stderr)
}

// demoTrainQueries keeps the demo within a minute on a 2-core machine.
const demoTrainQueries = 5000
