package workload_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/workload"
)

// Generate a small seeded workload over the bundled flights data.
func ExampleGenerate() {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	g := workload.JoinGraphFromSchema(db.Schema)
	qs, err := workload.Generate(context.Background(), db, g,
		workload.Options{Queries: 3, MaxJoins: 2, MaxPreds: 2}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		panic(err)
	}
	for _, q := range qs {
		fmt.Println(q.SQL())
	}
	// Output:
	// SELECT COUNT(*) FROM `airports` AS `airports1` JOIN `airports` AS `airports2` ON `airports1`.`city` = `airports2`.`city` AND `airports1`.`state` = `airports2`.`state` JOIN `routes` AS `routes` ON `airports2`.`iata` = `routes`.`origin` WHERE `airports1`.`state` LIKE '%VT%' AND `airports2`.`city` LIKE 'F%'
	// SELECT COUNT(*) FROM `routes` AS `routes` JOIN `airports` AS `airports` ON `routes`.`destination` = `airports`.`iata` WHERE `airports`.`state` >= 'OH'
	// SELECT COUNT(*) FROM `airports` AS `airports` WHERE `airports`.`iata` NOT IN ('SYV', 'SRR', 'ROS') AND `airports`.`city` IS NOT NULL
}

// Label queries with their true counts and write them as a JSON Lines
// query log.
func ExampleLabel() {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	g := workload.JoinGraphFromSchema(db.Schema)
	qs, err := workload.Generate(context.Background(), db, g,
		workload.Options{Queries: 2, MaxJoins: 1, MaxPreds: 1}, rand.New(rand.NewPCG(4, 4)))
	if err != nil {
		panic(err)
	}
	recs, err := workload.Label(context.Background(), db, qs, workload.LabelOptions{SubPlans: true})
	if err != nil {
		panic(err)
	}
	for _, r := range recs {
		fmt.Println(r.SQL)
		for _, s := range r.SubPlans {
			fmt.Println("  ", s.Aliases, s.Rows)
		}
	}
	// Output:
	// SELECT COUNT(*) FROM `routes` AS `routes` WHERE `routes`.`num_flights` = 872
	//    [routes] 1
	// SELECT COUNT(*) FROM `routes` AS `routes` JOIN `airports` AS `airports` ON `routes`.`destination` = `airports`.`iata` WHERE NOT (`routes`.`destination` LIKE '%TL%')
	//    [routes] 5132
	//    [airports] 3376
	//    [routes airports] 5132
}
