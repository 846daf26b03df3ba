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
