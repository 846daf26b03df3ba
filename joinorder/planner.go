package joinorder

import (
	"fmt"
	"math"
	"slices"

	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/optcheck"
)

// Method names of the enumerators (Plan.Method).
const (
	MethodDPccp    = "dpccp"
	MethodLeftDeep = "leftdeep"
	MethodGOO      = "goo"
	MethodAgent    = "agent"
)

// DefaultMaxPairs is the default budget of Options.MaxPairs: 2^18 joins
// considered, tens of milliseconds of DP. It admits every query of up to
// 12 tables whatever its shape (a 12-clique has 261,625 csg-cmp pairs)
// and chains, cycles and trees of any size the masks hold; a star of 17
// or more tables exceeds it.
const DefaultMaxPairs = 1 << 18

// Options configure the enumerators. The zero value means the defaults.
type Options struct {
	// MaxPairs bounds the joins a dynamic program considers (csg-cmp
	// pairs for DPccp, (set, table) extensions for left-deep DP). A query
	// that needs more is planned by GOO instead, and its Plan.Source says
	// so. 0 means DefaultMaxPairs; negative is ErrOptions.
	MaxPairs int
}

func (o Options) withDefaults() (Options, error) {
	if err := optcheck.Struct(ErrOptions, "Options", o); err != nil {
		return o, err
	}
	switch {
	case o.MaxPairs == 0:
		o.MaxPairs = DefaultMaxPairs
	case o.MaxPairs < 0:
		return o, fmt.Errorf("%w: MaxPairs %d < 0", ErrOptions, o.MaxPairs)
	}
	return o, nil
}

// entry is the best plan found for one set of occurrences.
type entry struct {
	rows, cost  float64
	left, right uint64 // the inputs; 0 for a leaf
	op          Op
}

// planner holds what the enumerators share for one query.
type planner struct {
	q     *features.Query
	g     graph
	cards *Cards
	model CostModel
	best  map[uint64]entry
	pairs int
	limit int
	over  bool // the pair budget ran out
	err   error
}

func newPlanner(cards *Cards, model CostModel, limit int) (*planner, error) {
	if cards == nil || model == nil {
		return nil, fmt.Errorf("%w: nil cardinalities or cost model", ErrOptions)
	}
	return &planner{q: cards.q, g: cards.g, cards: cards, model: model, best: make(map[uint64]entry, 4*cards.g.n), limit: limit}, nil
}

// leaf prices a scan of occurrence t.
func (pl *planner) leaf(t int) (entry, error) {
	rows, err := pl.cards.mustRows(1 << uint(t))
	if err != nil {
		return entry{}, err
	}
	return entry{rows: rows, cost: pl.model.Scan(pl.q, t, rows), op: OpScan}, nil
}

// join prices l (outer) joined with r (inner).
func (pl *planner) join(l, r uint64, le, re entry) (entry, error) {
	rows, err := pl.cards.mustRows(l | r)
	if err != nil {
		return entry{}, err
	}
	cost, op := pl.model.Join(pl.q, JoinInput{Left: l, Right: r, LeftRows: le.rows, RightRows: re.rows, Rows: rows,
		LeftCost: le.cost, RightCost: re.cost, Edge: pl.g.joined(l, r)})
	if math.IsNaN(cost) {
		return entry{}, fmt.Errorf("%w: cost model %s returned NaN", ErrOptions, pl.model.Name())
	}
	return entry{rows: rows, cost: cost, left: l, right: r, op: op}, nil
}

// consider records the cheaper orientation of joining a and b if it beats
// the best plan of a|b so far.
func (pl *planner) consider(a, b uint64) {
	if pl.err != nil {
		return
	}
	ea, eb := pl.best[a], pl.best[b]
	x, err := pl.join(a, b, ea, eb)
	if err != nil {
		pl.err = err
		return
	}
	if y, err := pl.join(b, a, eb, ea); err != nil {
		pl.err = err
		return
	} else if y.cost < x.cost {
		x = y
	}
	if cur, ok := pl.best[a|b]; !ok || x.cost < cur.cost {
		pl.best[a|b] = x
	}
}

// leaves records the scan of every occurrence.
func (pl *planner) leaves() error {
	for t := 0; t < pl.g.n; t++ {
		e, err := pl.leaf(t)
		if err != nil {
			return err
		}
		pl.best[1<<uint(t)] = e
	}
	return nil
}

// tree builds the Node tree of the best plan of mask.
func (pl *planner) tree(mask uint64) *Node {
	e := pl.best[mask]
	if e.left == 0 {
		return &Node{Mask: mask, Table: trailing(mask), Op: e.op, Rows: e.rows, Cost: e.cost}
	}
	return &Node{Mask: mask, Table: -1, Left: pl.tree(e.left), Right: pl.tree(e.right), Op: e.op, Rows: e.rows, Cost: e.cost}
}

// crossComponents joins the components' best plans, smallest first, with
// cross products, and returns the method suffix ("" when connected).
func (pl *planner) crossComponents(comps []uint64) (string, error) {
	if len(comps) == 1 {
		return "", nil
	}
	comps = slices.Clone(comps)
	slices.SortStableFunc(comps, func(a, b uint64) int {
		ra, rb := pl.best[a].rows, pl.best[b].rows
		switch {
		case ra < rb:
			return -1
		case ra > rb:
			return 1
		}
		return 0
	})
	acc := comps[0]
	for _, c := range comps[1:] {
		e, err := pl.join(acc, c, pl.best[acc], pl.best[c])
		if err != nil {
			return "", err
		}
		acc |= c
		pl.best[acc] = e
	}
	return "+cross", nil
}

// run plans every component of the query with enum (falling back to GOO
// for a component past the pair budget) and cross-joins the components.
func run(cards *Cards, model CostModel, opts Options, method string, enum func(pl *planner, comp uint64)) (*Plan, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	pl, err := newPlanner(cards, model, opts.MaxPairs)
	if err != nil {
		return nil, err
	}
	if err := pl.leaves(); err != nil {
		return nil, err
	}
	comps := pl.g.components(pl.g.all)
	source := method
	for _, c := range comps {
		if c&(c-1) == 0 {
			continue
		}
		pl.pairs, pl.over = 0, false
		enum(pl, c)
		if pl.err != nil {
			return nil, pl.err
		}
		if pl.over {
			source = fmt.Sprintf("goo (fallback: %s needs more than %d joins considered)", method, opts.MaxPairs)
			if err := pl.goo(c); err != nil {
				return nil, err
			}
		}
	}
	suffix, err := pl.crossComponents(comps)
	if err != nil {
		return nil, err
	}
	m := method
	if source != method {
		m = MethodGOO
	}
	return &Plan{Query: cards.q, Root: pl.tree(pl.g.all), Method: m + suffix, Source: source, Cards: cards.Source, Model: model.Name()}, nil
}

// FromOrder returns the left-deep plan joining the occurrences in order
// (a permutation of the query's occurrences), priced under cards and
// model: the plan a server runs for that order, e.g. the order of its
// own EXPLAIN, to compare with ours on the same cardinalities. A prefix
// the next occurrence shares no join edge with is cross-joined.
func FromOrder(cards *Cards, model CostModel, order []int) (*Plan, error) {
	pl, err := newPlanner(cards, model, 0)
	if err != nil {
		return nil, err
	}
	seen := make([]bool, pl.g.n)
	if len(order) != pl.g.n {
		return nil, fmt.Errorf("%w: order of %d occurrences for %d tables", ErrPlan, len(order), pl.g.n)
	}
	for _, o := range order {
		if o < 0 || o >= pl.g.n || seen[o] {
			return nil, fmt.Errorf("%w: order %v is not a permutation of the %d occurrences", ErrPlan, order, pl.g.n)
		}
		seen[o] = true
	}
	if err := pl.leaves(); err != nil {
		return nil, err
	}
	acc := uint64(1) << uint(order[0])
	for _, o := range order[1:] {
		t := uint64(1) << uint(o)
		e, err := pl.join(acc, t, pl.best[acc], pl.best[t])
		if err != nil {
			return nil, err
		}
		acc |= t
		pl.best[acc] = e
	}
	return &Plan{Query: cards.q, Root: pl.tree(acc), Method: "order", Source: "order", Cards: cards.Source, Model: model.Name()}, nil
}
