package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// TestTPCHCounts counts TPC-H Q7- and Q8-shaped joins (nation twice,
// region, a composite key to partsupp) with the engine and checks them
// against counts computed directly over the columns with maps.
func TestTPCHCounts(t *testing.T) {
	db := testutil.TPCH(t)
	col := func(table, name string) *datasets.Column {
		tab := db.Table(table)
		return tab.Cols[tab.Def.ColumnIndex(name)]
	}
	str := func(table, name string, r int) string { c := col(table, name); return c.Dict[c.Codes[r]] }
	ints := func(table, name string) []int64 { return col(table, name).Ints }

	nationName := map[int64]string{}
	nationRegion := map[int64]int64{}
	for r := range db.Table("nation").Rows {
		k := ints("nation", "n_nationkey")[r]
		nationName[k] = str("nation", "n_name", r)
		nationRegion[k] = ints("nation", "n_regionkey")[r]
	}
	regionName := map[int64]string{}
	for r := range db.Table("region").Rows {
		regionName[ints("region", "r_regionkey")[r]] = str("region", "r_name", r)
	}
	custNation := map[int64]int64{}
	for r := range db.Table("customer").Rows {
		custNation[ints("customer", "c_custkey")[r]] = ints("customer", "c_nationkey")[r]
	}
	suppNation := map[int64]int64{}
	for r := range db.Table("supplier").Rows {
		suppNation[ints("supplier", "s_suppkey")[r]] = ints("supplier", "s_nationkey")[r]
	}
	orderCust, orderDate := map[int64]int64{}, map[int64]int64{}
	for r := range db.Table("orders").Rows {
		k := ints("orders", "o_orderkey")[r]
		orderCust[k] = ints("orders", "o_custkey")[r]
		orderDate[k] = ints("orders", "o_orderdate")[r]
	}
	partType := map[int64]string{}
	for r := range db.Table("part").Rows {
		partType[ints("part", "p_partkey")[r]] = str("part", "p_type", r)
	}
	psQty := map[[2]int64]int64{}
	for r := range db.Table("partsupp").Rows {
		psQty[[2]int64{ints("partsupp", "ps_partkey")[r], ints("partsupp", "ps_suppkey")[r]}] = ints("partsupp", "ps_availqty")[r]
	}
	day := func(s string) int64 {
		d, err := time.Parse(catalog.DateLayout, s)
		testutil.Must(t, err)
		return d.Unix()
	}
	lo, hi := day("1995-01-01"), day("1996-12-31")

	var q7, q8, q9 int64
	li := db.Table("lineitem")
	for r := range li.Rows {
		o, p, s := ints("lineitem", "l_orderkey")[r], ints("lineitem", "l_partkey")[r], ints("lineitem", "l_suppkey")[r]
		sn, cn := suppNation[s], custNation[orderCust[o]]
		if nationName[sn] == "FRANCE" && nationName[cn] == "GERMANY" {
			q7++
		}
		if regionName[nationRegion[cn]] == "AMERICA" && partType[p] == "ECONOMY ANODIZED STEEL" && orderDate[o] >= lo && orderDate[o] <= hi {
			q8++
		}
		if psQty[[2]int64{p, s}] > 5000 && nationName[sn] == "BRAZIL" {
			q9++
		}
	}
	cases := []struct {
		sql  string
		want int64
	}{
		{`SELECT COUNT(*) FROM supplier s JOIN lineitem l ON s.s_suppkey = l.l_suppkey
			JOIN orders o ON o.o_orderkey = l.l_orderkey JOIN customer c ON c.c_custkey = o.o_custkey
			JOIN nation n1 ON s.s_nationkey = n1.n_nationkey JOIN nation n2 ON c.c_nationkey = n2.n_nationkey
			WHERE n1.n_name = 'FRANCE' AND n2.n_name = 'GERMANY'`, q7},
		{`SELECT COUNT(*) FROM part p JOIN lineitem l ON p.p_partkey = l.l_partkey
			JOIN supplier s ON s.s_suppkey = l.l_suppkey JOIN orders o ON l.l_orderkey = o.o_orderkey
			JOIN customer c ON o.o_custkey = c.c_custkey JOIN nation n1 ON c.c_nationkey = n1.n_nationkey
			JOIN region r ON n1.n_regionkey = r.r_regionkey JOIN nation n2 ON s.s_nationkey = n2.n_nationkey
			WHERE r.r_name = 'AMERICA' AND o.o_orderdate BETWEEN '1995-01-01' AND '1996-12-31'
			AND p.p_type = 'ECONOMY ANODIZED STEEL'`, q8},
		{`SELECT COUNT(*) FROM lineitem l JOIN partsupp ps ON l.l_partkey = ps.ps_partkey AND l.l_suppkey = ps.ps_suppkey
			JOIN supplier s ON ps.ps_suppkey = s.s_suppkey JOIN nation n ON s.s_nationkey = n.n_nationkey
			WHERE ps.ps_availqty > 5000 AND n.n_name = 'BRAZIL'`, q9},
	}
	c := engine.New(db, engine.Options{})
	for _, tc := range cases {
		q, err := features.Parse(db.Schema, tc.sql)
		testutil.Must(t, err)
		got, err := c.Count(context.Background(), q)
		testutil.Must(t, err)
		if got != tc.want || got == 0 {
			t.Errorf("engine counts %d, direct count %d (want equal and non-zero): %s", got, tc.want, tc.sql)
		}
	}
}
