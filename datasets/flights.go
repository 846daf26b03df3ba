package datasets

import (
	"bytes"
	"context"
	_ "embed" // the bundled flights data
	"encoding/json"
	"fmt"

	"github.com/cardinaldb/cardinal/catalog"
)

// The bundled flights data (see flightsdata/NOTICE.md for origin and
// licence: vega-datasets 3.2.1, BSD-3-Clause; U.S. BTS and Data.gov data).
var (
	//go:embed flightsdata/flights-20k.json
	flightsJSON []byte
	//go:embed flightsdata/airports.csv
	airportsCSV []byte
	//go:embed flightsdata/flights-airport.csv
	routesCSV []byte
)

// Row counts of the bundled flights data set.
const (
	FlightsRows  = 20000
	AirportsRows = 3376
	RoutesRows   = 5366
)

// naMarker is how the airports file (written by R) marks a missing city or
// state; Flights stores it as NULL.
const naMarker = "NA"

// FlightsSchema returns the schema of the flights data set:
//
//	flights(id INT PK, dep_time DATETIME, hour INT, month INT,
//	        day_of_week INT, delay INT, distance INT,
//	        origin VARCHAR, destination VARCHAR)
//	airports(iata VARCHAR PK, name, city, state, country VARCHAR,
//	         latitude DOUBLE, longitude DOUBLE)
//	routes(origin VARCHAR, destination VARCHAR, num_flights INT,
//	       PK(origin, destination))
//
// with foreign keys flights.origin, flights.destination, routes.origin and
// routes.destination -> airports.iata, (flights.origin, flights.destination)
// -> routes(origin, destination), and the many-to-many self join
// airports(city, state) -> airports(city, state). Foreign keys are join
// paths, not guarantees: 1,046 flights fly a pair missing from routes (which
// counts 2008 flights), so that join keeps 18,954 of the 20,000 flights.
// Every call returns a new value.
func FlightsSchema() *catalog.Schema {
	str := func(name string, null bool) catalog.Column {
		return catalog.Column{Name: name, Type: catalog.TypeString, Nullable: null}
	}
	num := func(name string, t catalog.Type, null bool) catalog.Column {
		return catalog.Column{Name: name, Type: t, Nullable: null}
	}
	return &catalog.Schema{
		Tables: []*catalog.Table{
			{
				Name: "flights",
				Columns: []catalog.Column{
					num("id", catalog.TypeInt, false),
					num("dep_time", catalog.TypeDateTime, false),
					num("hour", catalog.TypeInt, false),
					num("month", catalog.TypeInt, false),
					num("day_of_week", catalog.TypeInt, false),
					num("delay", catalog.TypeInt, false),
					num("distance", catalog.TypeInt, false),
					str("origin", false),
					str("destination", false),
				},
				PrimaryKey: []string{"id"},
			},
			{
				Name: "airports",
				Columns: []catalog.Column{
					str("iata", false),
					str("name", true),
					str("city", true),
					str("state", true),
					str("country", true),
					num("latitude", catalog.TypeFloat, true),
					num("longitude", catalog.TypeFloat, true),
				},
				PrimaryKey: []string{"iata"},
			},
			{
				Name: "routes",
				Columns: []catalog.Column{
					str("origin", false),
					str("destination", false),
					num("num_flights", catalog.TypeInt, false),
				},
				PrimaryKey: []string{"origin", "destination"},
			},
		},
		ForeignKeys: []catalog.ForeignKey{
			{Table: "flights", Columns: []string{"origin"}, RefTable: "airports", RefColumns: []string{"iata"}},
			{Table: "flights", Columns: []string{"destination"}, RefTable: "airports", RefColumns: []string{"iata"}},
			{Table: "flights", Columns: []string{"origin", "destination"}, RefTable: "routes", RefColumns: []string{"origin", "destination"}},
			{Table: "routes", Columns: []string{"origin"}, RefTable: "airports", RefColumns: []string{"iata"}},
			{Table: "routes", Columns: []string{"destination"}, RefTable: "airports", RefColumns: []string{"iata"}},
			{Table: "airports", Columns: []string{"city", "state"}, RefTable: "airports", RefColumns: []string{"city", "state"}},
		},
	}
}

// flightRecord is one element of flights-20k.json.
type flightRecord struct {
	Date        string `json:"date"`
	Delay       *int64 `json:"delay"`
	Distance    *int64 `json:"distance"`
	Origin      string `json:"origin"`
	Destination string `json:"destination"`
}

// Flights returns the bundled real flights data set (schema FlightsSchema):
// 20,000 US domestic flights of January to March 2001, 3,376 airports and
// 5,366 routes with their 2008 flight counts. flights.id numbers the flights
// 1..20000 in file order; hour, month and day_of_week (1 = Sunday .. 7 =
// Saturday, as MySQL DAYOFWEEK) derive from dep_time (UTC). Missing
// airport fields (empty, or "NA" for city and state) are NULL. Every call
// builds a new DB.
func Flights() (*DB, error) {
	db := NewDB(FlightsSchema())
	if err := loadFlights(db.Table("flights")); err != nil {
		return nil, err
	}
	ctx := context.Background()
	airports := db.Table("airports")
	if err := loadCSVTable(ctx, airports, bytes.NewReader(airportsCSV), "flightsdata/airports.csv", nil, int64(len(airportsCSV))); err != nil {
		return nil, err
	}
	for _, name := range []string{"city", "state"} {
		nullString(airports.Cols[airports.Def.ColumnIndex(name)], naMarker)
	}
	rename := map[string]string{"count": "num_flights"}
	if err := loadCSVTable(ctx, db.Table("routes"), bytes.NewReader(routesCSV), "flightsdata/flights-airport.csv", rename, int64(len(routesCSV))); err != nil {
		return nil, err
	}
	return db, nil
}

// loadFlights fills the flights table from the embedded JSON.
func loadFlights(t *Table) error {
	const file = "flightsdata/flights-20k.json"
	var recs []flightRecord
	dec := json.NewDecoder(bytes.NewReader(flightsJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&recs); err != nil {
		return &LoadError{File: file, Index: -1, Err: fmt.Errorf("%w: %w", ErrMalformed, err)}
	}
	row := make([]catalog.Datum, len(t.Cols))
	for i, r := range recs {
		ts, ok := parseDateTime([]byte(r.Date))
		if !ok || r.Delay == nil || r.Distance == nil || r.Origin == "" || r.Destination == "" {
			return &LoadError{File: file, Index: i, Err: fmt.Errorf("%w: incomplete flight %+v", ErrType, r)}
		}
		day := floorDiv(ts, secondsPerDay)
		_, month, _ := civilFromDays(day)
		row = append(row[:0],
			catalog.Int(int64(i+1)),
			catalog.Int(ts),
			catalog.Int((ts-day*secondsPerDay)/3600),
			catalog.Int(int64(month)),
			catalog.Int(dayOfWeek(day)),
			catalog.Int(*r.Delay),
			catalog.Int(*r.Distance),
			catalog.String(r.Origin),
			catalog.String(r.Destination),
		)
		if err := t.AppendRow(row); err != nil {
			return &LoadError{File: file, Index: i, Err: err}
		}
	}
	return nil
}

// nullString turns every row of a string column holding s into NULL.
func nullString(c *Column, s string) {
	code, ok := c.index()[s]
	if !ok {
		return
	}
	for i, v := range c.Codes {
		if v == code && !c.IsNull(i) {
			if c.Null == nil {
				c.Null = make([]bool, len(c.Codes))
			}
			c.Null[i] = true
			c.Codes[i] = 0
		}
	}
}

// floorDiv is integer division rounding towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// dayOfWeek returns MySQL's DAYOFWEEK (1 = Sunday .. 7 = Saturday) of a day
// number since 1970-01-01 (a Thursday, DAYOFWEEK 5).
func dayOfWeek(day int64) int64 {
	const thursday = 4 // 0-based weekday of 1970-01-01, Sunday = 0
	w := (day + thursday) % 7
	if w < 0 {
		w += 7
	}
	return w + 1
}

// civilFromDays is the inverse of daysFromCivil (H. Hinnant,
// civil_from_days).
func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	yy := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		yy++
	}
	return int(yy), m, d
}
