package indexadvisor

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets/live"
)

// TestDropAdvice: on a table with KEY (a), KEY (a, b), KEY (c) and a
// UNIQUE (d), a workload reading through (a, b) and inserting rows gets
// advice to drop k_a (a prefix of k_ab) and k_c (unused), each with the
// write cost the inserts pay for it, and keeps the unique key; it
// recommends nothing that is a prefix of an existing index.
func TestDropAdvice(t *testing.T) {
	s, err := catalog.ParseSchema(`CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, c INT, d INT,
	  KEY k_a (a), KEY k_ab (a, b), KEY k_c (c), UNIQUE KEY u_d (d))`)
	if err != nil {
		t.Fatal(err)
	}
	n := 20000
	cols := make([]catalog.ColumnData, 5)
	for i := range cols {
		cols[i].Ints = make([]int64, n)
	}
	for i := range n {
		cols[0].Ints[i], cols[1].Ints[i], cols[2].Ints[i], cols[3].Ints[i], cols[4].Ints[i] = int64(i), int64(i%500), int64(i%37), int64(i%11), int64(i)
	}
	cat, err := catalog.Build(s, memSource{rows: n, cols: cols}, catalog.StatsOptions{}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat("SELECT * FROM t WHERE a = 7 AND b = 3;\n", 5) +
		strings.Repeat("INSERT INTO t VALUES (1, 2, 3, 4, 5);\n", 100) +
		"SELECT id FROM t WHERE a = 9;\n"
	stmts, err := live.ParseSQLFile(strings.NewReader(text), "drops.sql")
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWorkload(s, live.Merge(stmts))
	if err != nil {
		t.Fatal(err)
	}
	r, err := RecommendIndex(context.Background(), w, Options{Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Drop{}
	for _, d := range r.Drops {
		got[d.Name] = d
	}
	if d, ok := got["k_a"]; !ok || !strings.Contains(d.Reason, "prefix of k_ab") || d.WriteCost != 100*costIndexWrite {
		t.Errorf("k_a: %+v, want redundant (prefix of k_ab) saving 100 index writes", d)
	}
	if d, ok := got["k_c"]; !ok || !strings.HasPrefix(d.Reason, "unused") || d.WriteCost != 100*costIndexWrite {
		t.Errorf("k_c: %+v, want unused saving 100 index writes", d)
	}
	if _, ok := got["k_ab"]; ok {
		t.Error("k_ab serves the workload but is advised dropped")
	}
	if _, ok := got["u_d"]; ok {
		t.Error("a unique key is advised dropped")
	}
	for _, rec := range r.Indexes {
		if slices.Equal(rec.Columns, []string{"a"}) || slices.Equal(rec.Columns, []string{"a", "b"}) {
			t.Errorf("recommended %v, a prefix of an existing index", rec.Columns)
		}
	}
	var b strings.Builder
	r.DDL(&b)
	if !strings.Contains(b.String(), "-- ALTER TABLE `t` DROP INDEX `k_c`") {
		t.Errorf("DDL lacks the commented drop:\n%s", b.String())
	}
}
