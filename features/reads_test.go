package features

import (
	"reflect"

	"github.com/cardinaldb/cardinal/catalog"
	"slices"
	"testing"
)

// sameCounted reports whether two queries count the same rows the same
// way: equal but for what SQL (a COUNT(*)) does not render, the select
// list's reads and the LIMIT (all-ascending ORDER BY equals no directions).
func sameCounted(a, b *Query) bool {
	x, y := *a, *b
	x.Reads, y.Reads = nil, nil
	x.Limit, x.Offset, y.Limit, y.Offset = 0, 0, 0, 0
	if !slices.Contains(x.OrderDesc, true) {
		x.OrderDesc = nil // all ascending: the same as none given
	}
	if !slices.Contains(y.OrderDesc, true) {
		y.OrderDesc = nil
	}
	return reflect.DeepEqual(&x, &y)
}

// TestIndexAdviceModel checks what index advice reads of a query: ORDER
// BY directions, LIMIT/OFFSET and the columns read (covering).
func TestIndexAdviceModel(t *testing.T) {
	s, err := catalog.ParseSchema(`
	  CREATE TABLE flights (id INT PRIMARY KEY, dep_time DATETIME, month INT, delay INT, distance INT,
	    origin VARCHAR(3), destination VARCHAR(3));
	  CREATE TABLE airports (iata VARCHAR(3) PRIMARY KEY, name TEXT, city TEXT, state TEXT, country TEXT,
	    latitude DOUBLE, longitude DOUBLE)`)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		sql           string
		desc          []bool
		limit, offset int64
		reads         []string
	}{
		{"SELECT f.delay FROM flights f WHERE f.origin = 'SFO' ORDER BY f.dep_time DESC, f.id LIMIT 10", []bool{true, false}, 10, 0,
			[]string{"f.id", "f.dep_time", "f.delay", "f.origin"}},
		{"SELECT COUNT(*) FROM flights WHERE distance BETWEEN 100 AND 200 GROUP BY destination LIMIT 5, 20", nil, 20, 5,
			[]string{"flights.distance", "flights.destination"}},
		{"SELECT a.name, SUM(f.delay) FROM flights f JOIN airports a ON f.origin = a.iata WHERE a.state = 'TX' GROUP BY a.name", nil, 0, 0,
			[]string{"f.delay", "f.origin", "a.iata", "a.name", "a.state"}},
		{"SELECT a.* FROM flights f JOIN airports a ON f.origin = a.iata WHERE f.id = 3", nil, 0, 0,
			[]string{"f.id", "f.origin", "a.iata", "a.name", "a.city", "a.state", "a.country", "a.latitude", "a.longitude"}},
		{"SELECT id FROM flights WHERE month = 1 LIMIT ?", nil, 0, 0, []string{"flights.id", "flights.month"}},
		// The * or d.* of a flattened derived table reads the columns it
		// selects (and its filters'), not every column of its tables: an
		// index on flights (month, id, delay) covers these.
		{"SELECT d.* FROM (SELECT f.id, f.delay FROM flights f WHERE f.month = 1) d", nil, 0, 0,
			[]string{"f.id", "f.month", "f.delay"}},
		{"SELECT * FROM (SELECT f.id, f.delay FROM flights f WHERE f.month = 1) d", nil, 0, 0,
			[]string{"f.id", "f.month", "f.delay"}},
		{"WITH d AS (SELECT id, delay FROM flights WHERE month = 1) SELECT * FROM d", nil, 0, 0,
			[]string{"flights.id", "flights.month", "flights.delay"}},
		// Its computed column reads its expression's columns; its star
		// its tables' (a table's, all of them).
		{"SELECT d.x FROM (SELECT f.delay + f.distance AS x, f.id FROM flights f) d", nil, 0, 0,
			[]string{"f.delay", "f.distance"}},
		{"SELECT * FROM (SELECT a.*, f.delay FROM flights f JOIN airports a ON f.origin = a.iata) d", nil, 0, 0,
			[]string{"f.delay", "f.origin", "a.iata", "a.name", "a.city", "a.state", "a.country", "a.latitude", "a.longitude"}},
		// Nested: the names pass through both select lists.
		{"SELECT * FROM (SELECT y FROM (SELECT f.delay AS y, f.month FROM flights f) d1) d2", nil, 0, 0,
			[]string{"f.delay"}},
		// A table beside the derived table: all of its columns.
		{"SELECT * FROM (SELECT f.id FROM flights f) d, airports a", nil, 0, 0,
			[]string{"f.id", "a.iata", "a.name", "a.city", "a.state", "a.country", "a.latitude", "a.longitude"}},
		// A subquery the derived table selects: every column of its tables.
		{"SELECT d.* FROM (SELECT f.id, (SELECT MAX(a.latitude) FROM airports a) AS m FROM flights f) d", nil, 0, 0,
			[]string{"f.id", "f.dep_time", "f.month", "f.delay", "f.distance", "f.origin", "f.destination"}},
	}
	for _, c := range cases {
		q, err := Parse(s, c.sql)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		var reads []string
		for _, r := range q.Reads {
			reads = append(reads, q.Tables[r.Table].Alias+"."+s.Tables[q.Tables[r.Table].Table].Columns[r.Col].Name)
		}
		if !slices.Equal(q.OrderDesc, c.desc) || q.Limit != c.limit || q.Offset != c.offset || !slices.Equal(reads, c.reads) {
			t.Errorf("%s:\n got desc %v limit %d offset %d reads %v\nwant desc %v limit %d offset %d reads %v",
				c.sql, q.OrderDesc, q.Limit, q.Offset, reads, c.desc, c.limit, c.offset, c.reads)
		}
		back, err := Parse(s, q.SQL())
		if err != nil || !sameCounted(back, q) || !slices.Equal(back.OrderDesc, q.OrderDesc) {
			t.Errorf("%s: round trip through %s: %v", c.sql, q.SQL(), err)
		}
	}
}
