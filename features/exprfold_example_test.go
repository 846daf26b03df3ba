package features_test

import (
	"fmt"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

func exampleOrders() *catalog.Schema {
	s, err := catalog.ParseSchema(`CREATE TABLE orders (id INT PRIMARY KEY, placed DATETIME, shipped DATE, total DOUBLE, phone VARCHAR(15));`)
	if err != nil {
		panic(err)
	}
	return s
}

// ParseOptions evaluates NOW() and CURDATE() against Options.Now; the zero
// Options use DefaultNowUnix so that every run reads the same rows.
func ExampleParseOptions() {
	const sql = "SELECT * FROM orders WHERE placed > NOW() - INTERVAL 1 DAY AND shipped < DATE_ADD('1995-01-31', INTERVAL 1 MONTH)"
	q, _ := features.Parse(exampleOrders(), sql)
	fmt.Println(q.SQL())
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	q, _ = features.ParseOptions(exampleOrders(), sql, features.Options{Now: now})
	fmt.Println(q.SQL())
	// Output:
	// SELECT COUNT(*) FROM `orders` AS `orders` WHERE `orders`.`placed` > '2024-12-31 00:00:00' AND `orders`.`shipped` < '1995-02-28'
	// SELECT COUNT(*) FROM `orders` AS `orders` WHERE `orders`.`placed` > '2024-02-29 12:00:00' AND `orders`.`shipped` < '1995-02-28'
}
