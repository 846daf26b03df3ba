package catalog_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/cardinaldb/cardinal/catalog"
)

// Two sketches of overlapping value sets merge into the sketch of their
// union; each estimate is within a few standard errors (1.6% at precision
// 12) of the true distinct count.
func ExampleNewHLL() {
	a, err := catalog.NewHLL(12)
	if err != nil {
		panic(err)
	}
	b, _ := catalog.NewHLL(12)
	for v := range int64(60000) {
		a.Add(catalog.Int(v)) // 0..59,999
		a.Add(catalog.Int(v)) // duplicates do not count
		b.Add(catalog.Int(v + 40000))
	}
	a.Add(catalog.Null) // NULL is not a value
	near := func(est, truth float64) bool {
		return math.Abs(est-truth) <= 3*catalog.HLLStdError(12)*truth
	}
	fmt.Println(near(a.Estimate(), 60000), near(b.Estimate(), 60000))
	if err := a.Merge(b); err != nil {
		panic(err)
	}
	fmt.Println(near(a.Estimate(), 100000))
	small, _ := catalog.NewHLL(10)
	fmt.Println(a.Merge(small) != nil, small.Estimate())
	_, err = catalog.NewHLL(3)
	fmt.Println(err)
	// Output:
	// true true
	// true
	// true 0
	// invalid statistics options: HLL precision 3 not in [4, 18]
}

// Build sketches every table of at least SketchRows rows: a sketch per
// column, and per pair of its columns of repeated values (at most half as
// many distinct values as rows: the distinct pairs GROUP BY a, b counts);
// TableStats.Sketch finds one. Orders has one such column (customer), so
// no pair.
func ExampleAddSketches() {
	s, _ := catalog.ParseSchema(shopSQL)
	cat, err := catalog.Build(s, shopData(), catalog.StatsOptions{SketchRows: 8}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		panic(err)
	}
	orders, customers := cat.TableStats("orders"), cat.TableStats("customers")
	fmt.Println("orders:", len(orders.Sketches), "sketches; customers (4 rows):", len(customers.Sketches))
	fmt.Printf("distinct customers %.0f, amounts %.0f\n", orders.Sketch(1).Estimate(), orders.Sketch(2).Estimate())
	fmt.Println("pair (customer, id) sketched:", orders.Sketch(1, 0) != nil)
	// Output:
	// orders: 3 sketches; customers (4 rows): 0
	// distinct customers 4, amounts 8
	// pair (customer, id) sketched: false
}

// AddSketchesContext adds the sketches of a built catalog, stopping with
// the context's error once it is done.
func ExampleAddSketchesContext() {
	s, _ := catalog.ParseSchema(shopSQL)
	cat, err := catalog.Build(s, shopData(), catalog.StatsOptions{NoSketches: true}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		panic(err)
	}
	err = catalog.AddSketchesContext(context.Background(), cat, shopData(), catalog.StatsOptions{SketchRows: 8})
	fmt.Println(err, "orders:", len(cat.TableStats("orders").Sketches), "sketches")
	// Output: <nil> orders: 3 sketches
}
