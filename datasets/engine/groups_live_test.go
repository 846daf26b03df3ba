package engine_test

import (
	"context"
	"testing"

	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
)

// tpchGroups are grouping queries in the style of TPC-H (Q1, Q3, Q5's
// cycle, Q9's YEAR, Q16's DISTINCT, Q18's HAVING SUM, Q22's prefix).
var tpchGroups = []string{
	`select l_returnflag, l_linestatus, count(*) from lineitem where l_shipdate <= '1998-09-02' group by l_returnflag, l_linestatus`,
	`select l_orderkey from lineitem group by l_orderkey having sum(l_quantity) > 200`,
	`select l_orderkey, o_orderdate, o_shippriority from customer, orders, lineitem where c_mktsegment = 'BUILDING' and c_custkey = o_custkey and l_orderkey = o_orderkey and o_orderdate < '1995-03-15' and l_shipdate > '1995-03-15' group by l_orderkey, o_orderdate, o_shippriority`,
	`select n_name from customer, orders, lineitem, supplier, nation, region where c_custkey = o_custkey and l_orderkey = o_orderkey and l_suppkey = s_suppkey and c_nationkey = s_nationkey and s_nationkey = n_nationkey and n_regionkey = r_regionkey and r_name = 'ASIA' group by n_name`,
	`select n_name, extract(year from o_orderdate) as o_year from nation, supplier, lineitem, orders where s_suppkey = l_suppkey and o_orderkey = l_orderkey and s_nationkey = n_nationkey group by n_name, o_year`,
	`select distinct p_brand, p_type, p_size from partsupp, part where p_partkey = ps_partkey and p_size in (49, 14, 23, 45, 19, 3, 36, 9)`,
	`select c_custkey, count(o_orderkey) from customer left join orders on c_custkey = o_custkey group by c_custkey having count(o_orderkey) < 5`,
	`select substring(c_phone, 1, 2) as cntrycode, count(*) from customer where c_acctbal > 0 group by cntrycode having avg(c_acctbal) > 4500`,
	`select count(*) from lineitem where l_quantity > 49 having count(*) > 0`,
}

// TestTPCHGroupsAgainstServer counts the output groups of tpchGroups with
// the engine on TPC-H scale 0.01 and with the server's COUNT(*) over the
// same grouped query (features.Query.GroupsSQL).
func TestTPCHGroupsAgainstServer(t *testing.T) {
	ctx := context.Background()
	db, srv := tpchServer(t)
	c := engine.New(db, engine.Options{})
	for i, sql := range tpchGroups {
		q, err := features.Parse(db.Schema, sql)
		if err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		got, err := c.CountGroups(ctx, q)
		if err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		var want int64
		if err := srv.DB().QueryRowContext(ctx, q.GroupsSQL()).Scan(&want); err != nil {
			t.Fatalf("query %d on the server: %v\n%s", i, err, q.GroupsSQL())
		}
		if got.Groups != want {
			t.Errorf("query %d: engine %d groups, server %d\n%s", i, got.Groups, want, q.GroupsSQL())
		}
		t.Logf("query %d: %d groups of %d rows", i, got.Groups, got.Rows)
	}
}
