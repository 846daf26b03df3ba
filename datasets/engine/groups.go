package engine

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// GroupCount is the exact output of a query that groups (GROUP BY,
// DISTINCT, HAVING): the rows of FROM + WHERE it groups and the groups it
// outputs.
type GroupCount struct {
	Rows int64 // rows of FROM + WHERE
	// Groups is the number of output rows: the groups that pass HAVING
	// (the distinct key tuples for DISTINCT). It equals Rows when the
	// query does not group.
	Groups int64
}

// maxGroupCombos bounds the group combinations a HAVING over the cross
// product of several disconnected components may enumerate.
const maxGroupCombos = 1 << 24

// CountGroups is a shorthand for New(db, Options{}).CountGroups.
func CountGroups(ctx context.Context, db *datasets.DB, q *features.Query) (GroupCount, error) {
	return New(db, Options{}).CountGroups(ctx, q)
}

// CountGroups returns the true number of rows of q's FROM + WHERE and of
// the groups q outputs (see GroupCount). Groups are counted without
// materialising joins on acyclic join graphs: the message passing of
// Count carries, per join key, the distinct group-key tuples of the
// subtree with their row counts and aggregate accumulators (SUM, COUNT,
// MIN, MAX of the rows each tuple stands for); cyclic graphs group the
// tuples of the hash-join fallback.
func (c *Counter) CountGroups(ctx context.Context, q *features.Query) (GroupCount, error) {
	if q == nil || q.Group == nil {
		n, err := c.Count(ctx, q)
		return GroupCount{Rows: n, Groups: n}, err
	}
	if q.HasDerived() {
		ext, q2, err := c.withDerived(ctx, q)
		if err != nil {
			return GroupCount{}, err
		}
		return ext.CountGroups(ctx, q2)
	}
	q, err := c.resolveHaving(ctx, q) // havingsub.go
	if err != nil {
		return GroupCount{}, err
	}
	if len(q.Residuals) > 0 {
		return c.groupsResiduals(ctx, q)
	}
	p, err := c.prepare(ctx, q)
	defer p.release()
	if err != nil {
		return GroupCount{}, err
	}
	gp, err := newGroupPlan(p, q)
	if err != nil {
		return GroupCount{}, err
	}
	comps, err := gp.groupSets(ctx)
	if err != nil {
		return GroupCount{}, err
	}
	rows := int64(1)
	for _, gs := range comps {
		n := gs.total()
		if n < 0 {
			return GroupCount{}, fmt.Errorf("%w: rows of a component", ErrOverflow)
		}
		hi, lo := bits.Mul64(uint64(rows), uint64(n))
		if hi != 0 || lo > math.MaxInt64 {
			return GroupCount{}, fmt.Errorf("%w: cross product of components", ErrOverflow)
		}
		rows = int64(lo)
	}
	groups, err := gp.output(comps)
	return GroupCount{Rows: rows, Groups: groups}, err
}

// groupSets groups each connected component of the plan (a tree by
// message passing, a cyclic one by enumeration).
func (gp *groupPlan) groupSets(ctx context.Context) ([]*groupSet, error) {
	var comps []*groupSet
	for _, comp := range gp.p.components() {
		var (
			gs  *groupSet
			err error
		)
		if gp.p.isTree(comp) {
			gs, err = gp.tree(ctx, comp)
		} else {
			gs, err = gp.cyclic(ctx, comp)
		}
		if err != nil {
			return nil, err
		}
		comps = append(comps, gs)
	}
	return comps, nil
}

// groupPlan resolves a query's grouping against its plan: which
// occurrence each key and aggregate reads, and how to read them.
type groupPlan struct {
	p      *plan
	g      *features.Grouping
	keysOf [][]int // per occurrence: indices into g.Keys
	aggsOf [][]int // per occurrence: indices into g.Aggs with an argument
	keyFn  []func(row int32) (uint64, bool)
	aggFn  []func(row int32) (float64, bool)
	stride int // accumulators per entry: 4 per aggregate (sum, non-NULL count, min, max)
}

func newGroupPlan(p *plan, q *features.Query) (*groupPlan, error) {
	g := q.Group
	gp := &groupPlan{p: p, g: g, keysOf: make([][]int, len(p.occ)), aggsOf: make([][]int, len(p.occ)), stride: 4 * len(g.Aggs)}
	for i, k := range g.Keys {
		if k.Table < 0 || k.Table >= len(p.occ) || k.Col < 0 || k.Col >= len(p.occ[k.Table].cols) {
			return nil, fmt.Errorf("%w: grouping key %d out of range", ErrBadQuery, i)
		}
		o := p.occ[k.Table]
		fn, err := p.c.keyReader(o, k)
		if err != nil {
			return nil, err
		}
		gp.keysOf[k.Table] = append(gp.keysOf[k.Table], i)
		gp.keyFn = append(gp.keyFn, fn)
	}
	for i, a := range g.Aggs {
		if a.Arg == nil {
			gp.aggFn = append(gp.aggFn, nil)
			continue
		}
		if a.Table < 0 || a.Table >= len(p.occ) {
			return nil, fmt.Errorf("%w: aggregate %d reads occurrence %d of %d", ErrBadQuery, i, a.Table, len(p.occ))
		}
		fn, err := aggReader(p.occ[a.Table], a, i)
		if err != nil {
			return nil, err
		}
		gp.aggsOf[a.Table] = append(gp.aggsOf[a.Table], i)
		gp.aggFn = append(gp.aggFn, fn)
	}
	return gp, nil
}

// keyReader returns a function reading a grouping key of a row as a
// value that identifies it (equal values, equal results) and whether it
// is non-NULL.
func (c *Counter) keyReader(o *occurrence, k features.GroupKey) (func(row int32) (uint64, bool), error) {
	col := o.t.Cols[o.cols[k.Col]]
	null := func(row int32) bool { return col.IsNull(int(row)) }
	switch col.Type {
	case catalog.TypeFloat:
		if k.Func != features.KeyColumn {
			return nil, fmt.Errorf("%w: %s key on the float column %s.%s", ErrBadQuery, keyFuncName(k.Func), o.alias, o.t.Def.Columns[o.cols[k.Col]].Name)
		}
		return func(row int32) (uint64, bool) {
			f := col.Floats[row]
			if f == 0 {
				f = 0 // -0 and +0 are one group
			}
			return math.Float64bits(f), !null(row)
		}, nil
	case catalog.TypeString:
		// Dictionary codes, canonical per distinct string (or prefix).
		canon := make([]uint32, len(col.Dict))
		seen := make(map[string]uint32, len(col.Dict))
		switch k.Func {
		case features.KeyColumn, features.KeyPrefix:
		default:
			return nil, fmt.Errorf("%w: %s key on the string column %s.%s", ErrBadQuery, keyFuncName(k.Func), o.alias, o.t.Def.Columns[o.cols[k.Col]].Name)
		}
		for i, s := range col.Dict {
			if k.Func == features.KeyPrefix {
				s = features.KeyPrefixOf(s, k.N)
			}
			id, ok := seen[s]
			if !ok {
				id = uint32(len(seen))
				seen[s] = id
			}
			canon[i] = id
		}
		return func(row int32) (uint64, bool) {
			return uint64(canon[col.Codes[row]]), !null(row)
		}, nil
	}
	switch k.Func {
	case features.KeyColumn:
		return func(row int32) (uint64, bool) { return uint64(col.Ints[row]), !null(row) }, nil
	case features.KeyYear, features.KeyMonth, features.KeyDate:
		if col.Type != catalog.TypeDate && col.Type != catalog.TypeDateTime {
			return nil, fmt.Errorf("%w: %s key on the %s column %s.%s", ErrBadQuery, keyFuncName(k.Func), col.Type, o.alias, o.t.Def.Columns[o.cols[k.Col]].Name)
		}
		f := k.Func
		return func(row int32) (uint64, bool) { return uint64(features.KeyValue(f, col.Ints[row])), !null(row) }, nil
	}
	return nil, fmt.Errorf("%w: %s key on the %s column %s.%s", ErrBadQuery, keyFuncName(k.Func), col.Type, o.alias, o.t.Def.Columns[o.cols[k.Col]].Name)
}

func keyFuncName(f features.KeyFunc) string {
	switch f {
	case features.KeyColumn:
		return "column"
	case features.KeyYear:
		return "YEAR"
	case features.KeyMonth:
		return "MONTH"
	case features.KeyDate:
		return "DATE"
	case features.KeyPrefix:
		return "prefix"
	}
	return fmt.Sprintf("KeyFunc(%d)", f)
}

// entries are group entries: a row count and the aggregate accumulators
// (stride per entry) of the rows one group-key tuple stands for.
type entries struct {
	stride int
	cnt    []int64
	acc    []float64
}

func (e *entries) len() int { return len(e.cnt) }

// push appends an empty entry and returns its index.
func (e *entries) push() int {
	e.cnt = append(e.cnt, 0)
	for j := 0; j < e.stride; j += 4 {
		e.acc = append(e.acc, 0, 0, math.Inf(1), math.Inf(-1))
	}
	return len(e.cnt) - 1
}

// add merges (cnt, acc) into entry i: the rows of both.
func (e *entries) add(i int, cnt int64, acc []float64) error {
	s := e.cnt[i] + cnt
	if s < 0 {
		return fmt.Errorf("%w: group rows", ErrOverflow)
	}
	e.cnt[i] = s
	a := e.acc[i*e.stride : (i+1)*e.stride]
	for j := 0; j < len(a); j += 4 {
		a[j] += acc[j]
		a[j+1] += acc[j+1]
		a[j+2] = min(a[j+2], acc[j+2])
		a[j+3] = max(a[j+3], acc[j+3])
	}
	return nil
}

// product sets dst to the accumulators of the join of the rows of (ca,
// a) with those of (cb, b): every row of one side meets every row of the
// other, so sums and counts scale by the other side's rows.
func product(dst []float64, ca int64, a []float64, cb int64, b []float64) {
	fa, fb := float64(ca), float64(cb)
	for j := 0; j < len(dst); j += 4 {
		dst[j] = a[j]*fb + b[j]*fa
		dst[j+1] = a[j+1]*fb + b[j+1]*fa
		dst[j+2] = min(a[j+2], b[j+2])
		dst[j+3] = max(a[j+3], b[j+3])
	}
}

func mulCount(a, b int64) (int64, error) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, fmt.Errorf("%w: group rows", ErrOverflow)
	}
	return int64(lo), nil
}

// groupSet is the result of one connected component: its groups (one
// entry per distinct key tuple of the component's keys; a component
// without keys has at most one).
type groupSet struct {
	entries
}

func (s *groupSet) total() int64 {
	var n int64
	for _, c := range s.cnt {
		n += c
		if n < 0 {
			return -1
		}
	}
	return n
}

// gmsg is a node's message to its parent: for each key id k of the edge,
// the entries [start[k], start[k+1]) with their subtree group ids.
type gmsg struct {
	start []int32
	gid   []int32
	entries
	keyed bool // the subtree has grouping keys (gid identifies their values)
	// nullGid is the group id of the subtree's keys all NULL: what a LEFT
	// JOIN's NULL-extended row stands for.
	nullGid int32
}

// interner numbers byte strings densely.
type interner struct {
	m map[string]int32
}

func (in *interner) id(b []byte) int32 {
	if id, ok := in.m[string(b)]; ok {
		return id
	}
	id := int32(len(in.m))
	in.m[string(b)] = id
	return id
}

// tree groups a connected acyclic component by message passing from the
// occurrence with the most selected rows.
func (gp *groupPlan) tree(ctx context.Context, set uint64) (*groupSet, error) {
	root, best := -1, int64(-1)
	allowed := gp.p.rootable(set)
	for i, o := range gp.p.occ {
		if set&(1<<uint(i)) != 0 && allowed&(1<<uint(i)) != 0 && o.n > best {
			root, best = i, o.n
		}
	}
	if root < 0 {
		return nil, fmt.Errorf("engine: internal error: no root for %#x", set)
	}
	out := &groupSet{entries: entries{stride: gp.stride}}
	if _, err := gp.visit(ctx, set, root, nil, out); err != nil {
		return nil, err
	}
	return out, nil
}

// subtreeKeyed reports whether v's subtree (away from the edge up) holds
// grouping keys.
func (gp *groupPlan) subtreeKeyed(set uint64, v int, up *edge) bool {
	if len(gp.keysOf[v]) > 0 {
		return true
	}
	for _, e := range gp.p.adj[v] {
		w := e.other(v)
		if e != up && set&(1<<uint(w)) != 0 && gp.subtreeKeyed(set, w, e) {
			return true
		}
	}
	return false
}

type gkid struct {
	ids   []int32 // the node's key ids on the edge to the kid
	msg   *gmsg
	outer bool // a LEFT JOIN edge: a row the kid matches nothing of meets one NULL-extended row
}

// visit computes v's message towards up; at the root (up nil) it fills
// out with the component's groups instead.
func (gp *groupPlan) visit(ctx context.Context, set uint64, v int, up *edge, out *groupSet) (*gmsg, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := gp.p
	var kids []gkid
	for _, e := range p.adj[v] {
		w := e.other(v)
		if e == up || set&(1<<uint(w)) == 0 {
			continue
		}
		if err := p.encode(e); err != nil {
			return nil, err
		}
		m, err := gp.visit(ctx, set, w, e, nil)
		if err != nil {
			return nil, err
		}
		kids = append(kids, gkid{ids: e.idsOf(v), msg: m, outer: p.isOuterEdge(v, w)})
	}
	keyed := gp.subtreeKeyed(set, v, up)
	var upIDs []int32
	var msg *gmsg
	if up != nil {
		if err := p.encode(up); err != nil {
			return nil, err
		}
		upIDs = up.idsOf(v)
		msg = &gmsg{entries: entries{stride: gp.stride}, keyed: keyed}
	}
	in := &interner{m: map[string]int32{}}
	// Where each (up key, group id) accumulates.
	var dense []int32 // by up key, when the subtree has no keys
	var byPair map[uint64]int32
	var pairKey []int32 // per message entry: its up key
	if up != nil {
		if keyed {
			byPair = map[uint64]int32{}
		} else {
			dense = make([]int32, up.d)
			for i := range dense {
				dense[i] = -1
			}
		}
	}
	rootIdx := []int32{} // at the root: group id -> entry
	o := p.occ[v]
	rows := o.rowIDs(p.a)
	own := gp.keysOf[v]
	ownAggs := gp.aggsOf[v]
	S := gp.stride
	// Partial combinations of the current row: count, accumulators, key bytes.
	var pc, pc2 []int64
	var pa, pa2 []float64
	var pk, pk2 [][]byte
	var base []byte
	ownAcc := make([]float64, S)
	tmp := make([]float64, S)
	nullAcc := make([]float64, S) // the accumulators of one NULL-extended row
	for j := 0; j < S; j += 4 {
		nullAcc[j+2], nullAcc[j+3] = math.Inf(1), math.Inf(-1)
	}
	nullCnt := []int64{1}
	nullGid := make([]int32, 1)
	for i, row := range rows {
		if i%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var uk int32 = -1
		if up != nil {
			if uk = upIDs[i]; uk < 0 {
				continue
			}
		}
		// The row's own key values and aggregate values.
		base = base[:0]
		for _, ki := range own {
			val, ok := gp.keyFn[ki](row)
			if !ok {
				base = append(base, 0)
				val = 0
			} else {
				base = append(base, 1)
			}
			base = binary.LittleEndian.AppendUint64(base, val)
		}
		for j := 0; j < S; j += 4 {
			ownAcc[j], ownAcc[j+1], ownAcc[j+2], ownAcc[j+3] = 0, 0, math.Inf(1), math.Inf(-1)
		}
		for _, ai := range ownAggs {
			if x, ok := gp.aggFn[ai](row); ok {
				j := 4 * ai
				ownAcc[j], ownAcc[j+1], ownAcc[j+2], ownAcc[j+3] = x, 1, x, x
			}
		}
		pc = append(pc[:0], 1)
		pa = append(pa[:0], ownAcc...)
		if len(pk) == 0 {
			pk = append(pk, nil)
		}
		pk = pk[:1]
		pk[0] = append(pk[0][:0], base...)
		dead := false
		for _, k := range kids {
			m := k.msg
			id := k.ids[i]
			var lo, hi int32
			if id >= 0 {
				lo, hi = m.start[id], m.start[id+1]
			}
			// The kid's entries for the row, or one NULL-extended row.
			cnts, accs, gids := m.cnt, m.acc, m.gid
			if lo == hi {
				if !k.outer {
					dead = true
					break
				}
				lo, hi = 0, 1
				cnts, accs, gids = nullCnt, nullAcc, nullGid
				nullGid[0] = m.nullGid
			}
			pc2, pa2 = pc2[:0], pa2[:0]
			n2 := 0
			for x := range pc {
				for e := lo; e < hi; e++ {
					c, err := mulCount(pc[x], cnts[e])
					if err != nil {
						return nil, err
					}
					pc2 = append(pc2, c)
					pa2 = append(pa2, tmp...)
					product(pa2[len(pa2)-S:], pc[x], pa[x*S:(x+1)*S], cnts[e], accs[int(e)*S:(int(e)+1)*S])
					if n2 >= len(pk2) {
						pk2 = append(pk2, nil)
					}
					pk2[n2] = append(pk2[n2][:0], pk[x]...)
					if m.keyed {
						pk2[n2] = binary.LittleEndian.AppendUint32(pk2[n2], uint32(gids[e]))
					}
					n2++
				}
			}
			pc, pc2 = pc2, pc
			pa, pa2 = pa2, pa
			pk, pk2 = pk2[:n2], pk[:cap(pk)]
			pk = pk[:n2]
		}
		if dead {
			continue
		}
		for x := range pc {
			var gid int32
			if keyed {
				gid = in.id(pk[x])
			}
			acc := pa[x*S : (x+1)*S]
			switch {
			case up == nil:
				for int(gid) >= len(rootIdx) {
					rootIdx = append(rootIdx, int32(out.push()))
				}
				if err := out.add(int(rootIdx[gid]), pc[x], acc); err != nil {
					return nil, err
				}
			case !keyed:
				if dense[uk] < 0 {
					dense[uk] = int32(msg.push())
					msg.gid = append(msg.gid, 0)
					pairKey = append(pairKey, uk)
				}
				if err := msg.add(int(dense[uk]), pc[x], acc); err != nil {
					return nil, err
				}
			default:
				pk := uint64(uint32(uk))<<32 | uint64(uint32(gid))
				ei, ok := byPair[pk]
				if !ok {
					ei = int32(msg.push())
					byPair[pk] = ei
					msg.gid = append(msg.gid, gid)
					pairKey = append(pairKey, uk)
				}
				if err := msg.add(int(ei), pc[x], acc); err != nil {
					return nil, err
				}
			}
		}
	}
	if up == nil {
		return nil, nil
	}
	// The group id of the subtree's keys all NULL (a NULL-extended row).
	var nullID int32
	if keyed {
		base = base[:0]
		for range own {
			base = append(base, make([]byte, 9)...)
		}
		for _, k := range kids {
			if k.msg.keyed {
				base = binary.LittleEndian.AppendUint32(base, uint32(k.msg.nullGid))
			}
		}
		nullID = in.id(base)
	}
	// Order the entries by up key (counting sort) into CSR form.
	start := make([]int32, up.d+1)
	for _, k := range pairKey {
		start[k+1]++
	}
	for k := 1; k <= up.d; k++ {
		start[k] += start[k-1]
	}
	fill := append([]int32(nil), start[:up.d]...)
	sorted := &gmsg{start: start, gid: make([]int32, len(pairKey)), keyed: keyed, nullGid: nullID,
		entries: entries{stride: S, cnt: make([]int64, len(pairKey)), acc: make([]float64, len(pairKey)*S)}}
	for e, k := range pairKey {
		d := fill[k]
		fill[k]++
		sorted.gid[d] = msg.gid[e]
		sorted.cnt[d] = msg.cnt[e]
		copy(sorted.acc[int(d)*S:(int(d)+1)*S], msg.acc[e*S:(e+1)*S])
	}
	return sorted, nil
}

// cyclic groups a connected component with a cycle over the tuples of
// the hash-join fallback (bounded by Options.MaxRows like its count).
func (gp *groupPlan) cyclic(ctx context.Context, set uint64) (*groupSet, error) {
	p := gp.p
	if p.outerWithin(set) {
		return nil, fmt.Errorf("%w: an outer join in a cyclic join graph", ErrUnsupported)
	}
	out := &groupSet{entries: entries{stride: gp.stride}}
	in := &interner{m: map[string]int32{}}
	var idx []int32
	var key []byte
	S := gp.stride
	acc := make([]float64, S)
	rowIDs := make([][]int32, len(p.occ))
	for i := range p.occ {
		if set&(1<<uint(i)) != 0 {
			rowIDs[i] = p.occ[i].rowIDs(p.a)
		}
	}
	rowOf := func(slot []int, tup []int32, last int, u int32, o int) int32 {
		if o == last {
			return rowIDs[o][u]
		}
		return rowIDs[o][tup[slot[o]]]
	}
	_, err := p.joinCyclic(ctx, set, func(slot []int, tup []int32, last int, u int32) error {
		key = key[:0]
		for ki, k := range gp.g.Keys {
			if set&(1<<uint(k.Table)) == 0 {
				continue
			}
			val, ok := gp.keyFn[ki](rowOf(slot, tup, last, u, k.Table))
			if !ok {
				key = append(key, 0)
				val = 0
			} else {
				key = append(key, 1)
			}
			key = binary.LittleEndian.AppendUint64(key, val)
		}
		for j := 0; j < S; j += 4 {
			acc[j], acc[j+1], acc[j+2], acc[j+3] = 0, 0, math.Inf(1), math.Inf(-1)
		}
		for ai, a := range gp.g.Aggs {
			if a.Arg == nil || set&(1<<uint(a.Table)) == 0 {
				continue
			}
			if x, ok := gp.aggFn[ai](rowOf(slot, tup, last, u, a.Table)); ok {
				j := 4 * ai
				acc[j], acc[j+1], acc[j+2], acc[j+3] = x, 1, x, x
			}
		}
		gid := in.id(key)
		for int(gid) >= len(idx) {
			idx = append(idx, int32(out.push()))
		}
		return out.add(int(idx[gid]), 1, acc)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// output combines the components' groups into the query's output rows:
// the groups (the combinations of the components' groups) that pass
// HAVING. Without keys the whole input is one group, even when empty.
func (gp *groupPlan) output(comps []*groupSet) (int64, error) {
	g := gp.g
	S := gp.stride
	if len(g.Keys) > 0 && g.Having == nil {
		n := int64(1)
		for _, c := range comps {
			var err error
			if n, err = mulCount(n, int64(c.len())); err != nil {
				return 0, err
			}
		}
		return n, nil
	}
	// Enumerate the combinations (one per component) and test HAVING.
	empty := &groupSet{entries: entries{stride: S}}
	empty.push() // the one group of an empty keyless input
	cnt := []int64{1}
	acc := [][]float64{make([]float64, S)}
	for j := 0; j < S; j += 4 {
		acc[0][j+2], acc[0][j+3] = math.Inf(1), math.Inf(-1)
	}
	for _, c := range comps {
		src := c
		if c.len() == 0 && len(g.Keys) == 0 {
			src = empty
		}
		if n := int64(len(cnt)) * int64(src.len()); n > maxGroupCombos {
			return 0, fmt.Errorf("%w: HAVING over %d combinations of disconnected groups", ErrTooLarge, n)
		}
		var cnt2 []int64
		var acc2 [][]float64
		for x := range cnt {
			for e := 0; e < src.len(); e++ {
				cc, err := mulCount(cnt[x], src.cnt[e])
				if err != nil {
					return 0, err
				}
				a := make([]float64, S)
				product(a, cnt[x], acc[x], src.cnt[e], src.acc[e*S:(e+1)*S])
				cnt2 = append(cnt2, cc)
				acc2 = append(acc2, a)
			}
		}
		cnt, acc = cnt2, acc2
	}
	var n int64
	for x := range cnt {
		if g.Having.Eval(func(i int) (float64, bool) { return aggValue(g.Aggs[i], cnt[x], acc[x][4*i:4*i+4]) }) == features.True {
			n++
		}
	}
	return n, nil
}

// aggValue is an aggregate's value over a group of cnt rows with
// accumulators a (sum, non-NULL count, min, max); false means NULL.
func aggValue(ag features.Agg, cnt int64, a []float64) (float64, bool) {
	switch ag.Func {
	case features.AggCount:
		if ag.Arg == nil {
			return float64(cnt), true
		}
		return a[1], true
	case features.AggSum:
		return a[0], a[1] > 0
	case features.AggAvg:
		return a[0] / a[1], a[1] > 0
	case features.AggMin:
		return a[2], a[1] > 0
	case features.AggMax:
		return a[3], a[1] > 0
	}
	return 0, false
}
