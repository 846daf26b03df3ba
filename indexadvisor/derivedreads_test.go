package indexadvisor

import (
	"fmt"
	"slices"
	"testing"
)

// TestDerivedTableCandidates: a SELECT * over a flattened derived table
// reads the columns the derived table selects, not every column of its
// table (features: reads), so it gets the covering candidate its plain
// form gets. Before, it read all nine columns of flights and had none.
func TestDerivedTableCandidates(t *testing.T) {
	_, cat := flights(t)
	candidates := func(sql string) []string {
		a := testAdvisor(t, cat, sql)
		var out []string
		for _, ix := range a.candidates() {
			out = append(out, fmt.Sprint(ix.Table, ix.Columns))
		}
		slices.Sort(out)
		return out
	}
	plain := candidates("SELECT delay, distance FROM flights WHERE origin = 'SFO';")
	origin, delay, distance := cat.Schema.Tables[0].ColumnIndex("origin"), cat.Schema.Tables[0].ColumnIndex("delay"), cat.Schema.Tables[0].ColumnIndex("distance")
	cover := fmt.Sprint(0, []int{origin, delay, distance})
	if !slices.Contains(plain, cover) {
		t.Fatalf("the plain statement has no covering candidate %s: %v", cover, plain)
	}
	for _, sql := range []string{
		"SELECT * FROM (SELECT delay, distance FROM flights WHERE origin = 'SFO') d;",
		"SELECT d.* FROM (SELECT f.delay, f.distance FROM flights f WHERE f.origin = 'SFO') d;",
	} {
		if got := candidates(sql); !slices.Equal(got, plain) {
			t.Errorf("%s\n candidates %v\nwant (as the plain statement) %v", sql, got, plain)
		}
	}
}
