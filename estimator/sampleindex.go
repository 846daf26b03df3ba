package estimator

import (
	"sort"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// cumStep is the spacing, in sorted positions, of the cumulative bitmaps of
// a column index: a range of sorted positions becomes two bitmap
// subtractions plus at most 2*cumStep single-bit fix-ups. 128 keeps the
// fix-ups below the cost of one 10,000-row bitmap pass and the index at
// about n*n/(64*128) words per column (100 KB for 10,000 rows).
const cumStep = 128

// colIndex makes predicates on one column of a table sample cheap to
// evaluate as bitmaps. Sample rows are sorted by value (NULLs first, in
// catalog.Compare order); cum[j] holds the rows at sorted positions below
// j*cumStep, and the last one every row, so any range of sorted positions
// costs two word passes.
type colIndex struct {
	n     int
	nulls int             // sorted positions [0, nulls) are the NULL rows
	perm  []int32         // perm[p] = sample row at sorted position p
	vals  []catalog.Datum // vals[p] = value at sorted position p
	cum   []bitmap
	// distinct starts: sorted positions where a new non-NULL value begins.
	runs []int32
	null bitmap // the NULL rows; nil when there are none
	// rows is the column in sample row order (for predicates evaluated
	// row by row, exprsel.go).
	rows []catalog.Datum
}

func newColIndex(col []catalog.Datum) *colIndex {
	n := len(col)
	ci := &colIndex{n: n, perm: make([]int32, n), vals: make([]catalog.Datum, n), rows: col}
	for i := range ci.perm {
		ci.perm[i] = int32(i)
	}
	sort.SliceStable(ci.perm, func(a, b int) bool {
		return catalog.Compare(col[ci.perm[a]], col[ci.perm[b]]) < 0
	})
	for p, r := range ci.perm {
		ci.vals[p] = col[r]
		if col[r].IsNull() {
			ci.nulls++
		}
	}
	w := words(n)
	cur := make(bitmap, w)
	for p := 0; p <= n; p++ {
		if p%cumStep == 0 {
			c := make(bitmap, w)
			copy(c, cur)
			ci.cum = append(ci.cum, c)
		}
		if p < n {
			cur.set(ci.perm[p])
		}
	}
	if n%cumStep != 0 {
		// The last cumulative bitmap holds every row (see orRange).
		ci.cum = append(ci.cum, cur)
	}
	for p := ci.nulls; p < n; p++ {
		if p == ci.nulls || catalog.Compare(ci.vals[p], ci.vals[p-1]) != 0 {
			ci.runs = append(ci.runs, int32(p))
		}
	}
	if ci.nulls > 0 {
		ci.null = make(bitmap, w)
		ci.orRange(ci.null, 0, ci.nulls)
	}
	return ci
}

// orRange adds the rows at sorted positions [a, b) to dst.
func (ci *colIndex) orRange(dst bitmap, a, b int) {
	if b <= a {
		return
	}
	if b-a <= 2*cumStep {
		for p := a; p < b; p++ {
			dst.set(ci.perm[p])
		}
		return
	}
	// b-a > 2*cumStep, so the first checkpoint at or above a comes
	// before the last one at or below b: OR in the whole blocks between
	// them from the cumulative bitmaps, then the head and tail rows. An
	// aligned end, or b = n (the last cumulative bitmap holds every row),
	// needs no fix-ups.
	ja, jb := (a+cumStep-1)/cumStep, b/cumStep
	tail := jb * cumStep
	if b == ci.n {
		jb, tail = len(ci.cum)-1, b
	}
	dst.orDiff(ci.cum[jb], ci.cum[ja])
	for p := a; p < ja*cumStep; p++ {
		dst.set(ci.perm[p])
	}
	for p := tail; p < b; p++ {
		dst.set(ci.perm[p])
	}
}

// lower returns the first sorted non-NULL position whose value is >= v.
func (ci *colIndex) lower(v catalog.Datum) int {
	return ci.nulls + sort.Search(ci.n-ci.nulls, func(i int) bool {
		return catalog.Compare(ci.vals[ci.nulls+i], v) >= 0
	})
}

// upper returns the first sorted non-NULL position whose value is > v.
func (ci *colIndex) upper(v catalog.Datum) int {
	return ci.nulls + sort.Search(ci.n-ci.nulls, func(i int) bool {
		return catalog.Compare(ci.vals[ci.nulls+i], v) > 0
	})
}

// predTrue ORs into dst the sample rows on which p is TRUE (not NULL,
// not FALSE). like compiles LIKE patterns.
func (ci *colIndex) predTrue(dst bitmap, p *features.Pred, like likeCache) {
	n := ci.n
	switch p.Op {
	case features.OpIsNull:
		ci.orRange(dst, 0, ci.nulls)
	case features.OpIsNotNull:
		ci.orRange(dst, ci.nulls, n)
	case features.OpEQ:
		if len(p.Values) == 1 && !p.Values[0].IsNull() {
			ci.orRange(dst, ci.lower(p.Values[0]), ci.upper(p.Values[0]))
		}
	case features.OpIn:
		for _, v := range p.Values {
			if !v.IsNull() {
				ci.orRange(dst, ci.lower(v), ci.upper(v))
			}
		}
	case features.OpNE, features.OpNotIn:
		// TRUE only when no listed value is NULL and the row differs from
		// all of them.
		if hasNullLiteral(p) {
			return
		}
		start := ci.nulls
		// Walk the value gaps in sorted order.
		vs := sortedDatums(p.Values)
		for _, v := range vs {
			a := ci.lower(v)
			ci.orRange(dst, start, a)
			if u := ci.upper(v); u > start {
				start = u
			}
		}
		ci.orRange(dst, start, n)
	case features.OpLT, features.OpLE, features.OpGT, features.OpGE:
		if len(p.Values) != 1 || p.Values[0].IsNull() {
			return
		}
		v := p.Values[0]
		switch p.Op {
		case features.OpLT:
			ci.orRange(dst, ci.nulls, ci.lower(v))
		case features.OpLE:
			ci.orRange(dst, ci.nulls, ci.upper(v))
		case features.OpGT:
			ci.orRange(dst, ci.upper(v), n)
		case features.OpGE:
			ci.orRange(dst, ci.lower(v), n)
		}
	case features.OpBetween:
		if len(p.Values) != 2 || p.Values[0].IsNull() || p.Values[1].IsNull() {
			return
		}
		ci.orRange(dst, ci.lower(p.Values[0]), ci.upper(p.Values[1]))
	case features.OpLike, features.OpNotLike:
		if len(p.Values) != 1 || p.Values[0].Kind != catalog.KindString {
			return
		}
		m := like.get(p.Values[0].S)
		want := p.Op == features.OpLike
		for i, start := range ci.runs {
			end := n
			if i+1 < len(ci.runs) {
				end = int(ci.runs[i+1])
			}
			v := ci.vals[start]
			s := v.S
			if v.Kind != catalog.KindString {
				s = v.Format(catalog.TypeInt)
			}
			if m(s) == want {
				ci.orRange(dst, int(start), end)
			}
		}
	}
}

// predNullable reports whether p is NULL (unknown) on the NULL rows of its
// column: every operator but IS [NOT] NULL.
func predNullable(op features.Op) bool {
	return op != features.OpIsNull && op != features.OpIsNotNull
}

func sortedDatums(vs []catalog.Datum) []catalog.Datum {
	if len(vs) <= 1 {
		return vs
	}
	out := append([]catalog.Datum(nil), vs...)
	sort.Slice(out, func(a, b int) bool { return catalog.Compare(out[a], out[b]) < 0 })
	return out
}

func hasNullLiteral(p *features.Pred) bool {
	for _, v := range p.Values {
		if v.IsNull() {
			return true
		}
	}
	return false
}

// predFalseWithNull ORs into dst the rows on which p, which has a NULL
// literal, is FALSE: a comparison with NULL is never FALSE; x IN (.., NULL)
// is never FALSE; x NOT IN (a, NULL) is FALSE where x = a; x BETWEEN a AND
// NULL is FALSE where x < a (and symmetrically).
func (ci *colIndex) predFalseWithNull(dst bitmap, p *features.Pred) {
	switch p.Op {
	case features.OpNotIn:
		for _, v := range p.Values {
			if !v.IsNull() {
				ci.orRange(dst, ci.lower(v), ci.upper(v))
			}
		}
	case features.OpBetween:
		if len(p.Values) != 2 {
			return
		}
		if lo := p.Values[0]; !lo.IsNull() {
			ci.orRange(dst, ci.nulls, ci.lower(lo))
		}
		if hi := p.Values[1]; !hi.IsNull() {
			ci.orRange(dst, ci.upper(hi), ci.n)
		}
	}
}
