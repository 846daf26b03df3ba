package engine_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// TestExpressionFilters checks functions of columns (ExprFunc), their
// range rewrites and comparisons of two columns of one row (ExprCols)
// against brute force on real (flights) and synthetic (ecommerce) data,
// every sub-plan included, and that each filter selects some rows but not
// all (so that the check can fail).
func TestExpressionFilters(t *testing.T) {
	eco, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.003, Seed: 7})
	testutil.Must(t, err)
	flights := smallFlights(t, 300)
	for _, tc := range []struct {
		db  *datasets.DB
		sql string
	}{
		{flights, "SELECT * FROM flights WHERE HOUR(dep_time) BETWEEN 9 AND 17"},
		{flights, "SELECT * FROM flights WHERE MINUTE(dep_time) < 30 AND SECOND(dep_time) = 0"},
		{flights, "SELECT * FROM flights WHERE DATE_FORMAT(dep_time, '%H:%i') < '12:30'"},
		{eco, "SELECT * FROM orders WHERE DAYOFWEEK(order_date) IN (1, 7)"},
		{eco, "SELECT * FROM orders WHERE NOT (WEEKDAY(order_date) = 0) AND MONTH(order_date) <> 2"},
		{eco, "SELECT * FROM orders WHERE DATE(order_date) = '2023-01-15' OR DAYOFMONTH(order_date) > 28"},
		{eco, "SELECT * FROM orders WHERE DATE_FORMAT(order_date, '%m-%d') < '03-10'"},
		{eco, "SELECT * FROM orders WHERE DATE_FORMAT(order_date, '%Y-%m') = '2023-02' OR DAYOFYEAR(shipped_date) BETWEEN 100 AND 200"},
		{flights, "SELECT * FROM flights WHERE delay + 10 > 30 AND hour < month + 10"},
		{flights, "SELECT * FROM flights WHERE hour > day_of_week"},
		{flights, "SELECT * FROM flights f JOIN airports a ON f.origin = a.iata WHERE f.origin < f.destination AND a.city <> a.state"},
		{flights, "SELECT * FROM flights f JOIN airports a ON f.destination = a.iata WHERE LEFT(a.name, 1) IN ('S', 'L') AND NOT (LOWER(a.city) LIKE 's%')"},
		{flights, "SELECT * FROM flights f JOIN airports a ON f.destination = a.iata WHERE CHAR_LENGTH(a.city) <= 7 OR a.latitude + 0.5 > 40"},
		{eco, "SELECT * FROM orders WHERE YEAR(order_date) = 2023 AND MONTH(order_date) IN (11, 12)"},
		{eco, "SELECT * FROM orders WHERE shipped_date > order_date + INTERVAL 3 DAY"},
		{eco, "SELECT * FROM orders WHERE NOT (QUARTER(shipped_date) = 4)"},
		{eco, "SELECT * FROM orders o JOIN customers c ON o.customer_id = c.id WHERE COALESCE(c.age, 40) > 35 AND o.shipped_date >= DATE_SUB(o.order_date, INTERVAL 1 WEEK)"},
		{eco, "SELECT * FROM orders o JOIN customers c ON o.customer_id = c.id WHERE IFNULL(c.age, 99) <= 30 OR NOT (c.age IS NOT FALSE)"},
		{eco, "SELECT * FROM order_items i JOIN products p ON i.product_id = p.id WHERE i.unit_price - 0.5 > 20 AND i.quantity + 1 >= i.product_id"},
	} {
		q, err := features.Parse(tc.db.Schema, tc.sql)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		c := engine.New(tc.db, engine.Options{})
		checkQuery(t, c, tc.db, q, tc.sql)
		n, err := c.Count(context.Background(), q)
		testutil.Must(t, err)
		all, err := c.Count(context.Background(), unfiltered(q))
		testutil.Must(t, err)
		if n == 0 || n == all {
			t.Errorf("%s: %d of %d rows: the filter does not discriminate", tc.sql, n, all)
		}
	}
}

// unfiltered returns q without its filters.
func unfiltered(q *features.Query) *features.Query {
	u := *q
	u.Tables = append([]features.TableRef(nil), q.Tables...)
	for i := range u.Tables {
		u.Tables[i].Filter = nil
	}
	return &u
}

// TestResidualFilters checks filters mixing tables under OR / NOT
// (features.Residual, counted by inclusion-exclusion over their terms)
// against brute force, which evaluates them row by row, every sub-plan
// included.
func TestResidualFilters(t *testing.T) {
	eco, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.003, Seed: 7})
	testutil.Must(t, err)
	flights := smallFlights(t, 300)
	for _, tc := range []struct {
		db  *datasets.DB
		sql string
	}{
		{flights, "SELECT * FROM flights f JOIN airports a ON f.origin = a.iata JOIN airports b ON f.destination = b.iata WHERE (a.state = 'CA' AND b.state = 'TX') OR (a.state = 'TX' AND b.state = 'CA') OR (f.delay > 60 AND b.state <> 'CA')"},
		{flights, "SELECT * FROM flights f, airports a WHERE (f.origin = a.iata AND f.hour < 12 AND a.state = 'CA') OR (a.iata = f.origin AND f.delay > 30) OR (f.origin = a.iata AND a.latitude > 40 AND f.hour >= 18)"},
		{flights, "SELECT * FROM flights f JOIN airports a ON f.destination = a.iata WHERE NOT (a.state = 'CA' AND f.delay > 10) AND (f.hour < 9 OR a.city LIKE 'S%')"},
		{eco, "SELECT * FROM orders o JOIN customers c ON o.customer_id = c.id JOIN order_items i ON i.order_id = o.id WHERE (c.region = 'north' AND i.quantity > 2) OR (o.status = 'shipped' AND c.age IS NULL) OR MONTH(o.order_date) = 3"},
		{eco, "SELECT * FROM orders o, customers c WHERE o.customer_id = c.id AND (o.total > 100 OR c.age < 30) AND (c.segment <> 'consumer' OR o.shipped_date IS NULL)"},
	} {
		q, err := features.Parse(tc.db.Schema, tc.sql)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		if len(q.Residuals) == 0 {
			t.Errorf("%s: no residual: %s", tc.sql, q.SQL())
		}
		c := engine.New(tc.db, engine.Options{})
		checkQuery(t, c, tc.db, q, tc.sql)
		n, err := c.Count(context.Background(), q)
		testutil.Must(t, err)
		all, err := c.Count(context.Background(), q.WithoutResiduals())
		testutil.Must(t, err)
		if n == 0 || n == all {
			t.Errorf("%s: %d of %d rows: the residual does not discriminate", tc.sql, n, all)
		}
		t.Logf("%d of %d rows: %s", n, all, tc.sql)
	}
}

// TestResidualGroups checks the group counts of queries with residual
// filters against brute force: keyless (one group), and terms forcing
// different values on a grouping key (TPC-H Q7's shape), with HAVING.
func TestResidualGroups(t *testing.T) {
	flights := smallFlights(t, 300)
	for _, sql := range []string{
		"SELECT a.state, b.state, COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata JOIN airports b ON f.destination = b.iata WHERE (a.state = 'CA' AND b.state = 'TX') OR (a.state = 'TX' AND b.state = 'CA') GROUP BY a.state, b.state, f.hour",
		"SELECT a.state, f.hour FROM flights f JOIN airports a ON f.origin = a.iata JOIN airports b ON f.destination = b.iata WHERE (a.state = 'CA' AND f.delay > 0) OR (a.state = 'TX' AND b.state = 'CA') GROUP BY a.state, f.hour HAVING COUNT(*) > 1",
		"SELECT SUM(f.delay) FROM flights f, airports a WHERE (f.origin = a.iata AND a.state = 'CA') OR (f.origin = a.iata AND f.delay > 30)",
	} {
		q, err := features.Parse(flights.Schema, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if len(q.Residuals) == 0 {
			t.Fatalf("%s: no residual", sql)
		}
		got, err := engine.CountGroups(context.Background(), flights, q)
		testutil.Must(t, err)
		if q.Group == nil {
			n := bruteForce(t, flights, q, q.FullMask())
			if got.Rows != n {
				t.Errorf("%s: %+v, brute force %d rows", sql, got, n)
			}
			continue
		}
		if want := bruteGroups(t, flights, q); got != want || want.Groups == 0 {
			t.Errorf("%s: %+v, brute force %+v", sql, got, want)
		}
		t.Logf("%+v: %s", got, sql)
	}
	// Terms that may share a group are refused, not miscounted.
	q, err := features.Parse(flights.Schema, "SELECT f.hour FROM flights f JOIN airports a ON f.origin = a.iata WHERE a.state = 'CA' OR f.delay > 30 GROUP BY f.hour")
	testutil.Must(t, err)
	if _, err := engine.CountGroups(context.Background(), flights, q); !errors.Is(err, engine.ErrBadQuery) {
		t.Errorf("overlapping residual terms: got %v, want ErrBadQuery", err)
	}
}
