package engine

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// bitset is a row selection: bit i of word i/64 is row i. Bits past the
// table's row count are always zero.
type bitset []uint64

func wordsFor(n int) int { return (n + 63) / 64 }

// fullBits returns the selection of all n rows.
func fullBits(n int) bitset {
	b := make(bitset, wordsFor(n))
	setAll(b, n)
	return b
}

// setAll sets b to the selection of all n rows.
func setAll(b bitset, n int) {
	for i := range b {
		b[i] = ^uint64(0)
	}
	if r := n % 64; r != 0 {
		b[len(b)-1] = 1<<uint(r) - 1
	}
}

func (b bitset) count() int64 {
	var n int
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return int64(n)
}

// positions appends the row ids of the set bits to dst.
func (b bitset) positions(dst []int32) []int32 {
	for wi, w := range b {
		base := int32(wi * 64)
		for w != 0 {
			dst = append(dst, base+int32(bits.TrailingZeros64(w)))
			w &= w - 1
		}
	}
	return dst
}

// filter evaluates one table occurrence's filter over a table.
//
// NOT is pushed to the atoms (negation normal form, valid in Kleene's
// three-valued logic), so every node only needs the set of rows where it
// is TRUE: AND intersects, OR unites, and a negated atom selects the rows
// where the atom is FALSE (non-NULL and failing), never the unknown ones.
type filter struct {
	c     *Counter
	a     *arena
	t     *datasets.Table
	cols  []int // query column index -> DB column index
	alias string
	// scratch holds an atom's input selection (so an atom may write its
	// result over it).
	scratch bitset
}

// eval returns within ∩ {rows where e has truth value !neg ... TRUE}: the
// rows where e (negated when neg) is TRUE.
func (f *filter) eval(e *features.Expr, neg bool, within bitset) (bitset, error) {
	if e == nil {
		return nil, fmt.Errorf("%w: %s: nil filter expression", ErrBadQuery, f.alias)
	}
	switch e.Kind {
	case features.ExprPred:
		dst := f.a.bits(len(within))
		return dst, f.atom(&e.Pred, !neg, within, dst)
	case features.ExprFunc, features.ExprCols:
		dst := f.a.bits(len(within))
		return dst, f.exprAtom(e, !neg, within, dst)
	case features.ExprNot:
		if len(e.Args) != 1 {
			return nil, fmt.Errorf("%w: %s: NOT with %d arguments", ErrBadQuery, f.alias, len(e.Args))
		}
		return f.eval(e.Args[0], !neg, within)
	case features.ExprAnd, features.ExprOr:
		if len(e.Args) == 0 {
			return nil, fmt.Errorf("%w: %s: empty AND/OR", ErrBadQuery, f.alias)
		}
		if (e.Kind == features.ExprAnd) != neg {
			// Conjunction: narrow the selection child by child.
			cur, owned := within, false
			for _, a := range e.Args {
				if a != nil && a.Kind == features.ExprPred && owned {
					// Narrow our own selection in place.
					if err := f.atom(&a.Pred, !neg, cur, cur); err != nil {
						return nil, err
					}
					continue
				}
				r, err := f.eval(a, neg, cur)
				if err != nil {
					return nil, err
				}
				cur, owned = r, true
			}
			return cur, nil
		}
		// Disjunction: each child only looks at rows not yet selected.
		acc := f.a.bits(len(within))
		rest := f.a.bits(len(within))
		copy(rest, within)
		for _, a := range e.Args {
			r, err := f.eval(a, neg, rest)
			if err != nil {
				return nil, err
			}
			for i := range acc {
				acc[i] |= r[i]
				rest[i] &^= r[i]
			}
		}
		return acc, nil
	}
	return nil, fmt.Errorf("%w: %s: unknown expression kind %d", ErrBadQuery, f.alias, e.Kind)
}

// atom sets dst to the rows of within where p has truth value want; dst
// may be within itself.
func (f *filter) atom(p *features.Pred, want bool, within, dst bitset) error {
	if p.Col < 0 || p.Col >= len(f.cols) {
		return fmt.Errorf("%w: %s: predicate column %d out of range", ErrBadQuery, f.alias, p.Col)
	}
	col := f.t.Cols[f.cols[p.Col]]
	name := f.t.Def.Columns[f.cols[p.Col]].Name
	if err := checkArity(p); err != nil {
		return fmt.Errorf("%w: %s.%s: %w", ErrBadQuery, f.alias, name, err)
	}
	nn := f.c.nonNull(col)
	switch p.Op {
	case features.OpIsNull, features.OpIsNotNull:
		// IS [NOT] NULL is never unknown.
		wantNull := (p.Op == features.OpIsNull) == want
		for i, m := range within {
			switch {
			case nn == nil && wantNull:
				dst[i] = 0
			case nn == nil:
				dst[i] = m
			case wantNull:
				dst[i] = m &^ nn[i]
			default:
				dst[i] = m & nn[i]
			}
		}
		return nil
	}
	// The kernels read src (within minus NULL rows) and only write the
	// non-empty words of dst.
	if f.scratch == nil {
		f.scratch = f.a.bits(len(within))
	}
	src := f.scratch
	if nn != nil {
		for i := range within {
			src[i] = within[i] & nn[i]
		}
	} else {
		copy(src, within)
	}
	clear(dst)
	var err error
	switch col.Type {
	case catalog.TypeString:
		err = f.stringAtom(dst, src, col, p, want)
	case catalog.TypeFloat:
		err = floatAtom(dst, src, col.Floats, p, want)
	default:
		err = intAtom(dst, src, col.Ints, p, want)
	}
	if err != nil {
		return fmt.Errorf("%w: %s.%s", err, f.alias, name)
	}
	return nil
}

// checkArity checks the number of literals of p.
func checkArity(p *features.Pred) error {
	n := len(p.Values)
	ok := false
	switch p.Op {
	case features.OpEQ, features.OpNE, features.OpLT, features.OpLE, features.OpGT, features.OpGE,
		features.OpLike, features.OpNotLike:
		ok = n == 1
	case features.OpBetween:
		ok = n == 2
	case features.OpIn, features.OpNotIn:
		ok = n >= 1
	case features.OpIsNull, features.OpIsNotNull:
		ok = n == 0
	default:
		return fmt.Errorf("unknown operator %d", p.Op)
	}
	if !ok {
		return fmt.Errorf("operator %d with %d literals", p.Op, n)
	}
	return nil
}

// stringAtom evaluates p once per dictionary entry, then maps codes.
func (f *filter) stringAtom(dst, within bitset, col *datasets.Column, p *features.Pred, want bool) error {
	var like func(string) bool
	if p.Op == features.OpLike || p.Op == features.OpNotLike {
		if p.Values[0].Kind == catalog.KindNull {
			return nil // LIKE NULL is unknown for every row
		}
		if p.Values[0].Kind != catalog.KindString {
			return fmt.Errorf("%w: LIKE pattern %v is not a string", ErrBadQuery, p.Values[0])
		}
		like = features.CompileLike(p.Values[0].S).Match
	}
	if p.Op == features.OpEQ || p.Op == features.OpNE || p.Op == features.OpIn || p.Op == features.OpNotIn {
		if done := f.stringMembership(dst, within, col, p, want); done {
			return nil
		}
	}
	// Per entry: features' scalar semantics (Pred.Eval), except that LIKE
	// uses the pattern compiled once above (a non-NULL string is never
	// unknown for it).
	wantT := features.False
	if want {
		wantT = features.True
	}
	notLike := p.Op == features.OpNotLike
	table := make([]bool, len(col.Dict))
	any := false
	for code, s := range col.Dict {
		var ok bool
		if like != nil {
			ok = (like(s) != notLike) == want
		} else {
			ok = p.Eval(catalog.String(s)) == wantT
		}
		table[code] = ok
		any = any || ok
	}
	if !any {
		return nil
	}
	mapCodes(dst, within, col.Codes, table)
	return nil
}

// mapCodes sets dst to the rows of within whose code is marked in table.
func mapCodes(dst, within bitset, codes []uint32, table []bool) {
	for w, m := range within {
		if m == 0 {
			continue
		}
		base := w * 64
		var out uint64
		for m != 0 {
			j := bits.TrailingZeros64(m)
			m &= m - 1
			if table[codes[base+j]] {
				out |= 1 << uint(j)
			}
		}
		dst[w] = out
	}
}

// stringMembership evaluates =, <>, IN and NOT IN with string literals by
// looking the literals up in the dictionary (no pass over it); it reports
// false (nothing done) when a literal is not a string or the dictionary
// has duplicates.
func (f *filter) stringMembership(dst, within bitset, col *datasets.Column, p *features.Pred, want bool) bool {
	index := f.c.dictIndex(col)
	if index == nil {
		return false
	}
	var codes []uint32
	hasNull := false
	for _, l := range p.Values {
		switch l.Kind {
		case catalog.KindNull:
			hasNull = true
		case catalog.KindString:
			if c, ok := index[l.S]; ok {
				codes = append(codes, c)
			}
		default:
			return false
		}
	}
	// Truth per non-NULL row: member -> TRUE for = and IN, FALSE for <>
	// and NOT IN; non-member -> the opposite, or unknown when the list
	// holds a NULL (a NULL literal makes =/<> unknown everywhere).
	positive := p.Op == features.OpEQ || p.Op == features.OpIn
	scalar := p.Op == features.OpEQ || p.Op == features.OpNE
	if scalar && hasNull {
		return true // unknown for every row
	}
	// Rows wanted are members (selectMembers) or non-members.
	selectMembers := want == positive
	if !selectMembers && hasNull {
		return true // non-members are unknown: nothing selected
	}
	if len(codes) > inListLinear {
		// A long list: one lookup per row in a table over the dictionary.
		table := make([]bool, len(col.Dict))
		if !selectMembers {
			for i := range table {
				table[i] = true
			}
		}
		for _, c := range codes {
			table[c] = selectMembers
		}
		mapCodes(dst, within, col.Codes, table)
		return true
	}
	memberOf(dst, within, col.Codes, codes, selectMembers)
	return true
}

// memberOf sets dst to the rows of within whose value is (member) or is
// not (!member) in set, by a linear scan of set (short lists). A NaN float
// is in neither (x == x is false only for NaN).
func memberOf[T uint32 | float64](dst, within bitset, vals []T, set []T, member bool) {
	for w, m := range within {
		if m == 0 {
			continue
		}
		base := w * 64
		var out uint64
		for mm := m; mm != 0; mm &= mm - 1 {
			j := bits.TrailingZeros64(mm)
			x := vals[base+j]
			hit := false
			for _, y := range set {
				if x == y {
					hit = true
					break
				}
			}
			if hit == member && x == x {
				out |= 1 << uint(j)
			}
		}
		dst[w] = out
	}
}

// numLit is a numeric literal: ok is false for NULL.
func numLit(d catalog.Datum) (isInt bool, i int64, f float64, ok bool, err error) {
	switch d.Kind {
	case catalog.KindNull:
		return false, 0, 0, false, nil
	case catalog.KindInt:
		return true, d.I, float64(d.I), true, nil
	case catalog.KindFloat:
		return false, 0, d.F, true, nil
	}
	return false, 0, 0, false, fmt.Errorf("%w: string literal %v for a numeric column", ErrBadQuery, d)
}

// intRange is the closed interval [lo, hi] of int64; empty when lo > hi.
type intRange struct{ lo, hi int64 }

var fullIntRange = intRange{math.MinInt64, math.MaxInt64}

// floorInt and ceilInt convert the float bound of v <= f (floor) or
// v >= f (ceil) on integers, saturating at the int64 range; ok is false
// when no int64 satisfies the bound.
func floorInt(f float64) (int64, bool) {
	f = math.Floor(f)
	if f < -9.2e18 {
		return math.MinInt64, false // below everything
	}
	if f > 9.2e18 {
		return math.MaxInt64, true
	}
	return int64(f), true
}

func ceilInt(f float64) (int64, bool) {
	f = math.Ceil(f)
	if f > 9.2e18 {
		return math.MaxInt64, false // above everything
	}
	if f < -9.2e18 {
		return math.MinInt64, true
	}
	return int64(f), true
}

// intCmpRange is the set of integers v with "v op lit" as a range, plus
// whether the truth is the complement of the range (for <>).
func intCmpRange(op features.Op, isInt bool, i int64, f float64) (r intRange, complement bool) {
	empty := intRange{1, 0}
	if !isInt && f == math.Trunc(f) && f >= -9.2e18 && f <= 9.2e18 {
		isInt, i = true, int64(f)
	}
	if isInt {
		switch op {
		case features.OpEQ:
			return intRange{i, i}, false
		case features.OpNE:
			return intRange{i, i}, true
		case features.OpLT:
			if i == math.MinInt64 {
				return empty, false
			}
			return intRange{math.MinInt64, i - 1}, false
		case features.OpLE:
			return intRange{math.MinInt64, i}, false
		case features.OpGT:
			if i == math.MaxInt64 {
				return empty, false
			}
			return intRange{i + 1, math.MaxInt64}, false
		case features.OpGE:
			return intRange{i, math.MaxInt64}, false
		}
		return empty, false
	}
	if math.IsNaN(f) {
		return empty, false
	}
	// A non-integral float: no integer equals it.
	switch op {
	case features.OpEQ:
		return empty, false
	case features.OpNE:
		return empty, true
	case features.OpLT, features.OpLE:
		hi, ok := floorInt(f)
		if !ok {
			return empty, false
		}
		return intRange{math.MinInt64, hi}, false
	case features.OpGT, features.OpGE:
		lo, ok := ceilInt(f)
		if !ok {
			return empty, false
		}
		return intRange{lo, math.MaxInt64}, false
	}
	return empty, false
}

func intersect(a, b intRange) intRange {
	return intRange{max(a.lo, b.lo), min(a.hi, b.hi)}
}

// intAtom evaluates p on an integer (or date) column.
func intAtom(dst, within bitset, v []int64, p *features.Pred, want bool) error {
	switch p.Op {
	case features.OpEQ, features.OpNE, features.OpLT, features.OpLE, features.OpGT, features.OpGE:
		isInt, i, f, ok, err := numLit(p.Values[0])
		if err != nil || !ok {
			return err
		}
		r, complement := intCmpRange(p.Op, isInt, i, f)
		rangeInts(dst, within, v, r, want != complement)
		return nil
	case features.OpBetween:
		isLo, li, lf, okLo, err := numLit(p.Values[0])
		if err != nil {
			return err
		}
		isHi, hi, hf, okHi, err := numLit(p.Values[1])
		if err != nil {
			return err
		}
		rLo, _ := intCmpRange(features.OpGE, isLo, li, lf)
		rHi, _ := intCmpRange(features.OpLE, isHi, hi, hf)
		switch {
		case want && okLo && okHi:
			rangeInts(dst, within, v, intersect(rLo, rHi), true)
		case want:
			// One bound is NULL: never TRUE.
		case okLo && okHi:
			rangeInts(dst, within, v, intersect(rLo, rHi), false)
		case okLo:
			rangeInts(dst, within, v, rLo, false) // FALSE when below lo
		case okHi:
			rangeInts(dst, within, v, rHi, false)
		}
		return nil
	case features.OpIn, features.OpNotIn:
		set := make(map[int64]struct{}, len(p.Values))
		hasNull := false
		for _, l := range p.Values {
			isInt, i, f, ok, err := numLit(l)
			if err != nil {
				return err
			}
			if !ok {
				hasNull = true
				continue
			}
			if !isInt {
				if f != math.Trunc(f) || f < -9.2e18 || f > 9.2e18 {
					continue // no integer equals it
				}
				i = int64(f)
			}
			set[i] = struct{}{}
		}
		member := want == (p.Op == features.OpIn)
		if !member && hasNull {
			return nil // not in a list with NULL: unknown, never FALSE/TRUE
		}
		vals := make([]int64, 0, len(set))
		for x := range set {
			vals = append(vals, x)
		}
		inInts(dst, within, v, vals, set, member)
		return nil
	}
	return fmt.Errorf("%w: operator %d on a numeric column", ErrBadQuery, p.Op)
}

// rangeInts sets dst to the rows of within whose value is (in) or is not
// (!in) inside r.
func rangeInts(dst, within bitset, v []int64, r intRange, in bool) {
	var flip uint64
	if !in {
		flip = ^uint64(0)
	}
	if r.lo > r.hi {
		if !in {
			copy(dst, within)
		}
		return
	}
	lo := uint64(r.lo)
	span := uint64(r.hi) - uint64(r.lo)
	for w, m := range within {
		if m == 0 {
			continue
		}
		base := w * 64
		var out uint64
		if base+64 <= len(v) {
			// Branch-free: the borrow of span-(x-lo) is 1 exactly when x
			// is outside [lo, hi] (unsigned wrap-around trick); four
			// independent lanes keep the loop free of a carried chain.
			blk := (*[64]int64)(v[base : base+64])
			for j := 0; j < 64; j += 4 {
				_, b0 := bits.Sub64(span, uint64(blk[j])-lo, 0)
				_, b1 := bits.Sub64(span, uint64(blk[j+1])-lo, 0)
				_, b2 := bits.Sub64(span, uint64(blk[j+2])-lo, 0)
				_, b3 := bits.Sub64(span, uint64(blk[j+3])-lo, 0)
				out |= (b0 | b1<<1 | b2<<2 | b3<<3) << uint(j)
			}
			out = ^out
		} else {
			for j, x := range v[base:] {
				_, borrow := bits.Sub64(span, uint64(x)-lo, 0)
				out |= (borrow ^ 1) << (uint(j) & 63)
			}
		}
		dst[w] = (out ^ flip) & m
	}
}

// inListLinear is the longest IN list (of integers or dictionary codes)
// scanned linearly per row; longer ones use a hash set or a table.
const inListLinear = 8

func inInts(dst, within bitset, v []int64, vals []int64, set map[int64]struct{}, member bool) {
	for w, m := range within {
		if m == 0 {
			continue
		}
		base := w * 64
		var out uint64
		for mm := m; mm != 0; mm &= mm - 1 {
			j := bits.TrailingZeros64(mm)
			x := v[base+j]
			hit := false
			if len(vals) <= inListLinear {
				for _, y := range vals {
					if x == y {
						hit = true
						break
					}
				}
			} else {
				_, hit = set[x]
			}
			if hit == member {
				out |= 1 << uint(j)
			}
		}
		dst[w] = out
	}
}

// floatAtom evaluates p on a float column. Comparisons become closed
// intervals (strict bounds move one ulp with math.Nextafter).
func floatAtom(dst, within bitset, v []float64, p *features.Pred, want bool) error {
	lit := func(d catalog.Datum) (float64, bool, error) {
		_, _, f, ok, err := numLit(d)
		return f, ok, err
	}
	inf := math.Inf(1)
	switch p.Op {
	case features.OpEQ, features.OpNE, features.OpLT, features.OpLE, features.OpGT, features.OpGE:
		f, ok, err := lit(p.Values[0])
		if err != nil || !ok {
			return err
		}
		lo, hi, complement := -inf, inf, false
		switch p.Op {
		case features.OpEQ:
			lo, hi = f, f
		case features.OpNE:
			lo, hi, complement = f, f, true
		case features.OpLT:
			hi = math.Nextafter(f, -inf)
		case features.OpLE:
			hi = f
		case features.OpGT:
			lo = math.Nextafter(f, inf)
		case features.OpGE:
			lo = f
		}
		rangeFloats(dst, within, v, lo, hi, want != complement)
		return nil
	case features.OpBetween:
		lo, okLo, err := lit(p.Values[0])
		if err != nil {
			return err
		}
		hi, okHi, err := lit(p.Values[1])
		if err != nil {
			return err
		}
		switch {
		case want && okLo && okHi:
			rangeFloats(dst, within, v, lo, hi, true)
		case want:
		case okLo && okHi:
			rangeFloats(dst, within, v, lo, hi, false)
		case okLo:
			rangeFloats(dst, within, v, lo, inf, false)
		case okHi:
			rangeFloats(dst, within, v, -inf, hi, false)
		}
		return nil
	case features.OpIn, features.OpNotIn:
		var vals []float64
		hasNull := false
		for _, l := range p.Values {
			f, ok, err := lit(l)
			if err != nil {
				return err
			}
			if !ok {
				hasNull = true
				continue
			}
			vals = append(vals, f)
		}
		member := want == (p.Op == features.OpIn)
		if !member && hasNull {
			return nil
		}
		memberOf(dst, within, v, vals, member)
		return nil
	}
	return fmt.Errorf("%w: operator %d on a numeric column", ErrBadQuery, p.Op)
}

// orderedKey maps a float64 to a uint64 with the same order (IEEE 754
// totalOrder: negative values have all bits flipped, positive ones the
// sign bit set), so a float interval is an unsigned integer interval.
func orderedKey(f float64) uint64 {
	b := math.Float64bits(f)
	return b ^ (uint64(int64(b)>>63) | 1<<63)
}

// rangeFloats sets dst to the rows of within whose value is (in) or is not
// (!in) inside [lo, hi]; NaN values are in neither set.
func rangeFloats(dst, within bitset, v []float64, lo, hi float64, in bool) {
	if lo > hi || lo != lo || hi != hi {
		if in {
			return
		}
		lo, hi = math.Inf(1), math.Inf(-1) // empty: complement is all non-NaN
	}
	// -0 and +0 are equal: widen the bounds to both.
	if lo == 0 {
		lo = math.Copysign(0, -1)
	}
	if hi == 0 {
		hi = 0
	}
	klo, khi := orderedKey(lo), orderedKey(hi)
	span := khi - klo
	if lo > hi {
		span, klo = 0, 1 // matches nothing (key 1 is a NaN's)
	}
	nlo := orderedKey(math.Inf(-1))
	nspan := orderedKey(math.Inf(1)) - nlo
	for w, m := range within {
		if m == 0 {
			continue
		}
		base := w * 64
		var out uint64
		if base+64 <= len(v) {
			blk := (*[64]float64)(v[base : base+64])
			if in {
				for j := 0; j < 64; j += 4 {
					_, b0 := bits.Sub64(span, orderedKey(blk[j])-klo, 0)
					_, b1 := bits.Sub64(span, orderedKey(blk[j+1])-klo, 0)
					_, b2 := bits.Sub64(span, orderedKey(blk[j+2])-klo, 0)
					_, b3 := bits.Sub64(span, orderedKey(blk[j+3])-klo, 0)
					out |= (b0 | b1<<1 | b2<<2 | b3<<3) << uint(j)
				}
				out = ^out
			} else {
				for j := 0; j < 64; j++ {
					k := orderedKey(blk[j])
					_, outside := bits.Sub64(span, k-klo, 0)
					_, nan := bits.Sub64(nspan, k-nlo, 0)
					out |= (outside &^ nan) << uint(j)
				}
			}
		} else {
			for j, x := range v[base:] {
				k := orderedKey(x)
				_, outside := bits.Sub64(span, k-klo, 0)
				_, nan := bits.Sub64(nspan, k-nlo, 0)
				bit := outside ^ 1
				if !in {
					bit = outside &^ nan
				}
				out |= bit << (uint(j) & 63)
			}
		}
		dst[w] = out & m
	}
}
