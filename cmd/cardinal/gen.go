package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/querylog"
)

// genSeedStream is the second PCG word of the workload RNG (the first is
// --seed), so that other commands seeded alike draw different streams.
const genSeedStream = 0x67656e // "gen"

// runGen implements
//
//	cardinal gen (--dataset flights|ecommerce|tpch|ontime | --schema schema.sql --data DIR | --dsn DSN)
//	             [--queries N] [--min-joins N] [--max-joins N] [--snowflake] [--max-preds N]
//	             [--seed S] [--subplans] [--groups F] [--workers N] [--out FILE.jsonl]
//
// It generates a random workload over the data, labels every query with
// its true count (and, with --subplans, every connected sub-plan's), and
// writes the labelled query log as JSON Lines to --out (default stdout).
// With --groups F a fraction F of the queries group (GROUP BY, DISTINCT,
// HAVING) and their records also carry their true groups.
// A progress bar and a summary go to stderr.
func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gen", stdout)
	var src sourceFlags
	src.register(fs.FlagSet)
	queries := fs.Int("queries", workload.DefaultQueries, "number of queries")
	minJoins := fs.Int("min-joins", 0, "smallest number of joins per query")
	maxJoins := fs.Int("max-joins", workload.DefaultMaxJoins, "largest number of joins per query (0 for single-table queries)")
	snowflake := fs.Bool("snowflake", false, "only snowflake joins along foreign keys, as in TPC-H (see workload.Options.Snowflake)")
	maxPreds := fs.Int("max-preds", workload.DefaultMaxPreds, "largest number of atomic predicates per query (>= 1)")
	expressions := fs.Float64("expressions", 0, "fraction of predicates on expressions of columns: MONTH(d) = 5, a < b (0..1)")
	dateWindows := fs.Float64("date-windows", 0, "share of date predicates drawn as narrow windows of an hour to a month (0..1)")
	seed := fs.Uint64("seed", 1, "seed of the workload generator")
	subplans := fs.Bool("subplans", false, "also label every connected sub-plan")
	groups := fs.Float64("groups", 0, "fraction of queries given a GROUP BY / DISTINCT / HAVING (labelled with their groups; 0: none)")
	workers := fs.Int("workers", 0, "labelling goroutines (0: one per CPU)")
	out := fs.String("out", "-", "output file (JSON Lines); - for stdout")
	force := fs.Bool("force", false, "overwrite an existing --out file")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	if err := src.check(fs.FlagSet); err != nil {
		return err
	}
	switch {
	case *queries <= 0:
		return usagef("%w: --queries %d must be positive", workload.ErrOptions, *queries)
	case *maxPreds <= 0:
		return usagef("%w: --max-preds %d must be positive", workload.ErrOptions, *maxPreds)
	case *maxJoins < 0:
		return usagef("%w: --max-joins %d is negative", workload.ErrOptions, *maxJoins)
	case *groups < 0 || *groups > 1 || *groups != *groups:
		return usagef("%w: --groups %v must be in [0, 1]", workload.ErrOptions, *groups)
	case *minJoins < 0 || *minJoins > *maxJoins:
		return usagef("%w: --min-joins %d must be in 0..--max-joins (%d)", workload.ErrOptions, *minJoins, *maxJoins)
	case !(*expressions >= 0 && *expressions <= 1):
		return usagef("%w: --expressions %g must be in 0..1", workload.ErrOptions, *expressions)
	case !(*dateWindows >= 0 && *dateWindows <= 1):
		return usagef("%w: --date-windows %g must be in 0..1", workload.ErrOptions, *dateWindows)
	}
	if err := checkOut(*out, *force); err != nil {
		return err
	}
	opts := workload.Options{Queries: *queries, MinJoins: *minJoins, MaxJoins: *maxJoins, MaxPreds: *maxPreds, Snowflake: *snowflake, Expressions: *expressions,
		DateWindows: *dateWindows}
	if *maxJoins == 0 {
		opts.MaxJoins = -1 // Options: negative means single-table queries
	}

	db, err := src.open(ctx, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	g := workload.JoinGraphFromSchema(db.Schema)
	qs, err := workload.Generate(ctx, db, g, opts, rand.New(rand.NewPCG(*seed, genSeedStream)))
	if err != nil {
		return err
	}
	if *groups > 0 {
		if err := workload.AddGrouping(db, qs, workload.GroupingOptions{Fraction: *groups}, rand.New(rand.NewPCG(*seed, genSeedStream+1))); err != nil {
			return err
		}
	}
	genTime := time.Since(start)

	ui := newProgress(stderr)
	start = time.Now()
	recs, err := workload.Label(ctx, db, qs, workload.LabelOptions{
		SubPlans: *subplans,
		Workers:  *workers,
		Progress: ui.report,
	})
	ui.finish()
	if err != nil {
		return err
	}
	labelTime := time.Since(start)

	if err := writeLog(*out, stdout, recs); err != nil {
		return err
	}

	rows := make([]int64, len(recs))
	empty := 0
	for i, r := range recs {
		rows[i] = r.Rows
		if r.Rows == 0 {
			empty++
		}
	}
	slices.Sort(rows)
	median := rows[len(rows)/2]
	fmt.Fprintf(stderr, "%d queries (generated in %v), %d empty (%.1f%%), median %d rows, max %d rows\n",
		len(recs), genTime.Round(time.Millisecond), empty, 100*float64(empty)/float64(len(recs)), median, rows[len(rows)-1])
	fmt.Fprintf(stderr, "labelled in %v: %.0f queries/s", labelTime.Round(time.Millisecond), float64(len(recs))/labelTime.Seconds())
	if *out != "-" && *out != "" {
		fmt.Fprintf(stderr, "; wrote %s", *out)
	}
	fmt.Fprintln(stderr)
	return nil
}

// writeLog writes records as JSON Lines to path ("-" or "": stdout),
// through writeFile.
func writeLog(path string, stdout io.Writer, recs []querylog.Record) error {
	if path == "-" || path == "" {
		return writeRecords(stdout, recs)
	}
	return writeFile(path, func(w io.Writer) error { return writeRecords(w, recs) })
}

// writeRecords writes records as JSON Lines to w.
func writeRecords(w io.Writer, recs []querylog.Record) error {
	lw := querylog.NewWriter(w)
	for _, r := range recs {
		if err := lw.Write(r); err != nil {
			return err
		}
	}
	return lw.Flush()
}
