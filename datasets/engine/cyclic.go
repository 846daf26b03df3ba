package engine

import (
	"context"
	"fmt"
	"math/bits"
)

// ctxEvery is how many tuples a materialising join produces between
// context checks.
const ctxEvery = 1 << 16

// countCyclic counts the join of the connected set s whose join graph has
// a cycle: hash joins along a spanning tree, smallest selection first,
// checking the remaining edges on the fly. Intermediate tuples are
// materialised (positions into each occurrence's selection) up to the
// MaxRows budget; the last occurrence is only counted.
func (p *plan) countCyclic(ctx context.Context, s uint64) (int64, error) {
	return p.joinCyclic(ctx, s, nil)
}

// emitFunc receives one tuple of a cyclic join: the tuple columns tup of
// the occurrences joined before the last one (slot maps an occurrence to
// its column, -1 for the last), and the last occurrence's position u in
// its selection. tup is only valid during the call.
type emitFunc func(slot []int, tup []int32, last int, u int32) error

// joinCyclic is countCyclic with every result tuple passed to emit (when
// not nil).
func (p *plan) joinCyclic(ctx context.Context, s uint64, emit emitFunc) (int64, error) {
	for _, e := range p.edges {
		if s&(1<<uint(e.a)) != 0 && s&(1<<uint(e.b)) != 0 {
			if err := p.encode(e); err != nil {
				return 0, err
			}
		}
	}
	first, best := -1, int64(-1)
	for i, o := range p.occ {
		if s&(1<<uint(i)) != 0 && (best < 0 || o.n < best) {
			first, best = i, o.n
		}
	}
	slot := make([]int, len(p.occ)) // occurrence -> tuple column, -1: not joined yet
	for i := range slot {
		slot[i] = -1
	}
	slot[first] = 0
	tuples := make([]int32, p.occ[first].n)
	for i := range tuples {
		tuples[i] = int32(i)
	}
	width := 1
	left := bits.OnesCount64(s) - 1
	for left > 0 {
		// The next occurrence: adjacent to the joined ones, smallest selection.
		next, nb := -1, int64(-1)
		for i, o := range p.occ {
			if s&(1<<uint(i)) == 0 || slot[i] >= 0 {
				continue
			}
			adjacent := false
			for _, e := range p.adj[i] {
				if slot[e.other(i)] >= 0 {
					adjacent = true
				}
			}
			if adjacent && (nb < 0 || o.n < nb) {
				next, nb = i, o.n
			}
		}
		var links []*edge
		for _, e := range p.adj[next] {
			if slot[e.other(next)] >= 0 {
				links = append(links, e)
			}
		}
		probe := links[0]
		// The other links are checked per candidate: resolve their ids
		// and tuple columns once.
		type check struct {
			next, joined []int32 // key ids of next's rows, of the joined side's rows
			slot         int     // the joined side's tuple column
		}
		checks := make([]check, 0, len(links)-1)
		for _, e := range links[1:] {
			o := e.other(next)
			checks = append(checks, check{next: e.idsOf(next), joined: e.idsOf(o), slot: slot[o]})
		}
		uIDs := probe.idsOf(next)
		start, list := buckets(uIDs, probe.d)
		oSlot := slot[probe.other(next)]
		oIDs := probe.idsOf(probe.other(next))
		left--
		last := left == 0
		var out []int32
		var total int64
		ntup := len(tuples) / width
		for t := 0; t < ntup; t++ {
			if t%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return 0, err
				}
			}
			tup := tuples[t*width : (t+1)*width]
			id := oIDs[tup[oSlot]]
			if id < 0 {
				continue
			}
		cand:
			for _, u := range list[start[id]:start[id+1]] {
				for _, ck := range checks {
					if x := ck.next[u]; x < 0 || x != ck.joined[tup[ck.slot]] {
						continue cand
					}
				}
				if last {
					if emit != nil {
						if err := emit(slot, tup, next, u); err != nil {
							return 0, err
						}
					}
					total++
					if total < 0 {
						return 0, fmt.Errorf("%w: cyclic join", ErrOverflow)
					}
					continue
				}
				if int64(len(out)/(width+1)) >= p.c.maxRows {
					return 0, fmt.Errorf("%w: more than %d intermediate rows", ErrTooLarge, p.c.maxRows)
				}
				out = append(out, tup...)
				out = append(out, u)
			}
		}
		if last {
			return total, nil
		}
		slot[next] = width
		tuples = out
		width++
	}
	return int64(len(tuples)), nil
}

// buckets groups positions by id (counting sort): the positions with id k
// are list[start[k]:start[k+1]].
func buckets(ids []int32, d int) (start []int32, list []int32) {
	start = make([]int32, d+1)
	for _, id := range ids {
		if id >= 0 {
			start[id+1]++
		}
	}
	for k := 1; k <= d; k++ {
		start[k] += start[k-1]
	}
	list = make([]int32, start[d])
	fill := append([]int32(nil), start[:d]...)
	for pos, id := range ids {
		if id >= 0 {
			list[fill[id]] = int32(pos)
			fill[id]++
		}
	}
	return start, list
}
