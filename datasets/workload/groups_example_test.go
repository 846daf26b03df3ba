package workload_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/workload"
)

// Give generated queries GROUP BY / DISTINCT / HAVING groupings; their
// labels then carry the groups beside the rows of FROM + WHERE.
func ExampleAddGrouping() {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	qs, err := workload.Generate(ctx, db, workload.JoinGraphFromSchema(db.Schema),
		workload.Options{Queries: 2, MaxJoins: 1, MaxPreds: 1}, rand.New(rand.NewPCG(4, 4)))
	if err != nil {
		panic(err)
	}
	if err := workload.AddGrouping(db, qs, workload.GroupingOptions{}, rand.New(rand.NewPCG(5, 5))); err != nil {
		panic(err)
	}
	recs, err := workload.Label(ctx, db, qs, workload.LabelOptions{})
	if err != nil {
		panic(err)
	}
	for _, r := range recs {
		fmt.Println(r.SQL)
		fmt.Println("  rows", r.Rows, "groups", *r.Groups)
	}
	// Output:
	// SELECT COUNT(*) FROM `routes` AS `routes` WHERE `routes`.`num_flights` = 872 GROUP BY `routes`.`origin`
	//   rows 1 groups 1
	// SELECT COUNT(*) FROM `routes` AS `routes` JOIN `airports` AS `airports` ON `routes`.`destination` = `airports`.`iata` WHERE NOT (`routes`.`destination` LIKE '%TL%') GROUP BY `airports`.`state`, `routes`.`destination`, `routes`.`num_flights` HAVING COUNT(*) > 2
	//   rows 5132 groups 70
}
