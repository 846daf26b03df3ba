package features

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
)

// TestResidualDNFExact draws random AND / OR / NOT formulas over
// comparisons on three occurrences (join predicates repeated in every
// OR branch included), parses them, and checks on random rows (NULLs
// included) that the parsed query (joins, single-table filters and the
// residual's DNF) is TRUE exactly where the formula is, in three-valued
// logic; and that the SQL round trip keeps the query.
func TestResidualDNFExact(t *testing.T) {
	s := testSchema()
	rng := rand.New(rand.NewPCG(3, 4))
	aliases := []string{"a", "b", "c"}
	type atom struct {
		occ int
		op  string
		v   int64
	}
	// Each occurrence of events has column flag (nullable BIGINT).
	evalAtom := func(x atom, row []catalog.Datum) Tri {
		d := row[x.occ]
		if d.IsNull() {
			return Unknown
		}
		switch x.op {
		case "<":
			return triOf(d.I < x.v)
		case "=":
			return triOf(d.I == x.v)
		}
		return triOf(d.I > x.v)
	}
	type node struct {
		kind string // atom, and, or, not
		a    atom
		args []*node
	}
	var gen func(depth int) *node
	gen = func(depth int) *node {
		if depth == 0 || rng.IntN(3) == 0 {
			return &node{kind: "atom", a: atom{occ: rng.IntN(3), op: []string{"<", "=", ">"}[rng.IntN(3)], v: rng.Int64N(4)}}
		}
		switch rng.IntN(5) {
		case 0:
			return &node{kind: "not", args: []*node{gen(depth - 1)}}
		case 1, 2:
			return &node{kind: "and", args: []*node{gen(depth - 1), gen(depth - 1)}}
		}
		return &node{kind: "or", args: []*node{gen(depth - 1), gen(depth - 1)}}
	}
	var sqlOf func(n *node) string
	sqlOf = func(n *node) string {
		switch n.kind {
		case "atom":
			return fmt.Sprintf("%s.flag %s %d", aliases[n.a.occ], n.a.op, n.a.v)
		case "not":
			return "NOT (" + sqlOf(n.args[0]) + ")"
		}
		return "(" + sqlOf(n.args[0]) + " " + strings.ToUpper(n.kind) + " " + sqlOf(n.args[1]) + ")"
	}
	var eval func(n *node, row []catalog.Datum) Tri
	eval = func(n *node, row []catalog.Datum) Tri {
		switch n.kind {
		case "atom":
			return evalAtom(n.a, row)
		case "not":
			return eval(n.args[0], row).Not()
		case "and":
			return eval(n.args[0], row).And(eval(n.args[1], row))
		}
		return eval(n.args[0], row).Or(eval(n.args[1], row))
	}
	tested, residuals := 0, 0
	for range 400 {
		f := gen(4)
		where := sqlOf(f)
		joined := rng.IntN(3) == 0
		if joined {
			// An OR whose every branch repeats the join a.id = b.id:
			// (J AND F) OR (J AND G) is J AND (F OR G).
			g := gen(2)
			where = "(a.id = b.id AND " + where + ") OR (b.id = a.id AND " + sqlOf(g) + ")"
			f = &node{kind: "or", args: []*node{f, g}}
		}
		sql := "SELECT * FROM events a, events b, events c WHERE " + where
		q, err := Parse(s, sql)
		if err != nil {
			if strings.Contains(err.Error(), "too complex") {
				continue
			}
			t.Fatalf("%s: %v", sql, err)
		}
		back, err := Parse(s, q.SQL())
		if err != nil || !sameCounted(back, q) {
			t.Fatalf("%s: round trip: %v\n%s", sql, err, q.SQL())
		}
		tested++
		if len(q.Residuals) > 0 {
			residuals++
		}
		id := s.Tables[q.Tables[0].Table].ColumnIndex("id")
		for range 60 {
			row := make([]catalog.Datum, 3)
			ids := make([]int64, 3)
			for i := range row {
				row[i] = catalog.Int(rng.Int64N(4))
				if rng.IntN(5) == 0 {
					row[i] = catalog.Null
				}
				ids[i] = rng.Int64N(2)
			}
			want := eval(f, row) == True && (!joined || ids[0] == ids[1])
			got := true
			for _, j := range q.Joins {
				if ids[j.Left] != ids[j.Right] {
					got = false
				}
			}
			cell := func(occ int) func(c int) catalog.Datum {
				return func(c int) catalog.Datum {
					if c == id {
						return catalog.Int(ids[occ])
					}
					return row[occ]
				}
			}
			for i, tr := range q.Tables {
				if tr.Filter != nil && tr.Filter.Eval(cell(i)) != True {
					got = false
				}
			}
			for _, r := range q.Residuals {
				pass := false
				for _, term := range r.Terms {
					all := true
					for _, tf := range term {
						if tf.Filter.Eval(cell(tf.Table)) != True {
							all = false
						}
					}
					pass = pass || all
				}
				got = got && pass
			}
			if got != want {
				t.Fatalf("%s on %v %v: parsed %v, formula %v\n%s", sql, row, ids, got, want, q.SQL())
			}
		}
	}
	t.Logf("%d formulas, %d with residuals", tested, residuals)
	if residuals < 100 {
		t.Errorf("weak test: %d residuals of %d", residuals, tested)
	}
}
