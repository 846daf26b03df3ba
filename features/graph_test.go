package features

import (
	"math/bits"
	"reflect"
	"slices"
	"testing"

	"github.com/cardinaldb/cardinal/internal/golden"
)

// graphQuery builds a query over n kind_type occurrences with the given edges.
func graphQuery(n int, edges [][2]int) *Query {
	s := testSchema()
	q := &Query{Schema: s}
	for i := 0; i < n; i++ {
		q.Tables = append(q.Tables, TableRef{Table: s.TableIndex("kind_type"), Alias: "k" + string(rune('a'+i))})
	}
	for _, e := range edges {
		q.Joins = append(q.Joins, Join{Left: e[0], Right: e[1]})
	}
	return q
}

// bruteConnected lists connected subsets by checking every mask with a
// union-find, independent of Query.Connected.
func bruteConnected(n int, edges [][2]int) []uint64 {
	var out []uint64
	for m := uint64(1); m < 1<<n; m++ {
		parent := make([]int, n)
		for i := range parent {
			parent[i] = i
		}
		var find func(int) int
		find = func(x int) int {
			for parent[x] != x {
				x = parent[x]
			}
			return x
		}
		for _, e := range edges {
			if m&(1<<e[0]) != 0 && m&(1<<e[1]) != 0 {
				parent[find(e[0])] = find(e[1])
			}
		}
		roots := map[int]bool{}
		for i := 0; i < n; i++ {
			if m&(1<<i) != 0 {
				roots[find(i)] = true
			}
		}
		if len(roots) == 1 {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b uint64) int {
		if pa, pb := bits.OnesCount64(a), bits.OnesCount64(b); pa != pb {
			return pa - pb
		}
		if a < b {
			return -1
		}
		return 1
	})
	return out
}

func TestConnectedSubsets(t *testing.T) {
	chain := [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}}
	star := [][2]int{{0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {0, 6}, {0, 7}}
	cycle := [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {0, 4}}
	clique := [][2]int{{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}}
	split := [][2]int{{0, 2}, {1, 3}, {3, 4}}             // two components
	composite := [][2]int{{0, 1}, {0, 1}, {1, 2}, {1, 2}} // repeated edges
	cases := []struct {
		name  string
		n     int
		edges [][2]int
		count int // closed form where there is one
	}{
		{"chain7", 7, chain, 7 * 8 / 2},  // n(n+1)/2 intervals
		{"star8", 8, star, 1<<7 + 7},     // 2^(n-1) sets with the hub + n-1 leaves
		{"cycle5", 5, cycle, 5*4 + 1},    // n(n-1) arcs + the whole cycle
		{"clique4", 4, clique, 1<<4 - 1}, // every subset
		{"split5", 5, split, 3 + 6},      // an edge (3 sets) + a 3-chain (6)
		{"composite3", 3, composite, 6},
		{"single", 1, nil, 1},
	}
	for _, c := range cases {
		q := graphQuery(c.n, c.edges)
		got, _ := q.ConnectedSubsets(0)
		want := bruteConnected(c.n, c.edges)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v\nwant %v", c.name, got, want)
		}
		if len(got) != c.count {
			t.Errorf("%s: %d subsets, closed form %d", c.name, len(got), c.count)
		}
		for _, m := range want {
			if !q.Connected(m) {
				t.Errorf("%s: Connected(%b) = false", c.name, m)
			}
		}
		for m := uint64(1); m < 1<<c.n; m++ {
			if q.Connected(m) != slices.Contains(want, m) {
				t.Errorf("%s: Connected(%b) wrong", c.name, m)
			}
		}
	}
	if graphQuery(3, chain[:2]).Connected(0) {
		t.Error("empty set connected")
	}
}

// TestConnectedSubsetsJOB checks the 17-table JOB 29a graph against the
// brute force over all 2^17 masks.
func TestConnectedSubsetsJOB(t *testing.T) {
	var sql string
	for _, c := range golden.Cases(t, "testdata/parse/job.txt") {
		if q, err := Parse(testSchema(), c.Input); err == nil && len(q.Tables) == 17 {
			sql = c.Input // JOB 29a, the one 17-table query
		}
	}
	q, err := Parse(testSchema(), sql)
	if err != nil || len(q.Tables) != 17 {
		t.Fatalf("29a: %v", err)
	}
	var edges [][2]int
	for _, j := range q.Joins {
		edges = append(edges, [2]int{j.Left, j.Right})
	}
	got, _ := q.ConnectedSubsets(0)
	want := bruteConnected(17, edges)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("29a: %d subsets, brute force %d", len(got), len(want))
	}
	if got[len(got)-1] != q.FullMask() {
		t.Error("the full query is not the last subset")
	}
}

func TestSub(t *testing.T) {
	s := testSchema()
	q, err := Parse(s, "SELECT * FROM title t, movie_info mi, info_type it, kind_type kt WHERE t.id = mi.movie_id AND it.id = mi.info_type_id AND kt.id = t.kind_id AND it.info = 'x' AND kt.kind = 'movie' AND mi.note IS NULL GROUP BY kt.kind ORDER BY mi.info")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(q.Sub(q.FullMask()), q) {
		t.Error("Sub(FullMask) != q")
	}
	sub := q.Sub(0b1010) // mi, kt: not joined to each other
	want, err := Parse(s, "SELECT * FROM movie_info mi, kind_type kt WHERE kt.kind = 'movie' AND mi.note IS NULL GROUP BY kt.kind ORDER BY mi.info")
	if err != nil {
		t.Fatal(err)
	}
	want.Group = nil // a proper sub-plan does not group
	if !reflect.DeepEqual(sub, want) {
		t.Errorf("Sub(mi,kt) = %s\nwant %s", sub.SQL(), want.SQL())
	}
	if sub.Connected(sub.FullMask()) {
		t.Error("mi, kt connected")
	}
	sub = q.Sub(0b0111) // t, mi, it
	want, err = Parse(s, "SELECT * FROM title t, movie_info mi, info_type it WHERE t.id = mi.movie_id AND it.id = mi.info_type_id AND it.info = 'x' AND mi.note IS NULL ORDER BY mi.info")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sub, want) {
		t.Errorf("Sub(t,mi,it) = %s\nwant %s", sub.SQL(), want.SQL())
	}
	if got := q.Sub(0); len(got.Tables) != 0 || len(got.Joins) != 0 {
		t.Error("Sub(0) not empty")
	}
}

func BenchmarkConnectedSubsets(b *testing.B) {
	q := graphQuery(17, [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 9}, {9, 10}, {10, 11}, {11, 12}, {12, 13}, {13, 14}, {14, 15}, {15, 16}, {0, 8}})
	for b.Loop() {
		q.ConnectedSubsets(0)
	}
}
