package estimator

import (
	"math/rand/v2"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// TestGroupsPairSketch: GROUP BY a, b over a table whose catalog sample
// is small. Without sketches the distinct pairs come from GEE on the
// sample, capped by Distinct(a)·Distinct(b); with the catalog's pair
// sketch (catalog.Sketch) they are capped by the sketch's count, close to
// the exact one.
func TestGroupsPairSketch(t *testing.T) {
	s, err := catalog.ParseSchema("CREATE TABLE t (id INT PRIMARY KEY, a INT NOT NULL, b INT NOT NULL);")
	if err != nil {
		t.Fatal(err)
	}
	db := datasets.NewDB(s)
	rng := rand.New(rand.NewPCG(3, 4))
	const n, combos = 60_000, 2_000
	exact := map[[2]int64]bool{}
	for r := range n {
		c := int64(rng.IntN(combos))
		a, b := c%300, (c*7919)%211
		exact[[2]int64{a, b}] = true
		if err := db.Tables[0].AppendRow([]catalog.Datum{catalog.Int(int64(r)), catalog.Int(a), catalog.Int(b)}); err != nil {
			t.Fatal(err)
		}
	}
	q, err := features.NewParser().Parse(s, "SELECT a, b FROM t GROUP BY a, b")
	if err != nil {
		t.Fatal(err)
	}
	want := float64(len(exact))
	qe := map[bool]float64{}
	for _, sketches := range []bool{false, true} {
		cat, err := db.Catalog(catalog.StatsOptions{SampleSize: 300, SketchRows: 1, NoSketches: !sketches}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := cat.Stats[0].Sketch(1, 2) != nil; got != sketches {
			t.Fatalf("sketches %v: pair sketch present %v", sketches, got)
		}
		g, err := NewDistinctGroups(cat, nil).EstimateGroups(q)
		if err != nil {
			t.Fatal(err)
		}
		qe[sketches] = QError(g.Groups, want)
		t.Logf("sketches %v: %.0f groups, exact %.0f (q-error %.2f)", sketches, g.Groups, want, qe[sketches])
	}
	if qe[true] > 1.15 || qe[true] >= qe[false] {
		t.Errorf("with the pair sketch q-error %.2f (want <= 1.15 and below %.2f without)", qe[true], qe[false])
	}
}
