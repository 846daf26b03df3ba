package engine

// arena hands out the per-query scratch slices (selections, row ids, key
// ids, weights, messages) from slabs that are reused across queries, so a
// Counter labelling thousands of queries does not churn the garbage
// collector. Slices from an arena are valid until its reset; a slab that
// runs out is replaced by a larger one (slices already handed out keep
// the old one alive).
type arena struct {
	i32 []int32
	i64 []int64
	u64 []uint64
}

// arenaMinSlab is the smallest slab allocated (elements).
const arenaMinSlab = 1 << 14

func (a *arena) reset() {
	a.i32, a.i64, a.u64 = a.i32[:0], a.i64[:0], a.u64[:0]
}

// int32s returns n int32s with unspecified contents (never nil).
func (a *arena) int32s(n int) []int32 {
	if n == 0 {
		return []int32{}
	}
	if len(a.i32)+n > cap(a.i32) {
		a.i32 = make([]int32, 0, max(2*cap(a.i32), n, arenaMinSlab))
	}
	l := len(a.i32)
	a.i32 = a.i32[:l+n]
	return a.i32[l : l+n : l+n]
}

// int64s returns n zeroed int64s (never nil).
func (a *arena) int64s(n int) []int64 {
	if n == 0 {
		return []int64{}
	}
	if len(a.i64)+n > cap(a.i64) {
		a.i64 = make([]int64, 0, max(2*cap(a.i64), n, arenaMinSlab))
	}
	l := len(a.i64)
	a.i64 = a.i64[:l+n]
	s := a.i64[l : l+n : l+n]
	clear(s)
	return s
}

// bits returns a zeroed bitset of n words (never nil).
func (a *arena) bits(n int) bitset {
	if n == 0 {
		return bitset{}
	}
	if len(a.u64)+n > cap(a.u64) {
		a.u64 = make([]uint64, 0, max(2*cap(a.u64), n, arenaMinSlab))
	}
	l := len(a.u64)
	a.u64 = a.u64[:l+n]
	s := a.u64[l : l+n : l+n]
	clear(s)
	return s
}
