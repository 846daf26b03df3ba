package estimator

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

func flightsDB(t testing.TB) *datasets.DB {
	t.Helper()
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// randomFilter draws a filter over table tb using values that occur in it.
func randomFilter(rng *rand.Rand, tb *datasets.Table, depth int) *features.Expr {
	if depth > 0 && rng.IntN(3) == 0 {
		kind := []features.ExprKind{features.ExprAnd, features.ExprOr, features.ExprNot}[rng.IntN(3)]
		e := &features.Expr{Kind: kind}
		k := 2
		if kind == features.ExprNot {
			k = 1
		}
		for i := 0; i < k; i++ {
			e.Args = append(e.Args, randomFilter(rng, tb, depth-1))
		}
		return e
	}
	ci := rng.IntN(len(tb.Cols))
	col := tb.Cols[ci]
	val := func() catalog.Datum { return col.Datum(rng.IntN(tb.Rows)) }
	nonNull := func() catalog.Datum {
		for i := 0; i < 20; i++ {
			if v := val(); !v.IsNull() {
				return v
			}
		}
		return val()
	}
	ops := []features.Op{features.OpEQ, features.OpNE, features.OpLT, features.OpLE, features.OpGT,
		features.OpGE, features.OpBetween, features.OpIn, features.OpNotIn, features.OpIsNull, features.OpIsNotNull}
	if col.Type == catalog.TypeString {
		ops = append(ops, features.OpLike, features.OpNotLike)
	}
	p := features.Pred{Col: ci, Op: ops[rng.IntN(len(ops))]}
	switch p.Op {
	case features.OpIsNull, features.OpIsNotNull:
	case features.OpBetween:
		a, b := nonNull(), nonNull()
		if catalog.Compare(a, b) > 0 {
			a, b = b, a
		}
		p.Values = []catalog.Datum{a, b}
	case features.OpIn, features.OpNotIn:
		for i := 0; i < 1+rng.IntN(4); i++ {
			p.Values = append(p.Values, nonNull())
		}
	case features.OpLike, features.OpNotLike:
		s := nonNull().S
		if len(s) > 2 {
			s = s[:1+rng.IntN(len(s)-1)]
		}
		p.Values = []catalog.Datum{catalog.String(s + "%")}
	default:
		p.Values = []catalog.Datum{nonNull()}
	}
	if p.Values != nil && p.Values[0].IsNull() {
		p.Op = features.OpIsNull
		p.Values = nil
	}
	if len(p.Values) > 0 && rng.IntN(20) == 0 {
		// A NULL literal now and then: three-valued logic under NOT.
		p.Values[len(p.Values)-1] = catalog.Null
	}
	return &features.Expr{Kind: features.ExprPred, Pred: p}
}

func oracleCount(tb *datasets.Table, e *features.Expr) int {
	n := 0
	row := make([]catalog.Datum, len(tb.Cols))
	for r := 0; r < tb.Rows; r++ {
		row = tb.Row(r, row[:0])
		if e == nil || oracleEval(e, row) == triT {
			n++
		}
	}
	return n
}

// With complete samples the sample baseline is exact on single tables,
// NOT / NULL semantics and LIKE included.
func TestSampleExactOnCompleteSample(t *testing.T) {
	db := flightsDB(t)
	cat := testCatalog(t, db, 1<<20, 1)
	s := NewSample(cat)
	rng := rand.New(rand.NewPCG(7, 7))
	for ti, tb := range db.Tables {
		for i := 0; i < 150; i++ {
			f := randomFilter(rng, tb, 2)
			q := &features.Query{Schema: db.Schema, Tables: []features.TableRef{{Table: ti, Alias: tb.Def.Name, Filter: f}}}
			got, err := s.Estimate(q)
			if err != nil {
				t.Fatal(err)
			}
			want := oracleCount(tb, f)
			if got.Rows != float64(want) {
				t.Fatalf("%s filter %d: sample says %v, true count %d", tb.Def.Name, i, got.Rows, want)
			}
		}
	}
}

// The join-sample estimate over complete samples is the exact join size.
func TestJoinSampleExactOnCompleteSample(t *testing.T) {
	db := flightsDB(t)
	cat := testCatalog(t, db, 1<<20, 1)
	s := NewSample(cat)
	fl, ap := db.Schema.TableIndex("flights"), db.Schema.TableIndex("airports")
	flT, apT := db.Tables[fl], db.Tables[ap]
	orig, dest, iata := flT.Def.ColumnIndex("origin"), flT.Def.ColumnIndex("destination"), apT.Def.ColumnIndex("iata")
	rng := rand.New(rand.NewPCG(3, 3))
	nonEmpty := 0
	for i := 0; i < 20; i++ {
		f1, f2, f3 := randomFilter(rng, flT, 1), randomFilter(rng, apT, 1), randomFilter(rng, apT, 1)
		q := &features.Query{Schema: db.Schema,
			Tables: []features.TableRef{{Table: fl, Filter: f1}, {Table: ap, Filter: f2}, {Table: ap, Filter: f3}},
			Joins:  []features.Join{{Left: 0, Right: 1, LeftCol: orig, RightCol: iata}, {Left: 0, Right: 2, LeftCol: dest, RightCol: iata}}}
		// Truth by brute force: airports passing each filter, by iata.
		pass := func(f *features.Expr) map[string]bool {
			m := map[string]bool{}
			row := make([]catalog.Datum, len(apT.Cols))
			for r := 0; r < apT.Rows; r++ {
				row = apT.Row(r, row[:0])
				if oracleEval(f, row) == triT {
					m[row[iata].S] = true
				}
			}
			return m
		}
		p2, p3 := pass(f2), pass(f3)
		want := 0
		row := make([]catalog.Datum, len(flT.Cols))
		for r := 0; r < flT.Rows; r++ {
			row = flT.Row(r, row[:0])
			if oracleEval(f1, row) == triT && p2[row[orig].S] && p3[row[dest].S] {
				want++
			}
		}
		sc := s.s.pool.Get().(*scratch)
		probes := s.s.probe(q, sc, nil)
		got, _ := s.s.joinSampleRows(q, probes, groupEdges(q), s.hist, 7, sc, nil)
		sc.reset()
		if math.Abs(got-float64(want)) > 1e-6*float64(want)+1e-9 {
			t.Fatalf("query %d: join sample %v, true %d", i, got, want)
		}
		if want > 0 {
			nonEmpty++
		}
	}
	// Empty joins alone would not test the message passing.
	if nonEmpty < 5 {
		t.Fatalf("only %d of 20 random joins are non-empty", nonEmpty)
	}
}

func TestHistogramBasics(t *testing.T) {
	db := flightsDB(t)
	cat := testCatalog(t, db, 1000, 1)
	h := NewHistogram(cat)
	fl := db.Schema.TableIndex("flights")
	tb := db.Tables[fl]
	one := func(p features.Pred) float64 {
		q := &features.Query{Schema: db.Schema, Tables: []features.TableRef{{Table: fl, Filter: &features.Expr{Kind: features.ExprPred, Pred: p}}}}
		e, err := h.Estimate(q)
		if err != nil {
			t.Fatal(err)
		}
		if !(e.Low <= e.Rows && e.Rows <= e.High) {
			t.Fatalf("band %v", e)
		}
		return e.Rows
	}
	month := tb.Def.ColumnIndex("month")
	// month has three values (Jan-Mar), all MCVs: equality is exact.
	for m := int64(1); m <= 3; m++ {
		p := features.Pred{Col: month, Op: features.OpEQ, Values: []catalog.Datum{catalog.Int(m)}}
		want := oracleCount(tb, &features.Expr{Kind: features.ExprPred, Pred: p})
		if got := one(p); math.Abs(got-float64(want)) > 0.5 {
			t.Errorf("month=%d: %v, want %d", m, got, want)
		}
	}
	// A range on distance is within 10% of the truth (equi-depth buckets).
	dist := tb.Def.ColumnIndex("distance")
	p := features.Pred{Col: dist, Op: features.OpLT, Values: []catalog.Datum{catalog.Int(800)}}
	want := float64(oracleCount(tb, &features.Expr{Kind: features.ExprPred, Pred: p}))
	if got := one(p); math.Abs(got-want) > 0.1*want {
		t.Errorf("distance < 800: %v, want %v", got, want)
	}
	// Out-of-range equality clamps to one row.
	if got := one(features.Pred{Col: dist, Op: features.OpEQ, Values: []catalog.Datum{catalog.Int(-5)}}); got != 1 {
		t.Errorf("distance = -5: %v", got)
	}
}

// Sharing join-sample work between the sub-plans of a query (joinMemo:
// memoised messages, row weights and partial products) gives bit-for-bit
// the estimates of evaluating every sub-plan on its own, on a 1,000-row
// sample (incomplete flights, routes and airports samples) and the
// 10,000-row one, over generated queries with up to four joins and the
// 5-table benchmark query.
func TestJoinSampleMemoMatchesUnshared(t *testing.T) {
	db := flightsDB(t)
	_, _, _, q5 := benchQueries(t)
	queries := []*features.Query{q5}
	for _, ex := range examples(t, db.Schema, labelled(t, db, 60, 4, 5, false)) {
		queries = append(queries, ex.Query)
	}
	for _, size := range []int{1000, 10000} {
		cat := testCatalog(t, db, size, 2)
		shared, alone := newSampleSet(cat), newSampleSet(cat)
		hist := NewHistogram(cat)
		multi := 0
		for qi, q := range queries {
			sc := shared.pool.Get().(*scratch)
			probes := shared.probe(q, sc, nil)
			edges := groupEdges(q)
			var memo joinMemo
			memo.reset(len(edges))
			masks, err := q.ConnectedSubsets(0)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range masks {
				got, gotN := shared.joinSampleRows(q, probes, edges, hist, m, sc, &memo)
				sc2 := alone.pool.Get().(*scratch)
				want, wantN := alone.joinSampleRows(q, alone.probe(q, sc2, nil), edges, hist, m, sc2, nil)
				sc2.reset()
				alone.pool.Put(sc2)
				if math.Float64bits(got) != math.Float64bits(want) || gotN != wantN {
					t.Fatalf("sample %d, query %d, mask %b: shared %v (support %d), alone %v (support %d)",
						size, qi, m, got, gotN, want, wantN)
				}
				if popcount(m) > 1 {
					multi++
				}
			}
			sc.reset()
			shared.pool.Put(sc)
		}
		if multi < 50 {
			t.Fatalf("sample %d: only %d multi-table sub-plans compared", size, multi)
		}
	}
}

// The LIKE cache keeps at most likeCacheMax patterns, the first ones
// stored, and compiles the rest on each use, still matching right.
func TestLikeCacheBounded(t *testing.T) {
	c := newLikeCache()
	for i := 0; i < likeCacheMax+100; i++ {
		p := strconv.Itoa(i)
		if m := c.get(p + "%"); !m(p+"x") || m("y"+p) {
			t.Fatalf("pattern %q%%: wrong matcher", p)
		}
	}
	n := 0
	c.m.Range(func(any, any) bool { n++; return true })
	if n != likeCacheMax || c.n.Load() != likeCacheMax {
		t.Errorf("cache holds %d patterns (counted %d), want %d", n, c.n.Load(), likeCacheMax)
	}
	if _, ok := c.m.Load("0%"); !ok {
		t.Error("first pattern evicted")
	}
	if _, ok := c.m.Load(strconv.Itoa(likeCacheMax) + "%"); ok {
		t.Error("pattern beyond the bound stored")
	}
}
