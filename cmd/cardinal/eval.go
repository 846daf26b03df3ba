package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"text/tabwriter"

	"github.com/cardinaldb/cardinal/estimator"
)

// evalReport is the JSON form of 'cardinal eval': q-error quantiles of the
// model and, for reference, of the histogram baseline over the same
// catalog, overall and by number of joins.
type evalReport struct {
	Model     string                             `json:"model"`
	Queries   int                                `json:"queries"`
	Overall   estimator.QErrorSummary            `json:"overall"`
	ByJoins   map[string]estimator.QErrorSummary `json:"by_joins"`
	Histogram struct {
		Overall estimator.QErrorSummary            `json:"overall"`
		ByJoins map[string]estimator.QErrorSummary `json:"by_joins"`
	} `json:"histogram"`
}

// runEval prints q-error quantiles of a model on a labelled query log:
//
//	cardinal eval --model m.model --log test.jsonl [--format text|json]
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", stdout)
	modelPath := fs.String("model", "", "model file from 'cardinal train'")
	logPath := fs.String("log", "", "labelled query log (JSON Lines) of never-seen queries")
	format := formatFlag(fs.FlagSet)
	subplans := fs.Bool("subplans", false, "also score every labelled sub-plan")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	if *modelPath == "" || *logPath == "" {
		return usagef("give --model FILE and --log FILE")
	}
	m, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	recs, err := readLog(*logPath, *subplans)
	if err != nil {
		return err
	}
	cat := estimator.CatalogOf(m)
	ex, err := estimator.Examples(cat.Schema, recs)
	if err != nil {
		return fmt.Errorf("%s: %w", *logPath, err)
	}
	hist := estimator.NewHistogram(cat)
	rep := evalReport{Model: m.Name(), Queries: len(ex)}
	score := func(est estimator.Estimator) (estimator.QErrorSummary, map[string]estimator.QErrorSummary, error) {
		var all []float64
		by := map[int][]float64{}
		for _, e := range ex {
			if err := ctx.Err(); err != nil {
				return estimator.QErrorSummary{}, nil, err
			}
			got, err := est.Estimate(e.Query)
			if err != nil {
				return estimator.QErrorSummary{}, nil, fmt.Errorf("%s: %w", e.Query.SQL(), err)
			}
			q := estimator.QError(got.Rows, e.Rows)
			all = append(all, q)
			j := len(e.Query.Tables) - 1
			by[j] = append(by[j], q)
		}
		out := map[string]estimator.QErrorSummary{}
		for j, qs := range by {
			out[strconv.Itoa(j)] = estimator.Quantiles(qs)
		}
		return estimator.Quantiles(all), out, nil
	}
	if rep.Overall, rep.ByJoins, err = score(m); err != nil {
		return err
	}
	if rep.Histogram.Overall, rep.Histogram.ByJoins, err = score(hist); err != nil {
		return err
	}
	return writeDoc(stdout, *format, rep, rep.writeText)
}

// writeText writes the q-error table: one row per model and join count.
func (rep *evalReport) writeText(stdout io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "model\tjoins\tN\tmedian\tp90\tp95\tp99\tmax\tmean\t\n")
	row := func(name, joins string, s estimator.QErrorSummary) {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.3g\t%.3g\t%.3g\t%.3g\t%.3g\t%.3g\t\n", name, joins, s.N, s.Median, s.P90, s.P95, s.P99, s.Max, s.Mean)
	}
	for _, r := range []struct {
		name    string
		overall estimator.QErrorSummary
		by      map[string]estimator.QErrorSummary
	}{{rep.Model, rep.Overall, rep.ByJoins}, {"histogram", rep.Histogram.Overall, rep.Histogram.ByJoins}} {
		keys := make([]int, 0, len(r.by))
		for k := range r.by {
			j, _ := strconv.Atoi(k)
			keys = append(keys, j)
		}
		sort.Ints(keys)
		for _, j := range keys {
			row(r.name, strconv.Itoa(j), r.by[strconv.Itoa(j)])
		}
		row(r.name, "all", r.overall)
	}
	return tw.Flush()
}
