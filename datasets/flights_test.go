package datasets

import (
	"fmt"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
)

func TestFlightsRowCounts(t *testing.T) {
	db, err := Flights()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		table string
		rows  int
	}{{"flights", 20000}, {"airports", 3376}, {"routes", 5366}} {
		tb := db.Table(tc.table)
		if tb == nil {
			t.Fatalf("no table %s", tc.table)
		}
		if tb.Rows != tc.rows {
			t.Errorf("%s: %d rows, want %d", tc.table, tb.Rows, tc.rows)
		}
		for i, c := range tb.Cols {
			if c.Len() != tc.rows {
				t.Errorf("%s.%s: %d values, want %d", tc.table, tb.Def.Columns[i].Name, c.Len(), tc.rows)
			}
		}
	}
}

func TestFlightsSpotValues(t *testing.T) {
	db, err := Flights()
	if err != nil {
		t.Fatal(err)
	}
	fl := db.Table("flights")
	row := fl.Row(0, nil)
	// First element: {"date":"2001/01/01 00:47","delay":66,"distance":1750,"origin":"DTW","destination":"LAS"};
	// 2001-01-01 was a Monday (DAYOFWEEK 2).
	dep := time.Date(2001, 1, 1, 0, 47, 0, 0, time.UTC).Unix()
	want := []catalog.Datum{catalog.Int(1), catalog.Int(dep), catalog.Int(0), catalog.Int(1), catalog.Int(2),
		catalog.Int(66), catalog.Int(1750), catalog.String("DTW"), catalog.String("LAS")}
	if fmt.Sprint(row) != fmt.Sprint(want) {
		t.Errorf("flights row 0 = %v, want %v", row, want)
	}
	// Check derived columns against package time for every row.
	ci := func(n string) *Column { return fl.Cols[fl.Def.ColumnIndex(n)] }
	for i := 0; i < fl.Rows; i++ {
		tm := time.Unix(ci("dep_time").Ints[i], 0).UTC()
		if ci("hour").Ints[i] != int64(tm.Hour()) || ci("month").Ints[i] != int64(tm.Month()) ||
			ci("day_of_week").Ints[i] != int64(tm.Weekday())+1 || ci("id").Ints[i] != int64(i+1) {
			t.Fatalf("row %d: derived columns wrong for %v", i, tm)
		}
	}
	ap := db.Table("airports")
	var lax []catalog.Datum
	nullCities := 0
	for i := 0; i < ap.Rows; i++ {
		r := ap.Row(i, nil)
		if r[0].S == "LAX" {
			lax = r
		}
		if r[2].IsNull() {
			nullCities++
		}
	}
	if lax == nil || lax[2].S != "Los Angeles" || lax[3].S != "CA" || lax[5].F < 33.9 || lax[5].F > 34 {
		t.Errorf("LAX = %v", lax)
	}
	// 12 airports have city and state "NA" in the file.
	if nullCities != 12 {
		t.Errorf("%d airports with NULL city, want 12", nullCities)
	}
	rt := db.Table("routes")
	if r := rt.Row(0, nil); fmt.Sprint(r) != `["ABE" "ATL" 853]` {
		t.Errorf("routes row 0 = %v", r)
	}
}

// TestFlightsAggregates compares aggregates with values computed
// independently from the source files (Python's json/csv/datetime).
func TestFlightsAggregates(t *testing.T) {
	db, err := Flights()
	if err != nil {
		t.Fatal(err)
	}
	fl := db.Table("flights")
	ci := func(n string) *Column { return fl.Cols[fl.Def.ColumnIndex(n)] }
	var sumDelay, sumDist int64
	months := map[int64]int{}
	sundays, hour17, sfo := 0, 0, 0
	origin := ci("origin")
	for i := 0; i < fl.Rows; i++ {
		sumDelay += ci("delay").Ints[i]
		sumDist += ci("distance").Ints[i]
		months[ci("month").Ints[i]]++
		if ci("day_of_week").Ints[i] == 1 {
			sundays++
		}
		if ci("hour").Ints[i] == 17 {
			hour17++
		}
		if origin.Dict[origin.Codes[i]] == "SFO" {
			sfo++
		}
	}
	if sumDelay != 154078 || sumDist != 14476934 || sfo != 388 || sundays != 2648 || hour17 != 1374 ||
		months[1] != 6937 || months[2] != 5964 || months[3] != 7099 {
		t.Errorf("delay %d distance %d SFO %d sundays %d hour17 %d months %v", sumDelay, sumDist, sfo, sundays, hour17, months)
	}
	last := fl.Row(fl.Rows-1, nil)
	if fmt.Sprint(last[0], last[5:]) != `20000 [-9 83 "CLT" "GSO"]` {
		t.Errorf("last flight %v", last)
	}
	ap := db.Table("airports")
	state, country := ap.Cols[3], ap.Cols[4]
	states := map[string]bool{}
	usa := 0
	for i := 0; i < ap.Rows; i++ {
		if !state.IsNull(i) {
			states[state.Dict[state.Codes[i]]] = true
		}
		if country.Dict[country.Codes[i]] == "USA" {
			usa++
		}
	}
	if len(states) != 56 || usa != 3372 {
		t.Errorf("%d states, %d USA airports", len(states), usa)
	}
	var sum int64
	for _, v := range db.Table("routes").Cols[2].Ints {
		sum += v
	}
	if sum != 7009728 {
		t.Errorf("routes num_flights sum %d", sum)
	}
}

// TestFlightsForeignKeys checks how the declared join paths match: every
// flight's airports exist, but 1,046 flights fly a (origin, destination)
// pair that routes (2008 counts) lacks, so that join drops rows.
func TestFlightsForeignKeys(t *testing.T) {
	db, err := Flights()
	if err != nil {
		t.Fatal(err)
	}
	ap, rt, fl := db.Table("airports"), db.Table("routes"), db.Table("flights")
	iata := map[string]bool{}
	for _, c := range ap.Cols[0].Codes {
		iata[ap.Cols[0].Dict[c]] = true
	}
	if len(iata) != AirportsRows {
		t.Errorf("%d distinct iata codes, want %d (primary key)", len(iata), AirportsRows)
	}
	routes := map[[2]string]bool{}
	for i := 0; i < rt.Rows; i++ {
		r := rt.Row(i, nil)
		routes[[2]string{r[0].S, r[1].S}] = true
		if !iata[r[0].S] || !iata[r[1].S] {
			t.Errorf("route %v has an unknown airport", r)
		}
	}
	if len(routes) != RoutesRows {
		t.Errorf("%d distinct routes, want %d (primary key)", len(routes), RoutesRows)
	}
	unrouted := 0
	for i := 0; i < fl.Rows; i++ {
		o, d := fl.Cols[7].Datum(i).S, fl.Cols[8].Datum(i).S
		if !iata[o] || !iata[d] {
			t.Errorf("flight %d: unknown airport %s or %s", i+1, o, d)
		}
		if !routes[[2]string{o, d}] {
			unrouted++
		}
	}
	if unrouted != 1046 {
		t.Errorf("%d flights without a route, want 1046", unrouted)
	}
}
