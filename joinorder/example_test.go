package joinorder_test

import (
	"context"
	"fmt"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/joinorder"
	"github.com/cardinaldb/cardinal/joinorder/exact"
)

// Plan a three-table query with DPccp under C_out on true counts and print
// the plan and the MariaDB rewrite.
func ExampleDPccp() {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	q, err := features.Parse(db.Schema, "SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata JOIN routes r ON r.origin = a.iata WHERE a.state = 'TX' AND f.delay > 60")
	if err != nil {
		panic(err)
	}
	cards, err := exact.New(db).Cards(context.Background(), q)
	if err != nil {
		panic(err)
	}
	p, err := joinorder.DPccp(cards, joinorder.Cout{}, joinorder.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Print(p)
	fmt.Println(p.StraightJoinSQL())
	// Output:
	// dpccp plan, cost model cout on true cardinalities: cost 13408, rows 13281
	// join  rows=13281 cost=13408
	// ├── join  rows=127 cost=127
	// │   ├── scan f (flights)  rows=1089 cost=0
	// │   └── scan a (airports)  rows=209 cost=0
	// └── scan r (routes)  rows=5366 cost=0
	// SELECT STRAIGHT_JOIN COUNT(*) FROM `flights` AS `f` JOIN `airports` AS `a` ON `f`.`origin` = `a`.`iata` JOIN `routes` AS `r` ON `a`.`iata` = `r`.`origin` WHERE `f`.`delay` > 60 AND `a`.`state` = 'TX'
}

// Estimated cardinalities from any estimator, the MySQL-like cost model, and
// the MySQL 8 hint.
func ExampleEstimated() {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		panic(err)
	}
	q, err := features.Parse(db.Schema, "SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata WHERE a.state = 'TX'")
	if err != nil {
		panic(err)
	}
	cards, err := joinorder.Estimated(estimator.NewHistogram(cat)).Cards(context.Background(), q)
	if err != nil {
		panic(err)
	}
	p, err := joinorder.LeftDeep(cards, joinorder.NewMySQL(cat), joinorder.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Method, p.Cards, p.Root.Op, p.LeftDeep())
	fmt.Println(p.HintedSQL())
	// Output:
	// leftdeep histogram index nested loop true
	// SELECT /*+ JOIN_ORDER(`a`, `f`) */ COUNT(*) FROM `flights` AS `f` JOIN `airports` AS `a` ON `f`.`origin` = `a`.`iata` WHERE `a`.`state` = 'TX'

}

// GOO plans greedily: always join the pair with the fewest result rows.
func ExampleGOO() {
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	q, err := features.Parse(db.Schema, "SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata JOIN airports b ON f.destination = b.iata WHERE a.state = 'CA' AND b.state = 'NV'")
	if err != nil {
		panic(err)
	}
	cards, err := exact.New(db).Cards(context.Background(), q)
	if err != nil {
		panic(err)
	}
	p, err := joinorder.GOO(cards, joinorder.Cout{})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Order(), p.Cost())
	// Output:
	// [0 2 1] 700
}
