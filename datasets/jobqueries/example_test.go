package jobqueries_test

import (
	"fmt"
	"strings"

	"github.com/cardinaldb/cardinal/datasets/jobqueries"
)

func ExampleQueries() {
	qs := jobqueries.Queries()
	fmt.Println(len(qs), qs[0].Name, qs[4].Name, qs[112].Name)
	fmt.Println(strings.Fields(qs[0].SQL)[:3])
	// Output:
	// 113 1a 2a 33c
	// [SELECT MIN(mc.note) AS]
}

func ExampleByName() {
	q, ok := jobqueries.ByName("29a")
	fmt.Println(ok, strings.Count(q.SQL, " AS ")-3) // 3 output columns, the rest are tables
	// Output:
	// true 17
}
