package estimator

import "github.com/cardinaldb/cardinal/features"

// independentSel combines a boolean node's argument selectivities under
// the independence assumption (Selinger et al., SIGMOD 1979): AND
// multiplies, OR is 1 - prod(1 - s), NOT complements its one argument
// (a malformed NOT selects everything). ok is false for any other kind,
// which the caller estimates as a leaf. One rule for filters (Histogram),
// derived relations' filters and HAVING conditions.
func independentSel[T any](kind features.ExprKind, args []T, sel func(T) float64) (s float64, ok bool) {
	switch kind {
	case features.ExprAnd:
		s = 1
		for _, a := range args {
			s *= sel(a)
		}
		return s, true
	case features.ExprOr:
		for _, a := range args {
			x := sel(a)
			s = s + x - s*x
		}
		return s, true
	case features.ExprNot:
		if len(args) != 1 {
			return 1, true
		}
		return clamp01(1 - sel(args[0])), true
	}
	return 0, false
}
