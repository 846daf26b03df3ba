package joinorder_test

import (
	"context"
	"fmt"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/joinorder"
	"github.com/cardinaldb/cardinal/joinorder/exact"
)

// ImpliedJoins adds the edge l.l_partkey = p.p_partkey that lineitem ⋈
// partsupp ⋈ part implies; the plan under the MariaDB cost model then
// joins part to lineitem directly (a cross product without that edge), as
// the server can.
func ExampleImpliedJoins() {
	db, err := datasets.TPCH(context.Background(), datasets.TPCHOptions{Scale: 0.01})
	if err != nil {
		panic(err)
	}
	q, err := features.Parse(db.Schema, "SELECT COUNT(*) FROM lineitem l JOIN partsupp ps ON l.l_partkey = ps.ps_partkey AND l.l_suppkey = ps.ps_suppkey JOIN part p ON p.p_partkey = ps.ps_partkey WHERE p.p_size = 7 AND p.p_type = 'SMALL PLATED TIN'")
	if err != nil {
		panic(err)
	}
	closed := joinorder.ImpliedJoins(q)
	fmt.Println(len(q.Joins), "written join predicates,", len(closed.Joins), "with the implied one")
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		panic(err)
	}
	m, err := joinorder.NewMariaDB(cat, joinorder.MariaDBCosts{})
	if err != nil {
		panic(err)
	}
	cards, err := exact.New(db).Cards(context.Background(), closed)
	if err != nil {
		panic(err)
	}
	p, err := joinorder.LeftDeep(cards, m, joinorder.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.StraightJoinSQL())
	// Output:
	// 3 written join predicates, 4 with the implied one
	// SELECT STRAIGHT_JOIN COUNT(*) FROM `part` AS `p` JOIN `lineitem` AS `l` ON `p`.`p_partkey` = `l`.`l_partkey` JOIN `partsupp` AS `ps` ON `p`.`p_partkey` = `ps`.`ps_partkey` AND `l`.`l_partkey` = `ps`.`ps_partkey` AND `l`.`l_suppkey` = `ps`.`ps_suppkey` WHERE `p`.`p_size` = 7 AND `p`.`p_type` = 'SMALL PLATED TIN'
}

// FitMariaDBCosts learns the MariaDB cost model's constants from measured
// latencies: here, latencies made from a known per-lookup cost of 3 us and
// a 100 us overhead.
func ExampleFitMariaDBCosts() {
	var samples []joinorder.LatencySample
	for _, lookups := range []float64{1e3, 1e4, 1e5, 1e6} {
		w := joinorder.Work{ScanRows: 1e4, Lookups: lookups, FetchPK: lookups}
		d := joinorder.DefaultMariaDBCosts
		lat := 1e4*d.ScanRow + lookups*3 + lookups*d.FetchPK + 100
		samples = append(samples, joinorder.LatencySample{Work: w, LatencyUS: lat})
	}
	c, overhead, err := joinorder.FitMariaDBCosts(samples, joinorder.FitOptions{PriorWeight: 1e-9})
	if err != nil {
		panic(err)
	}
	pred := samples[3].Work.Cost(c) + overhead
	fmt.Printf("1e6 lookups: measured %.0f ms, predicted %.0f ms\n", samples[3].LatencyUS/1e3, pred/1e3)
	// Output:
	// 1e6 lookups: measured 3122 ms, predicted 3122 ms
}
