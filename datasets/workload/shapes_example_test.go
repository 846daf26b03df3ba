package workload_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/workload"
)

// Options.Shapes turns a share of the generated joins into outer joins,
// semi-joins and anti-joins.
func ExampleOptions_shapes() {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	g := workload.JoinGraphFromSchema(db.Schema)
	qs, err := workload.Generate(context.Background(), db, g,
		workload.Options{Queries: 3, MinJoins: 1, MaxJoins: 1, MaxPreds: 1, Shapes: 1}, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		panic(err)
	}
	for _, q := range qs {
		fmt.Println(q.SQL())
	}
	// Output:
	// SELECT COUNT(*) FROM `routes` AS `routes` LEFT JOIN `airports` AS `airports` ON `routes`.`origin` = `airports`.`iata` AND `airports`.`state` NOT IN ('OH', 'TX', 'WA', 'FL')
	// SELECT COUNT(*) FROM `airports` AS `airports` WHERE `airports`.`iata` IN (SELECT `flights`.`destination` FROM `flights` AS `flights` WHERE `flights`.`id` IN (3506, 12907, 7871, 5371))
	// SELECT COUNT(*) FROM `airports` AS `airports` LEFT JOIN `flights` AS `flights` ON `airports`.`iata` = `flights`.`origin` AND `flights`.`month` <> 2
}
