package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/live"
	"github.com/cardinaldb/cardinal/indexadvisor"
	dbserver "github.com/cardinaldb/cardinal/internal/server"
)

// runRecommend recommends indexes for a workload file (dry run: prints
// DDL, a Liquibase changelog or JSON; nothing is executed).
func runRecommend(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("recommend", stdout)
	var src sourceFlags
	src.register(fs.FlagSet)
	defer func() { err = src.hint(err) }()
	workload := fs.String("workload", "", "workload: a SQL file (';'-separated statements; repeats count as executions)")
	from := fs.String("from", "sql", "what --workload is: sql (a SQL file) or slowlog (a slow query log); perfschema reads --dsn's digests")
	budget := fs.String("budget", "", "storage budget for new indexes: bytes or 200MB, 1.5GiB, ... (default: no limit)")
	out := fs.String("format", "ddl", "output `ddl|liquibase|json`")
	maxCols := fs.Int("max-columns", indexadvisor.DefaultMaxColumns, "widest index")
	perTable := fs.Int("per-table", indexadvisor.DefaultMaxPerTable, "most new indexes per table")
	author := fs.String("author", "cardinal", "Liquibase changeSet author")
	validate := fs.Bool("validate", false, "build the indexes on --server, time the workload's SELECTs before and after, and drop them again (unless --keep)")
	srvDSN := fs.String("server", "", "with --validate: the MySQL/MariaDB server to validate on; the data is loaded into a database cardinal_<dataset>_ixadv_s<scale> there (created), never into your own tables")
	keep := fs.Bool("keep", false, "with --validate: keep the built indexes")
	guard := fs.Bool("guard", false, "also train the learned regression guard (golearn decision tree) on (statement, index) pairs of the workload and of generated statements, labelled with the engine's exact counts, and leave out the indexes it predicts make a statement >10% slower")
	refuseTraps := fs.Bool("refuse-traps", false, "leave out an index when the what-if model predicts a server would switch a statement to it and run >10% slower (e.g. a full scan of an index led by the GROUP BY column); off by default: measured on MariaDB it cost more than it saved")
	cheapest := fs.Bool("cheapest-plan", false, "cost each statement at its cheapest plan, not at the plan a MySQL-like optimizer would pick (which sees the ORDER BY ... LIMIT and GROUP BY traps)")
	allowReg := fs.Bool("allow-regressions", false, "take an index predicted to make some statement >10% slower when it saves more elsewhere (marked in the JSON's regressions)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := src.check(fs.FlagSet); err != nil {
		return err
	}
	if *out != "ddl" && *out != "liquibase" && *out != "json" {
		return usagef("--format %q: want ddl, liquibase or json", *out)
	}
	if *workload == "" && *from != "perfschema" {
		return usagef("--workload FILE is required (or --from perfschema with --dsn)")
	}
	if *validate && *srvDSN == "" {
		return usagef("--validate needs --server DSN (the private test server, or yours, named explicitly)")
	}
	if (*keep || *srvDSN != "") && !*validate {
		return usagef("--server and --keep apply to --validate only")
	}
	if *maxCols < 1 || *perTable < 1 {
		return usagef("--max-columns and --per-table must be positive")
	}
	var budgetBytes float64
	if *budget != "" {
		b, err := parseBytes(*budget)
		if err != nil {
			return usagef("--budget: %v", err)
		}
		budgetBytes = b
	}
	db, err := src.open(ctx, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	cat, err := db.CatalogContext(ctx, catalog.StatsOptions{}, 1)
	if err != nil {
		return err
	}
	var stmts []live.Statement
	switch *from {
	case "sql", "slowlog":
		f, err := os.Open(*workload)
		if err != nil {
			return err
		}
		if *from == "sql" {
			stmts, err = live.ParseSQLFile(f, *workload)
		} else {
			stmts, err = live.ParseSlowLog(f, *workload)
		}
		f.Close()
		if err != nil {
			return err
		}
	case "perfschema":
		if src.dsn == "" {
			return usagef("--from perfschema needs --dsn")
		}
		sdb, _, err := live.Open(ctx, src.dsn, live.OpenOptions{})
		if err != nil {
			return err
		}
		stmts, err = live.CaptureDigests(ctx, sdb, live.DigestOptions{})
		sdb.Close()
		if err != nil {
			return err
		}
	default:
		return usagef("--from %q: want sql, slowlog or perfschema", *from)
	}
	w, err := indexadvisor.NewWorkload(cat.Schema, live.Merge(stmts))
	if err != nil {
		return err
	}
	for _, s := range w.Skipped {
		fmt.Fprintf(stderr, "skipped %d statements (%.0f executions): %s, e.g. %s\n", s.Statements, s.Executions, s.Reason, s.Example)
	}
	opts := indexadvisor.Options{Catalog: cat, Budget: budgetBytes, MaxColumns: *maxCols, MaxPerTable: *perTable, Author: *author, RefuseTraps: *refuseTraps,
		CheapestPlan: *cheapest, AllowRegressions: *allowReg}
	if *guard {
		g, err := trainGuard(ctx, db, cat, stmts, opts, stderr)
		if err != nil {
			return err
		}
		opts.Guard = g
	}
	r, err := indexadvisor.RecommendIndex(ctx, w, opts)
	if err != nil {
		return err
	}
	for _, d := range r.Distrusted {
		fmt.Fprintf(stderr, "left out %s(%s): predicted to make statements %v more than 10%% slower\n", d.Table, strings.Join(d.Columns, ", "), d.Regressions)
	}
	fmt.Fprintf(stderr, "%d statements, %d candidates (%s): %d indexes (%s), estimated workload cost %.4g -> %.4g (-%.1f%%) in %v%s\n",
		len(w.Statements), r.Candidates, fmtBytes(r.CandidateBytes), len(r.Indexes), fmtBytes(r.Bytes),
		r.CostBefore, r.CostAfter, 100*(1-r.CostAfter/max(r.CostBefore, 1e-9)), time.Since(start).Round(time.Millisecond),
		cond(*validate, "", "; dry run, nothing executed"))
	if *validate {
		if err := validateOnServer(ctx, r, db, &src, *srvDSN, *keep, stderr); err != nil {
			return err
		}
	}
	switch *out {
	case "liquibase":
		return r.Liquibase(stdout, "")
	case "json":
		return r.JSON(stdout)
	}
	return r.DDL(stdout)
}

// Guard training sizes of recommend: generated statements added to the
// workload (they bring the trap shapes a small workload may lack) and the
// (statement, index) pairs labelled with the engine.
const (
	guardGenerated = 100
	guardPairs     = 2000
)

// trainGuard trains the regression guard for recommend; nil (with a note)
// when the pairs have one outcome only.
func trainGuard(ctx context.Context, db *datasets.DB, cat *catalog.Catalog, stmts []live.Statement, opts indexadvisor.Options, stderr io.Writer) (*indexadvisor.Guard, error) {
	start := time.Now()
	pairs, err := guardExamples(ctx, db, cat, stmts, opts)
	if err != nil {
		return nil, err
	}
	g, err := indexadvisor.TrainGuard(ctx, pairs)
	if errors.Is(err, indexadvisor.ErrGuard) {
		fmt.Fprintf(stderr, "guard not used: %v\n", err)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "guard trained on %d engine-labelled (statement, index) pairs in %v (--guard=false skips it)\n", len(pairs), time.Since(start).Round(time.Millisecond))
	return g, nil
}

// guardExamples labels (statement, index) pairs of the workload plus
// generated statements with the engine's exact counts.
func guardExamples(ctx context.Context, db *datasets.DB, cat *catalog.Catalog, stmts []live.Statement, opts indexadvisor.Options) ([]indexadvisor.GuardExample, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	train, err := indexadvisor.NewWorkload(cat.Schema, live.Merge(append(slices.Clone(stmts), indexadvisor.GenerateWorkload(cat, guardGenerated, rng)...)))
	if err != nil {
		return nil, err
	}
	return indexadvisor.MeasurePairs(ctx, db, train, opts, guardPairs, rng)
}

// validateOnServer loads the data into a database of its own on the
// server, builds the recommendation there and reports the measured
// before/after times on stderr.
func validateOnServer(ctx context.Context, r *indexadvisor.Recommendation, db *datasets.DB, src *sourceFlags, dsn string, keep bool, stderr io.Writer) error {
	name := src.dataset
	if name == "" {
		name = "custom"
	}
	lo := dbserver.LoadOptions{}
	srv, err := dbserver.Open(ctx, dsn, dbserver.Options{Database: dbserver.DatabaseName(name+"_ixadv", src.scale, lo)})
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(stderr, "validating on %s: loading the data (skipped when already loaded)\n", srv.Database())
	if _, err := srv.Load(ctx, db, lo); err != nil {
		return err
	}
	v, err := r.Validate(ctx, srv, dbserver.TimeOptions{Runs: 3, Limit: time.Minute}, 2*time.Millisecond, keep)
	if err != nil {
		return err
	}
	for _, s := range v.Statements {
		mark := ""
		if s.Regressed {
			mark = "  REGRESSED"
		}
		fmt.Fprintf(stderr, "  #%-3d %9v -> %9v%s  %s\n", s.Stmt, s.Before.Round(time.Microsecond*10), s.After.Round(time.Microsecond*10), mark, clipSQL(s.SQL))
	}
	state := "dropped again"
	if keep {
		state = "kept (--keep)"
	}
	fmt.Fprintf(stderr, "measured weighted workload time %.3fs -> %.3fs (-%.1f%%), %d statements regressed; indexes %s\n",
		v.Before, v.After, 100*v.Benefit, v.Regressions, state)
	return nil
}

func clipSQL(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 90 {
		return s[:87] + "..."
	}
	return s
}

// parseBytes reads a size: a number with an optional unit B, KB, MB, GB,
// TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024).
func parseBytes(s string) (float64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = strings.TrimSpace(t[:i]), strings.ToUpper(strings.TrimSpace(t[i:]))
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a size (e.g. 200MB, 1.5GiB, 1000000)", s)
	}
	mult := map[string]float64{"": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
		"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40}
	m, ok := mult[unit]
	if !ok {
		return 0, fmt.Errorf("%q: unknown unit %q", s, unit)
	}
	return v * m, nil
}

func fmtBytes(b float64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	}
	return fmt.Sprintf("%.0f KiB", b/(1<<10))
}

func cond(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}
