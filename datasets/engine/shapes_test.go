package engine_test

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// refEval is a brute-force evaluator of the query model's outer joins and
// subqueries, sharing no code with the engine: nested loops over rows,
// LEFT JOIN by extending each tuple with its matches or NULLs, and each
// subquery's tuples enumerated and tested against every outer row.
type refEval struct {
	t   testing.TB
	db  *datasets.DB
	sub map[*features.Subquery][][]int
}

func (e *refEval) table(q *features.Query, occ int) *datasets.Table {
	tab := e.db.Table(q.Schema.Tables[q.Tables[occ].Table].Name)
	if tab == nil {
		e.t.Fatalf("no table for %s", q.Tables[occ].Alias)
	}
	return tab
}

func (e *refEval) cell(q *features.Query, tuple []int, occ, col int) catalog.Datum {
	if tuple[occ] < 0 {
		return catalog.Null
	}
	return e.table(q, occ).Cols[col].Datum(tuple[occ])
}

// rows returns the rows of occ passing its filter and subqueries.
func (e *refEval) rows(q *features.Query, occ int) []int {
	tab := e.table(q, occ)
	var out []int
	for r := 0; r < tab.Rows; r++ {
		f := q.Tables[occ].Filter
		if f != nil && f.Eval(func(c int) catalog.Datum { return tab.Cols[c].Datum(r) }) != features.True {
			continue
		}
		ok := true
		for _, sq := range q.SubqueriesOf(occ) {
			if !e.subPasses(q, sq, tab, r) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, r)
		}
	}
	return out
}

func (e *refEval) subPasses(q *features.Query, sq *features.Subquery, tab *datasets.Table, r int) bool {
	tuples, ok := e.sub[sq]
	if !ok {
		tuples = e.tuples(sq.Query)
		e.sub[sq] = tuples
	}
	sub := sq.Query
	outerVal := func(col int) catalog.Datum { return tab.Cols[col].Datum(r) }
	matches := func(tu []int, skipIn bool) bool {
		for k, c := range sq.Corr {
			if k == 0 && skipIn {
				continue
			}
			a, b := e.cell(sub, tu, c.Inner.Table, c.Inner.Col), outerVal(c.Outer)
			if a.Kind == catalog.KindNull || b.Kind == catalog.KindNull {
				return false
			}
			eq := catalog.Compare(a, b) == 0
			if eq == c.NotEqual {
				return false
			}
		}
		return true
	}
	if g := sub.Group; g != nil && g.Having != nil {
		tuples = e.havingTuples(sq, tuples, matches)
	}
	switch sq.Kind {
	case features.SubExists, features.SubNotExists:
		found := false
		for _, tu := range tuples {
			if matches(tu, false) {
				found = true
				break
			}
		}
		return found == (sq.Kind == features.SubExists)
	case features.SubNotIn:
		x := outerVal(sq.Corr[0].Outer)
		empty, result := true, true
		for _, tu := range tuples {
			if !matches(tu, true) {
				continue
			}
			empty = false
			y := e.cell(sub, tu, sq.Corr[0].Inner.Table, sq.Corr[0].Inner.Col)
			switch {
			case x.Kind == catalog.KindNull || y.Kind == catalog.KindNull:
				result = false
			case catalog.Compare(x, y) == 0:
				result = false
			}
		}
		return empty || result
	case features.SubScalar:
		var sum float64
		var n int64
		var mn, mx float64
		has := false
		for _, tu := range tuples {
			if !matches(tu, false) {
				continue
			}
			if sq.AggCol.Table < 0 {
				n++
				continue
			}
			v := e.cell(sub, tu, sq.AggCol.Table, sq.AggCol.Col)
			if v.Kind == catalog.KindNull {
				continue
			}
			f := v.F
			if v.Kind == catalog.KindInt {
				f = float64(v.I)
			}
			sum += f
			n++
			if !has || f < mn {
				mn = f
			}
			if !has || f > mx {
				mx = f
			}
			has = true
		}
		var agg float64
		switch sq.Agg {
		case features.AggCount:
			agg, has = float64(n), true
		case features.AggSum:
			agg = sum
		case features.AggAvg:
			if n > 0 {
				agg = sum / float64(n)
			}
			has = n > 0
		case features.AggMin:
			agg = mn
		case features.AggMax:
			agg = mx
		}
		x := outerVal(sq.Col)
		if !has || x.Kind == catalog.KindNull {
			return false
		}
		xf := x.F
		if x.Kind == catalog.KindInt {
			xf = float64(x.I)
		}
		y := sq.Scale * agg
		d := xf - y
		if math.Abs(d) <= 1e-9*math.Max(1, math.Abs(y)) {
			d = 0
		}
		switch sq.Op {
		case features.OpEQ:
			return d == 0
		case features.OpNE:
			return d != 0
		case features.OpLT:
			return d < 0
		case features.OpLE:
			return d <= 0
		case features.OpGT:
			return d > 0
		case features.OpGE:
			return d >= 0
		}
	}
	e.t.Fatalf("subquery kind %v", sq.Kind)
	return false
}

// tuples enumerates FROM + WHERE of q: the core by nested loops, then
// each outer-join group extended with its matches or one NULL row.
func (e *refEval) tuples(q *features.Query) [][]int {
	n := len(q.Tables)
	cand := make([][]int, n)
	for i := range q.Tables {
		cand[i] = e.rows(q, i)
	}
	edgeOK := func(tu []int, in uint64) bool {
		for _, j := range q.Joins {
			if in&(1<<uint(j.Left)) == 0 || in&(1<<uint(j.Right)) == 0 {
				continue
			}
			a, b := e.cell(q, tu, j.Left, j.LeftCol), e.cell(q, tu, j.Right, j.RightCol)
			if a.Kind == catalog.KindNull || b.Kind == catalog.KindNull || catalog.Compare(a, b) != 0 {
				return false
			}
		}
		return true
	}
	// extend enumerates assignments of members (in order) onto base.
	var extend func(base []int, in uint64, members []int, out *[][]int)
	extend = func(base []int, in uint64, members []int, out *[][]int) {
		if len(members) == 0 {
			*out = append(*out, append([]int(nil), base...))
			return
		}
		m := members[0]
		for _, r := range cand[m] {
			base[m] = r
			if edgeOK(base, in|1<<uint(m)) {
				extend(base, in|1<<uint(m), members[1:], out)
			}
		}
		base[m] = -1
	}
	members := func(mask uint64) []int {
		var out []int
		for i := 0; i < n; i++ {
			if mask&(1<<uint(i)) != 0 {
				out = append(out, i)
			}
		}
		return out
	}
	// group expands tuples (bound on in) by group o and its nested groups.
	var group func(ts [][]int, in uint64, o features.OuterJoin) [][]int
	direct := func(o features.OuterJoin) (uint64, []features.OuterJoin) {
		d := o.Inner
		var nested []features.OuterJoin
		for _, p := range q.Outer {
			if p.Inner != o.Inner && p.Inner&^o.Inner == 0 {
				d &^= p.Inner
				inner := false
				for _, r := range q.Outer {
					if r.Inner != p.Inner && r.Inner != o.Inner && p.Inner&^r.Inner == 0 && r.Inner&^o.Inner == 0 {
						inner = true
					}
				}
				if !inner {
					nested = append(nested, p)
				}
			}
		}
		return d, nested
	}
	group = func(ts [][]int, in uint64, o features.OuterJoin) [][]int {
		d, nested := direct(o)
		var out [][]int
		for _, tu := range ts {
			var ext [][]int
			extend(tu, in, members(d), &ext)
			for _, p := range nested {
				ext = group(ext, in|d, p)
			}
			if len(ext) == 0 {
				out = append(out, append([]int(nil), tu...))
				continue
			}
			out = append(out, ext...)
		}
		return out
	}
	core := q.PreservedCore()
	base := make([]int, n)
	for i := range base {
		base[i] = -1
	}
	var ts [][]int
	extend(base, 0, members(core), &ts)
	in := core
	for _, o := range q.Outer {
		top := true
		for _, p := range q.Outer {
			if p.Inner != o.Inner && o.Inner&^p.Inner == 0 {
				top = false
			}
		}
		if top {
			ts = group(ts, in, o)
			in |= o.Inner
		}
	}
	if len(q.Residuals) > 0 {
		tabs := make([]*datasets.Table, n)
		for i := range tabs {
			tabs[i] = e.table(q, i)
		}
		kept := ts[:0]
		for _, tu := range ts {
			if residualsPass(q, q.FullMask(), tabs, tu) {
				kept = append(kept, tu)
			}
		}
		ts = kept
	}
	return ts
}

// TestShapesAgainstBruteForce counts outer joins, semi-joins, anti-joins
// (NOT IN with NULLs on either side) and scalar subqueries with the engine
// and with refEval on small real data, every sub-plan included.
func TestShapesAgainstBruteForce(t *testing.T) {
	db, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.004, Seed: 11})
	testutil.Must(t, err)
	for _, tb := range db.Tables {
		t.Logf("%s: %d rows", tb.Def.Name, tb.Rows)
	}
	templates := []string{
		"SELECT * FROM customers c LEFT JOIN orders o ON c.id = o.customer_id AND o.status = '%[1]s'",
		"SELECT * FROM customers c LEFT JOIN orders o ON c.id = o.customer_id AND o.total > %[2]d WHERE c.age > %[3]d",
		"SELECT * FROM orders o RIGHT JOIN customers c ON c.id = o.customer_id AND o.status = '%[1]s'",
		"SELECT * FROM customers c LEFT JOIN orders o ON c.id = o.customer_id LEFT JOIN order_items oi ON oi.order_id = o.id AND oi.quantity > %[4]d",
		"SELECT * FROM customers c LEFT JOIN (orders o JOIN order_items oi ON oi.order_id = o.id) ON c.id = o.customer_id AND oi.quantity = %[4]d",
		"SELECT * FROM orders o LEFT JOIN customers c ON c.id = o.customer_id AND c.age < %[3]d WHERE o.status = '%[1]s'",
		"SELECT * FROM customers c WHERE c.id IN (SELECT o.customer_id FROM orders o WHERE o.status = '%[1]s')",
		"SELECT * FROM customers c WHERE EXISTS (SELECT * FROM orders o WHERE o.customer_id = c.id AND o.total > %[2]d)",
		"SELECT * FROM customers c WHERE NOT EXISTS (SELECT * FROM orders o WHERE o.customer_id = c.id AND o.total > %[2]d)",
		"SELECT * FROM customers c, orders o WHERE c.id = o.customer_id AND EXISTS (SELECT * FROM order_items oi, products p WHERE oi.order_id = o.id AND oi.product_id = p.id AND p.category = '%[5]s')",
		"SELECT * FROM orders o WHERE EXISTS (SELECT * FROM orders o2 WHERE o2.customer_id = o.customer_id AND o2.status <> o.status)",
		"SELECT * FROM orders o WHERE NOT EXISTS (SELECT * FROM orders o2 WHERE o2.customer_id = o.customer_id AND o2.status <> o.status AND o2.total > %[2]d)",
		"SELECT * FROM order_items oi WHERE oi.quantity NOT IN (SELECT c.age FROM customers c WHERE c.region = '%[6]s')",
		"SELECT * FROM customers c WHERE c.age NOT IN (SELECT oi.quantity FROM order_items oi WHERE oi.unit_price > %[2]d)",
		"SELECT * FROM customers c WHERE c.age NOT IN (SELECT oi.quantity FROM order_items oi, orders o WHERE oi.order_id = o.id AND o.id = c.id)",
		"SELECT * FROM order_items oi WHERE oi.quantity > (SELECT AVG(oi2.quantity) FROM order_items oi2 WHERE oi2.unit_price > %[2]d)",
		"SELECT * FROM order_items oi, orders o WHERE oi.order_id = o.id AND oi.quantity < (SELECT 0.5 * SUM(x.quantity) FROM order_items x WHERE x.order_id = o.id)",
		"SELECT * FROM orders o WHERE o.total >= (SELECT MAX(o2.total) FROM orders o2 WHERE o2.customer_id = o.customer_id AND o2.status = '%[1]s')",
		"SELECT * FROM customers c WHERE c.age <= (SELECT COUNT(*) FROM orders o, order_items oi WHERE oi.order_id = o.id AND o.id = c.id)",
		"SELECT * FROM products p WHERE p.discount = (SELECT MIN(p2.discount) FROM products p2 WHERE p2.category = p.category)",
		"SELECT * FROM customers c WHERE c.id IN (SELECT o.customer_id FROM orders o WHERE o.id IN (SELECT oi.order_id FROM order_items oi WHERE oi.quantity > %[4]d) AND o.total > (SELECT AVG(o3.total) FROM orders o3))",
		"SELECT * FROM (SELECT o.id AS oid, o.status FROM orders o, customers c WHERE o.customer_id = c.id AND c.region = '%[6]s') AS d WHERE d.status = '%[1]s'",
		"WITH big AS (SELECT * FROM orders WHERE total > %[2]d) SELECT * FROM big b, customers c WHERE b.customer_id = c.id AND NOT EXISTS (SELECT * FROM order_items oi WHERE oi.order_id = b.id)",
	}
	params := [][]any{
		{"shipped", 100, 40, 2, "books", "west"},
		{"cancelled", 500, 25, 1, "electronics", "east"},
		{"delivered", 20, 60, 3, "toys", "north"},
	}
	ctx := context.Background()
	c := engine.New(db, engine.Options{})
	nonzero := 0
	for ti, tmpl := range templates {
		for pi, ps := range params {
			sql := tmpl
			if strings.Contains(tmpl, "%[") {
				sql = fmt.Sprintf(tmpl, ps...)
			}
			q, err := features.Parse(db.Schema, sql)
			if err != nil {
				t.Fatalf("template %d: %v\n%s", ti, err, sql)
			}
			ref := &refEval{t: t, db: db, sub: map[*features.Subquery][][]int{}}
			want := int64(len(ref.tuples(q)))
			got, err := c.Count(ctx, q)
			if err != nil {
				t.Fatalf("template %d params %d: %v\n%s", ti, pi, err, sql)
			}
			if got != want {
				t.Errorf("template %d params %d: engine %d, brute force %d\n%s", ti, pi, got, want, q.SQL())
			}
			if want > 0 {
				nonzero++
			}
			subs, err := c.CountSubPlans(ctx, q)
			if err != nil {
				t.Fatalf("template %d: sub-plans: %v", ti, err)
			}
			for _, sp := range subs {
				sub := q.Sub(sp.Mask)
				ref := &refEval{t: t, db: db, sub: map[*features.Subquery][][]int{}}
				if w := int64(len(ref.tuples(sub))); w != sp.Rows {
					t.Errorf("template %d params %d sub-plan %v (%d tables): engine %d, brute force %d\n%s", ti, pi, q.Aliases(sp.Mask), bits.OnesCount64(sp.Mask), sp.Rows, w, sub.SQL())
				}
			}
		}
	}
	if nonzero < len(templates)*len(params)/2 {
		t.Errorf("weak test: only %d of %d counts are non-zero", nonzero, len(templates)*len(params))
	}
}
