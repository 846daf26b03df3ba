package engine_test

import (
	"context"
	"fmt"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
)

// Count a query over a grouped derived table (TPC-H Q13's shape): the
// airports grouped by how many delayed departures they have, and the rows
// of the derived relation (one per airport).
func ExampleCounter_DerivedRows() {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	q, err := features.Parse(db.Schema, `SELECT n, COUNT(*) FROM
		(SELECT a.iata, COUNT(f.id) AS n FROM airports a
		 LEFT JOIN flights f ON f.origin = a.iata AND f.delay > 15 GROUP BY a.iata) AS d
		GROUP BY n`)
	if err != nil {
		panic(err)
	}
	c := engine.New(db, engine.Options{})
	gc, err := c.CountGroups(context.Background(), q)
	if err != nil {
		panic(err)
	}
	fmt.Println(gc.Groups, "groups of", gc.Rows, "rows")
	t, err := c.DerivedRows(context.Background(), q, &q.Derived[0])
	if err != nil {
		panic(err)
	}
	fmt.Println(t.Rows, "rows of", t.Def.Name)
	// Output:
	// 65 groups of 3376 rows
	// 3376 rows of d
}
