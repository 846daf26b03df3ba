package engine

import (
	"context"
	"fmt"
	"math"
	"math/bits"
)

// treeDP counts an acyclic (tree-shaped) join by message passing
// (Yannakakis 1981, counting semiring). The tree is rooted at the
// occurrence with the most selected rows, so the big table only gathers
// messages and is never aggregated. For a node v and a connected subset S
// of v's subtree that contains v (a "rooted subset"), the weight of a
// selected row of v is the product, over the children c of v in S, of the
// message of c's rooted subset S∩subtree(c) at the row's join key; the
// message of (v, S) is the sum of those weights grouped by v's key towards
// its parent, and the count of S is the sum of all weights. With all set,
// every rooted subset of every node is enumerated (each connected subset
// of a tree has exactly one top node), sharing every child message among
// all the sub-plans that contain it.
type treeDP struct {
	p       *plan
	set     uint64 // the occurrences of the tree
	all     bool   // enumerate every connected subset, not just set
	results map[uint64]int64
	// fixedRoot roots the tree at root, whose row weights (join
	// multiplicities, nil when all are 1) count leaves in rootW.
	fixedRoot bool
	root      int
	rootW     []int64
}

// rooted is one rooted subset of a node with its count and message.
type rooted struct {
	mask  uint64
	count int64
	msg   []int64 // over the parent edge's ids; nil at the root
	max   int64   // largest element of msg
}

// kid is a child of a node: the edge to it, the node's key ids on that edge
// and the child's rooted subsets.
type kid struct {
	ids   []int32
	list  []rooted
	outer bool // a LEFT JOIN edge: unmatched rows keep weight 1
}

// count runs the pass and returns the count of the whole set.
func (t *treeDP) count(ctx context.Context) (int64, error) {
	root, best := -1, int64(-1)
	allowed := t.p.rootable(t.set)
	for i, o := range t.p.occ {
		if t.set&(1<<uint(i)) != 0 && allowed&(1<<uint(i)) != 0 && o.n > best {
			root, best = i, o.n
		}
	}
	if t.fixedRoot {
		root = t.root
		if allowed&(1<<uint(root)) == 0 {
			return 0, fmt.Errorf("%w: a subquery column on the null-supplying side of an outer join", ErrUnsupported)
		}
	}
	if root < 0 {
		return 0, fmt.Errorf("engine: internal error: no root for %#x", t.set)
	}
	list, err := t.visit(ctx, root, nil)
	if err != nil {
		return 0, err
	}
	for _, r := range list {
		if r.mask == t.set {
			return r.count, nil
		}
	}
	return 0, fmt.Errorf("engine: internal error: tree pass missed the full set %#x", t.set)
}

// visit returns the rooted subsets of v (only the full subtree unless
// t.all); up is the edge to v's parent (nil at the root).
func (t *treeDP) visit(ctx context.Context, v int, up *edge) ([]rooted, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var kids []kid
	for _, e := range t.p.adj[v] {
		w := e.other(v)
		if e == up || t.set&(1<<uint(w)) == 0 {
			continue
		}
		if err := t.p.encode(e); err != nil {
			return nil, err
		}
		list, err := t.visit(ctx, w, e)
		if err != nil {
			return nil, err
		}
		kids = append(kids, kid{ids: e.idsOf(v), list: list, outer: t.p.isOuterEdge(v, w)})
	}
	var upIDs []int32
	upD := 0
	hasUp := up != nil
	if hasUp {
		if err := t.p.encode(up); err != nil {
			return nil, err
		}
		upIDs, upD = up.idsOf(v), up.d
	}
	c := &combiner{
		ctx: ctx, t: t, kids: kids, n: int(t.p.occ[v].n),
		hasUp: hasUp, upIDs: upIDs, upD: upD, bufs: make([][]int64, len(kids)),
	}
	if err := c.run(0, nil, 1, 1<<uint(v)); err != nil {
		return nil, err
	}
	return c.out, nil
}

// combiner enumerates the rooted subsets of one node.
type combiner struct {
	ctx   context.Context
	t     *treeDP
	kids  []kid
	n     int  // selected rows of the node
	hasUp bool // the node has a parent (upIDs may be empty or nil)
	upIDs []int32
	upD   int
	bufs  [][]int64
	out   []rooted
}

// run chooses, for kid i onwards, none (only when enumerating all) or one
// of its rooted subsets (without all, a kid's list holds just its whole
// subtree); cur holds the row weights so far (nil: all 1) and
// curMax bounds them.
func (c *combiner) run(i int, cur []int64, curMax int64, mask uint64) error {
	if i == len(c.kids) {
		return c.finish(cur, mask)
	}
	k := c.kids[i]
	if c.t.all {
		if err := c.run(i+1, cur, curMax, mask); err != nil {
			return err
		}
	}
	for ri := range k.list {
		r := &k.list[ri]
		if c.bufs[i] == nil {
			c.bufs[i] = c.t.p.a.int64s(c.n)
		}
		gather := gatherMul
		if k.outer {
			gather = gatherMulOuter
		}
		m, err := gather(c.bufs[i], cur, curMax, k.ids, r.msg, r.max)
		if err != nil {
			return err
		}
		if err := c.run(i+1, c.bufs[i], m, mask|r.mask); err != nil {
			return err
		}
	}
	return nil
}

func (c *combiner) finish(cur []int64, mask uint64) error {
	if err := c.ctx.Err(); err != nil {
		return err
	}
	r := rooted{mask: mask}
	if cur == nil {
		r.count = int64(c.n)
	} else {
		var s int64
		for _, w := range cur {
			s += w
			if s < 0 {
				return fmt.Errorf("%w: sub-plan %#x", ErrOverflow, mask)
			}
		}
		r.count = s
	}
	if c.hasUp {
		// Sums of non-negative weights bounded by r.count: no overflow.
		msg := c.t.p.a.int64s(c.upD)
		if cur == nil {
			for _, id := range c.upIDs {
				if id >= 0 {
					msg[id]++
				}
			}
		} else {
			for i, id := range c.upIDs {
				if id >= 0 {
					msg[id] += cur[i]
				}
			}
		}
		for _, x := range msg {
			r.max = max(r.max, x)
		}
		r.msg = msg
	}
	if c.t.results != nil {
		c.t.results[mask] = r.count
	}
	if c.t.fixedRoot && !c.hasUp && mask == c.t.set && cur != nil {
		c.t.rootW = append([]int64(nil), cur...)
	}
	c.out = append(c.out, r)
	return nil
}

// gatherMul sets dst[i] = cur[i] * msg[ids[i]] (cur nil means 1; id -1
// means 0) and returns the largest result.
func gatherMul(dst, cur []int64, curMax int64, ids []int32, msg []int64, msgMax int64) (int64, error) {
	var m int64
	if cur == nil {
		for i, id := range ids {
			var x int64
			if id >= 0 {
				x = msg[id]
			}
			dst[i] = x
			m = max(m, x)
		}
		return m, nil
	}
	if curMax == 0 || msgMax <= math.MaxInt64/curMax {
		for i, id := range ids {
			var x int64
			if id >= 0 {
				x = cur[i] * msg[id]
			}
			dst[i] = x
			m = max(m, x)
		}
		return m, nil
	}
	for i, id := range ids {
		var x int64
		if id >= 0 {
			hi, lo := bits.Mul64(uint64(cur[i]), uint64(msg[id]))
			if hi != 0 || lo > math.MaxInt64 {
				return 0, fmt.Errorf("%w: join weight", ErrOverflow)
			}
			x = int64(lo)
		}
		dst[i] = x
		m = max(m, x)
	}
	return m, nil
}
