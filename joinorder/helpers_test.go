package joinorder

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// synthCatalog returns n tables t0..t(n-1), each with a primary key id and
// a column fk, with row counts drawn from rng.
func synthCatalog(n int, rng *rand.Rand) *catalog.Catalog {
	s := &catalog.Schema{}
	cat := &catalog.Catalog{Schema: s}
	for i := 0; i < n; i++ {
		s.Tables = append(s.Tables, &catalog.Table{Name: fmt.Sprintf("t%d", i),
			Columns:    []catalog.Column{{Name: "id", Type: catalog.TypeInt}, {Name: "fk", Type: catalog.TypeInt}, {Name: "x", Type: catalog.TypeInt}},
			PrimaryKey: []string{"id"}})
		cat.Stats = append(cat.Stats, catalog.TableStats{Rows: int64(10 + rng.IntN(100000))})
	}
	return cat
}

// shape names the join graphs of the tests.
type shape string

const (
	chain  shape = "chain"
	star   shape = "star"
	cycle  shape = "cycle"
	clique shape = "clique"
	tree   shape = "tree"
	split  shape = "disconnected"
)

// synthQuery returns a query of n occurrences of cat's tables with the given
// join graph: edges i.fk = j.id (index lookups possible on j) or i.x = j.x.
func synthQuery(cat *catalog.Catalog, sh shape, n int, rng *rand.Rand) *features.Query {
	q := &features.Query{Schema: cat.Schema}
	for i := 0; i < n; i++ {
		q.Tables = append(q.Tables, features.TableRef{Table: i % len(cat.Schema.Tables), Alias: fmt.Sprintf("a%d", i)})
	}
	edge := func(i, j int) {
		if i > j {
			i, j = j, i
		}
		if rng.IntN(2) == 0 {
			q.Joins = append(q.Joins, features.Join{Left: i, Right: j, LeftCol: 1, RightCol: 0})
		} else {
			q.Joins = append(q.Joins, features.Join{Left: i, Right: j, LeftCol: 2, RightCol: 2})
		}
	}
	switch sh {
	case chain:
		for i := 1; i < n; i++ {
			edge(i-1, i)
		}
	case star:
		for i := 1; i < n; i++ {
			edge(0, i)
		}
	case cycle:
		for i := 1; i < n; i++ {
			edge(i-1, i)
		}
		if n > 2 {
			edge(0, n-1)
		}
	case clique:
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				edge(i, j)
			}
		}
	case tree:
		for i := 1; i < n; i++ {
			edge(rng.IntN(i), i)
		}
	case split: // two chains
		for i := 1; i < n; i++ {
			if i != n/2 {
				edge(i-1, i)
			}
		}
	}
	return q
}

// synthCards draws rows for every connected sub-plan: base rows times a
// random selectivity per table, times a random selectivity per joined
// pair, so that costs differ widely between orders.
func synthCards(t testing.TB, cat *catalog.Catalog, q *features.Query, rng *rand.Rand) *Cards {
	t.Helper()
	c, err := NewCards(q, "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	n := len(q.Tables)
	base := make([]float64, n)
	for i := range base {
		base[i] = float64(cat.Stats[q.Tables[i].Table].Rows) * math.Pow(10, -3*rng.Float64())
	}
	pair := map[[2]int]float64{}
	for _, j := range q.Joins {
		pair[[2]int{j.Left, j.Right}] = math.Pow(10, -5*rng.Float64())
	}
	masks, err := q.ConnectedSubsets(1 << 22)
	if err != nil {
		panic(err)
	}
	for _, m := range masks {
		r := 1.0
		for i := 0; i < n; i++ {
			if m&(1<<i) != 0 {
				r *= base[i]
			}
		}
		for k, s := range pair {
			if m&(1<<k[0]) != 0 && m&(1<<k[1]) != 0 {
				r *= s
			}
		}
		if err := c.Set(m, math.Round(r)); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// exhaustiveCosts returns the cost of every join tree without cross
// products over the connected set s (memoised per set: a list of all
// trees' costs, nothing pruned), for checking the enumerators.
type exhaustive struct {
	pl    *planner
	costs map[uint64][]float64
	limit int
}

func (x *exhaustive) all(s uint64) []float64 {
	if c, ok := x.costs[s]; ok {
		return c
	}
	var out []float64
	if s&(s-1) == 0 {
		out = []float64{x.pl.best[s].cost}
		x.costs[s] = out
		return out
	}
	// Every ordered split into two connected, joined parts.
	for s1 := (s - 1) & s; s1 != 0; s1 = (s1 - 1) & s {
		s2 := s &^ s1
		if !x.pl.g.connected(s1) || !x.pl.g.connected(s2) || !x.pl.g.joined(s1, s2) {
			continue
		}
		l, r := x.all(s1), x.all(s2)
		rl, _ := x.pl.cards.Rows(s1)
		rr, _ := x.pl.cards.Rows(s2)
		for _, cl := range l {
			for _, cr := range r {
				e, err := x.pl.join(s1, s2, entry{rows: rl, cost: cl}, entry{rows: rr, cost: cr})
				if err != nil {
					panic(err)
				}
				out = append(out, e.cost)
				if len(out) > x.limit {
					panic("too many trees")
				}
			}
		}
	}
	x.costs[s] = out
	return out
}

// exhaustiveMin returns the cheapest cost over every bushy tree (leftDeep
// false) or every left-deep tree (true) without cross products.
func exhaustiveMin(t testing.TB, cards *Cards, model CostModel, leftDeep bool) float64 {
	t.Helper()
	pl, err := newPlanner(cards, model, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := pl.leaves(); err != nil {
		t.Fatal(err)
	}
	if leftDeep {
		// Every permutation whose prefixes are connected.
		best := math.Inf(1)
		var rec func(s uint64, e entry)
		rec = func(s uint64, e entry) {
			if s == pl.g.all {
				best = math.Min(best, e.cost)
				return
			}
			for n := pl.g.nb(s) &^ s; n != 0; n &= n - 1 {
				t := n & -n
				x, err := pl.join(s, t, e, pl.best[t])
				if err != nil {
					panic(err)
				}
				rec(s|t, x)
			}
		}
		for i := 0; i < pl.g.n; i++ {
			rec(1<<i, pl.best[1<<i])
		}
		return best
	}
	x := &exhaustive{pl: pl, costs: map[uint64][]float64{}, limit: 3_000_000}
	best := math.Inf(1)
	for _, c := range x.all(pl.g.all) {
		best = math.Min(best, c)
	}
	return best
}

// dpsubMin is DPsub: the cheapest bushy tree by trying every partition of
// every connected subset (exhaustive over partitions, memoised on the
// principle of optimality), for graphs too dense to list every tree.
func dpsubMin(t testing.TB, cards *Cards, model CostModel) float64 {
	t.Helper()
	pl, err := newPlanner(cards, model, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := pl.leaves(); err != nil {
		t.Fatal(err)
	}
	for s := uint64(1); s <= pl.g.all; s++ {
		if s&(s-1) == 0 || !pl.g.connected(s) {
			continue
		}
		for s1 := (s - 1) & s; s1 != 0; s1 = (s1 - 1) & s {
			s2 := s &^ s1
			if _, ok := pl.best[s1]; !ok {
				continue
			}
			if _, ok := pl.best[s2]; !ok || !pl.g.joined(s1, s2) {
				continue
			}
			e, err := pl.join(s1, s2, pl.best[s1], pl.best[s2])
			if err != nil {
				t.Fatal(err)
			}
			if cur, ok := pl.best[s]; !ok || e.cost < cur.cost {
				pl.best[s] = e
			}
		}
	}
	return pl.best[pl.g.all].cost
}

func closeTo(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}
