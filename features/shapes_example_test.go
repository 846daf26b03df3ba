package features_test

import (
	"fmt"

	"github.com/cardinaldb/cardinal/features"
)

// Outer joins, semi-joins and anti-joins parse into the model: the LEFT
// JOIN's null-supplying group with the join-order constraint it imposes,
// and each subquery as a filter on one occurrence.
func ExampleQuery_ValidJoin() {
	q, err := features.Parse(exampleSchema(), `
		SELECT * FROM title t LEFT JOIN movie_info mi ON t.id = mi.movie_id AND mi.info LIKE '%rating%'
		JOIN kind_type kt ON kt.id = t.kind_id`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.SQL())
	for _, o := range q.Outer {
		fmt.Println("null-supplying:", q.Aliases(o.Inner), "attached to", q.Tables[o.Attach[0]].Alias)
	}
	t, kt, mi := uint64(1), uint64(2), uint64(4)
	fmt.Println("t+kt then mi:", q.ValidJoin(t|kt, mi))
	fmt.Println("kt then mi:", q.ValidJoin(kt, mi))
	// Output:
	// SELECT COUNT(*) FROM `title` AS `t` JOIN `kind_type` AS `kt` ON `t`.`kind_id` = `kt`.`id` LEFT JOIN `movie_info` AS `mi` ON `t`.`id` = `mi`.`movie_id` AND `mi`.`info` LIKE '%rating%'
	// null-supplying: [mi] attached to t
	// t+kt then mi: true
	// kt then mi: false
}

func ExampleSubquery() {
	q, err := features.Parse(exampleSchema(), `
		SELECT * FROM title t WHERE t.production_year > 2000
		  AND EXISTS (SELECT * FROM movie_info mi WHERE mi.movie_id = t.id AND mi.info LIKE '%rating%')
		  AND t.kind_id NOT IN (SELECT kt.id FROM kind_type kt WHERE kt.kind = 'episode')`)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, sq := range q.Subqueries {
		fmt.Println(sq.Kind, "on", q.Tables[sq.Table].Alias, "over", sq.Query.Aliases(sq.Query.FullMask()), "correlations:", len(sq.Corr))
	}
	// Output:
	// EXISTS on t over [mi] correlations: 1
	// NOT IN on t over [kt] correlations: 1
}
