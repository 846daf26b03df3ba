package catalog

import "math"

// radixSort sorts keys ascending with an LSD radix sort on bytes (Knuth,
// TAOCP vol. 3, 5.2.5), using tmp (len(tmp) >= len(keys)) as scratch. Byte
// positions at which every key agrees are skipped, so narrow integer ranges
// cost only as many passes as they have significant bytes. The sorted keys
// end up in keys.
func radixSort(keys, tmp []uint64) {
	n := len(keys)
	if n < 2 {
		return
	}
	tmp = tmp[:n]
	var counts [8][256]int
	for _, k := range keys {
		for b := 0; b < 8; b++ {
			counts[b][byte(k>>(8*b))]++
		}
	}
	src, dst := keys, tmp
	for b := 0; b < 8; b++ {
		c := &counts[b]
		if c[byte(src[0]>>(8*b))] == n {
			continue // all keys share this byte
		}
		sum := 0
		for i := range c {
			c[i], sum = sum, sum+c[i]
		}
		shift := uint(8 * b)
		for _, k := range src {
			d := byte(k >> shift)
			dst[c[d]] = k
			c[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
}

const signBit = 1 << 63

// intKey maps int64 to uint64 preserving order.
func intKey(v int64) uint64 { return uint64(v) ^ signBit }

func keyInt(k uint64) int64 { return int64(k ^ signBit) }

// floatKey maps a non-NaN float64 to uint64 preserving order, with -0 and
// +0 the same key.
func floatKey(f float64) uint64 {
	if f == 0 {
		f = 0 // -0 -> +0
	}
	b := math.Float64bits(f)
	if b&signBit != 0 {
		return ^b
	}
	return b | signBit
}

func keyFloat(k uint64) float64 {
	if k&signBit != 0 {
		return math.Float64frombits(k &^ signBit)
	}
	return math.Float64frombits(^k)
}
