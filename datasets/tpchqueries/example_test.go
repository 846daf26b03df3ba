package tpchqueries_test

import (
	"fmt"
	"strings"

	"github.com/cardinaldb/cardinal/datasets/tpchqueries"
)

func ExampleQueries() {
	qs := tpchqueries.Queries()
	fmt.Println(len(qs), qs[0].Name, qs[21].Name)
	fmt.Println(strings.Fields(qs[5].SQL)[:3])
	// Output:
	// 22 q1 q22
	// [select sum(l_extendedprice *]
}

func ExampleByName() {
	q, ok := tpchqueries.ByName("q15")
	fmt.Println(ok, strings.SplitN(q.SQL, "\n", 2)[0])
	// Output:
	// true with revenue0 (supplier_no, total_revenue) as (
}
