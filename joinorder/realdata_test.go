package joinorder_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/joinorder"
	"github.com/cardinaldb/cardinal/joinorder/exact"
)

// fixture is a data set with its catalog and generated join queries.
type fixture struct {
	db  *datasets.DB
	cat *catalog.Catalog
}

var (
	fixOnce sync.Once
	fixVal  map[string]*fixture
	fixErr  error
)

// fixtures loads the bundled flights, ecommerce (scale 0.2) and TPC-H
// (sub-scale 0.01) once.
func fixtures(t testing.TB) map[string]*fixture {
	t.Helper()
	fixOnce.Do(func() {
		fixVal = map[string]*fixture{}
		fl, err := datasets.Flights()
		if err != nil {
			fixErr = err
			return
		}
		ec, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 0.2, Seed: 1})
		if err != nil {
			fixErr = err
			return
		}
		tp, err := datasets.TPCH(context.Background(), datasets.TPCHOptions{Scale: 0.01})
		if err != nil {
			fixErr = err
			return
		}
		for name, db := range map[string]*datasets.DB{"flights": fl, "ecommerce": ec, "tpch": tp} {
			cat, err := db.Catalog(catalog.StatsOptions{}, 1)
			if err != nil {
				fixErr = err
				return
			}
			fixVal[name] = &fixture{db: db, cat: cat}
		}
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fixVal
}

func genQueries(t testing.TB, db *datasets.DB, n, minJoins, maxJoins int, seed uint64) []*features.Query {
	t.Helper()
	qs, err := workload.Generate(context.Background(), db, workload.JoinGraphFromSchema(db.Schema),
		workload.Options{Queries: n, MinJoins: minJoins, MaxJoins: maxJoins, MaxPreds: 3}, rand.New(rand.NewPCG(seed, 7)))
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

// TestGeneratedQueries: on generated queries of 4-8 tables over flights
// (self-joins), ecommerce and TPC-H with TRUE sub-plan counts, DPccp's
// cost equals exhaustive enumeration; DPccp is never
// beaten by left-deep DP, GOO or any connected left-deep order, and the
// hinted and STRAIGHT_JOIN SQL of every plan parse back to queries the
// engine counts to the original's rows.
func TestGeneratedQueries(t *testing.T) {
	ctx := context.Background()
	for name, f := range fixtures(t) {
		src := exact.New(f.db)
		counter := engine.New(f.db, engine.Options{})
		sizes := map[int]int{}
		defer func() { t.Logf("%s: queries by tables %v", name, sizes) }()
		for i, q := range genQueries(t, f.db, 12, 3, 7, 11) {
			sizes[len(q.Tables)]++
			cards, err := src.Cards(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			want, err := counter.Count(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			maria, err := joinorder.NewMariaDB(f.cat, joinorder.MariaDBCosts{})
			if err != nil {
				t.Fatal(err)
			}
			for _, model := range []joinorder.CostModel{joinorder.Cout{}, joinorder.NewMySQL(f.cat), maria} {
				tag := fmt.Sprintf("%s/%d/%s", name, i, model.Name())
				dp, err := joinorder.DPccp(cards, model, joinorder.Options{})
				if err != nil {
					t.Fatalf("%s: %v", tag, err)
				}
				ld, err := joinorder.LeftDeep(cards, model, joinorder.Options{})
				if err != nil {
					t.Fatalf("%s: %v", tag, err)
				}
				g, err := joinorder.GOO(cards, model)
				if err != nil {
					t.Fatalf("%s: %v", tag, err)
				}
				for _, p := range []*joinorder.Plan{dp, ld, g} {
					if err := joinorder.Validate(p); err != nil {
						t.Fatalf("%s %s: %v", tag, p.Method, err)
					}
					if p.Cost() < dp.Cost()*(1-1e-9) {
						t.Errorf("%s: %s cost %g beats DPccp %g", tag, p.Method, p.Cost(), dp.Cost())
					}
					if got := p.Rows(); got != float64(want) {
						t.Errorf("%s %s: plan rows %g, true count %d", tag, p.Method, got, want)
					}
					for _, sql := range []string{p.HintedSQL(), p.StraightJoinSQL()} {
						hq, err := features.Parse(f.db.Schema, sql)
						if err != nil {
							t.Fatalf("%s: %s does not parse: %v", tag, sql, err)
						}
						got, err := counter.Count(ctx, hq)
						if err != nil {
							t.Fatal(err)
						}
						if got != want {
							t.Errorf("%s %s: hinted SQL counts %d, original %d\n%s", tag, p.Method, got, want, sql)
						}
					}
				}
				if want := joinorder.ExhaustiveMin(t, cards, model, false); math.Abs(dp.Cost()-want) > 1e-9*want {
					t.Errorf("%s: DPccp cost %g, exhaustive %g", tag, dp.Cost(), want)
				}
				if !ld.LeftDeep() {
					t.Errorf("%s: left-deep DP returned a bushy plan", tag)
				}
			}
		}
	}
}

// TestStraightJoinOrder: the STRAIGHT_JOIN rewrite lists the tables in the
// plan's order.
func TestStraightJoinOrder(t *testing.T) {
	f := fixtures(t)["ecommerce"]
	q, err := features.Parse(f.db.Schema, "SELECT COUNT(*) FROM orders o JOIN customers c ON o.customer_id = c.id JOIN order_items i ON i.order_id = o.id WHERE c.region = 'EU'")
	if err != nil {
		t.Fatal(err)
	}
	cards, err := exact.New(f.db).Cards(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	p, err := joinorder.LeftDeep(cards, joinorder.Cout{}, joinorder.Options{})
	if err != nil {
		t.Fatal(err)
	}
	order := p.Order()
	sql := p.StraightJoinSQL()
	hq, err := features.Parse(f.db.Schema, sql)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range order {
		if hq.Tables[i].Alias != q.Tables[o].Alias {
			t.Fatalf("STRAIGHT_JOIN order %v, plan order %v: %s", hq.Aliases(hq.FullMask()), q.Aliases(q.FullMask()), sql)
		}
	}
	if math.IsNaN(p.Cost()) {
		t.Fatal("NaN cost")
	}
}
