package features

import (
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
)

func TestTriTables(t *testing.T) {
	vals := []Tri{False, True, Unknown}
	// SQL's Kleene logic as numbers: False=0, Unknown=1/2, True=1; AND is
	// min, OR is max, NOT is 1-x.
	num := map[Tri]int{False: 0, Unknown: 1, True: 2}
	for _, a := range vals {
		if num[a.Not()] != 2-num[a] {
			t.Errorf("NOT %v = %v", a, a.Not())
		}
		for _, b := range vals {
			if num[a.And(b)] != min(num[a], num[b]) {
				t.Errorf("%v AND %v = %v", a, b, a.And(b))
			}
			if num[a.Or(b)] != max(num[a], num[b]) {
				t.Errorf("%v OR %v = %v", a, b, a.Or(b))
			}
		}
	}
}

func TestPredEvalNulls(t *testing.T) {
	n, one, two, three := catalog.Null, catalog.Int(1), catalog.Int(2), catalog.Int(3)
	str := catalog.String
	cases := []struct {
		p    Pred
		d    catalog.Datum
		want Tri
	}{
		{Pred{Op: OpEQ, Values: []catalog.Datum{one}}, one, True},
		{Pred{Op: OpEQ, Values: []catalog.Datum{one}}, two, False},
		{Pred{Op: OpEQ, Values: []catalog.Datum{one}}, n, Unknown},
		{Pred{Op: OpEQ, Values: []catalog.Datum{n}}, one, Unknown},
		{Pred{Op: OpEQ, Values: []catalog.Datum{n}}, n, Unknown},
		{Pred{Op: OpNE, Values: []catalog.Datum{one}}, n, Unknown},
		{Pred{Op: OpNE, Values: []catalog.Datum{one}}, two, True},
		{Pred{Op: OpLT, Values: []catalog.Datum{two}}, one, True},
		{Pred{Op: OpLT, Values: []catalog.Datum{two}}, two, False},
		{Pred{Op: OpLE, Values: []catalog.Datum{two}}, two, True},
		{Pred{Op: OpGT, Values: []catalog.Datum{two}}, three, True},
		{Pred{Op: OpGE, Values: []catalog.Datum{two}}, one, False},
		{Pred{Op: OpGE, Values: []catalog.Datum{two}}, n, Unknown},
		{Pred{Op: OpLT, Values: []catalog.Datum{catalog.Float(1.5)}}, one, True},
		{Pred{Op: OpBetween, Values: []catalog.Datum{one, three}}, two, True},
		{Pred{Op: OpBetween, Values: []catalog.Datum{one, three}}, three, True},
		{Pred{Op: OpBetween, Values: []catalog.Datum{one, two}}, three, False},
		{Pred{Op: OpBetween, Values: []catalog.Datum{one, three}}, n, Unknown},
		{Pred{Op: OpBetween, Values: []catalog.Datum{n, two}}, three, False}, // x <= 2 is False
		{Pred{Op: OpBetween, Values: []catalog.Datum{n, three}}, two, Unknown},
		{Pred{Op: OpIn, Values: []catalog.Datum{one, two}}, two, True},
		{Pred{Op: OpIn, Values: []catalog.Datum{one, two}}, three, False},
		{Pred{Op: OpIn, Values: []catalog.Datum{one, n}}, one, True},
		{Pred{Op: OpIn, Values: []catalog.Datum{one, n}}, three, Unknown},
		{Pred{Op: OpIn, Values: []catalog.Datum{one}}, n, Unknown},
		{Pred{Op: OpNotIn, Values: []catalog.Datum{one, two}}, three, True},
		{Pred{Op: OpNotIn, Values: []catalog.Datum{one, n}}, three, Unknown}, // the classic NOT IN trap
		{Pred{Op: OpNotIn, Values: []catalog.Datum{one, n}}, one, False},
		{Pred{Op: OpNotIn, Values: []catalog.Datum{one}}, n, Unknown},
		{Pred{Op: OpIsNull}, n, True},
		{Pred{Op: OpIsNull}, one, False},
		{Pred{Op: OpIsNotNull}, n, False},
		{Pred{Op: OpIsNotNull}, str(""), True},
		{Pred{Op: OpLike, Values: []catalog.Datum{str("a%")}}, str("abc"), True},
		{Pred{Op: OpLike, Values: []catalog.Datum{str("a%")}}, str("bac"), False},
		{Pred{Op: OpLike, Values: []catalog.Datum{str("a%")}}, n, Unknown},
		{Pred{Op: OpLike, Values: []catalog.Datum{n}}, str("a"), Unknown},
		{Pred{Op: OpNotLike, Values: []catalog.Datum{str("a%")}}, str("bac"), True},
		{Pred{Op: OpNotLike, Values: []catalog.Datum{str("a%")}}, n, Unknown},
		{Pred{Op: OpEQ, Values: []catalog.Datum{str("x")}}, str("x"), True},
		{Pred{Op: OpLT, Values: []catalog.Datum{str("b")}}, str("a"), True},
	}
	for _, c := range cases {
		if got := c.p.Eval(c.d); got != c.want {
			t.Errorf("%v %v %v: got %v want %v", c.d, c.p.Op, c.p.Values, got, c.want)
		}
	}
}

// TestExprEvalParsed evaluates parsed filters on rows with NULLs and checks
// SQL semantics: only True passes, NOT (Unknown) is Unknown.
func TestExprEvalParsed(t *testing.T) {
	s := testSchema()
	ev := s.Table("events")
	col := func(name string) int { return ev.ColumnIndex(name) }
	rows := []map[string]catalog.Datum{
		{"flag": catalog.Int(1), "price": catalog.Float(2.5), "name": catalog.String("alpha")},
		{"flag": catalog.Int(2), "price": catalog.Null, "name": catalog.String("beta")},
		{"flag": catalog.Null, "price": catalog.Float(10), "name": catalog.Null},
		{"flag": catalog.Int(3), "price": catalog.Float(0), "name": catalog.String("al")},
	}
	cases := []struct {
		where string
		want  []Tri
	}{
		{"flag = 1", []Tri{True, False, Unknown, False}},
		{"NOT (flag = 1)", []Tri{False, True, Unknown, True}},
		{"flag = 1 OR price > 5", []Tri{True, Unknown, True, False}},
		{"flag > 1 AND price < 5", []Tri{False, Unknown, False, True}},
		{"name LIKE 'al%' OR name IS NULL", []Tri{True, False, True, True}},
		{"name NOT LIKE 'al_'", []Tri{True, True, Unknown, True}},
		{"flag NOT IN (2, NULL)", []Tri{Unknown, False, Unknown, Unknown}},
		{"price NOT BETWEEN 1 AND 5", []Tri{False, Unknown, True, True}},
		{"NOT (NOT (price IS NULL))", []Tri{False, True, False, False}},
	}
	for _, c := range cases {
		q, err := Parse(s, "SELECT * FROM events WHERE "+c.where)
		if err != nil {
			t.Fatal(err)
		}
		f := q.Tables[0].Filter
		for i, r := range rows {
			got := f.Eval(func(c int) catalog.Datum {
				for name, v := range r {
					if col(name) == c {
						return v
					}
				}
				return catalog.Null
			})
			if got != c.want[i] {
				t.Errorf("%s on row %d: got %v want %v", c.where, i, got, c.want[i])
			}
		}
	}
}

func TestColumnsAndNumPreds(t *testing.T) {
	s := testSchema()
	q, err := Parse(s, "SELECT * FROM title t, movie_info mi WHERE t.id = mi.movie_id AND (t.production_year > 2000 OR t.kind_id IN (1,2)) AND NOT (t.production_year = 2005) AND mi.note IS NULL")
	if err != nil {
		t.Fatal(err)
	}
	tt := s.Table("title")
	got := q.Tables[0].Filter.Columns()
	want := []int{tt.ColumnIndex("kind_id"), tt.ColumnIndex("production_year")}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Columns = %v, want %v", got, want)
	}
	if n := q.NumPreds(); n != 4 {
		t.Errorf("NumPreds = %d, want 4", n)
	}
	var nilExpr *Expr
	if len(nilExpr.Columns()) != 0 {
		t.Error("nil Expr reads columns")
	}
}

func TestOpString(t *testing.T) {
	if OpNE.String() != "<>" || OpNotLike.String() != "NOT LIKE" || Op(99).String() != "Op(99)" || Op(0).String() != "Op(0)" {
		t.Error(OpNE, OpNotLike, Op(99), Op(0))
	}
}
