package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
)

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

// estimateLine is one output object of 'cardinal estimate --format jsonl'.
type estimateLine struct {
	SQL     string   `json:"sql"`
	Rows    *float64 `json:"rows,omitempty"`
	Low     *float64 `json:"low,omitempty"`
	High    *float64 `json:"high,omitempty"`
	Source  string   `json:"source,omitempty"`
	Error   string   `json:"error,omitempty"`
	Line    int      `json:"line,omitempty"`
	Explain string   `json:"explain,omitempty"`
}

// runEstimate estimates queries with a trained model:
//
//	cardinal estimate --model m.model "SELECT ..."
//	cardinal estimate --model m.model --in queries.sql --format jsonl
//
// Input lines are SQL statements, or query-log records ({"sql": ...}); blank
// lines and lines starting with '#' or '--' are skipped. A query that fails
// to parse gives {"sql", "error"} and the run goes on.
func runEstimate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("estimate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelPath := fs.String("model", "", "model file from 'cardinal train'")
	in := fs.String("in", "", "file of queries, one per line ('-' for stdin)")
	format := fs.String("format", "text", "output: text or jsonl")
	explain := fs.Bool("explain", false, "also explain each estimate (baseline, correction, top features)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *modelPath == "" || (*in == "" && fs.NArg() == 0) || (*in != "" && fs.NArg() != 0) {
		return fmt.Errorf("%w: cardinal estimate --model FILE (\"SELECT ...\" | --in FILE) [--format text|jsonl]", errUsage)
	}
	if *format != "text" && *format != "jsonl" {
		return fmt.Errorf("%w: --format %q (want text or jsonl)", errUsage, *format)
	}
	m, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	schema := estimator.CatalogOf(m).Schema
	parser := features.NewParser()
	bw := bufio.NewWriter(stdout)
	defer bw.Flush()
	enc := json.NewEncoder(bw)
	failures := 0
	// write prints one result, or one failure (Error set), in the format.
	write := func(out estimateLine) error {
		if out.Error != "" {
			failures++
		}
		if *format == "jsonl" {
			return enc.Encode(out)
		}
		if out.Error != "" {
			where := ""
			if out.Line > 0 {
				where = fmt.Sprintf("line %d: ", out.Line)
			}
			_, err := fmt.Fprintf(bw, "error\t%s%s\t%s\n", where, out.Error, out.SQL)
			return err
		}
		if _, err := fmt.Fprintf(bw, "%.0f\t[%.0f, %.0f]\t%s\t%s\n", *out.Rows, *out.Low, *out.High, out.Source, out.SQL); err != nil {
			return err
		}
		if out.Explain != "" {
			_, err := fmt.Fprint(bw, indent(out.Explain))
			return err
		}
		return nil
	}
	one := func(sql string, line int) error {
		out := estimateLine{SQL: sql, Line: line}
		q, err := parser.Parse(schema, sql)
		var e estimator.Estimate
		if err == nil {
			e, err = m.Estimate(q)
		}
		if err == nil && *explain {
			var ex estimator.Explanation
			if ex, err = estimator.Explain(m, q); err == nil {
				out.Explain = ex.String()
			}
		}
		if err != nil {
			out.Error = err.Error()
		} else {
			out.Rows, out.Low, out.High, out.Source = &e.Rows, &e.Low, &e.High, e.Source
		}
		return write(out)
	}
	if *in == "" {
		for _, sql := range fs.Args() {
			if err := one(sql, 0); err != nil {
				return err
			}
		}
	} else {
		r := io.Reader(os.Stdin)
		if *in != "-" {
			f, err := os.Open(*in)
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for line := 1; sc.Scan(); line++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			text := strings.TrimSpace(sc.Text())
			if text == "" || strings.HasPrefix(text, "#") || strings.HasPrefix(text, "--") {
				continue
			}
			if strings.HasPrefix(text, "{") {
				var rec struct {
					SQL string `json:"sql"`
				}
				if err := json.Unmarshal([]byte(text), &rec); err != nil || rec.SQL == "" {
					if err == nil {
						err = fmt.Errorf("no \"sql\" field")
					}
					if werr := write(estimateLine{SQL: text, Line: line, Error: "bad JSON record: " + err.Error()}); werr != nil {
						return werr
					}
					continue
				}
				text = rec.SQL
			}
			if err := one(text, line); err != nil {
				return err
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("%s: %w", *in, err)
		}
	}
	if failures > 0 {
		fmt.Fprintf(stderr, "%d queries could not be estimated\n", failures)
	}
	return nil
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("    ")
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}
