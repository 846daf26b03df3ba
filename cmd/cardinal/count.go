package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
)

// errNoQuery is returned by runCount without a statement.
var errNoQuery = errors.New("no query: give one or more \"SELECT ...\" arguments")

// runCount implements
//
//	cardinal count (--dataset flights|ecommerce | --schema schema.sql --data DIR | --dsn DSN)
//	               [--subplans] "SELECT ..." ...
//
// printing the true row count of each statement's FROM + WHERE, one per
// line; with --subplans, each count is followed by one indented line per
// connected sub-plan: its aliases and its count. Several statements are
// counted with one engine (sharing its caches).
func runCount(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("count", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var src sourceFlags
	src.register(fs)
	subplans := fs.Bool("subplans", false, "also print the count of every connected sub-plan")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: cardinal count (--dataset flights|ecommerce | --schema schema.sql --data DIR | --dsn DSN) [--subplans] \"SELECT ...\" ...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !src.given() {
		fs.Usage()
		return errNoSource
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errNoQuery
	}
	db, err := src.open(ctx, stderr)
	if err != nil {
		return err
	}
	c := engine.New(db, engine.Options{})
	p := features.NewParser()
	for i, sql := range fs.Args() {
		q, err := p.Parse(db.Schema, sql)
		if err != nil {
			return fmt.Errorf("statement %d: %w", i+1, err)
		}
		n, err := c.Count(ctx, q)
		if err != nil {
			return fmt.Errorf("statement %d: %w", i+1, err)
		}
		fmt.Fprintln(stdout, n)
		if !*subplans {
			continue
		}
		subs, err := c.CountSubPlans(ctx, q)
		if err != nil {
			return fmt.Errorf("statement %d: %w", i+1, err)
		}
		for _, s := range subs {
			fmt.Fprintf(stdout, "  %s\t%d\n", strings.Join(q.Aliases(s.Mask), ","), s.Rows)
		}
	}
	return nil
}
