package features

import (
	"testing"
	"time"

	"github.com/pingcap/tidb/pkg/parser/opcode"
)

func TestAddMonthsClamps(t *testing.T) {
	for _, c := range []struct {
		from   string
		months int
		want   string
	}{
		{"1995-01-31", 1, "1995-02-28"},
		{"1996-01-31", 1, "1996-02-29"},
		{"1996-02-29", 12, "1997-02-28"},
		{"1995-03-31", -1, "1995-02-28"},
		{"1995-01-15", -13, "1993-12-15"},
		{"1995-12-31", 2, "1996-02-29"},
	} {
		f, _ := time.Parse(time.DateOnly, c.from)
		if got := addMonths(f, c.months).Format(time.DateOnly); got != c.want {
			t.Errorf("%s + %d months = %s, want %s", c.from, c.months, got, c.want)
		}
	}
}

func TestArithExact(t *testing.T) {
	d := func(s string) lit { return lit{kind: litDecimal, s: s} }
	i := func(v int64) lit { return lit{kind: litInt, i: v} }
	for _, c := range []struct {
		op   opcode.Op
		a, b lit
		want string
	}{
		{opcode.Minus, d("0.06"), d("0.01"), "number 0.05"},
		{opcode.Plus, d("0.06"), d("0.01"), "number 0.07"},
		{opcode.Mul, d("0.5"), i(3), "number 1.5"},
		{opcode.Div, i(1), i(3), "number 0.3333"},
		{opcode.Div, i(2), i(3), "number 0.6667"},
		{opcode.IntDiv, i(-7), i(2), "integer -3"},
		{opcode.Mod, i(-7), i(2), "integer -1"},
		{opcode.Div, i(1), i(0), "NULL"},
		{opcode.Mul, i(6), i(7), "integer 42"},
	} {
		got, msg := arith(c.op, c.a, c.b)
		if msg != "" || got.describe() != c.want {
			t.Errorf("%s %v %s = %s (%s), want %s", c.a.describe(), c.op, c.b.describe(), got.describe(), msg, c.want)
		}
	}
}
