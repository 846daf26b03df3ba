package datasets

import (
	"context"
	"testing"
)

// The shared-key extension adds its tables without changing the classic
// ones, and has the shapes it promises: reviews on the order items' products
// and customers with correlated hubs, and a (city, region) key that is
// unique on neither side, needs both columns, and has hubs.
func TestEcommerceSharedKeys(t *testing.T) {
	classic := ecommerce(t, 0.2, 5)
	db, err := Ecommerce(context.Background(), EcommerceOptions{Scale: 0.2, Seed: 5, SharedKeys: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range db.Tables {
		checkTable(t, tb)
	}
	for _, name := range []string{"products", "orders", "order_items"} {
		a, b := classic.Table(name), db.Table(name)
		if a.Rows != b.Rows {
			t.Fatalf("%s: %d rows, %d with SharedKeys", name, a.Rows, b.Rows)
		}
		for c := range a.Cols {
			for r := 0; r < a.Rows; r++ {
				if x, y := a.Cols[c].Datum(r), b.Cols[c].Datum(r); x != y {
					t.Fatalf("%s row %d column %d: %v, %v with SharedKeys", name, r, c, x, y)
				}
			}
		}
	}
	a, b := classic.Table("customers"), db.Table("customers")
	for c := range a.Cols {
		for r := 0; r < a.Rows; r++ {
			if x, y := a.Cols[c].Datum(r), b.Cols[c].Datum(r); x != y {
				t.Fatalf("customers row %d column %d: %v, %v with SharedKeys", r, c, x, y)
			}
		}
	}
	reviews, items := db.Table("reviews").Rows, db.Table("order_items").Rows
	if reviews < items/30 || reviews > items/5 {
		t.Errorf("%d reviews for %d order items", reviews, items)
	}
	// Correlated hubs: the most sold product is among the most reviewed.
	sold, reviewed := map[int64]int{}, map[int64]int{}
	for _, p := range col(db, "order_items", "product_id").Ints {
		sold[p]++
	}
	for _, p := range col(db, "reviews", "product_id").Ints {
		reviewed[p]++
	}
	top := int64(0)
	for p, n := range sold {
		if n > sold[top] {
			top = p
		}
	}
	if avg := float64(reviews) / float64(len(reviewed)); float64(reviewed[top]) < 5*avg {
		t.Errorf("the best-selling product has %d reviews, the average reviewed product %.1f", reviewed[top], avg)
	}
	// (city, region): hubs on both sides; a city name in several regions.
	key := func(table string) map[[2]string]int {
		c, r := col(db, table, "city"), col(db, table, "region")
		m := map[[2]string]int{}
		for i := range c.Codes {
			m[[2]string{c.Dict[c.Codes[i]], r.Dict[r.Codes[i]]}]++
		}
		return m
	}
	cust, stores := key("customers"), key("stores")
	ny := [2]string{"New York", "north_america"}
	if cust[ny] < 10*cust[[2]string{"Halifax", "north_america"}] || stores[ny] < 3 {
		t.Errorf("no hub: New York has %d customers and %d stores", cust[ny], stores[ny])
	}
	regions := map[string]map[string]bool{}
	for k := range cust {
		if regions[k[0]] == nil {
			regions[k[0]] = map[string]bool{}
		}
		regions[k[0]][k[1]] = true
	}
	if len(regions["Cambridge"]) < 2 {
		t.Errorf("Cambridge is in regions %v, want two", regions["Cambridge"])
	}
}
