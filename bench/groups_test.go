package bench

import (
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/estimator"
)

// TestRunGroups checks the GROUP BY section: the distinct-value baseline
// over the histogram and the learned group model are scored on the same
// never-seen grouped queries, and the Markdown has the section.
func TestRunGroups(t *testing.T) {
	rep := smallRun(t, []string{estimator.KindHistogram})
	g := rep.Groups
	if g == nil || g.TrainQueries != 80 || g.TestQueries != 20 || len(g.Results) != 2 {
		t.Fatalf("groups section %+v", g)
	}
	if g.Results[0].Model != "histogram+ndv" || g.Results[1].Model != "histogram+groups" || g.Results[1].TrainSeconds <= 0 {
		t.Errorf("group models %+v", g.Results)
	}
	for _, r := range g.Results {
		if r.All.N != g.TestQueries || r.All.Median < 1 || r.Having.N == 0 || r.Having.N >= r.All.N {
			t.Errorf("%s: %+v", r.Model, r)
		}
	}
	var b strings.Builder
	if err := rep.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "GROUP BY / DISTINCT / HAVING output groups") || !strings.Contains(b.String(), "| histogram+groups |") {
		t.Errorf("markdown lacks the GROUP BY section:\n%s", b.String())
	}
}
