package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cardinaldb/cardinal/estimator"
)

// errEstimate is returned by estimate when a statement could not be
// estimated (exit code 1; --keep-going goes on past it).
var errEstimate = errors.New("statements could not be estimated")

// loadModel reads a model file.
func loadModel(path string) (estimator.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := estimator.Load(bufio.NewReader(f), nil, estimator.LoadOptions{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// estimateResult is one result of 'cardinal estimate' (docs/json.md).
type estimateResult struct {
	SQL     string       `json:"sql"`
	Line    int          `json:"line,omitempty"` // --in: where the statement starts
	Rows    *float64     `json:"rows,omitempty"`
	Low     *float64     `json:"low,omitempty"`
	High    *float64     `json:"high,omitempty"`
	Source  string       `json:"source,omitempty"`
	Counted string       `json:"counted,omitempty"`
	Groups  *groupsJSON  `json:"groups,omitempty"`
	Explain *explainJSON `json:"explain,omitempty"`
	Error   string       `json:"error,omitempty"`
}

// explainJSON is estimator.Explanation in snake_case.
type explainJSON struct {
	Model             string             `json:"model"`
	Rows              float64            `json:"rows"`
	Baseline          float64            `json:"baseline"`
	BaselineSource    string             `json:"baseline_source"`
	Histogram         float64            `json:"histogram"`
	Correction        float64            `json:"correction"`
	Bias              float64            `json:"bias"`
	Exact             bool               `json:"exact,omitempty"`
	OutOfDistribution bool               `json:"out_of_distribution,omitempty"`
	Shrink            float64            `json:"shrink"`
	Contributions     []contributionJSON `json:"contributions,omitempty"`
	text              string
}

type contributionJSON struct {
	Feature string  `json:"feature"`
	Factor  float64 `json:"factor"`
}

func toExplainJSON(ex estimator.Explanation) *explainJSON {
	out := &explainJSON{Model: ex.Model, Rows: ex.Rows, Baseline: ex.Baseline, BaselineSource: ex.BaselineSource,
		Histogram: ex.Histogram, Correction: ex.Correction, Bias: ex.Bias, Exact: ex.Exact,
		OutOfDistribution: ex.OutOfDistribution, Shrink: ex.Shrink, text: ex.String()}
	for _, c := range ex.Contributions {
		out.Contributions = append(out.Contributions, contributionJSON{c.Feature, c.Factor})
	}
	return out
}

// runEstimate estimates queries with a trained model, writing each result
// as soon as it is estimated.
func runEstimate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("estimate", stdout)
	modelPath := fs.String("model", "", "model file from 'cardinal train'")
	in := fs.String("in", "", "file of ';'-terminated statements or query-log records ('-' for stdin)")
	format := formatFlag(fs.FlagSet)
	explain := fs.Bool("explain", false, "also explain each estimate (baseline, correction, top features)")
	keepGoing := fs.Bool("keep-going", false, "go on past statements that cannot be estimated (and exit 0)")
	now := nowFlag(fs.FlagSet)
	if err := fs.parse(args); err != nil {
		return err
	}
	switch {
	case *modelPath == "":
		return usagef("no --model FILE")
	case *in == "" && fs.NArg() == 0:
		return usagef("no statements: give \"SELECT ...\" arguments or --in FILE")
	case *in != "" && fs.NArg() != 0:
		return usagef("give statements as arguments or with --in, not both")
	}
	var r io.Reader
	if *in == "-" {
		r = os.Stdin
	} else if *in != "" {
		f, err := os.Open(*in)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	m, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	schema := estimator.CatalogOf(m).Schema
	parser := now.parser()
	out := newStream(stdout, *format)
	failures := 0
	var groupsEst estimator.GroupEstimator // built on the first grouping query
	// one estimates one statement and writes its result; a statement that
	// cannot be estimated is written as an error result and counted.
	one := func(st stmtAt) error {
		res := estimateResult{SQL: st.sql, Line: st.line}
		err := func() error {
			if st.json {
				var rec struct {
					SQL string `json:"sql"`
				}
				if err := json.Unmarshal([]byte(st.sql), &rec); err != nil {
					return fmt.Errorf("bad query-log record: %w", err)
				}
				if rec.SQL == "" {
					return errors.New(`bad query-log record: no "sql" field`)
				}
				res.SQL = rec.SQL
			}
			q, err := parser.Parse(schema, res.SQL)
			if err != nil {
				return err
			}
			e, err := m.Estimate(q)
			if err != nil {
				return err
			}
			res.Rows, res.Low, res.High, res.Source = &e.Rows, &e.Low, &e.High, e.Source
			res.Counted = countedWhat(q)
			if q.Grouped() {
				if groupsEst == nil {
					groupsEst = estimator.Groups(m)
				}
				if res.Groups, err = estimateGroups(groupsEst, q); err != nil {
					return err
				}
			}
			if *explain {
				ex, err := estimator.Explain(m, q)
				if err != nil {
					return err
				}
				res.Explain = toExplainJSON(ex)
			}
			return nil
		}()
		if err != nil {
			failures++
			res.Error = err.Error()
		}
		if werr := out.write(res, func(w io.Writer) error { return res.writeText(w) }); werr != nil {
			return werr
		}
		if err != nil && !*keepGoing {
			where := ""
			if st.line > 0 {
				where = fmt.Sprintf("%s:%d: ", *in, st.line)
			}
			return fmt.Errorf("%w: %s%w", errEstimate, where, err)
		}
		return nil
	}
	err = func() error {
		if r == nil {
			for _, sql := range fs.Args() {
				if err := one(stmtAt{sql: sql}); err != nil {
					return err
				}
			}
			return nil
		}
		sr := newStatementReader(r)
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			st, err := sr.next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", *in, err)
			}
			if err := one(st); err != nil {
				return err
			}
		}
	}()
	if cerr := out.close(); err == nil {
		err = cerr
	}
	if err == nil && failures > 0 {
		fmt.Fprintf(stderr, "%d statements could not be estimated (--keep-going)\n", failures)
	}
	return err
}

// writeText writes a result as one tab-separated line (rows, band, source,
// SQL), or "error", the reason and the SQL; a grouping query's estimated
// groups and an explanation follow indented.
func (r *estimateResult) writeText(w io.Writer) error {
	if r.Error != "" {
		where := ""
		if r.Line > 0 {
			where = fmt.Sprintf("line %d: ", r.Line)
		}
		_, err := fmt.Fprintf(w, "error\t%s%s\t%s\n", where, r.Error, oneLine(r.SQL))
		return err
	}
	if _, err := fmt.Fprintf(w, "%.0f\t[%.0f, %.0f]\t%s\t%s\n", *r.Rows, *r.Low, *r.High, r.Source, oneLine(r.SQL)); err != nil {
		return err
	}
	if g := r.Groups; g != nil {
		if _, err := fmt.Fprintf(w, "    groups %.0f\t[%.0f, %.0f]\t%s\t(the rows above are FROM + WHERE)\n", g.Groups, g.Low, g.High, g.Source); err != nil {
			return err
		}
	}
	if r.Explain != nil {
		_, err := fmt.Fprint(w, indent(r.Explain.text))
		return err
	}
	return nil
}

// oneLine folds a statement that spans lines onto one line.
func oneLine(sql string) string {
	return strings.Join(strings.Fields(sql), " ")
}

func indent(s string) string {
	return indentBy(s, "    ") + "\n"
}
