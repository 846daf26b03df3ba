package features_test

import (
	"fmt"

	"github.com/cardinaldb/cardinal/features"
)

// A GROUP BY with HAVING: the query's cardinality stays that of FROM +
// WHERE; Group says how those rows become output groups.
func ExampleQuery_Grouped() {
	q, err := features.Parse(exampleSchema(), `
		SELECT kt.kind, COUNT(*) AS n FROM title t JOIN kind_type kt ON kt.id = t.kind_id
		WHERE t.production_year > 2000
		GROUP BY kt.kind HAVING n > 5 AND MAX(t.production_year) < 2020`)
	if err != nil {
		panic(err)
	}
	d := q.Describe()
	fmt.Println(q.Grouped(), d.Grouping.Keys, d.Grouping.Having)
	fmt.Println(q.SQL())
	// Output:
	// true [kt.kind] COUNT(*) > 5 AND MAX(t.production_year) < 2020
	// SELECT COUNT(*) FROM `title` AS `t` JOIN `kind_type` AS `kt` ON `t`.`kind_id` = `kt`.`id` WHERE `t`.`production_year` > 2000 GROUP BY `kt`.`kind` HAVING COUNT(*) > 5 AND MAX(`t`.`production_year`) < 2020
}

// KeyValue applies a grouping key's date function.
func ExampleKeyValue() {
	const t = 1710000000 // 2024-03-09 16:00:00 UTC
	fmt.Println(features.KeyValue(features.KeyYear, t), features.KeyValue(features.KeyMonth, t), features.KeyValue(features.KeyDate, t))
	fmt.Println(features.KeyPrefixOf("Zürich", 2))
	// Output:
	// 2024 3 1709942400
	// Zü
}
