package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// TestSubqueryHavingRefused: a subquery's HAVING filters the values IN
// sees (TPC-H Q18); until it is counted the engine refuses the query
// rather than count every row.
func TestSubqueryHavingRefused(t *testing.T) {
	db := testutil.TPCH(t)
	for _, sql := range []string{
		"SELECT COUNT(*) FROM orders WHERE o_orderkey IN (SELECT l_orderkey FROM lineitem GROUP BY l_orderkey HAVING SUM(l_quantity) > 300)",
		"SELECT COUNT(*) FROM orders WHERE EXISTS (SELECT l_orderkey FROM lineitem WHERE l_orderkey = o_orderkey GROUP BY l_orderkey HAVING COUNT(*) > 5)",
	} {
		q, err := features.Parse(db.Schema, sql)
		if err != nil {
			t.Logf("%s: not parsed (%v)", sql, err)
			continue
		}
		if n, err := Count(context.Background(), db, q); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: count %d, err %v; want ErrUnsupported", sql, n, err)
		}
	}
	// Grouping without HAVING does not change IN's values: counted.
	q, err := features.Parse(db.Schema, "SELECT COUNT(*) FROM orders WHERE o_orderkey IN (SELECT l_orderkey FROM lineitem GROUP BY l_orderkey)")
	if err != nil {
		t.Fatal(err)
	}
	n, err := Count(context.Background(), db, q)
	if err != nil || n != int64(db.Table("orders").Rows) {
		t.Errorf("IN (SELECT ... GROUP BY): %d, %v; want every order (%d)", n, err, db.Table("orders").Rows)
	}
}
