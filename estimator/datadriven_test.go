package estimator

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/features"
	"github.com/cockroachdb/datadriven"
)

// TestEstimateDataDriven runs testdata/estimate: every stage of a GBDT
// estimate, for the small fixed model of testdata/flights-small.model
// (flights data), so that a change to estimation shows as a readable diff.
//
//	estimate [subplans]
//	<SQL>
//	----
//	baseline: the figures the learned correction starts from
//	features: the encoded features that differ from the blank encoding
//	estimate: rows and band
//	explanation: Explain's rendering
//
// With subplans, each connected sub-plan's baseline and estimate follow.
// Regenerate with go test ./estimator -run TestEstimateDataDriven -rewrite.
func TestEstimateDataDriven(t *testing.T) {
	data, err := os.ReadFile(goldenModel)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(bytes.NewReader(data), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g := m.(*GBDT)
	datadriven.RunTest(t, "testdata/estimate", func(t *testing.T, td *datadriven.TestData) string {
		if td.Cmd != "estimate" {
			t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
		}
		q, err := features.Parse(g.cat.Schema, td.Input)
		if err != nil {
			return "error: " + err.Error()
		}
		var b strings.Builder
		p := g.prepare(q)
		x := make([]float64, g.enc.nfeat)
		est, in, corr := g.estimateMask(p, q.FullMask(), x)
		g.release(p)
		b.WriteString(renderInputs("baseline", in))
		if !in.exact {
			b.WriteString("features:\n")
			for f, v := range x {
				if v != g.enc.blank[f] {
					fmt.Fprintf(&b, "  %s = %.4g\n", g.enc.featureName(f), v)
				}
			}
			fmt.Fprintf(&b, "correction: %.4g (log)\n", corr)
		}
		fmt.Fprintf(&b, "estimate: rows %.6g low %.6g high %.6g\n", est.Rows, est.Low, est.High)
		if e, err := g.Estimate(q); err != nil || e != est {
			t.Errorf("%s: Estimate = %+v, %v; the staged estimate %+v", td.Pos, e, err, est)
		}
		ex, err := Explain(g, q)
		if err != nil {
			t.Fatalf("%s: %v", td.Pos, err)
		}
		b.WriteString("explanation:\n")
		for _, line := range strings.Split(strings.TrimRight(ex.String(), "\n"), "\n") {
			b.WriteString("  " + line + "\n")
		}
		if td.HasArg("subplans") {
			masks, err := q.ConnectedSubsets(0)
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString("subplans:\n")
			for _, mask := range masks {
				p := g.prepare(q)
				e, in, _ := g.estimateMask(p, mask, x)
				g.release(p)
				fmt.Fprintf(&b, "  %s: rows %.6g low %.6g high %.6g; %s", strings.Join(q.Aliases(mask), ","), e.Rows, e.Low, e.High, renderInputs("baseline", in))
			}
		}
		return b.String()
	})
}

// renderInputs renders the baseline figures of one sub-plan on one line.
func renderInputs(label string, in subPlanInputs) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %.6g (%s); histogram %.6g, textbook %.6g, join sample %.6g (support %d",
		label, in.base, in.baseSource, in.hist, in.textbook, in.joinSample, in.support)
	if in.synopsis {
		b.WriteString(", join synopsis")
	}
	fmt.Fprintf(&b, "), joins %d", in.joins)
	if in.exact {
		b.WriteString(", exact")
	}
	if in.ood {
		b.WriteString(", out of distribution")
	}
	b.WriteString("\n")
	return b.String()
}
