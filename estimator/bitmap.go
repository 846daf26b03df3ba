package estimator

import "math/bits"

// bitmap is a fixed-size set of sample row positions, one bit per row.
type bitmap []uint64

// words returns the number of uint64 words that hold n bits.
func words(n int) int { return (n + 63) / 64 }

func (b bitmap) set(i int32) { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitmap) has(i int) bool {
	return b[i>>6]&(1<<(uint(i)&63)) != 0
}

func (b bitmap) zero() { clear(b) }

func (b bitmap) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// The word loops below re-slice their operands to b's length so the
// compiler drops the bounds checks.

func (b bitmap) and(o bitmap) {
	o = o[:len(b)]
	for i := range b {
		b[i] &= o[i]
	}
}

func (b bitmap) or(o bitmap) {
	o = o[:len(b)]
	for i := range b {
		b[i] |= o[i]
	}
}

func (b bitmap) andNot(o bitmap) {
	o = o[:len(b)]
	for i := range b {
		b[i] &^= o[i]
	}
}

// orDiff sets b |= hi &^ lo.
func (b bitmap) orDiff(hi, lo bitmap) {
	hi, lo = hi[:len(b)], lo[:len(b)]
	for i := range b {
		b[i] |= hi[i] &^ lo[i]
	}
}

// fill sets the first n bits and clears the rest.
func (b bitmap) fill(n int) {
	for i := range b {
		b[i] = ^uint64(0)
	}
	if r := n & 63; r != 0 {
		b[len(b)-1] = (1 << uint(r)) - 1
	}
}
