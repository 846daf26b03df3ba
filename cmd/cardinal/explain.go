package main

import (
	"context"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/estimator"
)

// explainReasons is the number of correction reasons shown per plan in
// the text table (the JSON has the model's full list for the query).
const explainReasons = 3

// explainResult is the result of 'cardinal explain' (docs/json.md): one
// row per connected sub-plan, the whole query first, the way PostgreSQL's
// EXPLAIN ANALYZE sets rows= beside actual rows.
type explainResult struct {
	SQL        string       `json:"sql"`
	Model      string       `json:"model"`
	Server     string       `json:"server,omitempty"`      // the server estimator's name, with --dsn
	TrueSource string       `json:"true_source,omitempty"` // "engine" or "server"
	Plans      []explainRow `json:"plans"`
	Explain    *explainJSON `json:"explain"` // the model's explanation of the whole query
	// Counted says what the plans' rows are ("rows" of FROM + WHERE) and
	// what the query outputs ("groups" when it groups: see Groups).
	Counted string `json:"counted"`
	// Groups: a grouping query's estimated output groups, and with an
	// engine its true groups.
	Groups     *groupsJSON `json:"groups,omitempty"`
	TrueGroups *int64      `json:"true_groups,omitempty"`
}

// explainRow is one sub-plan.
type explainRow struct {
	Tables         []string           `json:"tables"` // aliases
	Rows           float64            `json:"rows"`   // Cardinal's estimate
	Low            float64            `json:"low"`
	High           float64            `json:"high"`
	Source         string             `json:"source"`
	ServerRows     *float64           `json:"server_rows,omitempty"`
	TrueRows       *int64             `json:"true_rows,omitempty"`
	QError         *float64           `json:"q_error,omitempty"`
	ServerQError   *float64           `json:"server_q_error,omitempty"`
	Correction     float64            `json:"correction"` // rows = baseline x correction
	Baseline       float64            `json:"baseline"`
	BaselineSource string             `json:"baseline_source"`
	Reasons        []contributionJSON `json:"reasons,omitempty"` // largest factors of the correction
}

// runExplain explains one query and each of its connected sub-plans.
func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("explain", stdout)
	modelPath := fs.String("model", "", "model file from 'cardinal train'")
	var src sourceFlags
	fs.StringVar(&src.dataset, "dataset", "", "true counts from the engine over a built-in data set: flights, ecommerce or tpch")
	fs.Float64Var(&src.scale, "scale", 1, "scale factor of --dataset ecommerce|tpch")
	fs.StringVar(&src.schema, "schema", "", "true counts from the engine over schema.sql and CSV files (with --data)")
	fs.StringVar(&src.data, "data", "", "directory of <table>.csv files (defaults to the schema's directory)")
	dsn := fs.String("dsn", "", "also show this server's own estimates (EXPLAIN FORMAT=JSON)")
	analyze := fs.Bool("analyze", false, "true counts from the server (runs COUNT(*) per sub-plan; needs --dsn)")
	timeout := fs.Duration("timeout", 30*time.Second, "server-side time limit of one COUNT(*) with --analyze")
	format := formatFlag(fs.FlagSet)
	now := nowFlag(fs.FlagSet)
	if err := fs.parse(args); err != nil {
		return err
	}
	engineTruth := src.dataset != "" || src.schema != "" || src.data != ""
	switch {
	case *modelPath == "":
		return usagef("no --model FILE")
	case fs.NArg() != 1:
		return usagef("give one query, got %d arguments", fs.NArg())
	case *analyze && *dsn == "":
		return usagef("--analyze counts on the server: give --dsn")
	case *analyze && engineTruth:
		return usagef("true counts come from the server (--analyze) or the engine (--dataset/--schema), not both")
	case src.dataset != "" && (src.schema != "" || src.data != ""):
		return usagef("give --dataset or --schema/--data, not both")
	case src.dataset != "" && src.dataset != "flights" && src.dataset != "ecommerce" && src.dataset != "tpch":
		return usagef("unknown --dataset %q (want flights, ecommerce or tpch)", src.dataset)
	case *timeout <= 0:
		return usagef("--timeout must be positive")
	}
	m, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	sql := fs.Arg(0)
	parser := now.parser()
	q, err := parser.Parse(estimator.CatalogOf(m).Schema, sql)
	if err != nil {
		return err
	}
	res := explainResult{SQL: sql, Model: m.Name()}
	ex, err := estimator.Explain(m, q)
	if err != nil {
		return err
	}
	res.Explain = toExplainJSON(ex)
	res.Counted = countedWhat(q)
	if q.Grouped() {
		if res.Groups, err = estimateGroups(estimator.Groups(m), q); err != nil {
			return err
		}
	}

	masks, err := q.ConnectedSubsets(0)
	if err != nil {
		return err
	}
	// The whole query first, then larger sub-plans before smaller ones.
	slices.SortStableFunc(masks, func(a, b uint64) int {
		if d := bits.OnesCount64(b) - bits.OnesCount64(a); d != 0 {
			return d
		}
		if a < b {
			return -1
		}
		return 1
	})
	truth := map[uint64]int64{}
	if engineTruth {
		db, err := src.open(ctx, stderr)
		if err != nil {
			return err
		}
		qdb, err := parser.Parse(db.Schema, sql)
		if err != nil {
			return fmt.Errorf("the query over the data: %w", err)
		}
		subs, err := engine.New(db, engine.Options{}).CountSubPlans(ctx, qdb)
		if err != nil {
			return err
		}
		for _, s := range subs {
			truth[s.Mask] = s.Rows
		}
		if qdb.Grouped() {
			gc, err := engine.New(db, engine.Options{}).CountGroups(ctx, qdb)
			if err != nil {
				return err
			}
			res.TrueGroups = &gc.Groups
		}
		res.TrueSource = "engine"
	}
	var srv *server
	if *dsn != "" {
		if srv, err = openServer(ctx, *dsn, stderr); err != nil {
			return err
		}
		defer srv.close()
		res.Server = srv.explain.Name()
		if *analyze {
			res.TrueSource = "server"
		}
	}
	for _, mask := range masks {
		sub := q.Sub(mask)
		e, err := m.Estimate(sub)
		if err != nil {
			return fmt.Errorf("%s: %w", strings.Join(q.Aliases(mask), ","), err)
		}
		row := explainRow{Tables: q.Aliases(mask), Rows: e.Rows, Low: e.Low, High: e.High, Source: e.Source}
		sx, err := estimator.Explain(m, sub)
		if err != nil {
			return err
		}
		row.Correction, row.Baseline, row.BaselineSource = sx.Correction, sx.Baseline, sx.BaselineSource
		for i, c := range sx.Contributions {
			if i == explainReasons {
				break
			}
			row.Reasons = append(row.Reasons, contributionJSON{c.Feature, c.Factor})
		}
		if srv != nil {
			se, err := srv.explain.EstimateContext(ctx, sub)
			if err != nil {
				return err
			}
			row.ServerRows = &se.Rows
			if *analyze {
				n, err := srv.count(ctx, sub, *timeout)
				if err != nil {
					return err
				}
				truth[mask] = n
			}
		}
		if n, ok := truth[mask]; ok {
			row.TrueRows = &n
			qe := estimator.QError(row.Rows, float64(n))
			row.QError = &qe
			if row.ServerRows != nil {
				sq := estimator.QError(*row.ServerRows, float64(n))
				row.ServerQError = &sq
			}
		}
		res.Plans = append(res.Plans, row)
	}
	return writeDoc(stdout, *format, res, res.writeText)
}

// writeText writes the side-by-side table, then the model's explanation
// of the whole query.
func (r *explainResult) writeText(w io.Writer) error {
	fmt.Fprintf(w, "EXPLAIN %s\n", oneLine(r.SQL))
	truth := "none (give --dataset/--schema, or --dsn --analyze)"
	if r.TrueSource != "" {
		truth = r.TrueSource
	}
	fmt.Fprintf(w, "model %s; true counts: %s", r.Model, truth)
	if r.Server != "" {
		fmt.Fprintf(w, "; server estimates: %s", r.Server)
	}
	fmt.Fprint(w, "\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "plan\tcardinal\tband\tserver\ttrue\tq cardinal\tq server\tcorrection\ttop reasons\n")
	full := 0
	if len(r.Plans) > 0 {
		full = len(r.Plans[0].Tables)
	}
	opt := func(v *float64, f string) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprintf(f, *v)
	}
	for _, p := range r.Plans {
		trueRows := "-"
		if p.TrueRows != nil {
			trueRows = fmt.Sprint(*p.TrueRows)
		}
		reasons := make([]string, len(p.Reasons))
		for i, c := range p.Reasons {
			reasons[i] = fmt.Sprintf("%s x%.3g", c.Feature, c.Factor)
		}
		fmt.Fprintf(tw, "%s%s\t%.0f\t[%.0f, %.0f]\t%s\t%s\t%s\t%s\tx%.3g\t%s\n",
			strings.Repeat("  ", full-len(p.Tables)), strings.Join(p.Tables, ","),
			p.Rows, p.Low, p.High, opt(p.ServerRows, "%.0f"), trueRows,
			opt(p.QError, "%.2f"), opt(p.ServerQError, "%.2f"), p.Correction, strings.Join(reasons, "; "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if g := r.Groups; g != nil {
		truth := ""
		if r.TrueGroups != nil {
			truth = fmt.Sprintf(", true %d (q-error %.2f)", *r.TrueGroups, estimator.QError(g.Groups, float64(*r.TrueGroups)))
		}
		fmt.Fprintf(w, "\noutput: %.0f groups [%.0f, %.0f] (%s)%s; the plans above count rows of FROM + WHERE\n", g.Groups, g.Low, g.High, g.Source, truth)
	}
	_, err := fmt.Fprintf(w, "\n%s", r.Explain.text)
	return err
}
