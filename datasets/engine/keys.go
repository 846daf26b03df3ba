package engine

import (
	"fmt"
	"math"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
)

// Join keys. Every edge maps the key values of both sides into one shared
// space of dense ids [0, d), -1 meaning "joins nothing" (NULL, or a value
// the other side lacks). Messages are then plain arrays indexed by id. The
// encoding of whole tables is computed once per Counter and edge columns
// (build side: the smaller table); a query gathers the ids of its selected
// rows and renumbers them when they use few of the ids:
//
//	int keys     dense range v-min when max-min is small, else a hash map
//	string keys  the build side's dictionary codes; the probe side's codes
//	             translated once per (column, column) pair and cached
//	float keys   a hash map over the values
//	composite    pairwise: id1*d2+id2 when small, else interned pairs

// denseSlack is how much larger than the build side a dense id space may
// be before ids are compacted (bounds message arrays to O(rows)).
const (
	denseSlack = 4
	denseFloor = 1 << 12
	// maxRemapSpan bounds the id range renumbered through a remap array
	// (4 bytes per possible value, 64 MiB at most); wider ranges use a
	// hash map.
	maxRemapSpan = 1 << 24
)

func denseLimit(n int) int { return denseSlack*n + denseFloor }

// encode computes the key ids of both ends of e once per query: a gather
// from the Counter's cached whole-table encoding of the edge's columns,
// renumbered densely when the selections use few of the ids.
func (p *plan) encode(e *edge) error {
	if e.encoded {
		return nil
	}
	A, B := p.occ[e.a], p.occ[e.b]
	colsA := make([]int, len(e.colsA))
	colsB := make([]int, len(e.colsB))
	for j := range e.colsA {
		colsA[j], colsB[j] = A.cols[e.colsA[j]], B.cols[e.colsB[j]]
	}
	fk, err := p.c.tableKeys(A.t, colsA, B.t, colsB)
	if err != nil {
		name := func(o *occurrence, cols []int) string {
			var parts []string
			for _, c := range cols {
				parts = append(parts, o.alias+"."+o.t.Def.Columns[c].Name)
			}
			return strings.Join(parts, ",")
		}
		return fmt.Errorf("%w: join (%s) = (%s)", err, name(A, colsA), name(B, colsB))
	}
	ia := gatherIDs(p.a.int32s(int(A.n)), fk.idsA, A.rowIDs(p.a))
	ib := gatherIDs(p.a.int32s(int(B.n)), fk.idsB, B.rowIDs(p.a))
	d := fk.d
	if nb := min(len(ia), len(ib)); d > denseLimit(nb) {
		remap := p.a.int32s(d)
		if len(ia) <= len(ib) {
			ia, ib, d = compactInto(remap, ia, ib)
		} else {
			ib, ia, d = compactInto(remap, ib, ia)
		}
	}
	e.idsA, e.idsB, e.d, e.encoded = ia, ib, d, true
	return nil
}

func gatherIDs(out, ids []int32, rows []int32) []int32 {
	for i, r := range rows {
		out[i] = ids[r]
	}
	return out
}

// fullKeys is the encoding of an edge's columns over every row of both
// tables.
type fullKeys struct {
	idsA, idsB []int32
	d          int
}

// keysKey identifies the column lists of a cached encoding.
type keysKey string

func makeKeysKey(ta *datasets.Table, colsA []int, tb *datasets.Table, colsB []int) keysKey {
	var b strings.Builder
	for _, c := range colsA {
		fmt.Fprintf(&b, "%p,", ta.Cols[c])
	}
	b.WriteByte('=')
	for _, c := range colsB {
		fmt.Fprintf(&b, "%p,", tb.Cols[c])
	}
	return keysKey(b.String())
}

// tableKeys returns (computing once per Counter) the key ids of every row
// of ta on colsA and of tb on colsB in one shared dense space.
func (c *Counter) tableKeys(ta *datasets.Table, colsA []int, tb *datasets.Table, colsB []int) (*fullKeys, error) {
	k := makeKeysKey(ta, colsA, tb, colsB)
	c.mu.Lock()
	fk, ok := c.keys[k]
	c.mu.Unlock()
	if ok {
		return fk, nil
	}
	// Build on the smaller table.
	swap := tb.Rows < ta.Rows
	bt, bc, pt, pcs := ta, colsA, tb, colsB
	if swap {
		bt, bc, pt, pcs = tb, colsB, ta, colsA
	}
	bRows, pRows := identity(bt.Rows), identity(pt.Rows)
	var idsB, idsP []int32
	d := 0
	for j := range bc {
		ib, ip, dj, err := c.encodeColumn(bt.Cols[bc[j]], bRows, pt.Cols[pcs[j]], pRows)
		if err != nil {
			return nil, err
		}
		if dj > len(bRows) {
			ib, ip, dj = compactIDs(ib, ip, dj)
		}
		if j == 0 {
			idsB, idsP, d = ib, ip, dj
			continue
		}
		idsB, idsP, d = combineIDs(idsB, idsP, d, ib, ip, dj)
	}
	if d > len(bRows) {
		idsB, idsP, d = compactIDs(idsB, idsP, d)
	}
	fk = &fullKeys{idsA: idsB, idsB: idsP, d: d}
	if swap {
		fk.idsA, fk.idsB = idsP, idsB
	}
	c.mu.Lock()
	c.keys[k] = fk
	c.mu.Unlock()
	return fk, nil
}

func identity(n int) []int32 {
	rows := make([]int32, n)
	for i := range rows {
		rows[i] = int32(i)
	}
	return rows
}

// encodeColumn encodes one column pair.
func (c *Counter) encodeColumn(bc *datasets.Column, bRows []int32, pc *datasets.Column, pRows []int32) (ib, ip []int32, d int, err error) {
	bs, ps := bc.Type == catalog.TypeString, pc.Type == catalog.TypeString
	switch {
	case bs && ps:
		ib, ip, d = c.encodeStrings(bc, bRows, pc, pRows)
		return ib, ip, d, nil
	case bs != ps:
		return nil, nil, 0, fmt.Errorf("%w: string column joined with a numeric column", ErrUnsupported)
	case bc.Type == catalog.TypeFloat || pc.Type == catalog.TypeFloat:
		ib, ip, d = encodeFloats(bc, bRows, pc, pRows)
		return ib, ip, d, nil
	}
	ib, ip, d = encodeInts(bc, bRows, pc, pRows)
	return ib, ip, d, nil
}

func encodeInts(bc *datasets.Column, bRows []int32, pc *datasets.Column, pRows []int32) (ib, ip []int32, d int) {
	ib = make([]int32, len(bRows))
	ip = make([]int32, len(pRows))
	lo, hi, any := int64(math.MaxInt64), int64(math.MinInt64), false
	for _, r := range bRows {
		if bc.IsNull(int(r)) {
			continue
		}
		v := bc.Ints[r]
		lo, hi, any = min(lo, v), max(hi, v), true
	}
	if !any {
		fillNeg(ib)
		fillNeg(ip)
		return ib, ip, 0
	}
	if span := uint64(hi) - uint64(lo); span < uint64(denseLimit(len(bRows))) {
		d = int(span) + 1
		for i, r := range bRows {
			if bc.IsNull(int(r)) {
				ib[i] = -1
			} else {
				ib[i] = int32(bc.Ints[r] - lo)
			}
		}
		pv := pc.Ints
		for i, r := range pRows {
			v := pv[r]
			if v < lo || v > hi || pc.IsNull(int(r)) {
				ip[i] = -1
			} else {
				ip[i] = int32(v - lo)
			}
		}
		return ib, ip, d
	}
	if span := uint64(hi) - uint64(lo); span < maxRemapSpan {
		// Renumber the build side's distinct values through an array
		// over the range: no hashing on the (often large) probe side.
		remap := make([]int32, span+1)
		fillNeg(remap)
		n := int32(0)
		for i, r := range bRows {
			if bc.IsNull(int(r)) {
				ib[i] = -1
				continue
			}
			k := bc.Ints[r] - lo
			if remap[k] < 0 {
				remap[k] = n
				n++
			}
			ib[i] = remap[k]
		}
		pv := pc.Ints
		for i, r := range pRows {
			v := pv[r]
			if v < lo || v > hi || pc.IsNull(int(r)) {
				ip[i] = -1
			} else {
				ip[i] = remap[v-lo]
			}
		}
		return ib, ip, int(n)
	}
	key := func(c *datasets.Column) func(r int32) (int64, bool) {
		return func(r int32) (int64, bool) { return c.Ints[r], !c.IsNull(int(r)) }
	}
	return ib, ip, internKeys(ib, ip, bRows, pRows, key(bc), key(pc))
}

// floatKey is the join key of row r of an int or float column; ok is false
// for NULL and NaN (which join nothing).
func floatKey(c *datasets.Column, r int32) (f float64, ok bool) {
	if c.Type == catalog.TypeFloat {
		f = c.Floats[r]
	} else {
		f = float64(c.Ints[r])
	}
	if f == 0 {
		f = 0 // -0 joins +0
	}
	return f, f == f && !c.IsNull(int(r))
}

func encodeFloats(bc *datasets.Column, bRows []int32, pc *datasets.Column, pRows []int32) (ib, ip []int32, d int) {
	ib = make([]int32, len(bRows))
	ip = make([]int32, len(pRows))
	key := func(c *datasets.Column) func(r int32) (float64, bool) {
		return func(r int32) (float64, bool) { return floatKey(c, r) }
	}
	return ib, ip, internKeys(ib, ip, bRows, pRows, key(bc), key(pc))
}

// internKeys numbers the distinct keys of the build rows in order of first
// appearance (ib) and looks the probe rows' keys up (ip); a row whose key
// is not ok, or a probe key the build side lacks, gets -1. It returns the
// number of ids.
func internKeys[K comparable](ib, ip, bRows, pRows []int32, bKey, pKey func(r int32) (K, bool)) int {
	ids := make(map[K]int32, len(bRows))
	for i, r := range bRows {
		k, ok := bKey(r)
		if !ok {
			ib[i] = -1
			continue
		}
		id, seen := ids[k]
		if !seen {
			id = int32(len(ids))
			ids[k] = id
		}
		ib[i] = id
	}
	for i, r := range pRows {
		id := int32(-1)
		if k, ok := pKey(r); ok {
			if x, seen := ids[k]; seen {
				id = x
			}
		}
		ip[i] = id
	}
	return len(ids)
}

// encodeStrings uses the build column's dictionary codes as ids.
func (c *Counter) encodeStrings(bc *datasets.Column, bRows []int32, pc *datasets.Column, pRows []int32) (ib, ip []int32, d int) {
	ib = make([]int32, len(bRows))
	ip = make([]int32, len(pRows))
	for i, r := range bRows {
		if bc.IsNull(int(r)) {
			ib[i] = -1
		} else {
			ib[i] = int32(bc.Codes[r])
		}
	}
	tr := c.translation(pc, bc)
	for i, r := range pRows {
		if pc.IsNull(int(r)) {
			ip[i] = -1
			continue
		}
		code := pc.Codes[r]
		if tr == nil {
			ip[i] = int32(code)
		} else {
			ip[i] = tr[code]
		}
	}
	return ib, ip, len(bc.Dict)
}

// translation maps the codes of from's dictionary to the codes of the same
// strings in to's dictionary (-1 when absent); nil means identity (the
// same dictionary).
func (c *Counter) translation(from, to *datasets.Column) []int32 {
	if from == to || sameDict(from.Dict, to.Dict) {
		return nil
	}
	k := transKey{from, to}
	c.mu.Lock()
	tr, ok := c.trans[k]
	c.mu.Unlock()
	if ok {
		return tr
	}
	index := make(map[string]int32, len(to.Dict))
	for i, s := range to.Dict {
		index[s] = int32(i)
	}
	tr = make([]int32, len(from.Dict))
	for i, s := range from.Dict {
		id, ok := index[s]
		if !ok {
			id = -1
		}
		tr[i] = id
	}
	c.mu.Lock()
	c.trans[k] = tr
	c.mu.Unlock()
	return tr
}

// sameDict reports whether two dictionaries are the same slice.
func sameDict(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func fillNeg(ids []int32) {
	for i := range ids {
		ids[i] = -1
	}
}

// combineIDs pairs two id spaces into one.
func combineIDs(b1, p1 []int32, d1 int, b2, p2 []int32, d2 int) (ib, ip []int32, d int) {
	if d1 == 0 || d2 == 0 {
		fillNeg(b1)
		fillNeg(p1)
		return b1, p1, 0
	}
	if d1 <= maxRemapSpan/d2 {
		pair := func(dst, x, y []int32) {
			for i := range dst {
				if x[i] < 0 || y[i] < 0 {
					dst[i] = -1
				} else {
					dst[i] = x[i]*int32(d2) + y[i]
				}
			}
		}
		pair(b1, b1, b2)
		pair(p1, p1, p2)
		if d := d1 * d2; d > denseLimit(len(b1)) {
			return compactIDs(b1, p1, d)
		}
		return b1, p1, d1 * d2
	}
	ids := make(map[uint64]int32, len(b1))
	for i := range b1 {
		if b1[i] < 0 || b2[i] < 0 {
			b1[i] = -1
			continue
		}
		k := uint64(b1[i])<<32 | uint64(b2[i])
		id, ok := ids[k]
		if !ok {
			id = int32(len(ids))
			ids[k] = id
		}
		b1[i] = id
	}
	for i := range p1 {
		if p1[i] < 0 || p2[i] < 0 {
			p1[i] = -1
			continue
		}
		id, ok := ids[uint64(p1[i])<<32|uint64(p2[i])]
		if !ok {
			id = -1
		}
		p1[i] = id
	}
	return b1, p1, len(ids)
}

// compactIDs renumbers the build side's ids densely.
func compactIDs(ib, ip []int32, d int) ([]int32, []int32, int) {
	return compactInto(make([]int32, d), ib, ip)
}

// compactInto is compactIDs with the caller's remap array (len d).
func compactInto(remap, ib, ip []int32) ([]int32, []int32, int) {
	fillNeg(remap)
	n := int32(0)
	for i, id := range ib {
		if id < 0 {
			continue
		}
		if remap[id] < 0 {
			remap[id] = n
			n++
		}
		ib[i] = remap[id]
	}
	for i, id := range ip {
		if id >= 0 {
			ip[i] = remap[id]
		}
	}
	return ib, ip, int(n)
}
