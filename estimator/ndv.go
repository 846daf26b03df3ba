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
