package engine_test

import (
	"context"
	"testing"

	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
)

// tpchExpressions are TPC-H's expressions (go-tpc's MySQL text: Q1, Q6,
// Q12 and Q19 whole, Q7's OR across nations, Q22's SUBSTRING prefix, Q4's
// column comparison) and other functions of columns, column comparisons
// and residual filters, as COUNT(*) statements the server runs verbatim.
var tpchExpressions = []string{
	`select count(*) from lineitem where l_shipdate <= date_sub('1998-12-01', interval 108 day)`,
	`select count(*) from lineitem where l_shipdate >= '1994-01-01' and l_shipdate < date_add('1994-01-01', interval '1' year)
	   and l_discount between 0.06 - 0.01 and 0.06 + 0.01 and l_quantity < 24`,
	`select count(*) from orders, lineitem where o_orderkey = l_orderkey and l_shipmode in ('RAIL', 'FOB')
	   and l_commitdate < l_receiptdate and l_shipdate < l_commitdate and l_receiptdate >= '1997-01-01'
	   and l_receiptdate < date_add('1997-01-01', interval '1' year)`,
	`select count(*) from lineitem, part where
	   (p_partkey = l_partkey and p_brand = 'Brand#52' and p_container in ('SM CASE', 'SM BOX', 'SM PACK', 'SM PKG')
	    and l_quantity >= 4 and l_quantity <= 4 + 10 and p_size between 1 and 5 and l_shipmode in ('AIR', 'AIR REG')
	    and l_shipinstruct = 'DELIVER IN PERSON')
	or (p_partkey = l_partkey and p_brand = 'Brand#11' and p_container in ('MED BAG', 'MED BOX', 'MED PKG', 'MED PACK')
	    and l_quantity >= 18 and l_quantity <= 18 + 10 and p_size between 1 and 10 and l_shipmode in ('AIR', 'AIR REG')
	    and l_shipinstruct = 'DELIVER IN PERSON')
	or (p_partkey = l_partkey and p_brand = 'Brand#51' and p_container in ('LG CASE', 'LG BOX', 'LG PACK', 'LG PKG')
	    and l_quantity >= 29 and l_quantity <= 29 + 10 and p_size between 1 and 15 and l_shipmode in ('AIR', 'AIR REG')
	    and l_shipinstruct = 'DELIVER IN PERSON')`,
	`select count(*) from supplier, lineitem, orders, customer, nation n1, nation n2
	 where s_suppkey = l_suppkey and o_orderkey = l_orderkey and c_custkey = o_custkey
	   and s_nationkey = n1.n_nationkey and c_nationkey = n2.n_nationkey
	   and ((n1.n_name = 'FRANCE' and n2.n_name = 'GERMANY') or (n1.n_name = 'GERMANY' and n2.n_name = 'FRANCE'))
	   and l_shipdate between '1995-01-01' and '1996-12-31'`,
	`select count(*) from customer where substring(c_phone from 1 for 2) in ('13', '31', '23', '29', '30', '18', '17')`,
	`select count(*) from orders where o_orderdate >= '1993-07-01' and o_orderdate < date_add('1993-07-01', interval '3' month)
	   and exists (select * from lineitem where l_orderkey = o_orderkey and l_commitdate < l_receiptdate)`,
	`select count(*) from lineitem where month(l_shipdate) = 3 and l_commitdate > l_receiptdate + interval 5 day`,
	`select count(*) from lineitem where year(l_shipdate) = 1995 and date_format(l_receiptdate, '%Y-%m') >= '1995-06'
	   and substring(l_shipmode, 1, 2) in ('AI', 'RA') and dayofweek(l_commitdate) in (1, 7)`,
	`select count(*) from lineitem where coalesce(l_discount, 0) > 0.05 and ifnull(l_tax, 1) <= 0.04 and l_linenumber + 1 > 3`,
	`select count(*) from orders where date_format(o_orderdate, '%m-%d') between '12-20' and '12-31' or quarter(o_orderdate) = 1 and weekday(o_orderdate) = 6`,
	`select count(*) from orders where not (year(o_orderdate) in (1993, 1995)) and date(o_orderdate) <> '1996-01-01' and o_shippriority is not true`,
	`select count(*) from customer where char_length(c_address) > 30 and lower(c_mktsegment) = 'building' and left(c_phone, 3) < '20-'`,
	`select count(*) from customer c, nation n where c.c_nationkey = n.n_nationkey and not (n.n_name = 'BRAZIL' and c.c_acctbal > 0) and (n.n_regionkey = 1 or c.c_mktsegment = 'MACHINERY')`,
	`select count(*) from partsupp where ps_availqty < ps_suppkey + 100 or ps_suppkey = ps_partkey`,
	`select count(*) from lineitem, part where (p_partkey = l_partkey and p_size between 1 and 25 and l_quantity < 10)
	   or (l_partkey = p_partkey and p_container like 'SM%' and l_shipmode = 'AIR') or (p_partkey = l_partkey and p_brand = 'Brand#13')`,
}

// TestTPCHExpressionsAgainstServer counts tpchExpressions with the engine
// on TPC-H scale 0.01 and with the server's COUNT(*), of the statement as
// written and of the model's rendering (Query.SQL).
func TestTPCHExpressionsAgainstServer(t *testing.T) {
	ctx := context.Background()
	db, srv := tpchServer(t)
	c := engine.New(db, engine.Options{})
	for i, sql := range tpchExpressions {
		q, err := features.Parse(db.Schema, sql)
		if err != nil {
			t.Errorf("query %d: %v", i, err)
			continue
		}
		got, err := c.Count(ctx, q)
		if err != nil {
			t.Fatalf("query %d: %v\n%s", i, err, q.SQL())
		}
		for _, text := range []string{sql, q.SQL()} {
			var want int64
			if err := srv.DB().QueryRowContext(ctx, text).Scan(&want); err != nil {
				t.Fatalf("query %d on the server: %v\n%s", i, err, text)
			}
			if got != want {
				t.Errorf("query %d: engine %d, server %d\n%s", i, got, want, text)
			}
		}
		t.Logf("query %d: %d rows", i, got)
	}
}
