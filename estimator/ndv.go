package estimator

import "math"

// shlosser is Shlosser's estimator of the distinct values of a population
// from a Bernoulli sample of fraction q (Haas, Naughton, Seshadri and
// Stokes, "Sampling-based estimation of the number of distinct values of
// an attribute", VLDB 1995, section 3):
//
//	D = d + f1 · Σ_i (1-q)^i f_i / Σ_i i q (1-q)^(i-1) f_i
//
// with d the sample's distinct values and f_i the values seen i times
// (freq[i]). It is accurate under skew and where most values are seen
// once (near-unique tuples), where GEE's sqrt(1/q) scaling undercounts.
func shlosser(freq []float64, d, q float64) float64 {
	if q >= 1 || q <= 0 || len(freq) < 2 {
		return d
	}
	var num, den float64
	for i := 1; i < len(freq); i++ {
		if freq[i] == 0 {
			continue
		}
		fi := float64(i)
		num += math.Pow(1-q, fi) * freq[i]
		den += fi * q * math.Pow(1-q, fi-1) * freq[i]
	}
	if den == 0 {
		return d
	}
	return d + freq[1]*num/den
}

// freqProfile returns, of a sample's key frequencies, the keys seen once
// (f1), the keys seen more than once (rest) and counts[i], the keys seen i
// times (Shlosser's f_i; counts[0] is 0).
func freqProfile(freq map[string]int) (f1, rest float64, counts []float64) {
	counts = []float64{0, 0}
	for _, c := range freq {
		if c == 1 {
			f1++
		} else {
			rest++
		}
		for len(counts) <= c {
			counts = append(counts, 0)
		}
		counts[c]++
	}
	return f1, rest, counts
}

// scaleUp sets ds.est to GEE (Charikar, Chaudhuri, Motwani and Narasayya,
// PODS 2000: sqrt(pop/s)·f1 + rest) and ds.shlosser to Shlosser's
// estimate of the distinct keys among pop rows whose s sample rows hold
// ds.sampleDistinct keys (q the sampling fraction), both capped at capD
// and at least the keys seen.
func (ds *distinctStats) scaleUp(rest float64, counts []float64, pop, q, capD float64) {
	gee := math.Sqrt(math.Max(pop/ds.s, 1))*ds.f1 + rest
	ds.est = math.Max(math.Min(gee, capD), ds.sampleDistinct)
	ds.shlosser = math.Max(math.Min(shlosser(counts, ds.sampleDistinct, q), capD), ds.sampleDistinct)
}
