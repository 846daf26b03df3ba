package features

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/cardinaldb/cardinal/catalog"
)

// canonicalOutput is what a testdata/canonical case prints: the SQL of the
// query as parsed and, when Canonical rewrote it, of its canonical form.
func canonicalOutput(t *testing.T, sql string) string {
	q, err := Parse(testSchema(), sql)
	if err != nil {
		return "error: " + err.Error()
	}
	before := q.SQL()
	c := Canonical(q)
	if q.SQL() != before {
		t.Errorf("%q: Canonical modified its argument", sql)
	}
	if c == q {
		return "unchanged"
	}
	if again := Canonical(c); again != c {
		t.Errorf("%q: Canonical is not idempotent: %s", sql, again.SQL())
	}
	back, err := Parse(testSchema(), c.SQL())
	if err != nil || back.SQL() != c.SQL() {
		t.Errorf("%q: canonical SQL %s does not parse back to itself (%v)", sql, c.SQL(), err)
	}
	return "sql: " + c.SQL()
}

func TestCanonicalDataDriven(t *testing.T) {
	files, err := filepath.Glob("testdata/canonical/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			datadriven.RunTest(t, f, func(t *testing.T, td *datadriven.TestData) string {
				if td.Cmd != "canonical" && td.Cmd != "parse" {
					t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
				}
				return canonicalOutput(t, td.Input)
			})
		})
	}
}

// TestCanonicalSameTruth checks on random filters over tiny domains (so
// point ranges are common) that the canonical filter has the same
// three-valued truth as the original on every row, and that the rewrite
// happens.
func TestCanonicalSameTruth(t *testing.T) {
	s := testSchema()
	tab := s.Tables[len(s.Tables)-1] // events: every column type
	if tab.Name != "events" {
		t.Fatalf("last test table is %s", tab.Name)
	}
	// ts DATETIME, day DATE, price DOUBLE, name VARCHAR, flag BIGINT.
	cols := []int{1, 2, 3, 4, 5}
	val := func(rng *rand.Rand, col int) catalog.Datum {
		return domainValue(tab.Columns[col].Type, rng.IntN(4))
	}
	rng := rand.New(rand.NewPCG(12, 1))
	var pred func(col int) *Expr
	pred = func(col int) *Expr {
		ops := []Op{OpEQ, OpNE, OpLT, OpLE, OpGT, OpGE, OpBetween, OpIn}
		p := Pred{Col: col, Op: ops[rng.IntN(len(ops))]}
		switch p.Op {
		case OpBetween:
			p.Values = []catalog.Datum{val(rng, col), val(rng, col)}
		case OpIn:
			for k := 1 + rng.IntN(2); k > 0; k-- {
				p.Values = append(p.Values, val(rng, col))
			}
		default:
			p.Values = []catalog.Datum{val(rng, col)}
		}
		return &Expr{Kind: ExprPred, Pred: p}
	}
	var expr func(depth int) *Expr
	expr = func(depth int) *Expr {
		if depth == 0 || rng.IntN(3) == 0 {
			return pred(cols[rng.IntN(len(cols))])
		}
		switch rng.IntN(4) {
		case 0:
			return &Expr{Kind: ExprNot, Args: []*Expr{expr(depth - 1)}}
		case 1:
			return &Expr{Kind: ExprOr, Args: []*Expr{expr(depth - 1), expr(depth - 1)}}
		}
		e := &Expr{Kind: ExprAnd}
		for k := 2 + rng.IntN(3); k > 0; k-- {
			e.Args = append(e.Args, expr(depth-1))
		}
		return e
	}
	rewritten := 0
	const n = 3000
	for i := 0; i < n; i++ {
		e := expr(3)
		before := fmt.Sprint(describeExpr(e))
		c := CanonicalFilter(tab, e)
		if fmt.Sprint(describeExpr(e)) != before {
			t.Fatalf("CanonicalFilter modified its argument %s", before)
		}
		if c == e {
			continue
		}
		rewritten++
		if again := CanonicalFilter(tab, c); again != c {
			t.Fatalf("not idempotent: %s -> %s", describeExpr(c), describeExpr(again))
		}
		row := make([]catalog.Datum, len(tab.Columns))
		for a := -1; a < 4; a++ {
			for b := -1; b < 4; b++ {
				for ci, col := range cols {
					k := []int{a, b}[ci%2]
					if k < 0 {
						row[col] = catalog.Null
						continue
					}
					row[col] = domainValue(tab.Columns[col].Type, k)
				}
				get := func(col int) catalog.Datum { return row[col] }
				if x, y := e.Eval(get), c.Eval(get); x != y {
					t.Fatalf("%s is %v but its canonical form %s is %v on row %v", describeExpr(e), x, describeExpr(c), y, row)
				}
			}
		}
	}
	if rewritten < n/20 {
		t.Fatalf("only %d of %d random filters had a point range rewritten", rewritten, n)
	}
}

// domainValue is the k-th value of TestCanonicalSameTruth's domains.
func domainValue(typ catalog.Type, k int) catalog.Datum {
	switch typ {
	case catalog.TypeFloat:
		return catalog.Float(float64(k) / 2)
	case catalog.TypeString:
		return catalog.String(string(rune('a' + k)))
	}
	return catalog.Int(int64(k))
}

func describeExpr(e *Expr) string {
	switch e.Kind {
	case ExprPred:
		return fmt.Sprintf("c%d %v %v", e.Pred.Col, e.Pred.Op, e.Pred.Values)
	case ExprNot:
		return "NOT (" + describeExpr(e.Args[0]) + ")"
	}
	op := " AND "
	if e.Kind == ExprOr {
		op = " OR "
	}
	s := "("
	for i, a := range e.Args {
		if i > 0 {
			s += op
		}
		s += describeExpr(a)
	}
	return s + ")"
}

func TestCanonicalNoAlloc(t *testing.T) {
	q, err := Parse(testSchema(), "SELECT * FROM events WHERE flag >= 1 AND flag <= 5 AND day = '2001-01-01' AND price BETWEEN 1 AND 2")
	if err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(100, func() {
		if Canonical(q) != q {
			t.Fatal("rewritten")
		}
	}); a != 0 {
		t.Fatalf("Canonical of a canonical query allocates %v times", a)
	}
}
