package engine_test

import (
	"context"
	"fmt"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
)

// Count the groups of a GROUP BY with HAVING: the states with more than 100
// delayed departures, and the delayed departures they group.
func ExampleCountGroups() {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	q, err := features.Parse(db.Schema, `SELECT a.state, COUNT(*) FROM flights f
		JOIN airports a ON f.origin = a.iata
		WHERE f.delay > 15
		GROUP BY a.state HAVING COUNT(*) > 100`)
	if err != nil {
		panic(err)
	}
	gc, err := engine.CountGroups(context.Background(), db, q)
	if err != nil {
		panic(err)
	}
	fmt.Println(gc.Groups, "groups of", gc.Rows, "rows")
	// Output:
	// 17 groups of 4349 rows
}
