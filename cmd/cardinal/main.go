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
//	cardinal eval    --model m.model --log t.jsonl  q-error quantiles
//	cardinal collect --dsn ... --from slowlog FILE  true counts from a server
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand of the tool.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() map[string]command {
	return map[string]command{
		"demo":     {"generate, label, train and compare every estimator on the bundled flights data", runDemo},
		"gen":      {"generate a random workload and label it with true counts (JSON Lines)", runGen},
		"count":    {"print the true row count of one query (and its sub-plans)", runCount},
		"parse":    {"show what the library understood of SQL statements (JSON)", runParse},
		"train":    {"train an estimator on a labelled query log", runTrain},
		"estimate": {"estimate the rows of queries with a trained model", runEstimate},
		"eval":     {"q-error quantiles of a model on a labelled query log", runEval},
		"collect":  {"collect true counts for a captured workload from a live server", runCollect},
		"bench":    {"compare every estimator on one data source: q-error, latency, training time", runBench},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: cardinal <command> [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'cardinal <command> -h' for a command's flags.")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "cardinal: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	if err := cmd.run(ctx, args[1:], stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "cardinal %s: %v\n", args[0], err)
		return 1
	}
	return 0
}
