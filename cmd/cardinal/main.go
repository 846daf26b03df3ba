// Command cardinal is Cardinal's offline tool: generate and label workloads,
// train and evaluate estimators, collect true counts from a live server, and
// run the demo on the bundled data.
//
//	cardinal demo                                   the main job on bundled data
//	cardinal gen     --dataset flights --queries N  generate + label a workload
//	cardinal count   --dataset flights "SELECT ..." true count of one query
//	cardinal parse   --schema s.sql "SELECT ..."    what the library understood
//	cardinal train   --log train.jsonl --model gbdt train an estimator
//	cardinal estimate --model m.model "SELECT ..."  estimate rows
//	cardinal explain --model m.model "SELECT ..."   estimate vs server vs truth, per sub-plan
//	cardinal eval    --model m.model --log t.jsonl  q-error quantiles
//	cardinal collect --dsn ... --from slowlog FILE  true counts from a server
//	cardinal help CMD | cardinal CMD -h             a command's synopsis, flags, example
//	cardinal version                                module and model format versions
//
// # Conventions every command follows
//
//	exit code 0  success
//	          1  failure (bad input data, a query that failed, a lost server)
//	          2  usage error (bad flag, missing or conflicting arguments);
//	             the error is printed once, with a pointer to 'cardinal help CMD'
//	stdout       results only, in --format text|json|jsonl (see docs/json.md)
//	stderr       progress and diagnostics; progress bars only on a terminal,
//	             otherwise a plain line every few seconds (see progress.go)
//
// Conflicting and ignored flags are refused before any work is done.
//
// # Adding a command
//
// A command is one file NAME.go holding its run function
//
//	func runNAME(ctx context.Context, args []string, stdout, stderr io.Writer) error {
//		fs := newFlagSet("NAME", stdout)     // -h prints the help below
//		format := formatFlag(fs.FlagSet)     // if it prints results
//		n := fs.Int("n", 1, "...")
//		if err := fs.parse(args); err != nil {
//			return err                       // -h: exit 0; bad flag: exit 2
//		}
//		if ... { return usagef("--n %d must be positive", *n) }  // exit 2
//		...                                  // any other error: exit 1
//	}
//
// plus ONE entry in commands() below giving its summary, synopsis,
// arguments and example (shown by -h and 'cardinal help NAME'). A test in
// cli_test.go runs every registered command with -h, a bad flag and a
// failing input: add the failing input for a new command there.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// command is one subcommand of the tool.
type command struct {
	name    string
	summary string // one line, for the command list
	// synopsis is the command line after "cardinal NAME"; args explains its
	// positional arguments (empty: none); example is one or more command
	// lines, each optionally followed by "  # what it does".
	synopsis, args, example string
	run                     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands lists every subcommand in the order 'cardinal help' shows them.
// Register a new command with one entry here (see the package comment).
func commands() []command {
	return []command{
		{name: "demo", summary: "generate, label, train and compare every estimator on the bundled flights data",
			synopsis: "[--train N] [--test N] [--models LIST] [--format text|json|jsonl] [--md FILE] [--plot FILE]",
			example:  "cardinal demo --plot flights.png",
			run:      runDemo},
		{name: "gen", summary: "generate a random workload and label it with true counts (JSON Lines)",
			synopsis: "(--dataset flights|ecommerce|tpch|ontime | --schema schema.sql [--data DIR] | --dsn DSN) [--queries N] [--subplans] [--out FILE [--force]]",
			example:  "cardinal gen --dataset flights --queries 20000 --subplans --seed 1 --out train.jsonl",
			run:      runGen},
		{name: "count", summary: "print the true row count of queries (and their sub-plans)",
			synopsis: "(--dataset NAME | --schema schema.sql [--data DIR] | --dsn DSN) [--subplans] [--format text|json|jsonl] \"SELECT ...\" ...",
			args:     "\"SELECT ...\"  one or more statements; each is counted (FROM + WHERE) on the data",
			example:  "cardinal count --dataset flights --subplans \"SELECT * FROM flights f JOIN airports a ON f.origin = a.iata WHERE a.state = 'TX'\"",
			run:      runCount},
		{name: "parse", summary: "show what the library understood of SQL statements",
			synopsis: "(--schema schema.sql | --dataset flights|ecommerce|tpch|ontime) [--in FILE] [--format text|json|jsonl] [\"SELECT ...\" ...]",
			args:     "\"SELECT ...\"  statements (';'-separated statements in one argument are split)",
			example:  "cardinal parse --dataset flights --format jsonl \"SELECT * FROM flights WHERE delay > 60\"",
			run:      runParse},
		{name: "train", summary: "train an estimator on a labelled query log",
			synopsis: "(--dataset NAME | --schema schema.sql [--data DIR] | --dsn DSN) --log FILE [--model KIND] --out FILE [--force]",
			example:  "cardinal train --dataset flights --log train.jsonl --model gbdt --out flights.model",
			run:      runTrain},
		{name: "estimate", summary: "estimate the rows of queries with a trained model",
			synopsis: "--model FILE (\"SELECT ...\" ... | --in FILE) [--explain] [--keep-going] [--format text|json|jsonl]",
			args: "\"SELECT ...\"  statements to estimate\n" +
				"--in FILE     ';'-terminated statements (may span lines; '-' for stdin), or query-log\n" +
				"              records {\"sql\": ...} one per line; each result is written as soon as it is\n" +
				"              estimated. A file without any ';' is read as one statement per line.",
			example: "cardinal estimate --model flights.model \"SELECT * FROM flights WHERE delay > 60\"\n" +
				"tail -F slow.sql | cardinal estimate --model flights.model --in - --format jsonl --keep-going",
			run: runEstimate},
		{name: "explain", summary: "one query and each sub-plan: Cardinal's estimate and band, the server's, the truth, q-errors",
			synopsis: "--model FILE [--dataset NAME | --schema schema.sql [--data DIR]] [--dsn DSN [--analyze]] [--format text|json|jsonl] \"SELECT ...\"",
			args: "\"SELECT ...\"  the query; true counts come from the engine over --dataset/--schema, or from\n" +
				"              the server (--dsn --analyze, which runs COUNT(*) per sub-plan)",
			example: "cardinal explain --model flights.model --dataset flights \"SELECT * FROM flights f JOIN airports a ON f.origin = a.iata WHERE a.state = 'TX'\"",
			run:     runExplain},
		{name: "eval", summary: "q-error quantiles of a model on a labelled query log",
			synopsis: "--model FILE --log FILE [--subplans] [--dsn DSN] [--format text|json|jsonl]",
			example: "cardinal eval --model flights.model --log test.jsonl\n" +
				"cardinal eval --model flights.model --log test.jsonl --dsn \"$CARDINAL_DSN\"  # beside the server's optimizer",
			run: runEval},
		{name: "collect", summary: "collect true counts for a captured workload from a live server",
			synopsis: "--dsn DSN --from perfschema|slowlog FILE|sql FILE --out labels.jsonl [--subplans] [--timeout 10s]",
			args: "FILE          the slow query log or SQL file of --from slowlog|sql\n" +
				"--out FILE    is appended to on purpose: a second run resumes the first",
			example: "cardinal collect --dsn \"$CARDINAL_DSN\" --from slowlog slow.log --out labels.jsonl",
			run:     runCollect},
		{name: "bench", summary: "compare every estimator on one data source: q-error, latency, training time",
			synopsis: "(--dataset NAME | --schema schema.sql [--data DIR] | --dsn DSN) [--train N] [--test N] [--models LIST] [--format text|json|jsonl] [--md FILE] [--plot FILE]",
			args:     "--dsn DSN     the server's tables are copied into memory, and its own optimizer\n              (EXPLAIN FORMAT=JSON) is scored beside the models on the same queries",
			example:  "cardinal bench --dataset ecommerce --scale 10 --plot ecommerce.png",
			run:      runBench},
		{name: "joinorder", summary: "plan a query's join order (DPccp, left-deep, GOO or the learned agent) and print hinted SQL",
			synopsis: "--model FILE [--agent FILE] [--method dpccp|leftdeep|goo|agent] [--cost cout|mysql|mariadb] [--format text|json|jsonl] \"SELECT ...\"",
			example:  "cardinal joinorder --model flights.model --agent flights.agent \"SELECT * FROM flights f JOIN airports a ON f.origin = a.iata WHERE a.state = 'TX'\"",
			run:      runJoinorder},
		{name: "train-joinorder", summary: "train the learned join-order agent (Q-learning on true sub-plan counts)",
			synopsis: "(--dataset NAME | --schema schema.sql [--data DIR] | --dsn DSN) [--model FILE] [--train N] [--min-tables N] [--max-tables N] --out FILE",
			example:  "cardinal train-joinorder --dataset flights --model flights.model --out flights.agent",
			run:      runTrainJoinorder},
		{name: "eval-joinorder", summary: "compare join-ordering methods: plan cost under true counts over the optimum, planning time",
			synopsis: "(--dataset NAME | --schema schema.sql [--data DIR] | --dsn DSN) [--model FILE] [--agent FILE] [--test N] [--server DSN] [--format text|json|jsonl]",
			example: "cardinal eval-joinorder --dataset flights --format json\n" +
				"cardinal eval-joinorder --dataset tpch --scale 0.01 --snowflake --cost mysql --server \"$CARDINAL_TEST_DSN\"  # also timed on MariaDB",
			run: runEvalJoinorder},
		{name: "recommend", summary: "recommend indexes for a workload (dry run: DDL, Liquibase changelog or JSON)",
			synopsis: "(--dataset NAME | --schema schema.sql [--data DIR] | --dsn DSN) --workload FILE [--from sql|slowlog|perfschema] [--budget 200MB] [--format ddl|liquibase|json]",
			example:  "cardinal recommend --dataset flights --workload workload.sql --budget 2MB --format ddl",
			run:      runRecommend},
		{name: "eval-indexes", summary: "compare index selection strategies at storage budgets, estimated and measured on a server",
			synopsis: "(--dataset NAME | --schema schema.sql [--data DIR] | --dsn DSN) [--workload FILE | --queries N] [--budgets 10,25,50] [--server DSN] [--guard] [--format text|json|jsonl]",
			example:  "cardinal eval-indexes --dataset ecommerce --queries 50 --server \"$CARDINAL_TEST_DSN\" --format json",
			run:      runEvalIndexes},
		{name: "version", summary: "print the module version and the model file format version",
			example: "cardinal version",
			run:     runVersion},
		{name: "help", summary: "show the commands, or one command's synopsis, flags and example",
			synopsis: "[COMMAND]",
			example:  "cardinal help estimate",
			run:      runHelp},
	}
}

// lookup returns the named command.
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: cardinal <command> [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name))
	}
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'cardinal help <command>' (or 'cardinal <command> -h') for its flags and an example.")
	fmt.Fprintln(w, "Exit codes: 0 success, 1 failure, 2 usage error.")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		usage(stdout)
		return exitOK
	}
	cmd, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "cardinal: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitUsage
	}
	err := cmd.run(ctx, args[1:], stdout, stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "cardinal %s: %v\nRun 'cardinal help %s' for usage.\n", cmd.name, err, cmd.name)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "cardinal %s: %v\n", cmd.name, err)
		return exitFailure
	}
}

// errUsage marks a bad command line (exit code 2). Make one with usagef,
// or wrap it: errors.Is(err, errUsage).
var errUsage = errors.New("usage error")

// usageError is a bad command line: its message is the cause alone (the
// "usage" is told by the exit code and the pointer to help).
type usageError struct{ err error }

func (u usageError) Error() string   { return u.err.Error() }
func (u usageError) Unwrap() []error { return []error{u.err, errUsage} }

// usagef returns a usage error; %w verbs wrap as in fmt.Errorf.
func usagef(format string, a ...any) error {
	return usageError{fmt.Errorf(format, a...)}
}

// flagSet is a command's flags whose -h prints the command's help.
type flagSet struct {
	*flag.FlagSet
	cmd    command
	stdout io.Writer
	// args are the positional arguments left by parse: those before,
	// between and after the flags, in order.
	args []string
}

// newFlagSet returns the flags of the registered command name. Parse
// errors are returned, never printed by the flag package (so they are
// printed once, by run); -h prints the help to stdout.
func newFlagSet(name string, stdout io.Writer) *flagSet {
	cmd, ok := lookup(name)
	if !ok {
		panic("cardinal: newFlagSet of unregistered command " + name) // programmer error
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, cmd: cmd, stdout: stdout}
}

// parse parses args: -h prints the help and returns flag.ErrHelp, a bad
// flag returns a usage error. Flags may follow positional arguments
// ('cardinal count "SELECT ..." --dataset flights'), as users type them:
// an argument shaped like a flag (-name, --name, --name=value) is a flag
// wherever it stands, any other argument is positional, so SQL that
// starts with "-" ("-- a comment\nSELECT ...") stays an argument. "--"
// ends the flags.
func (f *flagSet) parse(args []string) error {
	var flags []string
	f.args = nil
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			f.args = append(f.args, args[i+1:]...)
			break
		}
		name, hasValue, ok := flagName(a)
		if !ok {
			f.args = append(f.args, a)
			continue
		}
		flags = append(flags, a)
		if fl := f.Lookup(name); fl != nil && !hasValue && !isBoolFlag(fl) && i+1 < len(args) {
			i++
			flags = append(flags, args[i]) // the flag's value
		}
	}
	err := f.FlagSet.Parse(flags)
	if errors.Is(err, flag.ErrHelp) {
		printHelp(f.stdout, f.cmd, f.FlagSet)
		return err
	}
	if err != nil {
		return usageError{err}
	}
	return nil
}

// flagName returns the name of a flag-shaped argument (-name, --name,
// -name=value, --name=value, the name a letter then letters, digits, '-'
// or '_') and whether it carries its value.
func flagName(arg string) (name string, hasValue, ok bool) {
	if len(arg) < 2 || arg[0] != '-' {
		return "", false, false
	}
	name = strings.TrimPrefix(arg[1:], "-")
	if i := strings.IndexByte(name, '='); i >= 0 {
		name, hasValue = name[:i], true
	}
	for i, r := range name {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '-' || r == '_')) {
			return "", false, false
		}
	}
	return name, hasValue, name != ""
}

// isBoolFlag reports whether fl takes no value (-v rather than -v=true).
func isBoolFlag(fl *flag.Flag) bool {
	b, ok := fl.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// Args returns the positional arguments.
func (f *flagSet) Args() []string { return f.args }

// NArg returns the number of positional arguments.
func (f *flagSet) NArg() int { return len(f.args) }

// Arg returns the i'th positional argument, or "" when there is none.
func (f *flagSet) Arg(i int) string {
	if i < 0 || i >= len(f.args) {
		return ""
	}
	return f.args[i]
}

// noArgs refuses positional arguments of a command that takes none.
func (f *flagSet) noArgs() error {
	if f.NArg() > 0 {
		return usagef("unexpected arguments %q", f.Args())
	}
	return nil
}

// printHelp writes a command's synopsis, summary, arguments, flags and
// example.
func printHelp(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: cardinal %s %s\n\n%s.\n", c.name, c.synopsis, capitalize(c.summary))
	if c.args != "" {
		fmt.Fprintf(w, "\narguments:\n%s\n", indentBy(c.args, "  "))
	}
	if fs != nil {
		var flags strings.Builder
		fs.VisitAll(func(fl *flag.Flag) {
			typ, text := flag.UnquoteUsage(fl)
			if _, ok := fl.Value.(*format); ok {
				typ = "text|json|jsonl"
			}
			fmt.Fprintf(&flags, "  --%s", fl.Name)
			if typ != "" {
				fmt.Fprintf(&flags, " %s", typ)
			}
			fmt.Fprintf(&flags, "\n      %s", strings.ReplaceAll(text, "\n", "\n      "))
			if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0" {
				fmt.Fprintf(&flags, " (default %s)", fl.DefValue)
			}
			flags.WriteByte('\n')
		})
		if flags.Len() > 0 {
			fmt.Fprintf(w, "\nflags:\n%s", flags.String())
		}
	}
	fmt.Fprintf(w, "\nexample:\n%s\n", indentBy(c.example, "  "))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// indentBy prefixes every line of s.
func indentBy(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

// runHelp implements 'cardinal help [COMMAND]'.
func runHelp(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("help", stdout)
	if err := fs.parse(args); err != nil {
		return err
	}
	switch fs.NArg() {
	case 0:
		usage(stdout)
		return nil
	case 1:
		c, ok := lookup(fs.Arg(0))
		if !ok {
			return usagef("unknown command %q", fs.Arg(0))
		}
		// The command's own -h knows its flags.
		return c.run(ctx, []string{"-h"}, stdout, stderr)
	}
	return usagef("help takes one command, got %q", fs.Args())
}
