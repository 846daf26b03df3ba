package features

import (
	"math/rand/v2"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
)

func TestUnsatisfiableCases(t *testing.T) {
	s, err := catalog.ParseSchema("CREATE TABLE t (q INT NOT NULL, a INT, s VARCHAR(10), f DOUBLE, d DATE);")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		where string
		want  bool
	}{
		{"q = 10 AND q < 10", true},
		{"q = 10 AND q <= 10", false},
		{"q > 5 AND q < 6", true},
		{"f > 5 AND f < 6", false},
		{"q > 5 AND q < 7 AND q <> 6", true},
		{"q BETWEEN 5 AND 7 AND q NOT IN (5, 6, 7)", true},
		{"q BETWEEN 5 AND 7 AND q NOT IN (5, 7)", false},
		{"q IN (1, 2) AND q NOT IN (1, 2)", true},
		{"q IN (1, 2) AND q IN (2, 3)", false},
		{"q IN (1, 2) AND q IN (3, 4)", true},
		{"q IN (1, 2) AND q > 2", true},
		{"q IS NULL", true},
		{"a IS NULL", false},
		{"a IS NULL AND a = 3", true},
		{"NOT (q IS NOT NULL)", true},
		{"a = NULL", true},
		{"a NOT IN (1, NULL)", true},
		{"a IN (NULL)", true},
		{"a IN (1, NULL)", false},
		{"NOT (a >= 3) AND a >= 3", true},
		{"NOT (a BETWEEN 1 AND 5) AND a = 3", true},
		{"NOT (a BETWEEN 1 AND 5) AND a IN (2, 4)", true},
		{"NOT (a BETWEEN 1 AND 5) AND a IN (2, 6)", false},
		{"NOT (a BETWEEN 1 AND 5) AND a >= 2 AND a < 5", true},
		{"NOT (a BETWEEN 1 AND 5) AND a >= 2 AND a <= 6", false},
		{"(a = 1 OR a = 2) AND a = 3", true},
		{"(a = 1 OR a = 3) AND a = 3", false},
		{"(a = 1 OR s = 'x') AND a = 2", false},
		{"(q BETWEEN 3 AND 7 OR q = 7) AND NOT (q BETWEEN 2 AND 7)", true},
		{"(q BETWEEN 3 AND 7 OR q = 8) AND NOT (q BETWEEN 2 AND 7)", false},
		{"NOT (a = 1 AND a = 2)", false},
		{"NOT (q >= 2 OR q < 5)", true},
		{"NOT (a > 1 AND s = 'x') AND a = 5 AND s = 'x'", true},
		{"NOT (a > 1 AND s = 'x') AND a = 5", false},
		{"(a < 1 OR (a > 5 AND a < 7)) AND (a = 6 OR a = 0) AND a > 0 AND a <> 6", true},
		{"(a < 1 OR (a > 5 AND a < 7)) AND (a = 6 OR a = 0) AND a > 0", false},
		// Disjunctions on columns no plain conjunct constrains are not
		// split (the price of the split on every generated OR).
		{"(a = 1 OR a = 2) AND (a = 3 OR a = 4)", false},
		{"s = 'x' AND s > 'x'", true},
		{"s BETWEEN 'b' AND 'a'", true},
		{"s = 'x' AND s <> 'x'", true},
		{"d >= '2024-01-02' AND d < '2024-01-02'", true},
		{"q = 1 AND a = 2 AND s = 'z'", false},
		{"NOT (NOT (q > 3)) AND q < 2", true},
	}
	for _, c := range cases {
		q, err := Parse(s, "SELECT COUNT(*) FROM t WHERE "+c.where)
		if err != nil {
			t.Fatalf("%s: %v", c.where, err)
		}
		if got := Unsatisfiable(s.Tables[0], q.Tables[0].Filter); got != c.want {
			t.Errorf("Unsatisfiable(%s) = %v, want %v", c.where, got, c.want)
		}
	}
	if Unsatisfiable(s.Tables[0], nil) {
		t.Error("nil filter unsatisfiable")
	}
}

// TestUnsatisfiableSound checks on random filters over small domains that
// no value Eval finds TRUE is ever declared unsatisfiable, and that the
// reasoning finds most contradictions the domain shows.
func TestUnsatisfiableSound(t *testing.T) {
	tab := &catalog.Table{Name: "t", Columns: []catalog.Column{
		{Name: "i", Type: catalog.TypeInt, Nullable: true},
		{Name: "s", Type: catalog.TypeString, Nullable: false},
	}}
	ints := []catalog.Datum{catalog.Null}
	for v := int64(-1); v <= 6; v++ {
		ints = append(ints, catalog.Int(v))
	}
	strs := []catalog.Datum{catalog.String("a"), catalog.String("b"), catalog.String("ba"), catalog.String("c")}
	rng := rand.New(rand.NewPCG(7, 7))
	lit := func(col int) catalog.Datum {
		if rng.IntN(12) == 0 {
			return catalog.Null
		}
		if col == 0 {
			return catalog.Int(int64(rng.IntN(6)))
		}
		return strs[rng.IntN(len(strs))]
	}
	ops := []Op{OpEQ, OpNE, OpLT, OpLE, OpGT, OpGE, OpBetween, OpIn, OpNotIn, OpIsNull, OpIsNotNull, OpLike, OpNotLike}
	pred := func() *Expr {
		col := rng.IntN(2)
		op := ops[rng.IntN(len(ops))]
		p := Pred{Col: col, Op: op}
		switch op {
		case OpBetween:
			p.Values = []catalog.Datum{lit(col), lit(col)}
		case OpIn, OpNotIn:
			for range 1 + rng.IntN(3) {
				p.Values = append(p.Values, lit(col))
			}
		case OpLike, OpNotLike:
			p.Values = []catalog.Datum{catalog.String([]string{"a%", "b", "%a"}[rng.IntN(3)])}
		case OpIsNull, OpIsNotNull:
		default:
			p.Values = []catalog.Datum{lit(col)}
		}
		e := &Expr{Kind: ExprPred, Pred: p}
		if rng.IntN(4) == 0 {
			e = &Expr{Kind: ExprNot, Args: []*Expr{e}}
		}
		return e
	}
	found, empty := 0, 0
	for range 20000 {
		f := &Expr{Kind: ExprAnd}
		intOnly := true // the int domain has a value beyond every literal
		var preds []*Expr
		for range 2 + rng.IntN(3) {
			// A predicate, an OR of two or three, or a NOT over an AND
			// of two (the disjunctions Unsatisfiable splits).
			switch k := rng.IntN(8); {
			case k < 5:
				p := pred()
				f.Args = append(f.Args, p)
				preds = append(preds, p)
			case k < 7:
				or := &Expr{Kind: ExprOr}
				for range 2 + rng.IntN(2) {
					or.Args = append(or.Args, pred())
				}
				f.Args = append(f.Args, or)
				preds = append(preds, or.Args...)
			default:
				and := &Expr{Kind: ExprAnd, Args: []*Expr{pred(), pred()}}
				f.Args = append(f.Args, &Expr{Kind: ExprNot, Args: []*Expr{and}})
				preds = append(preds, and.Args...)
			}
		}
		for _, p := range preds {
			if p.Kind == ExprNot {
				p = p.Args[0]
			}
			if p.Pred.Col != 0 || p.Pred.Op == OpLike || p.Pred.Op == OpNotLike {
				intOnly = false
			}
		}
		sat := false
		for _, iv := range ints {
			for _, sv := range strs {
				row := func(c int) catalog.Datum {
					if c == 0 {
						return iv
					}
					return sv
				}
				if f.Eval(row) == True {
					sat = true
				}
			}
		}
		un := Unsatisfiable(tab, f)
		if un && sat {
			t.Fatalf("filter %+v declared unsatisfiable but TRUE on some row", f)
		}
		if !sat && intOnly {
			empty++
			if un {
				found++
			}
		}
	}
	// On the integer column alone (its domain reaches past every literal,
	// so empty there is empty everywhere) only unions of excluded values
	// and intervals covering a range escape the reasoning.
	if empty == 0 || float64(found) < 0.95*float64(empty) {
		t.Errorf("found %d of %d empty filters", found, empty)
	}
	t.Logf("found %d of %d empty filters", found, empty)
}
