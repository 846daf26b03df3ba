package workload_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// TestGenerateTPCH generates 4-10 table snowflake queries over TPC-H and
// checks their shape (tables, joins along foreign keys, the snowflake
// property, nation and region twice in some), determinism and labels.
func TestGenerateTPCH(t *testing.T) {
	db := testutil.TPCH(t)
	g := workload.JoinGraphFromSchema(db.Schema)
	opts := workload.Options{Queries: 300, MinJoins: 3, MaxJoins: 9, Snowflake: true}
	gen := func() []*features.Query {
		qs, err := workload.Generate(context.Background(), db, g, opts, rand.New(rand.NewPCG(7, 7)))
		testutil.Must(t, err)
		return qs
	}
	qs := gen()
	// Every join of a query must be one of the schema's foreign keys, in
	// either direction; the To side of the key is the referenced one.
	type fkCol struct{ from, fromCol, to, toCol int }
	fks := map[fkCol]bool{}
	for _, e := range g.Edges {
		for i := range e.FromCols {
			fks[fkCol{e.From, e.FromCols[i], e.To, e.ToCols[i]}] = true
		}
	}
	sizes := map[int]int{}
	var twoNations, twoRegions int
	for i, q := range qs {
		n := len(q.Tables)
		sizes[n]++
		if n < 4 || n > 10 {
			t.Fatalf("query %d: %d tables, want 4..10: %s", i, n, q.SQL())
		}
		count := map[string]int{}
		for _, r := range q.Tables {
			count[db.Schema.Tables[r.Table].Name]++
		}
		if count["nation"] >= 2 {
			twoNations++
		}
		if count["region"] >= 2 {
			twoRegions++
		}
		// referenced[o]: the distinct occurrences o is joined to as the
		// referenced side.
		referenced := make([]map[int]bool, n)
		for _, j := range q.Joins {
			l, r := q.Tables[j.Left].Table, q.Tables[j.Right].Table
			switch {
			case fks[fkCol{l, j.LeftCol, r, j.RightCol}]:
				if referenced[j.Right] == nil {
					referenced[j.Right] = map[int]bool{}
				}
				referenced[j.Right][j.Left] = true
			case fks[fkCol{r, j.RightCol, l, j.LeftCol}]:
				if referenced[j.Left] == nil {
					referenced[j.Left] = map[int]bool{}
				}
				referenced[j.Left][j.Right] = true
			default:
				t.Fatalf("query %d: join %+v is no foreign key: %s", i, j, q.SQL())
			}
		}
		for o, by := range referenced {
			if len(by) > 1 {
				t.Fatalf("query %d: occurrence %s referenced by %d occurrences (not a snowflake): %s", i, q.Tables[o].Alias, len(by), q.SQL())
			}
		}
		if !q.Connected(q.FullMask()) {
			t.Fatalf("query %d is not connected: %s", i, q.SQL())
		}
	}
	for n := 4; n <= 10; n++ {
		if sizes[n] == 0 {
			t.Errorf("no query of %d tables (sizes %v)", n, sizes)
		}
	}
	if twoNations < 20 || twoRegions < 5 {
		t.Errorf("%d queries with nation twice, %d with region twice, of %d", twoNations, twoRegions, len(qs))
	}
	again := gen()
	for i := range qs {
		if qs[i].SQL() != again[i].SQL() {
			t.Fatalf("query %d differs between runs with one seed:\n%s\n%s", i, qs[i].SQL(), again[i].SQL())
		}
	}

	// A snowflake over foreign keys has at most as many rows as its
	// root's table: every join is a lookup of one referenced row.
	recs, err := workload.Label(context.Background(), db, qs[:60], workload.LabelOptions{})
	testutil.Must(t, err)
	nonEmpty := 0
	for i, r := range recs {
		q := qs[i]
		root := -1
		for o := range q.Tables {
			isRef := false
			for _, j := range q.Joins {
				l, rt := q.Tables[j.Left].Table, q.Tables[j.Right].Table
				if (j.Right == o && fks[fkCol{l, j.LeftCol, rt, j.RightCol}]) || (j.Left == o && fks[fkCol{rt, j.RightCol, l, j.LeftCol}]) {
					isRef = true
				}
			}
			if !isRef {
				root = o
			}
		}
		if max := int64(db.Tables[q.Tables[root].Table].Rows); r.Rows > max {
			t.Fatalf("query %d: %d rows, more than its root %s's %d: %s", i, r.Rows, q.Tables[root].Alias, max, r.SQL)
		}
		if r.Rows > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < 30 {
		t.Errorf("only %d of 60 queries are non-empty", nonEmpty)
	}
}
