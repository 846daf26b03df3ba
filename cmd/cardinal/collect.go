package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cardinaldb/cardinal/datasets/live"
)

// errCollectUsage is a bad collect command line (a usage error).
var errCollectUsage = usageError{errors.New("bad collect arguments")}

// collectFlags are the flags of `cardinal collect`.
type collectFlags struct {
	dsn         string
	from        string
	file        string
	out         string
	database    string
	subplans    bool
	timeout     time.Duration
	concurrency int
	maxConns    int
	digests     int
}

// runCollect implements
//
//	cardinal collect --dsn DSN --from perfschema|slowlog FILE|sql FILE --out labels.jsonl
//	                 [--subplans] [--timeout 10s] [--concurrency 2]
//
// It captures a workload (performance_schema digests, a slow query log or
// a SQL file), keeps the statements the query model represents, counts each
// on the server (read-only, time-limited) and appends the labels to --out.
// Progress goes to stderr, a report to stdout. Interrupted (Ctrl-C, a lost
// server), the same command resumes where it stopped.
func runCollect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f collectFlags
	fs := newFlagSet("collect", stdout)
	// The env var is read after parsing, not used as the flag's default:
	// -h prints defaults, and the DSN holds the password.
	fs.StringVar(&f.dsn, "dsn", "", "MySQL/MariaDB DSN user:pass@tcp(host:port)/db (default $"+live.EnvDSN+")")
	fs.StringVar(&f.from, "from", "", "workload source: perfschema, slowlog FILE or sql FILE")
	fs.StringVar(&f.out, "out", "", "labelled query log to append to (JSON Lines); resumed if it exists")
	fs.StringVar(&f.database, "database", "", "database whose schema the queries use (default: the DSN's)")
	fs.BoolVar(&f.subplans, "subplans", false, "also count every connected sub-plan of each query")
	fs.DurationVar(&f.timeout, "timeout", live.DefaultCountTimeout, "server-side time limit of one COUNT(*)")
	fs.IntVar(&f.concurrency, "concurrency", live.DefaultConcurrency, "COUNT(*)s running at once")
	fs.IntVar(&f.maxConns, "max-conns", 0, "connection limit (default concurrency+1)")
	fs.IntVar(&f.digests, "digests", live.DefaultDigestLimit, "most digests read with --from perfschema")
	if err := parseInterleaved(fs, args, &f.file); err != nil {
		return err
	}
	if f.dsn == "" {
		f.dsn = os.Getenv(live.EnvDSN)
	}
	if err := f.check(); err != nil {
		return err
	}

	cfg, err := live.ParseDSN(f.dsn, live.OpenOptions{})
	if err != nil {
		return err
	}
	if f.database == "" {
		f.database = cfg.DBName
	}
	if f.maxConns <= 0 {
		f.maxConns = f.concurrency + 1
	}
	fmt.Fprintf(stderr, "connecting to %s\n", live.RedactDSN(f.dsn))
	db, flavour, err := live.Open(ctx, f.dsn, live.OpenOptions{MaxOpenConns: f.maxConns, Log: stderr})
	if err != nil {
		return err
	}
	defer db.Close()
	ss, err := live.LoadSchema(ctx, db, f.database)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s server, database %s: %d tables, %d indexes", flavour, ss.Database, len(ss.Schema.Tables), len(ss.Indexes))
	if len(ss.Skipped) > 0 {
		fmt.Fprintf(stderr, ", %d columns of unsupported types left out", len(ss.Skipped))
	}
	fmt.Fprintln(stderr)

	stmts, err := f.capture(ctx, db)
	if err != nil {
		return err
	}
	stmts = live.Merge(stmts)
	fmt.Fprintf(stderr, "captured %d distinct statements from %s\n", len(stmts), f.source())

	// --out is appended to on purpose (never refused like other commands'
	// --out): a second run resumes the first.
	if st, err := os.Stat(f.out); err == nil && st.Size() > 0 {
		fmt.Fprintf(stderr, "appending to %s (statements already labelled there are skipped)\n", f.out)
	}
	ui := newProgress(stderr)
	rep, err := live.Collect(ctx, db, ss.Schema, stmts, live.CollectOptions{
		Out: f.out, Database: ss.Database, Flavour: flavour, SubPlans: f.subplans,
		Timeout: f.timeout, Concurrency: f.concurrency, Progress: ui.report,
	})
	ui.finish()
	printReport(stdout, f.out, rep)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted after %d new labels (run the same command again to resume): %w", rep.Labelled, err)
		}
		return err
	}
	return nil
}

// parseInterleaved parses flags with at most one positional argument (the
// FILE of --from slowlog|sql) anywhere among them.
func parseInterleaved(fs *flagSet, args []string, file *string) error {
	for {
		if err := fs.parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			return nil
		}
		if *file != "" {
			return fmt.Errorf("%w: unexpected argument %q", errCollectUsage, fs.Arg(0))
		}
		*file = fs.Arg(0)
		args = fs.Args()[1:]
	}
}

func (f *collectFlags) check() error {
	switch {
	case f.dsn == "":
		return fmt.Errorf("%w: no --dsn (or %s)", errCollectUsage, live.EnvDSN)
	case f.out == "":
		return fmt.Errorf("%w: no --out file", errCollectUsage)
	case f.from == "perfschema" && f.file != "":
		return fmt.Errorf("%w: --from perfschema takes no FILE (got %q)", errCollectUsage, f.file)
	case (f.from == "slowlog" || f.from == "sql") && f.file == "":
		return fmt.Errorf("%w: --from %s needs a FILE", errCollectUsage, f.from)
	case f.from != "perfschema" && f.from != "slowlog" && f.from != "sql":
		return fmt.Errorf("%w: --from %q (want perfschema, slowlog FILE or sql FILE)", errCollectUsage, f.from)
	case f.timeout <= 0 || f.concurrency <= 0:
		return fmt.Errorf("%w: --timeout and --concurrency must be positive", errCollectUsage)
	}
	return nil
}

func (f *collectFlags) source() string {
	if f.file != "" {
		return f.from + " " + f.file
	}
	return f.from
}

// capture reads the workload the flags name.
func (f *collectFlags) capture(ctx context.Context, db *sql.DB) ([]live.Statement, error) {
	if f.from == "perfschema" {
		return live.CaptureDigests(ctx, db, live.DigestOptions{Database: f.database, Limit: f.digests})
	}
	in, err := os.Open(f.file)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	if f.from == "slowlog" {
		return live.ParseSlowLog(in, f.file)
	}
	return live.ParseSQLFile(in, f.file)
}

// printReport writes what Collect did, the reasons for what it left out
// first.
func printReport(w io.Writer, out string, rep live.Report) {
	fmt.Fprintf(w, "statements:        %d captured, %d distinct countable queries\n", rep.Statements, rep.Queries)
	fmt.Fprintf(w, "labelled:          %d new, %d already in %s", rep.Labelled, rep.AlreadyLabelled, out)
	if rep.SubPlans > 0 {
		fmt.Fprintf(w, " (%d sub-plan counts)", rep.SubPlans)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "timed out/failed:  %d/%d (retries after lost connections: %d)\n", rep.TimedOut, rep.Failed, rep.Retries)
	if rep.TornLine {
		fmt.Fprintln(w, "resumed:           a torn last line of the previous run was truncated and redone")
	}
	if len(rep.Skipped) > 0 {
		fmt.Fprintln(w, "not labelled, by reason:")
		for _, s := range rep.Skipped {
			fmt.Fprintf(w, "  %6d statements (%d executions)  %s\n           e.g. %s\n", s.Statements, s.Executions, s.Reason, s.Example)
		}
	}
	fmt.Fprintf(w, "elapsed:           %v\n", rep.Elapsed.Round(time.Millisecond))
}
