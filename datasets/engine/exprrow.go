package engine

import (
	"fmt"
	"math/bits"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// Predicates on a function of a column (features.ExprFunc) and on two
// columns of one row (features.ExprCols). Both are evaluated with the
// scalar semantics of features (Func.Apply, Pred.Eval, Pred.EvalCols):
// once per dictionary entry on string columns, else once per row of the
// input selection. Comparisons of two numeric or date columns read the
// column arrays directly.

// column returns the DB column behind query column qc of the occurrence.
func (f *filter) column(qc int) (*datasets.Column, string, error) {
	if qc < 0 || qc >= len(f.cols) {
		return nil, "", fmt.Errorf("%w: %s: predicate column %d out of range", ErrBadQuery, f.alias, qc)
	}
	return f.t.Cols[f.cols[qc]], f.t.Def.Columns[f.cols[qc]].Name, nil
}

// exprAtom sets dst to the rows of within where the ExprFunc or ExprCols
// predicate e has truth value want.
func (f *filter) exprAtom(e *features.Expr, want bool, within, dst bitset) error {
	p := &e.Pred
	col, name, err := f.column(p.Col)
	if err != nil {
		return err
	}
	wantT := features.False
	if want {
		wantT = features.True
	}
	if e.Kind == features.ExprCols {
		col2, name2, err := f.column(p.Col2)
		if err != nil {
			return err
		}
		switch p.Op {
		case features.OpEQ, features.OpNE, features.OpLT, features.OpLE, features.OpGT, features.OpGE:
		default:
			return fmt.Errorf("%w: %s.%s %v %s: not a comparison", ErrBadQuery, f.alias, name, p.Op, name2)
		}
		colsAtom(dst, within, col, col2, p, wantT)
		return nil
	}
	if !p.Fn.Valid() || !p.Fn.Accepts(col.Type) {
		return fmt.Errorf("%w: %s.%s: function %v of a %s column", ErrBadQuery, f.alias, name, p.Fn, col.Type)
	}
	if err := checkArity(p); err != nil {
		return fmt.Errorf("%w: %s.%s: %w", ErrBadQuery, f.alias, name, err)
	}
	nullOK := p.Eval(p.Fn.Apply(catalog.Null, p.Arg)) == wantT
	if col.Type == catalog.TypeString {
		table := make([]bool, len(col.Dict))
		for code, s := range col.Dict {
			table[code] = p.Eval(p.Fn.Apply(catalog.String(s), p.Arg)) == wantT
		}
		clear(dst)
		for w, m := range within {
			if m == 0 {
				continue
			}
			base := w * 64
			var out uint64
			for m != 0 {
				j := bits.TrailingZeros64(m)
				m &= m - 1
				i := base + j
				if col.IsNull(i) {
					if nullOK {
						out |= 1 << uint(j)
					}
				} else if table[col.Codes[i]] {
					out |= 1 << uint(j)
				}
			}
			dst[w] = out
		}
		return nil
	}
	// Date parts of one day are equal: remember the last day evaluated
	// (rows of a day often come together).
	dayFn := col.Type != catalog.TypeFloat && dayConstant(p.Fn)
	lastDay, lastOK, haveLast := int64(0), false, false
	scan(dst, within, func(i int) bool {
		if col.IsNull(i) {
			return nullOK
		}
		if dayFn {
			day := floorDay(col.Ints[i])
			if !haveLast || day != lastDay {
				lastDay, haveLast = day, true
				lastOK = p.Eval(p.Fn.Apply(catalog.Int(col.Ints[i]), p.Arg)) == wantT
			}
			return lastOK
		}
		return p.Eval(p.Fn.Apply(col.Datum(i), p.Arg)) == wantT
	})
	return nil
}

// dayConstant reports whether f has one value per calendar day.
func dayConstant(f features.Func) bool {
	switch f {
	case features.FuncYear, features.FuncQuarter, features.FuncMonth, features.FuncDay,
		features.FuncDayOfWeek, features.FuncWeekday, features.FuncDayOfYear, features.FuncDate:
		return true
	}
	return false
}

const secondsPerDay = 86400

func floorDay(s int64) int64 {
	d := s / secondsPerDay
	if s%secondsPerDay != 0 && s < 0 {
		d--
	}
	return d
}

// scan sets dst to the rows i of within with keep(i).
func scan(dst, within bitset, keep func(i int) bool) {
	for w, m := range within {
		if m == 0 {
			dst[w] = 0
			continue
		}
		base := w * 64
		var out uint64
		for m != 0 {
			j := bits.TrailingZeros64(m)
			m &= m - 1
			if keep(base + j) {
				out |= 1 << uint(j)
			}
		}
		dst[w] = out
	}
}

// colsAtom sets dst to the rows of within where a op b has truth value
// want (UNKNOWN when either is NULL).
func colsAtom(dst, within bitset, a, b *datasets.Column, p *features.Pred, want features.Tri) {
	null := func(i int) bool { return a.IsNull(i) || b.IsNull(i) }
	if want == features.Unknown {
		scan(dst, within, null)
		return
	}
	ok := func(c int) bool {
		var t bool
		switch p.Op {
		case features.OpEQ:
			t = c == 0
		case features.OpNE:
			t = c != 0
		case features.OpLT:
			t = c < 0
		case features.OpLE:
			t = c <= 0
		case features.OpGT:
			t = c > 0
		case features.OpGE:
			t = c >= 0
		}
		return t == (want == features.True)
	}
	intish := func(c *datasets.Column) bool { return c.Type != catalog.TypeFloat && c.Type != catalog.TypeString }
	var shift int64
	if p.Arg.Kind == catalog.KindInt {
		shift = p.Arg.I
	}
	switch {
	case intish(a) && intish(b):
		scan(dst, within, func(i int) bool {
			if null(i) {
				return false
			}
			x, y := a.Ints[i], b.Ints[i]+shift
			c := 0
			if x < y {
				c = -1
			} else if x > y {
				c = 1
			}
			return ok(c)
		})
	default:
		scan(dst, within, func(i int) bool {
			if null(i) {
				return false
			}
			return p.EvalCols(a.Datum(i), b.Datum(i)) == want
		})
	}
}
