package engine_test

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// bruteForce counts the occurrences in mask of q by nested loops over every
// combination of rows: each occurrence's rows are filtered with
// features.Expr.Eval (a row passes only when TRUE), and each join predicate
// is checked as soon as both of its sides are bound (NULL never joins).
// It shares no code with the engine.
func bruteForce(t testing.TB, db *datasets.DB, q *features.Query, mask uint64) int64 {
	t.Helper()
	// Bind occurrences in breadth-first order along the joins, so that
	// each join predicate prunes as early as possible (any order gives the
	// same count).
	var occs []int
	var inOrder uint64
	for i := range q.Tables {
		if mask&(1<<uint(i)) == 0 || inOrder&(1<<uint(i)) != 0 {
			continue
		}
		occs = append(occs, i)
		inOrder |= 1 << uint(i)
		for k := len(occs) - 1; k < len(occs); k++ {
			for _, j := range q.Joins {
				for _, pair := range [][2]int{{j.Left, j.Right}, {j.Right, j.Left}} {
					if pair[0] == occs[k] && mask&(1<<uint(pair[1])) != 0 && inOrder&(1<<uint(pair[1])) == 0 {
						occs = append(occs, pair[1])
						inOrder |= 1 << uint(pair[1])
					}
				}
			}
		}
	}
	tabs := make([]*datasets.Table, len(q.Tables))
	cand := make([][]int, len(q.Tables))
	for _, i := range occs {
		ref := q.Tables[i]
		tab := db.Table(q.Schema.Tables[ref.Table].Name)
		if tab == nil {
			t.Fatalf("no table %s", q.Schema.Tables[ref.Table].Name)
		}
		tabs[i] = tab
		for r := 0; r < tab.Rows; r++ {
			if ref.Filter == nil || ref.Filter.Eval(func(c int) catalog.Datum { return tab.Cols[c].Datum(r) }) == features.True {
				cand[i] = append(cand[i], r)
			}
		}
	}
	bound := make([]int, len(q.Tables))
	var rec func(k int) int64
	rec = func(k int) int64 {
		if k == len(occs) {
			if !residualsPass(q, mask, tabs, bound) {
				return 0
			}
			return 1
		}
		i := occs[k]
		var n int64
	rows:
		for _, r := range cand[i] {
			bound[i] = r
			for _, j := range q.Joins {
				if mask&(1<<uint(j.Left)) == 0 || mask&(1<<uint(j.Right)) == 0 {
					continue
				}
				if (j.Left != i && j.Right != i) || !boundBefore(occs, k, j.Left) || !boundBefore(occs, k, j.Right) {
					continue
				}
				l := tabs[j.Left].Cols[j.LeftCol].Datum(bound[j.Left])
				rv := tabs[j.Right].Cols[j.RightCol].Datum(bound[j.Right])
				if l.IsNull() || rv.IsNull() || catalog.Compare(l, rv) != 0 {
					continue rows
				}
			}
			n += rec(k + 1)
		}
		return n
	}
	return rec(0)
}

// residualsPass evaluates the residual filters whose occurrences are all
// in mask on the bound rows: some term of each has every filter TRUE.
func residualsPass(q *features.Query, mask uint64, tabs []*datasets.Table, bound []int) bool {
	for _, r := range q.Residuals {
		if r.Mask()&^mask != 0 {
			continue
		}
		pass := false
		for _, t := range r.Terms {
			all := true
			for _, f := range t {
				row := func(c int) catalog.Datum { return tabs[f.Table].Cols[c].Datum(bound[f.Table]) }
				if f.Filter.Eval(row) != features.True {
					all = false
					break
				}
			}
			if all {
				pass = true
				break
			}
		}
		if !pass {
			return false
		}
	}
	return true
}

// boundBefore reports whether occurrence x is among occs[:k+1].
func boundBefore(occs []int, k, x int) bool {
	for _, o := range occs[:k+1] {
		if o == x {
			return true
		}
	}
	return false
}

// bruteConnected lists the connected subsets of q's occurrences by brute
// force over all masks.
func bruteConnected(q *features.Query) []uint64 {
	n := len(q.Tables)
	var out []uint64
	for m := uint64(1); m < 1<<uint(n); m++ {
		start := uint64(1) << uint(bits.TrailingZeros64(m))
		reach := start
		for changed := true; changed; {
			changed = false
			for _, j := range q.Joins {
				l, r := uint64(1)<<uint(j.Left), uint64(1)<<uint(j.Right)
				if m&l != 0 && m&r != 0 && (reach&l != 0) != (reach&r != 0) {
					reach |= l | r
					changed = true
				}
			}
		}
		if reach == m {
			out = append(out, m)
		}
	}
	return out
}

// smallFlights is the flights data cut down for brute force: the first
// nFlights flights, the airports they use plus every airport sharing a
// (city, state) with one of them, and the routes between airports the
// flights use.
func smallFlights(t testing.TB, nFlights int) *datasets.DB {
	t.Helper()
	full := testutil.Flights(t)
	db := datasets.NewDB(full.Schema)
	fl, ap, rt := full.Table("flights"), full.Table("airports"), full.Table("routes")
	used := map[string]bool{}
	var row []catalog.Datum
	for i := 0; i < nFlights && i < fl.Rows; i++ {
		row = fl.Row(i, row)
		testutil.Must(t, db.Table("flights").AppendRow(row))
		used[row[7].S], used[row[8].S] = true, true
	}
	cities := map[[2]string]bool{}
	for i := 0; i < ap.Rows; i++ {
		if used[ap.Cols[0].Datum(i).S] {
			cities[[2]string{ap.Cols[2].Datum(i).S, ap.Cols[3].Datum(i).S}] = true
		}
	}
	for i := 0; i < ap.Rows; i++ {
		row = ap.Row(i, row)
		if used[row[0].S] || (!row[2].IsNull() && cities[[2]string{row[2].S, row[3].S}]) {
			testutil.Must(t, db.Table("airports").AppendRow(row))
		}
	}
	for i := 0; i < rt.Rows; i++ {
		row = rt.Row(i, row)
		if used[row[0].S] && used[row[1].S] {
			testutil.Must(t, db.Table("routes").AppendRow(row))
		}
	}
	return db
}

// checkQuery compares Count and CountSubPlans with brute force and returns
// a rendering of the counts.
func checkQuery(t *testing.T, c *engine.Counter, db *datasets.DB, q *features.Query, what string) string {
	t.Helper()
	ctx := context.Background()
	got, err := c.Count(ctx, q)
	if err != nil {
		t.Fatalf("%s: Count: %v", what, err)
	}
	full := uint64(1)<<uint(len(q.Tables)) - 1
	want := bruteForce(t, db, q, full)
	if got != want {
		t.Errorf("%s: engine.Count = %d, brute force %d", what, got, want)
	}
	out := fmt.Sprintf("rows %d\n", got)
	subs, err := c.CountSubPlans(ctx, q)
	if err != nil {
		t.Fatalf("%s: CountSubPlans: %v", what, err)
	}
	conn := bruteConnected(q)
	if len(subs) != len(conn) {
		t.Errorf("%s: %d sub-plans, want %d connected subsets", what, len(subs), len(conn))
	}
	seen := map[uint64]bool{}
	for _, s := range subs {
		if seen[s.Mask] {
			t.Errorf("%s: sub-plan %#x twice", what, s.Mask)
		}
		seen[s.Mask] = true
		if w := bruteForce(t, db, q, s.Mask); s.Rows != w {
			t.Errorf("%s: sub-plan %s = %d, brute force %d", what, aliases(q, s.Mask), s.Rows, w)
		}
		out += fmt.Sprintf("  %s %d\n", aliases(q, s.Mask), s.Rows)
	}
	return out
}

func aliases(q *features.Query, m uint64) string {
	s := ""
	for i, r := range q.Tables {
		if m&(1<<uint(i)) != 0 {
			if s != "" {
				s += ","
			}
			s += r.Alias
		}
	}
	return s
}

// TestHashedKeys checks the join-key encodings that intern values in a
// hash map (int keys spread too wide for a remap array, float keys, int
// joined with float; NULLs and -0 = +0) against bruteForce.
func TestHashedKeys(t *testing.T) {
	schema := &catalog.Schema{Tables: []*catalog.Table{
		{Name: "a", Columns: []catalog.Column{{Name: "k", Type: catalog.TypeInt, Nullable: true}, {Name: "f", Type: catalog.TypeFloat, Nullable: true}}},
		{Name: "b", Columns: []catalog.Column{{Name: "k", Type: catalog.TypeInt, Nullable: true}, {Name: "f", Type: catalog.TypeFloat, Nullable: true}}},
	}}
	const wide = 1 << 40 // key span far past maxRemapSpan
	negZero := math.Copysign(0, -1)
	db := &datasets.DB{Schema: schema, Tables: []*datasets.Table{
		{Def: schema.Tables[0], Rows: 6, Cols: []*datasets.Column{
			{Type: catalog.TypeInt, Ints: []int64{0, wide, wide, -wide, 3, 0}, Null: []bool{false, false, false, false, false, true}},
			{Type: catalog.TypeFloat, Floats: []float64{0, 1.5, 1.5, 3, 2.5, 0}, Null: []bool{false, false, false, false, false, true}},
		}},
		{Def: schema.Tables[1], Rows: 7, Cols: []*datasets.Column{
			{Type: catalog.TypeInt, Ints: []int64{wide, wide, 0, 7, -wide, 3, 0}, Null: []bool{false, false, false, false, false, false, true}},
			{Type: catalog.TypeFloat, Floats: []float64{negZero, 1.5, 3, 2.5, 2.5, 9, 0}, Null: []bool{false, false, false, false, false, false, true}},
		}},
	}}
	c := engine.New(db, engine.Options{})
	for _, tc := range []struct {
		sql  string
		want int64
	}{
		{"SELECT * FROM a JOIN b ON a.k = b.k", 7},               // wide ints: wide 2x2, 0, -wide, 3
		{"SELECT * FROM a JOIN b ON a.f = b.f", 6},               // floats: -0 = 0, 1.5 x2, 3, 2.5 x2
		{"SELECT * FROM a JOIN b ON a.k = b.f", 2},               // int = float: 0 = -0, 3 = 3
		{"SELECT * FROM a JOIN b ON a.k = b.k AND a.f = b.f", 2}, // composite: (wide, 1.5) x2
	} {
		q, err := features.Parse(schema, tc.sql)
		testutil.Must(t, err)
		got, err := c.Count(context.Background(), q)
		testutil.Must(t, err)
		if want := bruteForce(t, db, q, q.FullMask()); got != want || got != tc.want {
			t.Errorf("%s: got %d, brute force %d, want %d", tc.sql, got, want, tc.want)
		}
	}
}

// TestLongInLists checks IN lists longer than the per-row linear scan
// (string codes through a dictionary table, integers through a hash set)
// against brute force.
func TestLongInLists(t *testing.T) {
	db := smallFlights(t, 150)
	c := engine.New(db, engine.Options{})
	states := "'CA', 'TX', 'NY', 'FL', 'IL', 'GA', 'AZ', 'NV', 'WA', 'CO', 'UT'"
	for _, tc := range []struct {
		sql   string
		empty bool // NOT IN a list holding NULL is never TRUE
	}{
		{"SELECT * FROM airports WHERE state IN (" + states + ")", false},
		{"SELECT * FROM airports WHERE state NOT IN (" + states + ")", false},
		{"SELECT * FROM airports WHERE NOT state IN (" + states + ")", false},
		{"SELECT * FROM airports WHERE state NOT IN (" + states + ", NULL)", true},
		{"SELECT * FROM flights f JOIN airports a ON f.origin = a.iata WHERE a.state IN (" + states + ") AND f.hour IN (6, 7, 8, 9, 10, 11, 12, 13, 14)", false},
	} {
		q, err := features.Parse(db.Schema, tc.sql)
		testutil.Must(t, err)
		got, err := c.Count(context.Background(), q)
		testutil.Must(t, err)
		if want := bruteForce(t, db, q, q.FullMask()); got != want || (want == 0) != tc.empty {
			t.Errorf("%s: got %d, brute force %d, empty expected: %v", tc.sql, got, want, tc.empty)
		}
	}
}
