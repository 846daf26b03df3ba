package engine_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// tpchShapes are the subquery and outer-join shapes of TPC-H (go-tpc's
// MySQL text of Q2, Q4, Q16, Q17, Q20, Q21, Q22 and Q13's outer join),
// without the expressions other parts of the model own (column
// comparisons, SUBSTRING, HAVING), plus outer, semi and anti joins of
// other shapes. Each is counted by the engine and by the server.
var tpchShapes = []string{
	// Q2: correlated MIN over a 4-table subquery, correlation moved from
	// part to partsupp along p_partkey = ps_partkey.
	`select * from part, supplier, partsupp, nation, region
	 where p_partkey = ps_partkey and s_suppkey = ps_suppkey and p_size = 30 and p_type like '%STEEL'
	   and s_nationkey = n_nationkey and n_regionkey = r_regionkey and r_name = 'ASIA'
	   and ps_supplycost = (select min(ps_supplycost) from partsupp, supplier, nation, region
	     where p_partkey = ps_partkey and s_suppkey = ps_suppkey and s_nationkey = n_nationkey
	       and n_regionkey = r_regionkey and r_name = 'ASIA')`,
	// Q4: EXISTS.
	`select * from orders where o_orderdate >= '1995-01-01' and o_orderdate < '1995-04-01'
	   and exists (select * from lineitem where l_orderkey = o_orderkey and l_shipmode = 'AIR')`,
	// Q16: uncorrelated NOT IN.
	`select * from partsupp, part where p_partkey = ps_partkey and p_brand <> 'Brand#34'
	   and p_type not like 'LARGE BRUSHED%' and p_size in (48, 19, 12, 4, 41, 7, 21, 39)
	   and ps_suppkey not in (select s_suppkey from supplier where s_acctbal < 0)`,
	// Q17: correlated AVG with a multiplier, the inner lineitem renamed.
	`select * from lineitem, part where p_partkey = l_partkey and p_brand = 'Brand#44' and p_container = 'WRAP PKG'
	   and l_quantity < (select 0.2 * avg(l_quantity) from lineitem where l_partkey = p_partkey)`,
	// Q20: IN nested in IN, with a correlated SUM on a composite key.
	`select * from supplier, nation where s_suppkey in (
	   select ps_suppkey from partsupp where ps_partkey in (select p_partkey from part where p_brand = 'Brand#23')
	     and ps_availqty > (select 0.5 * sum(l_quantity) from lineitem
	       where l_partkey = ps_partkey and l_suppkey = ps_suppkey and l_shipdate >= '1993-01-01' and l_shipdate < '1994-01-01'))
	   and s_nationkey = n_nationkey and n_name = 'ALGERIA'`,
	// Q21: EXISTS and NOT EXISTS with a <> correlation.
	`select * from supplier, lineitem l1, orders, nation where s_suppkey = l1.l_suppkey and o_orderkey = l1.l_orderkey
	   and o_orderstatus = 'F'
	   and exists (select * from lineitem l2 where l2.l_orderkey = l1.l_orderkey and l2.l_suppkey <> l1.l_suppkey)
	   and not exists (select * from lineitem l3 where l3.l_orderkey = l1.l_orderkey and l3.l_suppkey <> l1.l_suppkey
	     and l3.l_shipmode = 'MAIL')
	   and s_nationkey = n_nationkey and n_name = 'EGYPT'`,
	// Q22: a derived table over a scalar subquery and NOT EXISTS.
	`select cntrycode, count(*) from (select c_nationkey as cntrycode, c_acctbal from customer
	   where c_nationkey in (1, 4, 7, 9) and c_acctbal > (select avg(c_acctbal) from customer where c_acctbal > 0.00 and c_nationkey in (1, 4, 7, 9))
	     and not exists (select * from orders where o_custkey = c_custkey)) as custsale group by cntrycode`,
	// Q13's outer join (its ON filter on the null-supplying side).
	`select * from customer left outer join orders on c_custkey = o_custkey and o_orderpriority <> '1-URGENT'`,
	`select * from customer c left join orders o on c.c_custkey = o.o_custkey left join lineitem l on l.l_orderkey = o.o_orderkey and l.l_quantity > 49`,
	`select * from nation n left join (supplier s join partsupp ps on ps.ps_suppkey = s.s_suppkey) on s.s_nationkey = n.n_nationkey and ps.ps_availqty < 20 where n.n_regionkey = 1`,
	`select * from orders o right join customer c on c.c_custkey = o.o_custkey and o.o_totalprice > 400000`,
	`select * from customer where c_custkey not in (select o_custkey from orders where o_orderpriority = '1-URGENT')`,
	`select * from part where not exists (select * from lineitem where l_partkey = p_partkey and l_quantity > 45)`,
	`with big as (select * from orders where o_totalprice > 300000) select * from big, customer where o_custkey = c_custkey and c_mktsegment = 'BUILDING'`,
}

// TestTPCHShapesAgainstServer counts tpchShapes with the engine on TPC-H
// scale 0.01 and with the server's COUNT(*) of the same text.
func TestTPCHShapesAgainstServer(t *testing.T) {
	ctx := context.Background()
	db, srv := tpchServer(t)
	c := engine.New(db, engine.Options{})
	for i, sql := range tpchShapes {
		q, err := features.Parse(db.Schema, sql)
		if err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		got, err := c.Count(ctx, q)
		if err != nil {
			t.Fatalf("query %d: %v\n%s", i, err, q.SQL())
		}
		// The rows of FROM + WHERE: the server counts them without GROUP BY.
		flat := *q
		flat.GroupBy, flat.Group = nil, nil
		var want int64
		if err := srv.DB().QueryRowContext(ctx, flat.SQL()).Scan(&want); err != nil {
			t.Fatalf("query %d on the server: %v\n%s", i, err, q.SQL())
		}
		if got != want {
			t.Errorf("query %d: engine %d, server %d\n%s", i, got, want, q.SQL())
		}
		if q.Grouped() {
			// The groups: the server counts the rows of the grouped query.
			gc, err := c.CountGroups(ctx, q)
			if err != nil {
				t.Fatalf("query %d: %v", i, err)
			}
			var wantGroups int64
			if err := srv.DB().QueryRowContext(ctx, q.GroupsSQL()).Scan(&wantGroups); err != nil {
				t.Fatalf("query %d groups on the server: %v\n%s", i, err, q.GroupsSQL())
			}
			if gc.Groups != wantGroups {
				t.Errorf("query %d: engine %d groups, server %d\n%s", i, gc.Groups, wantGroups, q.GroupsSQL())
			}
		}
		t.Logf("query %d: %d rows", i, got)
	}
}

// EnvShapesSF1 enables TestTPCHShapesSF1, which counts tpchShapes on TPC-H
// scale 1 (6M lineitems) and logs the time of each count.
const EnvShapesSF1 = "CARDINAL_SHAPES_SF1"

func TestTPCHShapesSF1(t *testing.T) {
	if os.Getenv(EnvShapesSF1) == "" {
		t.Skipf("%s is unset", EnvShapesSF1)
	}
	ctx := context.Background()
	db, err := datasets.TPCH(ctx, datasets.TPCHOptions{Scale: 1})
	testutil.Must(t, err)
	c := engine.New(db, engine.Options{})
	for i, sql := range tpchShapes {
		q, err := features.Parse(db.Schema, sql)
		testutil.Must(t, err)
		start := time.Now()
		n, err := c.Count(ctx, q)
		testutil.Must(t, err)
		t.Logf("query %d: %d rows in %v", i, n, time.Since(start).Round(time.Millisecond))
	}
}
