package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/live"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/querylog"
)

// errNoSource is returned when a command that needs data was given none
// (a usage error).
var errNoSource = usageError{errors.New("no data source: give --dataset flights|ecommerce|tpch|ontime, --schema FILE [--data DIR], or --dsn DSN")}

// sourceFlags are the flags that choose where data comes from; every command
// that needs data registers them.
type sourceFlags struct {
	dataset  string
	scale    float64
	dataSeed int64
	// sharedKeys: ecommerce with reviews and stores (EcommerceOptions.SharedKeys).
	sharedKeys bool
	// comments: tpch with its free-text *_comment columns
	// (TPCHOptions.Comments), which Q13 and Q16 filter on.
	comments bool
	schema   string
	data     string
	dsn      string
}

func (s *sourceFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.dataset, "dataset", "", "built-in data set: flights (real, bundled), ecommerce (synthetic), tpch (TPC-H dbgen) or ontime (3M flights derived from the bundled ones, dates with their parts)")
	fs.Float64Var(&s.scale, "scale", 1, "scale factor: ecommerce 1 = ~300k order_items, 10 = ~3M; tpch 1 = 6M lineitems (whole numbers, or a sub-scale 0.001..1 of SF1); ontime 1 = 3M flights")
	fs.Int64Var(&s.dataSeed, "data-seed", 1, "seed of the synthetic data generator")
	fs.BoolVar(&s.sharedKeys, "shared-keys", false, "ecommerce with reviews (a second fact table on customers and products) and stores joined to customers on the non-unique (city, region)")
	fs.BoolVar(&s.comments, "comments", false, "tpch with its free-text *_comment columns (Q13 and Q16 filter on them; about 40% more memory)")
	fs.StringVar(&s.schema, "schema", "", "schema.sql with CREATE TABLE statements (with --data)")
	fs.StringVar(&s.data, "data", "", "directory of <table>.csv files (with --schema; defaults to the schema's directory)")
	// The environment's DSN is read after parsing (in given/open), never
	// as the flag's default: -h prints defaults, and a DSN holds a password.
	fs.StringVar(&s.dsn, "dsn", "", "MySQL/MariaDB DSN user:pass@tcp(host:port)/db (default: env "+live.EnvDSN+")")
}

// check refuses, before any work, a missing data source, two sources at
// once and flags the chosen source ignores (fs holds the parsed flags).
// The DSN is taken from the environment when no source is given.
func (s *sourceFlags) check(fs *flag.FlagSet) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !s.given() {
		return errNoSource
	}
	var chosen []string
	if s.dataset != "" {
		chosen = append(chosen, "--dataset")
	}
	if s.schema != "" || s.data != "" {
		chosen = append(chosen, "--schema/--data")
	}
	if set["dsn"] && s.dsn != "" {
		chosen = append(chosen, "--dsn")
	}
	if len(chosen) > 1 {
		return usagef("give one data source, not %s", strings.Join(chosen, " and "))
	}
	if s.dataset != "" && s.dataset != "flights" && s.dataset != "ecommerce" && s.dataset != "tpch" && s.dataset != "ontime" {
		return usagef("%w: unknown --dataset %q (want flights, ecommerce, tpch or ontime)", errNoSource, s.dataset)
	}
	if set["scale"] && s.dataset != "ecommerce" && s.dataset != "tpch" && s.dataset != "ontime" {
		return usagef("--scale applies to --dataset ecommerce, tpch and ontime only")
	}
	if set["data-seed"] && s.dataset != "ecommerce" && s.dataset != "ontime" {
		return usagef("--data-seed applies to --dataset ecommerce and ontime only")
	}
	if set["shared-keys"] && s.dataset != "ecommerce" {
		return usagef("--shared-keys applies to --dataset ecommerce only")
	}
	if set["comments"] && s.dataset != "tpch" {
		return usagef("--comments applies to --dataset tpch only")
	}
	return nil
}

// given reports whether any source was chosen, taking the DSN from the
// environment when no other source was.
func (s *sourceFlags) given() bool {
	if s.dataset == "" && s.schema == "" && s.data == "" && s.dsn == "" {
		s.dsn = os.Getenv(live.EnvDSN)
	}
	return s.dataset != "" || s.schema != "" || s.data != "" || s.dsn != ""
}

// open loads the chosen data source into memory, saying what it does on
// stderr.
func (s *sourceFlags) open(ctx context.Context, stderr io.Writer) (*datasets.DB, error) {
	start := time.Now()
	var (
		db   *datasets.DB
		err  error
		what string
	)
	s.given()
	switch {
	case s.dataset != "":
		switch s.dataset {
		case "flights":
			what = "flights (bundled)"
			db, err = datasets.Flights()
		case "ecommerce":
			what = fmt.Sprintf("ecommerce (scale %g, seed %d)", s.scale, s.dataSeed)
			if s.sharedKeys {
				what = fmt.Sprintf("ecommerce with reviews and stores (scale %g, seed %d)", s.scale, s.dataSeed)
			}
			db, err = datasets.Ecommerce(ctx, datasets.EcommerceOptions{Scale: s.scale, Seed: s.dataSeed, SharedKeys: s.sharedKeys})
		case "tpch":
			what = fmt.Sprintf("tpch (scale %g)", s.scale)
			if s.comments {
				what = fmt.Sprintf("tpch with comments (scale %g)", s.scale)
			}
			ui := newProgress(stderr)
			db, err = datasets.TPCH(ctx, datasets.TPCHOptions{Scale: s.scale, Comments: s.comments, Progress: ui.report})
			ui.finish()
		case "ontime":
			rows := math.Round(s.scale * datasets.DefaultOnTimeRows)
			if !(rows >= 1 && rows <= datasets.MaxOnTimeRows) {
				return nil, usagef("--scale %g gives %g ontime rows, want 1..%d", s.scale, rows, datasets.MaxOnTimeRows)
			}
			what = fmt.Sprintf("ontime (%d rows, seed %d)", int(rows), s.dataSeed)
			db, err = datasets.OnTime(ctx, datasets.OnTimeOptions{Rows: int(rows), Seed: uint64(s.dataSeed)})
		default:
			return nil, usagef("%w: unknown --dataset %q (want flights, ecommerce, tpch or ontime)", errNoSource, s.dataset)
		}
	case s.schema != "" || s.data != "":
		dir := s.data
		if s.schema != "" {
			what = s.schema
			schemaSQL, rerr := os.ReadFile(s.schema)
			if rerr != nil {
				return nil, rerr
			}
			if dir == "" {
				dir = filepath.Dir(s.schema)
			}
			schema, perr := catalog.ParseSchema(string(schemaSQL))
			if perr != nil {
				return nil, fmt.Errorf("%s: %w", s.schema, perr)
			}
			db, err = datasets.LoadCSV(ctx, schema, dir)
		} else {
			what = dir
			db, err = datasets.LoadCSVDir(ctx, dir)
		}
	case s.dsn != "":
		what = live.RedactDSN(s.dsn)
		db, err = live.LoadDB(ctx, s.dsn, live.LoadOptions{})
	default:
		return nil, errNoSource
	}
	if err != nil {
		return nil, err
	}
	rows := 0
	for _, t := range db.Tables {
		rows += t.Rows
	}
	fmt.Fprintf(stderr, "loaded %s: %d tables, %d rows in %v\n", what, len(db.Tables), rows, time.Since(start).Round(time.Millisecond))
	return db, nil
}

// readLog reads a labelled query log (JSON Lines), dropping the sub-plan
// labels unless subPlans is set.
func readLog(path string, subPlans bool) ([]querylog.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := querylog.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !subPlans {
		for i := range recs {
			recs[i].SubPlans = nil
		}
	}
	return recs, nil
}

// hint adds to err what the user can do about it when the chosen source
// explains it: a TPC-H *_comment column named while --dataset tpch was
// loaded without --comments.
func (s *sourceFlags) hint(err error) error {
	var fe *features.Error
	if err == nil || s.dataset != "tpch" || s.comments || !errors.Is(err, catalog.ErrUnknownColumn) || !errors.As(err, &fe) {
		return err
	}
	name := strings.ToLower(fe.Construct)
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	without := datasets.TPCHSchema(false)
	for _, t := range datasets.TPCHSchema(true).Tables {
		if t.ColumnIndex(name) >= 0 && without.Table(t.Name).ColumnIndex(name) < 0 {
			return fmt.Errorf("%w (--dataset tpch has the *_comment columns only with --comments)", err)
		}
	}
	return err
}
