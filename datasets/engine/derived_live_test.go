package engine_test

import (
	"context"
	"testing"

	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
)

// tpchDerived are queries with grouped derived tables and CTEs in the
// style of TPC-H Q13 and Q15, with filters on their aggregates, HAVING
// inside, DISTINCT, nesting and a LEFT JOIN to one.
var tpchDerived = []string{
	`select c_count, count(*) as custdist from (select c_custkey, count(o_orderkey) as c_count from customer left outer join orders on c_custkey = o_custkey and o_orderpriority <> '1-URGENT' group by c_custkey) as c_orders group by c_count`,
	`with revenue0 (supplier_no, total_revenue) as (select l_suppkey, sum(l_extendedprice * (1 - l_discount)) from lineitem where l_shipdate >= '1996-01-01' and l_shipdate < '1996-04-01' group by l_suppkey) select s_suppkey from supplier, revenue0 where s_suppkey = supplier_no and total_revenue = (select max(total_revenue) from revenue0)`,
	`select * from (select o_custkey, count(*) as n, sum(o_totalprice) as total from orders group by o_custkey having count(*) > 5) as d, customer where c_custkey = d.o_custkey and d.total > 1000000 and c_mktsegment = 'BUILDING'`,
	`select n, count(*) from (select distinct l_orderkey, l_linenumber as n from lineitem where l_quantity > 45) as d group by n`,
	`select * from (select n, count(*) as c from (select o_custkey, count(*) as n from orders group by o_custkey) as x group by n) as y where y.c > 1`,
	`select * from customer left join (select o_custkey, max(o_totalprice) as top from orders group by o_custkey) as d on d.o_custkey = c_custkey and d.top > 300000 where c_nationkey = 3`,
}

// TestTPCHDerivedAgainstServer counts tpchDerived with the engine on TPC-H
// scale 0.01 and on the server, which runs the query's own rendering (a
// WITH clause per derived relation): the rows of FROM + WHERE and the
// output groups.
func TestTPCHDerivedAgainstServer(t *testing.T) {
	ctx := context.Background()
	db, srv := tpchServer(t)
	c := engine.New(db, engine.Options{})
	for i, sql := range tpchDerived {
		q, err := features.Parse(db.Schema, sql)
		if err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		if !q.HasDerived() {
			t.Fatalf("query %d: no derived relation", i)
		}
		got, err := c.CountGroups(ctx, q)
		if err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		var rows, groups int64
		fromWhere := *q // the rows of FROM + WHERE: without the grouping
		fromWhere.Group, fromWhere.GroupBy, fromWhere.OrderBy, fromWhere.OrderDesc = nil, nil, nil, nil
		if err := srv.DB().QueryRowContext(ctx, fromWhere.SQL()).Scan(&rows); err != nil {
			t.Fatalf("query %d on the server: %v\n%s", i, err, fromWhere.SQL())
		}
		if err := srv.DB().QueryRowContext(ctx, q.GroupsSQL()).Scan(&groups); err != nil {
			t.Fatalf("query %d on the server: %v\n%s", i, err, q.GroupsSQL())
		}
		if got.Rows != rows || got.Groups != groups {
			t.Errorf("query %d: engine %+v, server rows %d groups %d\n%s", i, got, rows, groups, q.SQL())
		}
		t.Logf("query %d: %d groups of %d rows", i, got.Groups, got.Rows)
	}
}
