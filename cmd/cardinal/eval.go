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
// catalog and (with --dsn) of the server's own optimizer, overall and by
// number of joins.
type evalReport struct {
	Model     string                             `json:"model"`
	Queries   int                                `json:"queries"`
	Overall   estimator.QErrorSummary            `json:"overall"`
	ByJoins   map[string]estimator.QErrorSummary `json:"by_joins"`
	Histogram evalScores                         `json:"histogram"`
	Baselines []evalBaseline                     `json:"baselines,omitempty"`
}

// evalScores are the q-errors of one estimator.
type evalScores struct {
	Overall estimator.QErrorSummary            `json:"overall"`
	ByJoins map[string]estimator.QErrorSummary `json:"by_joins"`
}

// evalBaseline is an estimator outside the model file (the server's).
type evalBaseline struct {
	Name string `json:"name"`
	evalScores
}

// runEval prints q-error quantiles of a model on a labelled query log,
// beside the histogram baseline and, with --dsn, the server's optimizer.
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", stdout)
	modelPath := fs.String("model", "", "model file from 'cardinal train'")
	logPath := fs.String("log", "", "labelled query log (JSON Lines) of never-seen queries")
	format := formatFlag(fs.FlagSet)
	subplans := fs.Bool("subplans", false, "also score every labelled sub-plan")
	dsn := fs.String("dsn", "", "also score this server's own estimates (EXPLAIN FORMAT=JSON) on the same queries")
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
	if len(ex) == 0 {
		return fmt.Errorf("%s: %w", *logPath, errEmptyLog)
	}
	ests := []estimator.ContextEstimator{estimator.WithContext(m), estimator.WithContext(estimator.NewHistogram(cat))}
	if *dsn != "" {
		srv, err := openServer(ctx, *dsn, stderr)
		if err != nil {
			return err
		}
		defer srv.close()
		ests = append(ests, srv.explain)
	}
	rep := evalReport{Model: m.Name(), Queries: len(ex)}
	for i, est := range ests {
		s, err := score(ctx, est, ex)
		if err != nil {
			return err
		}
		switch i {
		case 0:
			rep.Overall, rep.ByJoins = s.Overall, s.ByJoins
		case 1:
			rep.Histogram = s
		default:
			rep.Baselines = append(rep.Baselines, evalBaseline{est.Name(), s})
		}
	}
	return writeDoc(stdout, *format, rep, rep.writeText)
}

// score is the q-errors of est on the examples, overall and by joins.
func score(ctx context.Context, est estimator.ContextEstimator, ex []estimator.Example) (evalScores, error) {
	var all []estimator.Estimate
	var truths []float64
	type joinSet struct {
		ests   []estimator.Estimate
		truths []float64
	}
	by := map[int]*joinSet{}
	for _, e := range ex {
		got, err := est.EstimateContext(ctx, e.Query)
		if err != nil {
			return evalScores{}, fmt.Errorf("%s: %s: %w", est.Name(), e.Query.SQL(), err)
		}
		all, truths = append(all, got), append(truths, e.Rows)
		j := len(e.Query.Tables) - 1
		if by[j] == nil {
			by[j] = &joinSet{}
		}
		by[j].ests, by[j].truths = append(by[j].ests, got), append(by[j].truths, e.Rows)
	}
	out := evalScores{Overall: estimator.Summarize(all, truths), ByJoins: map[string]estimator.QErrorSummary{}}
	for j, s := range by {
		out.ByJoins[strconv.Itoa(j)] = estimator.Summarize(s.ests, s.truths)
	}
	return out, nil
}

// writeText writes the q-error table: one row per estimator and join count.
func (rep *evalReport) writeText(stdout io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "model\tjoins\tN\tmedian\tp90\tp95\tp99\tmax\tmean\tcoverage\tband width\t\n")
	row := func(name, joins string, s estimator.QErrorSummary) {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.3g\t%.3g\t%.3g\t%.3g\t%.3g\t%.3g\t%.0f%%\t%.3g\t\n", name, joins, s.N, s.Median, s.P90, s.P95, s.P99, s.Max, s.Mean,
			100*s.Coverage, s.BandWidth)
	}
	type named struct {
		name string
		evalScores
	}
	all := []named{{rep.Model, evalScores{rep.Overall, rep.ByJoins}}, {"histogram", rep.Histogram}}
	for _, b := range rep.Baselines {
		all = append(all, named{b.Name, b.evalScores})
	}
	for _, r := range all {
		keys := make([]int, 0, len(r.ByJoins))
		for k := range r.ByJoins {
			j, _ := strconv.Atoi(k)
			keys = append(keys, j)
		}
		sort.Ints(keys)
		for _, j := range keys {
			row(r.name, strconv.Itoa(j), r.ByJoins[strconv.Itoa(j)])
		}
		row(r.name, "all", r.Overall)
	}
	return tw.Flush()
}
