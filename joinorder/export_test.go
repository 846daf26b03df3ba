package joinorder

// ExhaustiveMin exposes the test-only exhaustive enumeration to the
// external tests on real data.
var ExhaustiveMin = exhaustiveMin
