package features

import (
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
)

// grouping gives a random query the grouping Parse would produce: GROUP BY
// keys (columns and functions of them) with an optional HAVING, or
// DISTINCT keys; q.GroupBy holds the plain-column keys, as Parse keeps
// them for index advice.
func (g *queryGen) grouping(q *Query, n int) {
	switch g.rng.IntN(4) {
	case 0, 1:
		return
	}
	gr := &Grouping{Distinct: g.rng.IntN(3) == 0}
	for k := g.rng.IntN(3); k >= 0; k-- {
		occ := g.rng.IntN(n)
		t := g.def(q, occ)
		col := g.rng.IntN(len(t.Columns))
		key := GroupKey{ColRef: ColRef{Table: occ, Col: col}}
		switch t.Columns[col].Type {
		case catalog.TypeDate, catalog.TypeDateTime:
			key.Func = []KeyFunc{KeyColumn, KeyYear, KeyMonth, KeyDate}[g.rng.IntN(4)]
		case catalog.TypeString:
			if g.rng.IntN(2) == 0 {
				key.Func, key.N = KeyPrefix, 1+g.rng.IntN(5)
			}
		}
		gr.Keys = appendKey(gr.Keys, key)
	}
	if !gr.Distinct {
		for _, k := range gr.Keys {
			if k.Func == KeyColumn {
				q.GroupBy = append(q.GroupBy, k.ColRef)
			}
		}
		if g.rng.IntN(2) == 0 {
			gr.Having = g.having(q, gr, n, 2)
		}
	}
	q.Group = gr
}

func (g *queryGen) having(q *Query, gr *Grouping, n, depth int) *Having {
	if depth == 0 || g.rng.IntN(2) == 0 {
		a := Agg{Func: AggFunc(1 + g.rng.IntN(5)), Table: -1}
		occ := g.rng.IntN(n)
		var nums []int
		for c, col := range g.def(q, occ).Columns {
			if col.Type == catalog.TypeInt || col.Type == catalog.TypeFloat {
				nums = append(nums, c)
			}
		}
		if len(nums) > 0 && (a.Func != AggCount || g.rng.IntN(2) == 0) {
			a.Table = occ
			a.Arg = &Arith{Kind: ArithCol, Col: nums[g.rng.IntN(len(nums))]}
			if g.rng.IntN(2) == 0 {
				a.Arg = &Arith{Kind: ArithMul, Args: []*Arith{a.Arg, {Kind: ArithSub, Args: []*Arith{{Kind: ArithConst, Const: 1}, {Kind: ArithCol, Col: nums[g.rng.IntN(len(nums))]}}}}}
			}
		} else {
			a.Func = AggCount
		}
		idx := len(gr.Aggs)
		for i, x := range gr.Aggs {
			if sameAgg(x, a) {
				idx = i
			}
		}
		if idx == len(gr.Aggs) {
			gr.Aggs = append(gr.Aggs, a)
		}
		op := []Op{OpEQ, OpNE, OpLT, OpLE, OpGT, OpGE, OpBetween}[g.rng.IntN(7)]
		h := &Having{Kind: ExprPred, Agg: idx, Op: op, Values: []float64{float64(g.lits.IntN(1000)) / 4}}
		if op == OpBetween {
			h.Values = append(h.Values, float64(g.lits.IntN(1000)))
		}
		return h
	}
	if g.rng.IntN(3) == 0 {
		return &Having{Kind: ExprNot, Args: []*Having{g.having(q, gr, n, depth-1)}}
	}
	kind := []ExprKind{ExprAnd, ExprOr}[g.rng.IntN(2)]
	h := &Having{Kind: kind}
	for k := 0; k < 2; k++ {
		x := g.having(q, gr, n, depth-1)
		if x.Kind == kind {
			h.Args = append(h.Args, x.Args...)
		} else {
			h.Args = append(h.Args, x)
		}
	}
	return h
}

func TestHavingEval(t *testing.T) {
	aggs := map[int]float64{0: 6, 1: 300}
	get := func(i int) (float64, bool) { v, ok := aggs[i]; return v, ok }
	for _, c := range []struct {
		h    *Having
		want Tri
	}{
		{&Having{Kind: ExprPred, Agg: 0, Op: OpGT, Values: []float64{5}}, True},
		{&Having{Kind: ExprPred, Agg: 1, Op: OpGT, Values: []float64{300}}, False},
		{&Having{Kind: ExprPred, Agg: 2, Op: OpGT, Values: []float64{300}}, Unknown},
		{&Having{Kind: ExprNot, Args: []*Having{{Kind: ExprPred, Agg: 2, Op: OpGT, Values: []float64{1}}}}, Unknown},
		{&Having{Kind: ExprOr, Args: []*Having{{Kind: ExprPred, Agg: 2, Op: OpGT, Values: []float64{1}}, {Kind: ExprPred, Agg: 1, Op: OpBetween, Values: []float64{300, 301}}}}, True},
	} {
		if got := c.h.Eval(get); got != c.want {
			t.Errorf("%+v: got %v, want %v", c.h, got, c.want)
		}
	}
}

func TestArithEval(t *testing.T) {
	row := func(c int) (float64, bool) { return float64(c), c != 9 }
	a := &Arith{Kind: ArithMul, Args: []*Arith{{Kind: ArithCol, Col: 3}, {Kind: ArithSub, Args: []*Arith{{Kind: ArithConst, Const: 1}, {Kind: ArithCol, Col: 2}}}}}
	if v, ok := a.Eval(row); !ok || v != -3 {
		t.Errorf("3 * (1 - 2) = %v, %v", v, ok)
	}
	if _, ok := (&Arith{Kind: ArithAdd, Args: []*Arith{{Kind: ArithCol, Col: 9}, {Kind: ArithConst, Const: 1}}}).Eval(row); ok {
		t.Error("NULL + 1 is not NULL")
	}
	if _, ok := (&Arith{Kind: ArithDiv, Args: []*Arith{{Kind: ArithCol, Col: 1}, {Kind: ArithConst}}}).Eval(row); ok {
		t.Error("1 / 0 is not NULL")
	}
}

func TestKeyValue(t *testing.T) {
	d := int64(1710000000) // 2024-03-09 16:00:00 UTC
	if got := KeyValue(KeyYear, d); got != 2024 {
		t.Errorf("year %d", got)
	}
	if got := KeyValue(KeyMonth, d); got != 3 {
		t.Errorf("month %d", got)
	}
	if got := KeyValue(KeyDate, d); got != 1709942400 {
		t.Errorf("date %d", got)
	}
	if got := KeyValue(KeyYear, -1); got != 1969 {
		t.Errorf("year of -1: %d", got)
	}
	if got := KeyValue(KeyDate, -1); got != -86400 {
		t.Errorf("date of -1: %d", got)
	}
	if got := KeyPrefixOf("héllo", 2); got != "hé" {
		t.Errorf("prefix %q", got)
	}
	if got := KeyPrefixOf("ab", 5); got != "ab" {
		t.Errorf("prefix %q", got)
	}
}

// TestGroupsSQL checks the statement a server counts groups with: the
// grouped query as a derived table, DISTINCT keys aliased apart.
func TestGroupsSQL(t *testing.T) {
	s := testSchema()
	for _, c := range []struct{ sql, want string }{
		{"SELECT t.kind_id FROM title t GROUP BY t.kind_id HAVING COUNT(*) > 2",
			"SELECT COUNT(*) FROM (SELECT 1 FROM `title` AS `t` GROUP BY `t`.`kind_id` HAVING COUNT(*) > 2) AS `groups`"},
		{"SELECT DISTINCT t.id, mi.id FROM title t JOIN movie_info mi ON mi.movie_id = t.id",
			"SELECT COUNT(*) FROM (SELECT DISTINCT `t`.`id` AS `k0`, `mi`.`id` AS `k1` FROM `title` AS `t` JOIN `movie_info` AS `mi` ON `t`.`id` = `mi`.`movie_id`) AS `groups`"},
		{"SELECT COUNT(*) FROM title t", "SELECT COUNT(*) FROM `title` AS `t`"},
	} {
		q, err := Parse(s, c.sql)
		if err != nil {
			t.Fatal(err)
		}
		if got := q.GroupsSQL(); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.sql, got, c.want)
		}
	}
}
