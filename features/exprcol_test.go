package features

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
)

// TestSargableExact checks that every range rewrite of a function of a
// column has the three-valued truth of the function itself (ExprFunc,
// evaluated by Func.Apply) on boundary values, NULL and random values,
// also under NOT.
func TestSargableExact(t *testing.T) {
	s := testSchema()
	ev := s.Tables[s.TableIndex("events")]
	col := func(name string) int { return ev.ColumnIndex(name) }
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(1994, 12, 31, 0, 0, 0, 0, time.UTC).Unix()
	var dates []catalog.Datum
	for _, off := range []int64{-1, 0, 1, 86399, 86400, 86401, 31 * 86400, 59*86400 + 3600, 365 * 86400, 366*86400 - 1, 366 * 86400} {
		dates = append(dates, catalog.Int(base+off))
	}
	for range 300 {
		dates = append(dates, catalog.Int(base+rng.Int64N(3*365*86400)-365*86400))
	}
	dates = append(dates, catalog.Null)
	names := []catalog.Datum{catalog.Null, catalog.String(""), catalog.String("1"), catalog.String("13"), catalog.String("130"), catalog.String("31x"), catalog.String("2%"), catalog.String("2%a"), catalog.String("abc"), catalog.String("ab"), catalog.String("é1")}
	for _, where := range []string{
		"YEAR(ts) = 1995", "YEAR(ts) <> 1995", "YEAR(ts) < 1995", "YEAR(ts) <= 1995", "YEAR(ts) > 1995", "YEAR(ts) >= 1995",
		"YEAR(day) BETWEEN 1994 AND 1995", "YEAR(day) BETWEEN 1996 AND 1995", "YEAR(ts) IN (1994, 1996)", "YEAR(ts) NOT IN (1995)",
		"YEAR(ts) IN (1995, NULL)", "YEAR(ts) NOT IN (1995, NULL)", "YEAR(ts) = NULL",
		"DATE(ts) = '1995-01-01'", "DATE(ts) < '1995-01-01'", "DATE(ts) <= '1995-01-01'", "DATE(ts) > '1995-01-01'", "DATE(ts) >= '1995-01-01'",
		"DATE(ts) BETWEEN '1995-01-01' AND '1995-03-01'", "DATE(ts) IN ('1995-01-01', '1995-01-02')", "DATE(ts) > '1995-01-01 10:00:00'",
		"DATE_FORMAT(ts, '%Y-%m') = '1995-01'", "DATE_FORMAT(ts, '%Y-%m') < '1995-02'", "DATE_FORMAT(ts, '%Y-%m') <= '1995-02'",
		"DATE_FORMAT(ts, '%Y-%m') > '1995-02'", "DATE_FORMAT(ts, '%Y-%m') >= '1995-02'", "DATE_FORMAT(ts, '%Y/%m/%d %H') = '1995/01/01 00'",
		"DATE_FORMAT(ts, '%Y') IN ('1995', '1996')", "DATE_FORMAT(ts, '%Y-%m') BETWEEN '1995-01' AND '1995-02'", "DATE_FORMAT(day, '%Y%m%d') <> '19950101'",
		"SUBSTRING(name, 1, 2) = '13'", "LEFT(name, 2) IN ('13', '31', '2%', '1')", "LEFT(name, 2) <> '13'", "LEFT(name, 2) NOT IN ('ab', NULL)",
		"LEFT(name, 2) = 'abc'", "LEFT(name, 2) = 'é1'",
	} {
		sql := "SELECT * FROM events WHERE " + where
		q, err := Parse(s, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		ref, err := ParseOptions(s, sql, Options{noRewrite: true})
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		got, want := q.Tables[0].Filter, ref.Tables[0].Filter
		if !hasKind(want, ExprFunc) {
			t.Fatalf("%s: the reference has no ExprFunc: %s", sql, ref.SQL())
		}
		if hasKind(got, ExprFunc) && !allowFunc[where] {
			t.Errorf("%s: not rewritten: %s", sql, q.SQL())
		}
		vals := dates
		if got.Columns()[0] == col("name") {
			vals = names
		}
		for _, v := range vals {
			row := func(int) catalog.Datum { return v }
			if g, w := got.Eval(row), want.Eval(row); g != w {
				t.Errorf("%s on %v: rewrite %v, function %v (%s)", where, v, g, w, q.SQL())
			}
			not := &Expr{Kind: ExprNot, Args: []*Expr{got}}
			notRef := &Expr{Kind: ExprNot, Args: []*Expr{want}}
			if g, w := not.Eval(row), notRef.Eval(row); g != w {
				t.Errorf("NOT %s on %v: rewrite %v, function %v", where, v, g, w)
			}
		}
	}
}

// allowFunc lists the cases that stay functions (no exact range).
var allowFunc = map[string]bool{
	"YEAR(ts) IN (1995, NULL)": false, "DATE(ts) > '1995-01-01 10:00:00'": true, "YEAR(ts) = NULL": true,
	"LEFT(name, 2) = 'abc'": true,
}

func hasKind(e *Expr, k ExprKind) bool {
	if e == nil {
		return false
	}
	if e.Kind == k {
		return true
	}
	for _, a := range e.Args {
		if hasKind(a, k) {
			return true
		}
	}
	return false
}

// TestCoalesceAndTruthExact checks COALESCE / IFNULL, shifts and
// IS [NOT] TRUE / FALSE rewrites against their definitions.
func TestCoalesceAndTruthExact(t *testing.T) {
	s := testSchema()
	flags := []catalog.Datum{catalog.Null, catalog.Int(-3), catalog.Int(0), catalog.Int(1), catalog.Int(4), catalog.Int(5), catalog.Int(6), catalog.Int(9)}
	coalesce := func(v catalog.Datum) catalog.Datum {
		if v.IsNull() {
			return catalog.Int(5)
		}
		return v
	}
	truth := func(v catalog.Datum) Tri {
		if v.IsNull() {
			return Unknown
		}
		return triOf(v.I != 0)
	}
	is := func(x Tri, want Tri, not bool) Tri { return triOf((x == want) != not) }
	cases := []struct {
		where string
		def   func(v catalog.Datum) Tri
	}{
		{"COALESCE(flag, 5) > 4", func(v catalog.Datum) Tri { return cmp(coalesce(v), catalog.Int(4), gt) }},
		{"IFNULL(flag, 5) < 4", func(v catalog.Datum) Tri { return cmp(coalesce(v), catalog.Int(4), lt) }},
		{"COALESCE(flag, 5) IN (1, 5)", func(v catalog.Datum) Tri { return evalIn(coalesce(v), []catalog.Datum{catalog.Int(1), catalog.Int(5)}) }},
		{"COALESCE(flag, 5) BETWEEN 0 AND 4", func(v catalog.Datum) Tri {
			return cmp(coalesce(v), catalog.Int(0), ge).And(cmp(coalesce(v), catalog.Int(4), le))
		}},
		{"COALESCE(flag, 5) <> NULL", func(v catalog.Datum) Tri { return Unknown }},
		{"flag + 2 >= 6", func(v catalog.Datum) Tri { return cmp(v, catalog.Int(4), ge) }},
		{"3 - 1 + flag IN (2, 8)", func(v catalog.Datum) Tri { return evalIn(v, []catalog.Datum{catalog.Int(0), catalog.Int(6)}) }},
		{"flag IS TRUE", func(v catalog.Datum) Tri { return is(truth(v), True, false) }},
		{"flag IS NOT TRUE", func(v catalog.Datum) Tri { return is(truth(v), True, true) }},
		{"flag IS FALSE", func(v catalog.Datum) Tri { return is(truth(v), False, false) }},
		{"flag IS NOT FALSE", func(v catalog.Datum) Tri { return is(truth(v), False, true) }},
	}
	for _, c := range cases {
		q, err := Parse(s, "SELECT * FROM events WHERE "+c.where)
		if err != nil {
			t.Fatalf("%s: %v", c.where, err)
		}
		f := q.Tables[0].Filter
		for _, v := range flags {
			row := func(int) catalog.Datum { return v }
			if g, w := f.Eval(row), c.def(v); g != w {
				t.Errorf("%s on %v: %v, want %v (%s)", c.where, v, g, w, q.SQL())
			}
			if g, w := (&Expr{Kind: ExprNot, Args: []*Expr{f}}).Eval(row), c.def(v).Not(); g != w {
				t.Errorf("NOT %s on %v: %v, want %v", c.where, v, g, w)
			}
		}
	}
}
