package features_test

import (
	"fmt"

	"github.com/cardinaldb/cardinal/features"
)

// A CTE that groups (TPC-H Q15's shape) is a derived relation: a virtual
// table of the query's schema whose rows are its groups, joined and
// filtered like a table, and referenced again from a scalar subquery.
func ExampleDerivedRel() {
	q, err := features.Parse(exampleSchema(), `
		WITH per_kind (kid, films) AS (SELECT kind_id, COUNT(*) FROM title GROUP BY kind_id)
		SELECT kt.kind FROM kind_type kt, per_kind
		WHERE kt.id = kid AND films = (SELECT MAX(films) FROM per_kind)`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.HasDerived(), len(q.Derived))
	for _, d := range q.Derived {
		def := q.Schema.Tables[d.Table]
		for i, c := range d.Cols {
			if c.Key >= 0 {
				fmt.Println(def.Name+"."+def.Columns[i].Name, "is group key", c.Key)
			} else {
				fmt.Println(def.Name+"."+def.Columns[i].Name, "is", d.Query.Group.Aggs[c.Agg].Func)
			}
		}
	}
	fmt.Println(q.SQL())
	// Output:
	// true 1
	// per_kind.kid is group key 0
	// per_kind.films is COUNT
	// WITH `per_kind` (`kid`, `films`) AS (SELECT `title`.`kind_id`, COUNT(*) FROM `title` AS `title` GROUP BY `title`.`kind_id`) SELECT COUNT(*) FROM `kind_type` AS `kt` JOIN `per_kind` AS `per_kind` ON `kt`.`id` = `per_kind`.`kid` WHERE `per_kind`.`films` = (SELECT MAX(`per_kind_2`.`films`) FROM `per_kind` AS `per_kind_2`)
}
