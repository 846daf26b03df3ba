package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/cardinaldb/cardinal/estimator"
)

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteMarkdown writes the side-by-side tables: q-error quantiles of
// single-table and join queries and out of distribution, with the band
// coverage (share of true counts inside [Low, High], documented as a 90%
// band) and median band width (High/Low), then latency, training time and
// model size per estimator.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Data set `%s` (largest table %d rows): trained on %d queries (%d examples with sub-plans), "+
		"tested on %d never-seen queries (fresh seed, 0-%d joins) and %d out-of-distribution queries with %d joins.\n\n",
		r.Dataset, r.FactRows, r.TrainQueries+r.ShapeTrainQueries, r.TrainExamples, r.TestQueries, r.OODJoins-1, r.OODQueries, r.OODJoins)
	section := func(title string, get func(ModelResult) estimator.QErrorSummary) {
		fmt.Fprintf(&b, "%s\n\n| model | n | median | p90 | p95 | p99 | max | coverage | band width |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n", title)
		for _, res := range r.Results {
			s := get(res)
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %.0f%% | %s |\n", res.Model, s.N, num(s.Median), num(s.P90), num(s.P95), num(s.P99), num(s.Max),
				100*s.Coverage, num(s.BandWidth))
		}
		b.WriteString("\n")
	}
	section("Single-table queries (q-error)", func(m ModelResult) estimator.QErrorSummary { return m.Single })
	section("Join queries (q-error)", func(m ModelResult) estimator.QErrorSummary { return m.Joins })
	if len(r.Results) > 0 && r.Results[0].Shared.N > 0 {
		section("Joins through a shared dimension or a many-to-many key, a subset of the joins (q-error)",
			func(m ModelResult) estimator.QErrorSummary { return m.Shared })
	}
	if r.OODQueries > 0 {
		section(fmt.Sprintf("Out of distribution: %d joins, one more than any training query (q-error)", r.OODJoins),
			func(m ModelResult) estimator.QErrorSummary { return m.OOD })
	}
	empty := func(title string, get func(ModelResult) estimator.QErrorSummary) {
		if len(r.Results) == 0 || get(r.Results[0]).Empty == 0 {
			return
		}
		fmt.Fprintf(&b, "%s: %d with a true count of 0, estimated at <= %d rows by", title, get(r.Results[0]).Empty, estimator.EmptyNearRows)
		for i, res := range r.Results {
			sep := ","
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(&b, "%s %s %.0f%%", sep, res.Model, 100*get(res).EmptyNear)
		}
		b.WriteString(".\n\n")
	}
	r.writeBands(&b)
	empty("Single-table queries", func(m ModelResult) estimator.QErrorSummary { return m.Single })
	empty("Join queries", func(m ModelResult) estimator.QErrorSummary { return m.Joins })
	r.writeGroups(&b)
	if r.ShapeQueries > 0 {
		section(fmt.Sprintf("Outer, semi and anti joins: %d never-seen queries with a LEFT JOIN, EXISTS / IN or NOT EXISTS / NOT IN (q-error)", r.ShapeQueries),
			func(m ModelResult) estimator.QErrorSummary { return m.Shapes })
	}
	b.WriteString("| model | estimate (median, µs) | training (s) | model file (bytes) |\n|---|---:|---:|---:|\n")
	for _, res := range r.Results {
		fmt.Fprintf(&b, "| %s | %.1f | %.2f | %d |\n", res.Model, res.EstimateMicros, res.TrainSeconds, res.ModelBytes)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// num formats a q-error compactly: two decimals below 100, integers above.
func num(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
