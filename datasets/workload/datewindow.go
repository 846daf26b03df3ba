package workload

import (
	"math"
	"math/rand/v2"

	"github.com/cardinaldb/cardinal/catalog"
)

// Widths of the date windows of Options.DateWindows, drawn log-uniformly
// between them: from an hour of departures to a month of orders.
const (
	minDateWindow = 3600         // seconds
	maxDateWindow = 31 * 86400   // seconds
	dateWindowRes = 60           // DATETIME windows end on whole minutes
	secondsPerDay = 24 * 60 * 60 // DATE values are days at midnight (Unix seconds)
)

// dateWindow returns the bounds of a window holding v (Unix seconds) of
// a log-uniform width in [minDateWindow, maxDateWindow], placed uniformly
// around v: whole minutes on DATETIME columns, whole days on DATE ones.
func dateWindow(rng *rand.Rand, t catalog.Type, v catalog.Datum) []catalog.Datum {
	w := math.Exp(math.Log(minDateWindow) + rng.Float64()*(math.Log(maxDateWindow)-math.Log(minDateWindow)))
	lo := float64(v.I) - rng.Float64()*w
	res := float64(dateWindowRes)
	if t == catalog.TypeDate {
		res = secondsPerDay
	}
	a := int64(math.Floor(lo/res) * res)
	b := int64(math.Ceil((lo+w)/res) * res)
	if t == catalog.TypeDate {
		b -= secondsPerDay // BETWEEN is inclusive: the day before the end
	}
	a, b = min(a, v.I), max(b, v.I)
	return []catalog.Datum{catalog.Int(a), catalog.Int(b)}
}
