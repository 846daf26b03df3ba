package datasets

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
)

func ecommerce(t *testing.T, scale float64, seed int64) *DB {
	t.Helper()
	db, err := Ecommerce(context.Background(), EcommerceOptions{Scale: scale, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// col returns the named column of the named table.
func col(db *DB, table, column string) *Column {
	tb := db.Table(table)
	return tb.Cols[tb.Def.ColumnIndex(column)]
}

func TestEcommerceSizes(t *testing.T) {
	db := ecommerce(t, 0, 1) // Scale 0 means 1
	for _, tc := range []struct {
		table    string
		min, max int
	}{
		{"customers", 10000, 10000}, {"products", 2000, 2000}, {"orders", 100000, 100000},
		{"order_items", 285000, 315000}, // about 300,000
	} {
		if n := db.Table(tc.table).Rows; n < tc.min || n > tc.max {
			t.Errorf("%s: %d rows, want %d..%d", tc.table, n, tc.min, tc.max)
		}
	}
	if n := ecommerce(t, 0.05, 1).Table("orders").Rows; n != 5000 {
		t.Errorf("scale 0.05: %d orders, want 5000", n)
	}
	// The smallest scales still give one row per table.
	for _, tb := range ecommerce(t, 1e-9, 1).Tables {
		if tb.Rows < 1 {
			t.Errorf("scale 1e-9: %s is empty", tb.Def.Name)
		}
		checkTable(t, tb)
	}
}

func TestEcommerceOptions(t *testing.T) {
	for _, s := range []float64{-1, math.NaN(), math.Inf(1), MaxEcommerceScale + 1} {
		if _, err := Ecommerce(context.Background(), EcommerceOptions{Scale: s}); !errors.Is(err, ErrOptions) {
			t.Errorf("Scale %v: err %v, want ErrOptions", s, err)
		}
	}
}

func TestEcommerceDeterministic(t *testing.T) {
	a, b := ecommerce(t, 0.1, 42), ecommerce(t, 0.1, 42)
	if err := a.Diff(b); err != nil {
		t.Errorf("same seed, different data: %v", err)
	}
	if err := a.Diff(ecommerce(t, 0.1, 43)); err == nil {
		t.Errorf("seeds 42 and 43 gave the same data")
	}
}

// TestEcommerceIntegrity checks keys and derived values: primary keys
// 1..n, foreign keys resolve, unit_price = price * (1 - discount), total =
// sum of quantity * unit_price, signup before first order, shipped_date
// set exactly for shipped statuses and not before the order.
func TestEcommerceIntegrity(t *testing.T) {
	db := ecommerce(t, 0.2, 5)
	for _, tb := range db.Tables {
		checkTable(t, tb)
		for i, id := range tb.Cols[0].Ints {
			if id != int64(i+1) {
				t.Fatalf("%s.id[%d] = %d", tb.Def.Name, i, id)
			}
		}
	}
	nCust, nProd, nOrd := int64(db.Table("customers").Rows), int64(db.Table("products").Rows), int64(db.Table("orders").Rows)
	price, disc := col(db, "products", "price"), col(db, "products", "discount")
	totals := make([]float64, nOrd)
	for i, o := range col(db, "order_items", "order_id").Ints {
		p := col(db, "order_items", "product_id").Ints[i]
		if o < 1 || o > nOrd || p < 1 || p > nProd {
			t.Fatalf("item %d: order %d product %d out of range", i, o, p)
		}
		want := price.Floats[p-1]
		if !disc.IsNull(int(p - 1)) {
			want = roundCents(want * (1 - disc.Floats[p-1]))
		}
		up := col(db, "order_items", "unit_price").Floats[i]
		if up != want {
			t.Fatalf("item %d: unit_price %v, want %v", i, up, want)
		}
		totals[o-1] += float64(col(db, "order_items", "quantity").Ints[i]) * up
	}
	signup := col(db, "customers", "signup_date").Ints
	status, ship := col(db, "orders", "status"), col(db, "orders", "shipped_date")
	dates := col(db, "orders", "order_date").Ints
	for i, c := range col(db, "orders", "customer_id").Ints {
		if c < 1 || c > nCust {
			t.Fatalf("order %d: customer %d out of range", i, c)
		}
		if math.Abs(col(db, "orders", "total").Floats[i]-totals[i]) > 0.006 {
			t.Fatalf("order %d: total %v, items sum to %v", i, col(db, "orders", "total").Floats[i], totals[i])
		}
		if signup[c-1] > dates[i] {
			t.Fatalf("order %d at %d before signup %d of customer %d", i, dates[i], signup[c-1], c)
		}
		if i > 0 && dates[i] < dates[i-1] {
			t.Fatalf("order ids not in time order at %d", i)
		}
		st := status.Dict[status.Codes[i]]
		shipped := st == "shipped" || st == "delivered" || st == "returned"
		if shipped == ship.IsNull(i) || (shipped && ship.Ints[i] < floorDiv(dates[i], secondsPerDay)*secondsPerDay) {
			t.Fatalf("order %d: status %s with shipped_date %v", i, st, ship.Datum(i))
		}
	}
}

// TestEcommerceCorrelations checks that the skew and correlations the
// generator promises are present in the data.
func TestEcommerceCorrelations(t *testing.T) {
	db := ecommerce(t, 0.5, 11)
	// Mean price by category differs: electronics >> grocery.
	cat, price := col(db, "products", "category"), col(db, "products", "price")
	sum, n := map[string]float64{}, map[string]float64{}
	for i, code := range cat.Codes {
		sum[cat.Dict[code]] += price.Floats[i]
		n[cat.Dict[code]]++
	}
	mean := func(k string) float64 { return sum[k] / n[k] }
	if mean("electronics") < 10*mean("grocery") || mean("jewelry") < 3*mean("books") {
		t.Errorf("category means: electronics %.1f grocery %.1f jewelry %.1f books %.1f",
			mean("electronics"), mean("grocery"), mean("jewelry"), mean("books"))
	}
	// Each brand belongs to exactly one category.
	brand := col(db, "products", "brand")
	brandCat := map[uint32]uint32{}
	for i, b := range brand.Codes {
		if c, ok := brandCat[b]; ok && c != cat.Codes[i] {
			t.Fatalf("brand %s in two categories", brand.Dict[b])
		}
		brandCat[b] = cat.Codes[i]
	}
	// Quantity is larger for cheap items.
	qty, up := col(db, "order_items", "quantity").Ints, col(db, "order_items", "unit_price").Floats
	var cheapQ, dearQ, cheapN, dearN float64
	for i, q := range qty {
		switch {
		case up[i] < 10:
			cheapQ, cheapN = cheapQ+float64(q), cheapN+1
		case up[i] > 100:
			dearQ, dearN = dearQ+float64(q), dearN+1
		}
	}
	if cheapQ/cheapN < 2*dearQ/dearN {
		t.Errorf("mean quantity: cheap %.2f, expensive %.2f", cheapQ/cheapN, dearQ/dearN)
	}
	// Product popularity is Zipf-like: the top 1% of products get > 30% of
	// the items.
	if share := topShare(col(db, "order_items", "product_id").Ints, db.Table("products").Rows, 0.01); share < 0.3 {
		t.Errorf("top 1%% of products have %.1f%% of items", 100*share)
	}
	// So are customers' order counts, and regions differ in orders per
	// customer.
	custIDs := col(db, "orders", "customer_id").Ints
	if share := topShare(custIDs, db.Table("customers").Rows, 0.01); share < 0.15 {
		t.Errorf("top 1%% of customers have %.1f%% of orders", 100*share)
	}
	region := col(db, "customers", "region")
	orders, custs := map[string]float64{}, map[string]float64{}
	for _, code := range region.Codes {
		custs[region.Dict[code]]++
	}
	for _, c := range custIDs {
		orders[region.Dict[region.Codes[c-1]]]++
	}
	if na, af := orders["north_america"]/custs["north_america"], orders["africa"]/custs["africa"]; na < 2.5*af {
		t.Errorf("orders per customer: north_america %.2f, africa %.2f", na, af)
	}
	// Seasonality: December has more orders than February, Tuesdays more
	// than Sundays.
	var months [13]float64
	var weekdays [8]float64
	for _, d := range col(db, "orders", "order_date").Ints {
		day := floorDiv(d, secondsPerDay)
		_, m, _ := civilFromDays(day)
		months[m]++
		weekdays[dayOfWeek(day)]++
	}
	if months[12] < 2*months[2] || months[11] < 1.5*months[3] || weekdays[3] < 1.2*weekdays[1] {
		t.Errorf("months %v, weekdays %v", months[1:], weekdays[1:])
	}
	// Status depends on order age: pending only in the last days,
	// delivered only for old orders.
	status, dates := col(db, "orders", "status"), col(db, "orders", "order_date").Ints
	end := daysFromCivil(eraEndYear+1, 1, 1)
	for i, code := range status.Codes {
		age := end - floorDiv(dates[i], secondsPerDay)
		switch status.Dict[code] {
		case "pending":
			if age > 10 {
				t.Fatalf("pending order %d is %d days old", i, age)
			}
		case "delivered":
			if age <= 10 {
				t.Fatalf("delivered order %d is %d days old", i, age)
			}
		}
	}
	// Some NULLs in the nullable columns, none elsewhere.
	for _, c := range []struct {
		table, column string
		lo, hi        float64
	}{{"customers", "age", 0.05, 0.11}, {"products", "discount", 0.55, 0.75}, {"orders", "shipped_date", 0.04, 0.15}} {
		cc := col(db, c.table, c.column)
		nulls := 0
		for i := range cc.Len() {
			if cc.IsNull(i) {
				nulls++
			}
		}
		if f := float64(nulls) / float64(cc.Len()); f < c.lo || f > c.hi {
			t.Errorf("%s.%s: NULL fraction %.3f, want %.2f..%.2f", c.table, c.column, f, c.lo, c.hi)
		}
	}
}

// topShare returns the share of ids held by the most frequent frac of the
// n possible ids (1..n).
func topShare(ids []int64, n int, frac float64) float64 {
	counts := make([]int, n)
	for _, id := range ids {
		counts[id-1]++
	}
	slices.Sort(counts)
	slices.Reverse(counts)
	top := 0
	for _, c := range counts[:max(1, int(frac*float64(n)))] {
		top += c
	}
	return float64(top) / float64(len(ids))
}
