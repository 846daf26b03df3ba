package features

import (
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
)

// TestTruthTestsExact checks (p) IS [NOT] TRUE / FALSE against its
// definition on every row of a grid with NULLs and boundary values:
// the rewrite's Eval equals the IS test of p's three-valued Eval, and so
// does it under NOT.
func TestTruthTestsExact(t *testing.T) {
	s := testSchema()
	ev := s.Tables[s.TableIndex("events")]
	col := func(name string) int {
		for i, c := range ev.Columns {
			if c.Name == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	price, flag, name, day := col("price"), col("flag"), col("name"), col("day")
	date := func(y int) catalog.Datum { return catalog.Int(time.Date(y, 6, 1, 0, 0, 0, 0, time.UTC).Unix()) }
	grid := struct{ price, flag, name, day []catalog.Datum }{
		price: []catalog.Datum{catalog.Null, catalog.Float(9.5), catalog.Float(10), catalog.Float(10.5)},
		flag:  []catalog.Datum{catalog.Null, catalog.Int(0), catalog.Int(1), catalog.Int(2)},
		name:  []catalog.Datum{catalog.Null, catalog.String("a"), catalog.String("abc"), catalog.String("z")},
		day:   []catalog.Datum{catalog.Null, date(2001), date(2002)},
	}
	conds := []string{
		"price > 10",
		"price >= 10",
		"price = 10 AND flag = 1",
		"price > 10 OR flag = 1",
		"NOT (price < 10 OR name LIKE 'a%')",
		"name IN ('a', 'z') AND NOT flag BETWEEN 1 AND 2",
		"price < flag",
		"YEAR(day) = 2001 OR name IS NULL",
		"(flag > 1) IS NOT TRUE OR price IS NOT FALSE",
		"flag IS TRUE AND name <> 'z'",
	}
	tests := []struct {
		suffix string
		is     func(Tri) bool
	}{
		{" IS TRUE", func(v Tri) bool { return v == True }},
		{" IS NOT TRUE", func(v Tri) bool { return v != True }},
		{" IS FALSE", func(v Tri) bool { return v == False }},
		{" IS NOT FALSE", func(v Tri) bool { return v != False }},
	}
	rows := 0
	for _, c := range conds {
		ref, err := Parse(s, "SELECT * FROM events WHERE "+c)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		p := ref.Tables[0].Filter
		for _, tt := range tests {
			where := "(" + c + ")" + tt.suffix
			q, err := Parse(s, "SELECT * FROM events WHERE "+where)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			f := q.Tables[0].Filter
			not := &Expr{Kind: ExprNot, Args: []*Expr{f}}
			for _, pv := range grid.price {
				for _, fv := range grid.flag {
					for _, nv := range grid.name {
						for _, dv := range grid.day {
							row := func(i int) catalog.Datum {
								switch i {
								case price:
									return pv
								case flag:
									return fv
								case name:
									return nv
								case day:
									return dv
								}
								return catalog.Null
							}
							want := triOf(tt.is(p.Eval(row)))
							if got := f.Eval(row); got != want {
								t.Errorf("%s on price=%v flag=%v name=%v day=%v: %v, want %v\n%s", where, pv, fv, nv, dv, got, want, q.SQL())
							}
							if got := not.Eval(row); got != want.Not() {
								t.Errorf("NOT %s on price=%v flag=%v name=%v: %v, want %v", where, pv, fv, nv, got, want.Not())
							}
							rows++
						}
					}
				}
			}
		}
	}
	if rows == 0 {
		t.Fatal("no rows checked")
	}
}
