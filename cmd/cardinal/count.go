package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
)

// errNoQuery is returned by runCount without a statement.
var errNoQuery = usageError{fmt.Errorf("no query: give one or more \"SELECT ...\" arguments")}

// countResult is one result of 'cardinal count' (docs/json.md).
type countResult struct {
	SQL      string           `json:"sql"`
	Rows     int64            `json:"rows"`
	Groups   *int64           `json:"groups,omitempty"`
	Counted  string           `json:"counted"`
	SubPlans []subPlanCountJS `json:"sub_plans,omitempty"`
}

type subPlanCountJS struct {
	Aliases []string `json:"aliases"`
	Rows    int64    `json:"rows"`
}

// runCount prints the true row count of each statement's FROM + WHERE, one
// per line, and for a statement that groups (GROUP BY, DISTINCT, HAVING)
// its number of output groups beside it; with --subplans, each count is followed by one indented line
// per connected sub-plan: its aliases and its count. Several statements
// are counted with one engine (sharing its caches).
func runCount(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("count", stdout)
	var src sourceFlags
	src.register(fs.FlagSet)
	defer func() { err = src.hint(err) }()
	subplans := fs.Bool("subplans", false, "also print the count of every connected sub-plan")
	format := formatFlag(fs.FlagSet)
	now := nowFlag(fs.FlagSet)
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := src.check(fs.FlagSet); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errNoQuery
	}
	db, err := src.open(ctx, stderr)
	if err != nil {
		return err
	}
	c := engine.New(db, engine.Options{})
	p := now.parser()
	out := newStream(stdout, *format)
	err = countAll(ctx, c, p, db.Schema, fs.Args(), *subplans, out)
	if cerr := out.close(); err == nil {
		err = cerr // a failure still closes the stream: --format json stays one valid array
	}
	return err
}

// countAll counts each statement and writes its result.
func countAll(ctx context.Context, c *engine.Counter, p *features.Parser, schema *catalog.Schema, stmts []string, subplans bool, out *stream) error {
	for i, sql := range stmts {
		q, err := p.Parse(schema, sql)
		if err != nil {
			return fmt.Errorf("statement %d: %w", i+1, err)
		}
		gc, err := c.CountGroups(ctx, q)
		if err != nil {
			return fmt.Errorf("statement %d: %w", i+1, err)
		}
		res := countResult{SQL: sql, Rows: gc.Rows, Counted: countedWhat(q)}
		if q.Grouped() {
			res.Groups = &gc.Groups
		}
		if subplans {
			subs, err := c.CountSubPlans(ctx, q)
			if err != nil {
				return fmt.Errorf("statement %d: %w", i+1, err)
			}
			for _, s := range subs {
				res.SubPlans = append(res.SubPlans, subPlanCountJS{Aliases: q.Aliases(s.Mask), Rows: s.Rows})
			}
		}
		if err := out.write(res, func(w io.Writer) error {
			if res.Groups != nil {
				fmt.Fprintf(w, "%d groups (%d rows of FROM + WHERE)\n", *res.Groups, res.Rows)
			} else {
				fmt.Fprintln(w, res.Rows)
			}
			for _, s := range res.SubPlans {
				fmt.Fprintf(w, "  %s\t%d\n", strings.Join(s.Aliases, ","), s.Rows)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}
