package indexadvisor_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/live"
	"github.com/cardinaldb/cardinal/indexadvisor"
)

// Recommend indexes for a small workload on the bundled flights data and
// print them as online MySQL DDL.
func ExampleRecommendIndex() {
	db, _ := datasets.Flights()
	cat, _ := db.Catalog(catalog.StatsOptions{}, 1)
	stmts, _ := live.ParseSQLFile(strings.NewReader(`
SELECT * FROM flights WHERE origin = 'SFO' AND destination = 'LAX';
SELECT id, delay FROM flights WHERE origin = 'ORD' ORDER BY dep_time DESC LIMIT 10;
`), "workload.sql")
	w, _ := indexadvisor.NewWorkload(cat.Schema, stmts)
	r, err := indexadvisor.RecommendIndex(context.Background(), w, indexadvisor.Options{Catalog: cat, Budget: 1 << 20})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, rec := range r.Indexes {
		fmt.Println(indexadvisor.AddIndexSQL(rec))
	}
	fmt.Printf("estimated workload cost %.0f -> %.0f\n", r.CostBefore, r.CostAfter)
	// Output:
	// ALTER TABLE `flights` ADD INDEX `idx_origin_dep_time` (`origin`, `dep_time`), ALGORITHM=INPLACE, LOCK=NONE
	// ALTER TABLE `flights` ADD INDEX `idx_origin_destination` (`origin`, `destination`), ALGORITHM=INPLACE, LOCK=NONE
	// estimated workload cost 4245 -> 38
}

// The DDL quotes every identifier, backticks and unicode included.
func ExampleAddIndexSQL() {
	fmt.Println(indexadvisor.AddIndexSQL(indexadvisor.Recommended{
		Table: "order`items", Name: "idx_prix_é", Columns: []string{"prix_é", "qty"}}))
	// Output:
	// ALTER TABLE `order``items` ADD INDEX `idx_prix_é` (`prix_é`, `qty`), ALGORITHM=INPLACE, LOCK=NONE
}

// Drop advice is written as an online ALTER TABLE too.
func ExampleDropIndexSQL() {
	fmt.Println(indexadvisor.DropIndexSQL("flights", "idx_origin"))
	// Output:
	// ALTER TABLE `flights` DROP INDEX `idx_origin`, ALGORITHM=INPLACE, LOCK=NONE
}
