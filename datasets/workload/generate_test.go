package workload_test

import (
	"context"
	"errors"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// atoms counts the atomic predicates of e.
func atoms(e *features.Expr) int {
	if e == nil {
		return 0
	}
	if e.Kind == features.ExprPred {
		return 1
	}
	n := 0
	for _, a := range e.Args {
		n += atoms(a)
	}
	return n
}

// walkExpr calls f on every node of e.
func walkExpr(e *features.Expr, f func(*features.Expr)) {
	if e == nil {
		return
	}
	f(e)
	for _, a := range e.Args {
		walkExpr(a, f)
	}
}

// TestGenerateFlights checks the shape and coverage of a generated flights
// workload, its SQL round trip and its labels.
func TestGenerateFlights(t *testing.T) {
	db := testutil.Flights(t)
	g := workload.JoinGraphFromSchema(db.Schema)
	opts := workload.Options{Queries: 2000}
	qs, err := workload.Generate(context.Background(), db, g, opts, rand.New(rand.NewPCG(1, 1)))
	testutil.Must(t, err)
	if len(qs) != 2000 {
		t.Fatalf("got %d queries", len(qs))
	}
	ops := map[features.Op]int{}
	var ors, nots, selfJoins, twoFK, maxJoins, composite int
	for i, q := range qs {
		tables := map[int]int{}
		for _, r := range q.Tables {
			tables[r.Table]++
		}
		for _, n := range tables {
			if n > 1 {
				selfJoins++
				break
			}
		}
		// flights joined to two airports occurrences (origin and destination).
		if tables[0] >= 1 && tables[1] >= 2 {
			twoFK++
		}
		nj := len(q.Tables) - 1
		maxJoins = max(maxJoins, nj)
		if nj > workload.DefaultMaxJoins {
			t.Errorf("query %d: %d joins > %d", i, nj, workload.DefaultMaxJoins)
		}
		if !q.Connected(q.FullMask()) {
			t.Errorf("query %d not connected: %s", i, q.SQL())
		}
		if len(q.Joins) > nj {
			composite++
		}
		n := 0
		for _, r := range q.Tables {
			n += atoms(r.Filter)
			walkExpr(r.Filter, func(e *features.Expr) {
				switch e.Kind {
				case features.ExprPred:
					ops[e.Pred.Op]++
				case features.ExprOr:
					ors++
				case features.ExprNot:
					nots++
				}
			})
		}
		if n < 1 || n > workload.DefaultMaxPreds {
			t.Errorf("query %d: %d atoms", i, n)
		}
	}
	for op := features.OpEQ; op <= features.OpNotLike; op++ {
		if ops[op] == 0 {
			t.Errorf("operator %d never generated", op)
		}
	}
	if ors == 0 || nots == 0 || selfJoins == 0 || twoFK == 0 || composite == 0 || maxJoins != workload.DefaultMaxJoins {
		t.Errorf("coverage: %d OR, %d NOT, %d self joins, %d flights+2 airports, %d composite, max joins %d",
			ors, nots, selfJoins, twoFK, composite, maxJoins)
	}

	// Determinism.
	again, err := workload.Generate(context.Background(), db, g, opts, rand.New(rand.NewPCG(1, 1)))
	testutil.Must(t, err)
	for i := range qs {
		if qs[i].SQL() != again[i].SQL() {
			t.Fatalf("query %d differs between runs with one seed", i)
		}
	}

	// SQL round trip: the text parses back to the same query with the
	// same count; most queries are non-empty, some are empty.
	c := engine.New(db, engine.Options{})
	empty := 0
	const checked = 400
	for i, q := range qs[:checked] {
		sql := q.SQL()
		back, err := features.Parse(db.Schema, sql)
		if err != nil {
			t.Fatalf("query %d: %v\n%s", i, err, sql)
		}
		if back.SQL() != sql {
			t.Errorf("query %d: round trip\n%s\n%s", i, sql, back.SQL())
		}
		n1, err := c.Count(context.Background(), q)
		testutil.Must(t, err)
		n2, err := c.Count(context.Background(), back)
		testutil.Must(t, err)
		if n1 != n2 {
			t.Errorf("query %d: %d rows, %d after round trip", i, n1, n2)
		}
		if n1 == 0 {
			empty++
		}
	}
	t.Logf("%d/%d empty", empty, checked)
	if empty == 0 || empty > checked/3 {
		t.Errorf("%d of %d queries empty; want some but at most a third", empty, checked)
	}
}

// TestGenerateEcommerce checks MinJoins and single-table workloads.
func TestGenerateEcommerce(t *testing.T) {
	db, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.01, Seed: 3})
	testutil.Must(t, err)
	g := workload.JoinGraphFromSchema(db.Schema)
	rng := rand.New(rand.NewPCG(5, 6))
	qs, err := workload.Generate(context.Background(), db, g, workload.Options{Queries: 200, MinJoins: 2, MaxJoins: 3, MaxPreds: 2}, rng)
	testutil.Must(t, err)
	for i, q := range qs {
		if n := len(q.Tables) - 1; n < 2 || n > 3 {
			t.Errorf("query %d: %d joins, want 2..3", i, n)
		}
		if n := q.NumPreds(); n < 1 || n > 2 {
			t.Errorf("query %d: %d predicates, want 1..2", i, n)
		}
	}
	qs, err = workload.Generate(context.Background(), db, g, workload.Options{Queries: 50, MaxJoins: -1}, rng)
	testutil.Must(t, err)
	for i, q := range qs {
		if len(q.Tables) != 1 {
			t.Errorf("query %d: %d tables, want 1", i, len(q.Tables))
		}
	}
}

// TestGenerateErrors checks typed errors for bad options and graphs.
func TestGenerateErrors(t *testing.T) {
	db := testutil.Flights(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	g := workload.JoinGraphFromSchema(db.Schema)
	for _, tc := range []struct {
		name string
		g    *workload.JoinGraph
		opts workload.Options
		want error
	}{
		{"min>max", g, workload.Options{MinJoins: 5, MaxJoins: 2}, workload.ErrOptions},
		{"negative queries", g, workload.Options{Queries: -1}, workload.ErrOptions},
		{"out of range frac", g, workload.Options{OutOfRange: 2}, workload.ErrOptions},
		{"no edges", &workload.JoinGraph{Schema: db.Schema}, workload.Options{MinJoins: 1}, workload.ErrNoJoinPath},
		{"bad fk", workload.JoinGraphFromSchema(&catalog.Schema{
			Tables:      db.Schema.Tables,
			ForeignKeys: []catalog.ForeignKey{{Table: "flights", Columns: []string{"nope"}, RefTable: "airports", RefColumns: []string{"iata"}}},
		}), workload.Options{}, workload.ErrBadGraph},
		{"type clash", &workload.JoinGraph{Schema: db.Schema, Edges: []workload.Edge{{From: 0, FromCols: []int{2}, To: 1, ToCols: []int{0}, Name: "hour=iata"}}},
			workload.Options{}, workload.ErrBadGraph},
	} {
		if _, err := workload.Generate(ctx, db, tc.g, tc.opts, rng); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := workload.Generate(cctx, db, g, workload.Options{}, rng); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestJoinGraphs checks the declared flights graph and the graph read
// back from queries.
func TestJoinGraphs(t *testing.T) {
	db := testutil.Flights(t)
	g := workload.JoinGraphFromSchema(db.Schema)
	var names []string
	for _, e := range g.Edges {
		names = append(names, e.Name)
	}
	want := []string{
		"flights(origin) -> airports(iata)",
		"flights(destination) -> airports(iata)",
		"flights(origin,destination) -> routes(origin,destination)",
		"routes(origin) -> airports(iata)",
		"routes(destination) -> airports(iata)",
		"airports(city,state) -> airports(city,state)",
	}
	if len(names) != len(want) {
		t.Fatalf("edges %q, want %q", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Errorf("edge %d = %q, want %q", i, names[i], want[i])
		}
	}
	var qs []*features.Query
	for _, sql := range []string{
		"SELECT * FROM flights f JOIN airports a ON f.origin = a.iata",
		"SELECT * FROM airports a JOIN flights f ON a.iata = f.origin WHERE f.delay > 3",
		"SELECT * FROM flights f JOIN routes r ON r.destination = f.destination AND r.origin = f.origin",
		"SELECT * FROM airports a1 JOIN airports a2 ON a2.state = a1.state AND a1.city = a2.city",
	} {
		q, err := features.Parse(db.Schema, sql)
		testutil.Must(t, err)
		qs = append(qs, q)
	}
	fq := workload.JoinGraphFromQueries(qs)
	names = nil
	for _, e := range fq.Edges {
		names = append(names, e.Name)
	}
	want = []string{
		"flights(origin) -> airports(iata)",
		"flights(origin,destination) -> routes(origin,destination)",
		"airports(city,state) -> airports(city,state)",
	}
	if len(names) != len(want) {
		t.Fatalf("edges from queries %q, want %q", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Errorf("edge %d = %q, want %q", i, names[i], want[i])
		}
	}
	// A workload generated from the query graph only uses those joins.
	gen, err := workload.Generate(context.Background(), db, fq, workload.Options{Queries: 300, MinJoins: 1}, rand.New(rand.NewPCG(9, 9)))
	testutil.Must(t, err)
	for _, q := range gen {
		for _, j := range q.Joins {
			l, r := q.Tables[j.Left].Table, q.Tables[j.Right].Table
			if (l == 2 && r == 1) || (l == 1 && r == 2) {
				t.Fatalf("routes-airports join not in the query graph: %s", q.SQL())
			}
		}
		if bits.OnesCount64(q.FullMask()) < 2 {
			t.Fatalf("MinJoins 1 violated: %s", q.SQL())
		}
	}
}
