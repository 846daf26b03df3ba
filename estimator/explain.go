package estimator

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/cardinaldb/cardinal/features"
)

// maxContributions is the number of features an Explanation lists.
const maxContributions = 8

// Contribution is how much one feature moved the learned correction:
// Factor multiplies the rows (2 doubles them, 0.5 halves them).
type Contribution struct {
	Feature string
	Factor  float64
}

// Explanation says where an estimate came from: Rows = Baseline *
// Correction, the correction being Bias times the product of every
// feature's factor (Saabas tree-path attribution: each split on a query's
// path credits its feature with the change of the node value; Saabas,
// "Interpreting random forests", 2014). Contributions lists the largest.
type Explanation struct {
	Model             string
	Rows              float64
	Baseline          float64
	BaselineSource    string
	Histogram         float64 // the histogram baseline's figure
	Correction        float64
	Bias              float64 // the part of the correction no feature explains
	Exact             bool    // every table fully sampled: the estimate is exact
	OutOfDistribution bool
	// Shrink is the factor the correction's log was scaled by for the
	// precision of a baseline the samples counted (1 for none; shrink.go).
	Shrink        float64
	Contributions []Contribution
}

// Explain explains m's estimate of q. Baseline estimators explain
// themselves as a baseline with no correction.
func Explain(m Model, q *features.Query) (Explanation, error) {
	g, ok := m.(*GBDT)
	if ok && q != nil && len(q.Tables) > 0 && len(components(q)) > 1 {
		ok = false // a cross join: the product of the parts' estimates
	}
	if q.HasDerived() {
		ok = false // derived relations: derived.go's combination
	}
	if !ok {
		e, err := m.Estimate(q)
		if err != nil {
			return Explanation{}, err
		}
		return Explanation{Model: m.Name(), Rows: e.Rows, Baseline: e.Rows, BaselineSource: m.Name(),
			Histogram: e.Rows, Correction: 1, Bias: 1, Shrink: 1}, nil
	}
	q, err := canonicalQuery(g.cat, q)
	if err != nil {
		return Explanation{}, err
	}
	p := g.prepare(q)
	defer g.release(p)
	x := make([]float64, g.enc.nfeat)
	est, in, corr := g.estimateMask(p, q.FullMask(), x)
	est = capEstimate(est, tableProduct(g.cat, q, q.FullMask()))
	ex := Explanation{Model: g.Name(), Rows: est.Rows, Baseline: in.base, BaselineSource: in.baseSource,
		Histogram: math.Max(1, in.hist), Correction: 1, Bias: 1, Exact: in.exact, OutOfDistribution: in.ood, Shrink: 1}
	if in.exact {
		ex.Baseline, ex.BaselineSource = in.joinSample, "exact: the samples are whole tables"
		if in.baseSource == sourceContradiction {
			ex.BaselineSource = "exact: a filter no row satisfies"
		}
		return ex, nil
	}
	ex.Baseline = math.Max(1, in.base)
	ex.Correction = math.Exp(corr)
	contrib := make([]float64, g.enc.nfeat)
	g.ens.contributions(x, contrib)
	scale := 1.0
	if in.ood {
		scale = oodBlend
	}
	ex.Shrink = shrinkCorrection(1, in.sampled, g.shrinkTau)
	scale *= ex.Shrink
	ex.Bias = math.Exp(g.ens.rootSum() * scale)
	idx := make([]int, 0, len(contrib))
	for f, c := range contrib {
		if c != 0 {
			idx = append(idx, f)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return math.Abs(contrib[idx[a]]) > math.Abs(contrib[idx[b]]) })
	for _, f := range idx[:min(len(idx), maxContributions)] {
		ex.Contributions = append(ex.Contributions, Contribution{Feature: g.enc.featureName(f), Factor: math.Exp(contrib[f] * scale)})
	}
	return ex, nil
}

// String renders the explanation as a few lines of text.
func (e Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s estimate: %.0f rows\n", e.Model, e.Rows)
	fmt.Fprintf(&b, "  baseline (%s): %.0f rows; histogram baseline: %.0f rows\n", e.BaselineSource, e.Baseline, e.Histogram)
	if e.Exact {
		b.WriteString("  the baseline is exact: no learned correction\n")
		return b.String()
	}
	fmt.Fprintf(&b, "  learned correction: x%.3g (bias x%.3g)\n", e.Correction, e.Bias)
	if e.OutOfDistribution {
		b.WriteString("  out of distribution: correction halved toward the baseline\n")
	}
	if e.Shrink < 1 {
		fmt.Fprintf(&b, "  sampled baseline: correction's log scaled by %.3g for its precision\n", e.Shrink)
	}
	for _, c := range e.Contributions {
		fmt.Fprintf(&b, "    %-48s x%.3g\n", c.Feature, c.Factor)
	}
	return b.String()
}
