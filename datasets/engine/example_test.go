package engine_test

import (
	"context"
	"fmt"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
)

// Count a join over the bundled flights data.
func ExampleCount() {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	q, err := features.Parse(db.Schema, `SELECT COUNT(*) FROM flights f
		JOIN airports a ON f.origin = a.iata
		WHERE a.state = 'CA' AND f.delay > 15`)
	if err != nil {
		panic(err)
	}
	n, err := engine.Count(context.Background(), db, q)
	if err != nil {
		panic(err)
	}
	fmt.Println(n)
	// Output:
	// 531
}

// Count every connected sub-plan of a self join: flights with their
// origin and destination airports.
func ExampleCountSubPlans() {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	q, err := features.Parse(db.Schema, `SELECT COUNT(*) FROM flights f
		JOIN airports a1 ON f.origin = a1.iata
		JOIN airports a2 ON f.destination = a2.iata
		WHERE a1.state = 'TX' AND a2.state = 'CA'`)
	if err != nil {
		panic(err)
	}
	subs, err := engine.CountSubPlans(context.Background(), db, q)
	if err != nil {
		panic(err)
	}
	for _, s := range subs {
		var names []string
		for i, t := range q.Tables {
			if s.Mask&(1<<i) != 0 {
				names = append(names, t.Alias)
			}
		}
		fmt.Println(names, s.Rows)
	}
	// Output:
	// [f] 20000
	// [a1] 209
	// [a2] 205
	// [f a1] 2400
	// [f a2] 2473
	// [f a1 a2] 198
}

// Reuse one Counter for many queries: it caches NULL bitmaps, dictionary
// translations and join keys.
func ExampleNew() {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	c := engine.New(db, engine.Options{})
	for _, sql := range []string{
		"SELECT * FROM flights WHERE delay > 60",
		"SELECT * FROM flights WHERE delay > 60 AND NOT origin IN ('ORD', 'DFW')",
		"SELECT * FROM airports WHERE state IS NULL",
	} {
		q, err := features.Parse(db.Schema, sql)
		if err != nil {
			panic(err)
		}
		n, err := c.Count(context.Background(), q)
		if err != nil {
			panic(err)
		}
		fmt.Println(n)
	}
	// Output:
	// 1089
	// 938
	// 12
}
