package estimator

import (
	"context"
	"math/bits"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// TestEliminateDims: eliminateDims drops from a sub-plan exactly the
// unfiltered occurrences joined by one edge on a foreign key into their
// primary key when the sample shows every key reaching a row (ecommerce:
// customers under orders), keeps a filtered one and the fact tables, keeps
// at least two occurrences, and drops none where keys dangle (flights'
// (origin, destination) into routes: 5% of flights have no route row;
// their airport codes all reach an airport).
func TestEliminateDims(t *testing.T) {
	ctx := context.Background()
	eco, err := datasets.Ecommerce(ctx, datasets.EcommerceOptions{Scale: 0.1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	fl, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		db   *datasets.DB
		sql  string
		want []string // aliases kept
	}{
		{eco, "SELECT COUNT(*) FROM orders o JOIN customers c ON o.customer_id = c.id JOIN order_items oi ON oi.order_id = o.id WHERE o.status = 'shipped'", []string{"o", "oi"}},
		{eco, "SELECT COUNT(*) FROM orders o JOIN customers c ON o.customer_id = c.id JOIN order_items oi ON oi.order_id = o.id WHERE c.region = 'EU'", []string{"o", "c", "oi"}},
		{eco, "SELECT COUNT(*) FROM order_items oi JOIN products p ON oi.product_id = p.id JOIN orders o ON oi.order_id = o.id JOIN customers c ON o.customer_id = c.id WHERE oi.quantity > 3", nil},
		{eco, "SELECT COUNT(*) FROM orders o JOIN customers c ON o.customer_id = c.id WHERE o.total > 100", []string{"o", "c"}},
		// Every flight's airports exist (as the engine counts), so an
		// unfiltered airport leaves; but 5% of flights have no routes
		// row, so an unfiltered routes stays.
		{fl, "SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata JOIN airports b ON f.destination = b.iata WHERE f.delay > 30 AND b.state = 'CA'", []string{"f", "b"}},
		{fl, "SELECT COUNT(*) FROM flights f JOIN routes r ON f.origin = r.origin AND f.destination = r.destination JOIN airports a ON f.origin = a.iata WHERE f.delay > 30 AND a.state = 'CA'", []string{"f", "r", "a"}},
	} {
		cat, err := c.db.Catalog(catalog.StatsOptions{}, 1)
		if err != nil {
			t.Fatal(err)
		}
		q, err := features.Parse(c.db.Schema, c.sql)
		if err != nil {
			t.Fatal(err)
		}
		if q, err = canonicalQuery(cat, q); err != nil {
			t.Fatal(err)
		}
		s := newSampleSet(cat)
		got := s.eliminateDims(q, groupEdges(q), q.FullMask(), nil)
		var kept []string
		for i, tr := range q.Tables {
			if got&(1<<uint(i)) != 0 {
				kept = append(kept, tr.Alias)
			}
		}
		if c.want == nil {
			// Both unfiltered dimensions (products, customers) leave;
			// which pair remains depends on the order of removal.
			if bits.OnesCount64(got) != 2 || got&1 == 0 {
				t.Errorf("%s: kept %v, want order_items and one other", c.sql, kept)
			}
			continue
		}
		want := uint64(0)
		for i, tr := range q.Tables {
			for _, a := range c.want {
				if tr.Alias == a {
					want |= 1 << uint(i)
				}
			}
		}
		if got != want {
			t.Errorf("%s: kept %v, want %v", c.sql, kept, c.want)
		}
	}
}
