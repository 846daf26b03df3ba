package features

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
)

// queryGen builds random queries in the canonical form Parse produces.
type queryGen struct {
	rng *rand.Rand
	s   *catalog.Schema
	// mutateLiterals, when set, draws literals from a second stream so the
	// same shape gets different values.
	lits *rand.Rand
}

var weirdAliases = []string{"t", "a`b", "select", "x y", "é", "T_", "`", "\"q\""}

func (g *queryGen) query() *Query {
	q := &Query{Schema: g.s}
	n := 1 + g.rng.IntN(6)
	for i := 0; i < n; i++ {
		q.Tables = append(q.Tables, TableRef{
			Table: g.rng.IntN(len(g.s.Tables)),
			Alias: weirdAliases[g.rng.IntN(len(weirdAliases))] + strconv.Itoa(i),
		})
	}
	for i := 1; i < n; i++ {
		for k := 0; k < 1+g.rng.IntN(2); k++ {
			if g.rng.IntN(5) == 0 {
				continue
			}
			j := g.rng.IntN(i)
			lc, rc, ok := g.joinCols(q, j, i)
			if ok {
				q.Joins = append(q.Joins, Join{Left: j, Right: i, LeftCol: lc, RightCol: rc})
			}
		}
	}
	q.Joins = normJoins(q.Joins)
	for i := range q.Tables {
		if g.rng.IntN(10) < 6 {
			var conj []*Expr
			for k := 0; k < 1+g.rng.IntN(3); k++ {
				conj = append(conj, g.expr(q, i, 2))
			}
			q.Tables[i].Filter = andOf(conj)
		}
	}
	g.grouping(q, n)
	for k := g.rng.IntN(3); k > 0; k-- {
		occ := g.rng.IntN(n)
		q.OrderBy = append(q.OrderBy, ColRef{Table: occ, Col: g.rng.IntN(len(g.def(q, occ).Columns))})
	}
	return q
}

func (g *queryGen) def(q *Query, occ int) *catalog.Table { return g.s.Tables[q.Tables[occ].Table] }

func (g *queryGen) joinCols(q *Query, a, b int) (int, int, bool) {
	ta, tb := g.def(q, a), g.def(q, b)
	for try := 0; try < 10; try++ {
		lc, rc := g.rng.IntN(len(ta.Columns)), g.rng.IntN(len(tb.Columns))
		if (ta.Columns[lc].Type == catalog.TypeString) == (tb.Columns[rc].Type == catalog.TypeString) {
			return lc, rc, true
		}
	}
	return 0, 0, false
}

func (g *queryGen) expr(q *Query, occ, depth int) *Expr {
	if depth == 0 || g.rng.IntN(3) > 0 {
		return g.pred(q, occ)
	}
	switch g.rng.IntN(3) {
	case 0:
		return &Expr{Kind: ExprNot, Args: []*Expr{g.expr(q, occ, depth-1)}}
	}
	kind := ExprAnd
	if g.rng.IntN(2) == 0 {
		kind = ExprOr
	}
	var args []*Expr
	for k := 0; k < 2+g.rng.IntN(2); k++ {
		args = appendFlat(args, g.expr(q, occ, depth-1), kind)
	}
	return &Expr{Kind: kind, Args: args}
}

func (g *queryGen) pred(q *Query, occ int) *Expr {
	t := g.def(q, occ)
	col := g.rng.IntN(len(t.Columns))
	c := t.Columns[col]
	ops := []Op{OpEQ, OpNE, OpLT, OpLE, OpGT, OpGE, OpBetween, OpIn, OpNotIn, OpIsNull, OpIsNotNull}
	if c.Type == catalog.TypeString {
		ops = append(ops, OpLike, OpNotLike, OpLike)
	}
	op := ops[g.rng.IntN(len(ops))]
	var vals []catalog.Datum
	switch op {
	case OpIsNull, OpIsNotNull:
	case OpBetween:
		vals = []catalog.Datum{g.value(c.Type), g.value(c.Type)}
	case OpIn, OpNotIn:
		for k := 1 + g.rng.IntN(4); k > 0; k-- {
			vals = append(vals, g.value(c.Type))
		}
	default:
		vals = []catalog.Datum{g.value(c.Type)}
	}
	return &Expr{Kind: ExprPred, Pred: Pred{Col: col, Op: op, Values: vals}}
}

const (
	minYear1000 = -30610224000 // 1000-01-01 00:00:00 UTC
	maxYear9999 = 253402300799 // 9999-12-31 23:59:59 UTC
)

func (g *queryGen) value(t catalog.Type) catalog.Datum {
	r := g.lits
	if r.IntN(12) == 0 {
		return catalog.Null
	}
	switch t {
	case catalog.TypeInt:
		switch r.IntN(4) {
		case 0:
			return catalog.Int([]int64{math.MinInt64, math.MaxInt64, 0, -1}[r.IntN(4)])
		case 1:
			return catalog.Int(r.Int64() - r.Int64())
		}
		return catalog.Int(r.Int64N(2000) - 1000)
	case catalog.TypeFloat:
		switch r.IntN(4) {
		case 0:
			return catalog.Float([]float64{0, 5e-324, math.MaxFloat64, -1e300, 0.1, 1e21}[r.IntN(6)])
		case 1:
			return catalog.Float(math.Float64frombits(r.Uint64()&^(0x7ff<<52) | uint64(r.IntN(0x7fe))<<52))
		}
		return catalog.Float(float64(r.IntN(20000)-10000) / 16)
	case catalog.TypeDate:
		if r.IntN(3) == 0 {
			return catalog.Int(minYear1000 + r.Int64N(maxYear9999-minYear1000))
		}
		return catalog.Int((minYear1000 + r.Int64N(maxYear9999-minYear1000)) / secondsPerDay * secondsPerDay)
	case catalog.TypeDateTime:
		return catalog.Int(minYear1000 + r.Int64N(maxYear9999-minYear1000))
	}
	alpha := []string{"a", "Z", "'", "\"", "\\", "%", "_", "\n", "\r", "\t", "\x00", "\x1a", "é", "東", "`", " ", "--", "/*", "?", "\\%", "''"}
	var b strings.Builder
	for k := r.IntN(8); k > 0; k-- {
		b.WriteString(alpha[r.IntN(len(alpha))])
	}
	return catalog.String(b.String())
}

func TestRoundTripRandom(t *testing.T) {
	s := testSchema()
	p := NewParser()
	for seed := uint64(0); seed < 2000; seed++ {
		g := &queryGen{rng: rand.New(rand.NewPCG(seed, 1)), lits: rand.New(rand.NewPCG(seed, 2)), s: s}
		q := g.query()
		sql := q.SQL()
		back, err := p.Parse(s, sql)
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, sql)
		}
		if !sameCounted(back, q) {
			t.Fatalf("seed %d: round trip differs\n%s\n%s", seed, sql, back.SQL())
		}
		// Same shape, other literals: same digest.
		g2 := &queryGen{rng: rand.New(rand.NewPCG(seed, 1)), lits: rand.New(rand.NewPCG(seed, 3)), s: s}
		q2 := g2.query()
		if q2.Digest() != q.Digest() {
			t.Fatalf("seed %d: digest differs for other literals\n%s\n%s", seed, sql, q2.SQL())
		}
		// Another shape: another digest (up to hash collisions).
		g3 := &queryGen{rng: rand.New(rand.NewPCG(seed+1, 1)), lits: rand.New(rand.NewPCG(seed, 2)), s: s}
		if q3 := g3.query(); q3.Digest() == q.Digest() && q3.SQL() != sql {
			t.Fatalf("seed %d: different shapes share a digest\n%s\n%s", seed, sql, q3.SQL())
		}
	}
}

func TestDigestInListLength(t *testing.T) {
	s := testSchema()
	a, err1 := Parse(s, "SELECT * FROM title t AS x WHERE x.kind_id IN (1, 2, 3)")
	if err1 == nil {
		t.Fatal("AS after alias accepted")
	}
	a, err1 = Parse(s, "SELECT * FROM title AS x WHERE x.kind_id IN (1, 2, 3) AND x.title LIKE '%a%'")
	b, err2 := Parse(s, "SELECT * FROM title y WHERE y.kind_id IN (7) AND y.title LIKE 'zz'")
	c, err3 := Parse(s, "SELECT * FROM title y WHERE y.kind_id NOT IN (7) AND y.title LIKE 'zz'")
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	if a.Digest() != b.Digest() {
		t.Error("IN lists of different length change the digest")
	}
	if a.Digest() == c.Digest() {
		t.Error("IN and NOT IN share a digest")
	}
	if len(a.Digest()) != 32 {
		t.Errorf("digest %q", a.Digest())
	}
}

// TestHandBuiltCanonical: a query built by hand with reversed, unsorted
// edges renders and digests like its parsed (canonical) form.
func TestHandBuiltCanonical(t *testing.T) {
	s := testSchema()
	parsed, err := Parse(s, "SELECT * FROM title t, movie_info mi, info_type it WHERE t.id = mi.movie_id AND it.id = mi.info_type_id")
	if err != nil {
		t.Fatal(err)
	}
	mi, it := s.Table("movie_info"), s.Table("info_type")
	hand := &Query{Schema: s, Tables: parsed.Tables, Joins: []Join{
		{Left: 2, Right: 1, LeftCol: it.ColumnIndex("id"), RightCol: mi.ColumnIndex("info_type_id")},
		{Left: 1, Right: 0, LeftCol: mi.ColumnIndex("movie_id"), RightCol: 0},
	}}
	if hand.SQL() != parsed.SQL() || hand.Digest() != parsed.Digest() {
		t.Errorf("hand-built:\n%s\nparsed:\n%s", hand.SQL(), parsed.SQL())
	}
	if !hand.Connected(hand.FullMask()) {
		t.Error("reversed edges not connected")
	}
}
