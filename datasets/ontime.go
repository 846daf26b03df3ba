package datasets

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/internal/optcheck"
)

// OnTime is a flights table the size of a few years of the U.S. BTS
// On-Time Performance data, derived from the bundled 20,000 real flights:
// a date and its parts (year, quarter, month, day of month, day of week,
// hour), as that table carries them, and a route and its distance. Dates
// and their parts are the textbook functional dependencies (issue 12:
// "empty results by correlation"); a filter on a date range and a
// contradicting month has no rows.
//
//	ontime(id INT PK, fdate DATETIME, year, quarter, month, day_of_month,
//	       day_of_week (1 = Sunday .. 7, MySQL DAYOFWEEK), hour, delay,
//	       distance INT, origin, destination VARCHAR)
//
// It is one table, so that every generated query is a single-table query
// over its 3M rows (the joins of flights data are Flights' business).
//
// Each row copies a random bundled flight's route, distance, time of day
// and delay (plus Gaussian noise of ontimeDelayNoise minutes), on a day
// of 2001-2004 drawn with a summer peak (ontimeSeasonal) and fewer
// Saturday flights (ontimeSaturday); rows are in date order and id numbers
// them, as the BTS files do.
type OnTimeOptions struct {
	// Rows is the number of flights; 0 means DefaultOnTimeRows. At most
	// MaxOnTimeRows.
	Rows int
	// Seed seeds the generator; the same Seed and Rows give the same data.
	Seed uint64
}

// Sizes and shape of OnTime.
const (
	DefaultOnTimeRows = 3_000_000
	MaxOnTimeRows     = 50_000_000
	ontimeFirstYear   = 2001
	ontimeYears       = 4
	ontimeSeasonal    = 0.15 // amplitude of the yearly cycle of daily flights
	ontimeSaturday    = 0.8  // Saturday's share of a weekday's flights
	ontimeDelayNoise  = 5.0  // minutes
)

// OnTimeSchema returns the schema of OnTime.
func OnTimeSchema() *catalog.Schema {
	num := func(name string, t catalog.Type) catalog.Column { return catalog.Column{Name: name, Type: t} }
	str := func(name string) catalog.Column { return catalog.Column{Name: name, Type: catalog.TypeString} }
	return &catalog.Schema{
		Tables: []*catalog.Table{
			{
				Name: "ontime",
				Columns: []catalog.Column{
					num("id", catalog.TypeInt), num("fdate", catalog.TypeDateTime),
					num("year", catalog.TypeInt), num("quarter", catalog.TypeInt), num("month", catalog.TypeInt),
					num("day_of_month", catalog.TypeInt), num("day_of_week", catalog.TypeInt), num("hour", catalog.TypeInt),
					num("delay", catalog.TypeInt), num("distance", catalog.TypeInt),
					str("origin"), str("destination"),
				},
				PrimaryKey: []string{"id"},
			},
		},
	}
}

// OnTime builds the OnTime data set (see OnTimeOptions).
func OnTime(ctx context.Context, opts OnTimeOptions) (*DB, error) {
	if err := optcheck.Struct(ErrOptions, "OnTimeOptions", opts); err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	n := opts.Rows
	if n == 0 {
		n = DefaultOnTimeRows
	}
	if n < 0 || n > MaxOnTimeRows {
		return nil, fmt.Errorf("datasets: %w: Rows %d not in [1, %d]", ErrOptions, opts.Rows, MaxOnTimeRows)
	}
	src, err := Flights()
	if err != nil {
		return nil, err
	}
	db := NewDB(OnTimeSchema())
	fl := src.Table("flights")
	fcol := func(name string) *Column { return fl.Cols[fl.Def.ColumnIndex(name)] }
	depTime, delay, dist, orig, dest := fcol("dep_time"), fcol("delay"), fcol("distance"), fcol("origin"), fcol("destination")

	// Flights per day of 2001-2004: the day's share of n by its weight,
	// the remainder to random days.
	first := daysFromCivil(ontimeFirstYear, 1, 1)
	days := int(daysFromCivil(ontimeFirstYear+ontimeYears, 1, 1) - first)
	weight := make([]float64, days)
	total := 0.0
	for i := range weight {
		_, m, dd := civilFromDays(first + int64(i))
		doy := float64((m-1)*31 + dd)
		w := 1 + ontimeSeasonal*math.Sin(2*math.Pi*(doy-100)/365)
		if dayOfWeek(first+int64(i)) == 7 {
			w *= ontimeSaturday
		}
		weight[i] = w
		total += w
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x6f6e_7469_6d65)) // "ontime"
	count := make([]int, days)
	left := n
	for i, w := range weight {
		count[i] = int(float64(n) * w / total)
		left -= count[i]
	}
	for ; left > 0; left-- {
		count[rng.IntN(days)]++
	}
	type draw struct {
		ts  int64
		src int32
	}
	rows := make([]draw, 0, n)
	for i, c := range count {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		day := first + int64(i)
		at := len(rows)
		for range c {
			s := rng.IntN(fl.Rows)
			tod := depTime.Ints[s] - floorDiv(depTime.Ints[s], secondsPerDay)*secondsPerDay
			rows = append(rows, draw{ts: day*secondsPerDay + tod, src: int32(s)})
		}
		slices.SortFunc(rows[at:], func(a, b draw) int {
			if c := cmp.Compare(a.ts, b.ts); c != 0 {
				return c
			}
			return cmp.Compare(a.src, b.src)
		})
	}
	t := db.Tables[0]
	ints := func(c int) []int64 {
		t.Cols[c].Ints = make([]int64, n)
		return t.Cols[c].Ints
	}
	id, fdate, year, quarter, month, dom, dow, hour, dly, dst := ints(0), ints(1), ints(2), ints(3), ints(4), ints(5), ints(6), ints(7), ints(8), ints(9)
	oc, dc := t.Cols[10], t.Cols[11]
	oc.Dict, dc.Dict = slices.Clone(orig.Dict), slices.Clone(dest.Dict)
	oc.Codes, dc.Codes = make([]uint32, n), make([]uint32, n)
	for i, r := range rows {
		day := floorDiv(r.ts, secondsPerDay)
		y, m, d := civilFromDays(day)
		id[i], fdate[i] = int64(i+1), r.ts
		year[i], quarter[i], month[i], dom[i] = int64(y), int64((m-1)/3+1), int64(m), int64(d)
		dow[i], hour[i] = dayOfWeek(day), (r.ts-day*secondsPerDay)/3600
		dly[i] = delay.Ints[r.src] + int64(math.Round(rng.NormFloat64()*ontimeDelayNoise))
		dst[i] = dist.Ints[r.src]
		oc.Codes[i], dc.Codes[i] = orig.Codes[r.src], dest.Codes[r.src]
	}
	t.Rows = n
	return db, nil
}
