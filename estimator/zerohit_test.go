package estimator

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
)

func sharedKeyFixture(t *testing.T) (*datasets.DB, *catalog.Catalog) {
	t.Helper()
	db, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.2, Seed: 1, SharedKeys: true})
	if err != nil {
		t.Fatal(err)
	}
	// Small samples, so the facts are sampled and the dimensions whole.
	cat, err := db.Catalog(catalog.StatsOptions{SampleSize: 2500}, 1)
	if err != nil {
		t.Fatal(err)
	}
	return db, cat
}

func engineCount(t *testing.T, db *datasets.DB, sql string) (*features.Query, float64) {
	t.Helper()
	q, err := features.Parse(db.Schema, sql)
	if err != nil {
		t.Fatal(err)
	}
	n, err := engine.Count(context.Background(), db, q)
	if err != nil {
		t.Fatal(err)
	}
	return q, float64(n)
}

// emptyCase is a query and whether the baseline must prove it empty.
type emptyCase struct {
	sql   string
	empty bool
}

// checkEmptyProofs checks base on cases against the engine's counts: an
// empty case has no rows and is estimated 0; any other is not estimated
// 0, and, when satisfiable, has rows.
func checkEmptyProofs(t *testing.T, db *datasets.DB, base *sampleBaseline, cases []emptyCase, satisfiable bool) {
	t.Helper()
	for _, c := range cases {
		q, truth := engineCount(t, db, c.sql)
		e, err := base.Estimate(q)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case c.empty && (truth != 0 || e.Rows != 0):
			t.Errorf("%s: true %v, estimate %v; want both 0", c.sql, truth, e.Rows)
		case !c.empty && satisfiable && (truth == 0 || e.Rows == 0):
			t.Errorf("%s: true %v, estimate %v; want both > 0", c.sql, truth, e.Rows)
		case !c.empty && e.Rows == 0:
			t.Errorf("%s: true %v, estimate 0 proved empty", c.sql, truth)
		}
	}
}

// Filters on the two sides of an equi-join that no pair of equal values
// satisfies make the baseline estimate 0 (keytransfer.go); the same
// filters with a value both admit do not.
func TestJoinContradiction(t *testing.T) {
	db, cat := sharedKeyFixture(t)
	base := newSampleBaseline(cat, newSampleSet(cat))
	checkEmptyProofs(t, db, base, []emptyCase{
		{"SELECT COUNT(*) FROM order_items JOIN products ON order_items.product_id = products.id JOIN reviews ON reviews.product_id = products.id WHERE order_items.product_id >= 200 AND NOT (products.id >= 200)", true},
		{"SELECT COUNT(*) FROM order_items JOIN products ON order_items.product_id = products.id JOIN reviews ON reviews.product_id = products.id WHERE order_items.product_id >= 200 AND products.id <= 200", false},
		{"SELECT COUNT(*) FROM customers JOIN stores ON customers.city = stores.city AND customers.region = stores.region JOIN reviews ON reviews.customer_id = customers.id WHERE customers.city IN ('London', 'New York') AND stores.city NOT IN ('London', 'New York', 'Tokyo')", true},
		{"SELECT COUNT(*) FROM customers JOIN stores ON customers.city = stores.city AND customers.region = stores.region JOIN reviews ON reviews.customer_id = customers.id WHERE customers.city IN ('London', 'New York') AND stores.city NOT IN ('London', 'Tokyo')", false},
		{"SELECT COUNT(*) FROM reviews JOIN customers ON reviews.customer_id = customers.id JOIN orders ON orders.customer_id = customers.id WHERE reviews.customer_id = 40 AND customers.id BETWEEN 41 AND 90", true},
	}, true)
}

// A point filter on a sampled fact table that its sample misses, joined
// through a shared dimension sampled whole: the relaxed baseline
// (zerohit.go) is the filter's selectivity times the join's size through
// the exact key degrees, Σ_c deg_orders(c)·deg_reviews(c) / |orders|,
// where the histogram's fallback assumes the mean degree.
func TestZeroHitRelaxed(t *testing.T) {
	db, cat := sharedKeyFixture(t)
	orders := db.Schema.TableIndex("orders")
	st := &cat.Stats[orders]
	if int64(st.SampleSize()) >= st.Rows {
		t.Fatalf("orders sampled whole (%d rows)", st.Rows)
	}
	idCol := db.Schema.Tables[orders].ColumnIndex("id")
	var sampled []int64
	for _, d := range st.Sample[idCol] {
		sampled = append(sampled, d.I)
	}
	x := int64(1)
	for slices.Contains(sampled, x) {
		x++
	}
	const join = "SELECT COUNT(*) FROM orders JOIN customers ON orders.customer_id = customers.id JOIN reviews ON reviews.customer_id = customers.id"
	_, all := engineCount(t, db, join)
	q, truth := engineCount(t, db, join+" WHERE orders.id = "+itoa(x))
	base := newSampleBaseline(cat, newSampleSet(cat))
	e, err := base.Estimate(q)
	if err != nil {
		t.Fatal(err)
	}
	want := all / float64(st.Rows)
	if math.Abs(e.Rows/want-1) > 1e-6 {
		t.Errorf("orders.id = %d: estimate %v, want %v (true %v)", x, e.Rows, want, truth)
	}
	h, err := NewHistogram(cat).Estimate(q)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("orders.id = %d: true %v, relaxed %.1f, histogram %.1f", x, truth, e.Rows, h.Rows)
}

func itoa(x int64) string { return catalog.Int(x).Format(catalog.TypeInt) }

// A filter on a dimension sampled whole whose passing keys no fact row
// holds: the fact's degree table (every key kept) proves the join empty
// (degreeZero), where the fact's sample, which found no joining row,
// could not tell it from a few rows it missed (the histogram's fallback
// said thousands). The same join with a passing key that has rows is not
// proved empty.
func TestDegreeZero(t *testing.T) {
	db := flightsDB(t)
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	base := newSampleBaseline(cat, newSampleSet(cat))
	checkEmptyProofs(t, db, base, []emptyCase{
		{"SELECT COUNT(*) FROM flights JOIN airports ON flights.destination = airports.iata WHERE airports.iata BETWEEN '' AND '81B'", true},
		{"SELECT COUNT(*) FROM flights AS f1 JOIN airports ON f1.destination = airports.iata JOIN flights AS f2 ON airports.iata = f2.origin WHERE airports.iata BETWEEN '' AND '81B'", true},
		{"SELECT COUNT(*) FROM flights JOIN airports ON flights.origin = airports.iata WHERE airports.iata BETWEEN '' AND '81B' AND flights.month = 2", true},
		{"SELECT COUNT(*) FROM flights JOIN airports ON flights.destination = airports.iata WHERE airports.iata BETWEEN '' AND 'ABE'", false},
		{"SELECT COUNT(*) FROM flights JOIN airports ON flights.destination = airports.iata WHERE airports.iata IN ('ATL', '00A') AND flights.id = 11543", false},
	}, false)
}
