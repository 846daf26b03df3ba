package joinorder_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/workload"
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

// Train the learned agent on generated flights joins (estimates from the
// sample estimator, true counts for feedback), save it, load it back and
// plan a query with the guard.
func ExampleTrainAgent() {
	ctx := context.Background()
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		panic(err)
	}
	qs, err := workload.Generate(ctx, db, workload.JoinGraphFromSchema(db.Schema),
		workload.Options{Queries: 40, MinJoins: 3, MaxJoins: 5}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		panic(err)
	}
	est, truth := joinorder.Estimated(estimator.NewSample(cat)), exact.New(db)
	var data []joinorder.TrainQuery
	for _, q := range qs {
		e, err := est.Cards(ctx, q)
		if err != nil {
			panic(err)
		}
		tc, err := truth.Cards(ctx, q)
		if err != nil {
			panic(err)
		}
		data = append(data, joinorder.TrainQuery{Est: e, True: tc})
	}
	agent, err := joinorder.TrainAgent(ctx, cat, data[:30], joinorder.Cout{}, joinorder.AgentOptions{Seed: 1})
	if err != nil {
		panic(err)
	}
	var file bytes.Buffer
	if err := agent.Save(&file); err != nil {
		panic(err)
	}
	loaded, err := joinorder.LoadAgent(&file, cat)
	if err != nil {
		panic(err)
	}
	p, err := loaded.PlanGuarded(data[35].Est, joinorder.Cout{}, joinorder.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(joinorder.Validate(p) == nil, p.Cards, p.Source == joinorder.MethodAgent || strings.Contains(p.Source, "fallback"))
	// Output:
	// true sample true
}

// Recost prices a plan chosen on estimates with the true counts; FromOrder
// prices a given join order (e.g. a server's).
func ExampleRecost() {
	ctx := context.Background()
	db, err := datasets.Flights()
	if err != nil {
		panic(err)
	}
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		panic(err)
	}
	q, err := features.Parse(db.Schema, "SELECT COUNT(*) FROM routes r JOIN flights f ON f.origin = r.origin AND f.destination = r.destination JOIN airports a ON f.origin = a.iata JOIN airports b ON b.city = a.city AND b.state = a.state WHERE a.state = 'NY' AND r.num_flights > 100")
	if err != nil {
		panic(err)
	}
	est, err := joinorder.Estimated(estimator.NewHistogram(cat)).Cards(ctx, q)
	if err != nil {
		panic(err)
	}
	truth, err := exact.New(db).Cards(ctx, q)
	if err != nil {
		panic(err)
	}
	p, err := joinorder.DPccp(est, joinorder.Cout{}, joinorder.Options{})
	if err != nil {
		panic(err)
	}
	onTruth, err := joinorder.Recost(p, truth, joinorder.Cout{})
	if err != nil {
		panic(err)
	}
	opt, err := joinorder.DPccp(truth, joinorder.Cout{}, joinorder.Options{})
	if err != nil {
		panic(err)
	}
	written, err := joinorder.FromOrder(truth, joinorder.Cout{}, []int{0, 1, 2, 3})
	if err != nil {
		panic(err)
	}
	fmt.Printf("histogram plan %.0f, optimum %.0f, FROM order %.0f (true C_out)\n", onTruth.Cost(), opt.Cost(), written.Cost())
	// Output:
	// histogram plan 7527, optimum 5183, FROM order 23028 (true C_out)
}
