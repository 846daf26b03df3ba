package bench

import (
	"fmt"
	"strings"

	"github.com/cardinaldb/cardinal/estimator"
)

// BandSummary is the band coverage of one estimator on the test queries
// of one join count (issue 12: 88-95% at every join count in
// distribution, at least 80% out of distribution).
type BandSummary struct {
	Joins int `json:"joins"`
	N     int `json:"n"`
	// Coverage is the share of true counts inside [Low, High] and
	// BandWidth the median High/Low (estimator.Summarize).
	Coverage  float64 `json:"coverage"`
	BandWidth float64 `json:"band_width"`
}

// measureBands fills res.Bands from the estimates of the test queries
// (by join count) and of the out-of-distribution ones (their one join
// count), in the order of the workloads' queries.
func (res *ModelResult) measureBands(testEsts []estimator.Estimate, test labelled, oodEsts []estimator.Estimate, ood labelled) {
	res.Bands = nil
	for k, w := range []labelled{test, ood} {
		got := [][]estimator.Estimate{testEsts, oodEsts}[k]
		ests, truths := map[int][]estimator.Estimate{}, map[int][]float64{}
		maxJ := -1
		for i, q := range w.queries {
			j := len(q.Tables) - 1
			ests[j], truths[j] = append(ests[j], got[i]), append(truths[j], w.rows[i])
			maxJ = max(maxJ, j)
		}
		for j := 0; j <= maxJ; j++ {
			if len(ests[j]) == 0 {
				continue
			}
			s := estimator.Summarize(ests[j], truths[j])
			res.Bands = append(res.Bands, BandSummary{Joins: j, N: s.N, Coverage: s.Coverage, BandWidth: s.BandWidth})
		}
	}
}

// writeBands writes the band coverage by join count: one row per model,
// one column per join count (the out-of-distribution one last), each
// "coverage% (median width)".
func (r *Report) writeBands(b *strings.Builder) {
	if len(r.Results) == 0 || len(r.Results[0].Bands) == 0 {
		return
	}
	cols := r.Results[0].Bands
	b.WriteString("Band coverage by join count (share of true counts inside [Low, High]; median band width High/Low in parentheses)\n\n| model |")
	for k, c := range cols {
		label := fmt.Sprintf(" %d joins |", c.Joins)
		if r.OODQueries > 0 && k == len(cols)-1 && c.Joins == r.OODJoins {
			label = fmt.Sprintf(" %d joins (OOD) |", c.Joins)
		}
		b.WriteString(label)
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(cols)) + "\n")
	for _, res := range r.Results {
		fmt.Fprintf(b, "| %s |", res.Model)
		for k := range cols {
			if k < len(res.Bands) {
				s := res.Bands[k]
				fmt.Fprintf(b, " %.0f%% (%s) |", 100*s.Coverage, num(s.BandWidth))
			} else {
				b.WriteString(" |")
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}
