package joinorder

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Defaults of the agent.
const (
	// DefaultBeam is the rollout's beam width: states kept per step.
	DefaultBeam = 4
	// DefaultGuardRatio: the guard falls back to DPccp when the agent's
	// plan costs more than this many times DPccp's under the same
	// cardinalities and cost model. Above 1 because the agent's value
	// function was fitted to TRUE costs and may knowingly pick a plan the
	// estimates price higher; 1.5 bounds the estimated regret.
	DefaultGuardRatio = 1.5
	// DefaultOODSlack: a feature further than this many training ranges
	// outside [min, max] seen in training marks the query out of
	// distribution.
	DefaultOODSlack = 0.5
	// DefaultMaxScale: queries of more than this many times the largest
	// training query's tables are out of distribution.
	DefaultMaxScale = 3
)

// Agent is a learned join-order agent in the spirit of DQ (S. Krishnan et
// al., "Learning to Optimize Join Queries With Deep Reinforcement
// Learning", 2018) and Balsa (Z. Yang et al., SIGMOD 2022). The state is
// the query's join graph and the forest of sub-plans joined so far; an
// action joins two trees linked by a join edge (in the cheaper orientation
// under the cost model); a linear value function Q(query, state, action)
// predicts the log of the TRUE cost of the best complete plan after the
// action. Planning is a beam rollout: the Beam lowest-Q states are kept
// per step and the complete plan of lowest Q is returned. See TrainAgent
// for the learning.
type Agent struct {
	w          [numFeatures]float64 // weights over standardised features
	mean, std  [numFeatures]float64 // standardisation
	fmin, fmax [numFeatures]float64 // feature ranges seen in training
	maxTables  int                  // largest training query
	// Fingerprint is the catalog fingerprint of the training data.
	Fingerprint string
	// CostModel and Cards name the cost model and cardinality source the
	// agent was trained with.
	CostModel, Cards string
	// Beam is the rollout's beam width (0 = DefaultBeam).
	Beam int
	// GuardRatio and OODSlack configure PlanGuarded (0 = defaults).
	GuardRatio, OODSlack float64
}

// agentNode is one tree node of a rollout (an arena entry).
type agentNode struct {
	mask        uint64
	rows, cost  float64
	left, right int32 // arena indices; -1 for a leaf
	op          Op
	h           uint64 // structure hash (training signatures)
}

// agentState is a forest of trees.
type agentState struct {
	trees            []int32
	sumCost, sumRows float64
	q                float64 // value of the action that led here
	ood              bool    // an action on the way had out-of-range features
	actions          []action
}

// action is one join taken, recorded in training: its features and the
// signatures of the states before and after it.
type action struct {
	phi        [numFeatures]float64
	prev, next uint64
}

// sig returns an order-independent signature of the forest.
func (st *agentState) sig(r *rollout) uint64 {
	var s uint64
	for _, t := range st.trees {
		s += r.nodes[t].h
	}
	return mix(s)
}

// mix is the SplitMix64 finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// rollout is the scratch of planning one query.
type rollout struct {
	pl        *planner
	nodes     []agentNode
	finalRows float64
	a         *Agent
	record    bool // keep the actions' features (training)
}

func newRollout(a *Agent, cards *Cards, model CostModel, record bool) (*rollout, *agentState, error) {
	pl, err := newPlanner(cards, model, 0)
	if err != nil {
		return nil, nil, err
	}
	r := &rollout{pl: pl, a: a, record: record}
	r.finalRows, err = cards.mustRows(pl.g.all)
	if err != nil {
		return nil, nil, err
	}
	st := &agentState{}
	for t := 0; t < pl.g.n; t++ {
		e, err := pl.leaf(t)
		if err != nil {
			return nil, nil, err
		}
		r.nodes = append(r.nodes, agentNode{mask: 1 << uint(t), rows: e.rows, cost: e.cost, left: -1, right: -1, op: OpScan, h: mix(uint64(t) + 1)})
		st.trees = append(st.trees, int32(t))
		st.sumCost += e.cost
		st.sumRows += e.rows
	}
	return r, st, nil
}

// candidate is one scored action.
type candidate struct {
	st     *agentState
	ia, ib int
	x      entry
	q      float64
	phi    [numFeatures]float64
	ood    bool
}

// join prices trees ia and ib of st in the cheaper orientation.
func (r *rollout) join(st *agentState, ia, ib int) (entry, error) {
	a, b := &r.nodes[st.trees[ia]], &r.nodes[st.trees[ib]]
	ea, eb := entry{rows: a.rows, cost: a.cost}, entry{rows: b.rows, cost: b.cost}
	x, err := r.pl.join(a.mask, b.mask, ea, eb)
	if err != nil {
		return x, err
	}
	y, err := r.pl.join(b.mask, a.mask, eb, ea)
	if err != nil {
		return x, err
	}
	// The cheaper orientation; on a tie (a symmetric model such as C_out)
	// the input with more tables goes left, so chains of joins read as
	// left-deep trees, the form the servers execute.
	if y.cost < x.cost || (y.cost == x.cost && popcount(b.mask) > popcount(a.mask)) {
		return y, nil
	}
	return x, nil
}

// candidates appends every action of st: joins of trees linked by an edge,
// or, when none is (a disconnected query), the cross product of the two
// smallest trees.
func (r *rollout) candidates(dst []candidate, st *agentState) ([]candidate, error) {
	start := len(dst)
	for i := range st.trees {
		for j := i + 1; j < len(st.trees); j++ {
			if !r.pl.g.joined(r.nodes[st.trees[i]].mask, r.nodes[st.trees[j]].mask) {
				continue
			}
			x, err := r.join(st, i, j)
			if err != nil {
				return dst, err
			}
			c := candidate{st: st, ia: i, ib: j, x: x}
			r.actionFeatures(c.phi[:], st, i, j, x)
			c.q, c.ood = r.a.value(&c.phi)
			dst = append(dst, c)
		}
	}
	if len(dst) == start && len(st.trees) > 1 {
		order := slices.Clone(st.trees)
		slices.SortStableFunc(order, func(a, b int32) int {
			return cmpFloat(r.nodes[a].rows, r.nodes[b].rows)
		})
		i, j := slices.Index(st.trees, order[0]), slices.Index(st.trees, order[1])
		if i > j {
			i, j = j, i
		}
		x, err := r.join(st, i, j)
		if err != nil {
			return dst, err
		}
		c := candidate{st: st, ia: i, ib: j, x: x}
		r.actionFeatures(c.phi[:], st, i, j, x)
		c.q, c.ood = r.a.value(&c.phi)
		dst = append(dst, c)
	}
	return dst, nil
}

// apply returns the state after candidate c.
func (r *rollout) apply(c *candidate) *agentState {
	st := c.st
	a, b := st.trees[c.ia], st.trees[c.ib]
	na, nb := &r.nodes[a], &r.nodes[b]
	l, rt := a, b
	if c.x.left != na.mask {
		l, rt = b, a
	}
	r.nodes = append(r.nodes, agentNode{mask: na.mask | nb.mask, rows: c.x.rows, cost: c.x.cost, left: l, right: rt, op: c.x.op,
		h: mix(r.nodes[l].h*31 + mix(r.nodes[rt].h) + uint64(c.x.op))})
	id := int32(len(r.nodes) - 1)
	na, nb = &r.nodes[a], &r.nodes[b]
	out := &agentState{trees: make([]int32, 0, len(st.trees)-1), q: c.q, ood: st.ood || c.ood}
	for k, t := range st.trees {
		if k != c.ia && k != c.ib {
			out.trees = append(out.trees, t)
		}
	}
	out.trees = append(out.trees, id)
	out.sumCost = st.sumCost - na.cost - nb.cost + c.x.cost
	out.sumRows = math.Max(0, st.sumRows-na.rows-nb.rows) + c.x.rows
	if r.record {
		out.actions = append(slices.Clip(st.actions), action{phi: c.phi, prev: st.sig(r), next: out.sig(r)})
	}
	return out
}

// value returns Q for standardised phi and whether phi is out of the
// training range.
func (a *Agent) value(phi *[numFeatures]float64) (float64, bool) {
	q := 0.0
	ood := false
	slack := a.OODSlack
	if slack == 0 {
		slack = DefaultOODSlack
	}
	for i, v := range phi {
		if a.std[i] > 0 {
			q += a.w[i] * (v - a.mean[i]) / a.std[i]
		} else if i == fBias {
			q += a.w[i]
		}
		if span := a.fmax[i] - a.fmin[i]; v < a.fmin[i]-slack*span-1e-9 || v > a.fmax[i]+slack*span+1e-9 {
			ood = true
		}
	}
	return q, ood
}

// tree builds the Node tree of arena node id.
func (r *rollout) tree(id int32) *Node {
	n := &r.nodes[id]
	if n.left < 0 {
		return &Node{Mask: n.mask, Table: trailing(n.mask), Op: n.op, Rows: n.rows, Cost: n.cost}
	}
	return &Node{Mask: n.mask, Table: -1, Left: r.tree(n.left), Right: r.tree(n.right), Op: n.op, Rows: n.rows, Cost: n.cost}
}

// search runs the beam rollout (beam 1 with eps > 0 is the ε-greedy
// exploration of training) and returns the final state.
func (a *Agent) search(r *rollout, st *agentState, beam int, eps float64, rng *rand.Rand) (*agentState, error) {
	states := []*agentState{st}
	var cands []candidate
	for len(states[0].trees) > 1 {
		cands = cands[:0]
		var err error
		for _, s := range states {
			if cands, err = r.candidates(cands, s); err != nil {
				return nil, err
			}
		}
		if eps > 0 && rng != nil && rng.Float64() < eps {
			c := cands[rng.IntN(len(cands))]
			states = []*agentState{r.apply(&c)}
			continue
		}
		slices.SortStableFunc(cands, func(x, y candidate) int { return cmpFloat(x.q, y.q) })
		k := min(beam, len(cands))
		next := make([]*agentState, 0, k)
		for i := 0; i < k; i++ {
			next = append(next, r.apply(&cands[i]))
		}
		states = next
	}
	return states[0], nil // sorted by q: the lowest predicted cost
}

// Plan plans the query of cards with the agent alone (no guard): a beam
// rollout of width Beam under model. The plan's Method and Source are
// "agent".
func (a *Agent) Plan(cards *Cards, model CostModel) (*Plan, error) {
	p, _, err := a.plan(cards, model)
	return p, err
}

func (a *Agent) plan(cards *Cards, model CostModel) (*Plan, bool, error) {
	r, st, err := newRollout(a, cards, model, false)
	if err != nil {
		return nil, false, err
	}
	beam := a.Beam
	if beam <= 0 {
		beam = DefaultBeam
	}
	final, err := a.search(r, st, beam, 0, nil)
	if err != nil {
		return nil, false, err
	}
	p := &Plan{Query: cards.q, Root: r.tree(final.trees[0]), Method: MethodAgent, Source: MethodAgent, Cards: cards.Source, Model: model.Name()}
	return p, final.ood, nil
}

// PlanGuarded plans with the agent and falls back to DPccp (on the same
// cardinalities and cost model) when the query is out of what the agent
// was trained on (more than DefaultMaxScale times its largest training
// query's tables, or a feature on the chosen path outside the training
// range by more than OODSlack ranges) or when the agent's plan costs more
// than GuardRatio times DPccp's. The plan's Source says which and why.
func (a *Agent) PlanGuarded(cards *Cards, model CostModel, opts Options) (*Plan, error) {
	if cards == nil || model == nil {
		return nil, fmt.Errorf("%w: nil cardinalities or cost model", ErrOptions)
	}
	fallback := func(why string) (*Plan, error) {
		p, err := DPccp(cards, model, opts)
		if err != nil {
			return nil, err
		}
		p.Source = p.Source + " (fallback: " + why + ")"
		return p, nil
	}
	if a.maxTables > 0 && cards.g.n > DefaultMaxScale*a.maxTables {
		return fallback(fmt.Sprintf("%d tables, trained on at most %d", cards.g.n, a.maxTables))
	}
	p, ood, err := a.plan(cards, model)
	if err != nil {
		return nil, err
	}
	if ood {
		return fallback("query features outside the training range")
	}
	dp, err := DPccp(cards, model, opts)
	if err != nil {
		return nil, err
	}
	ratio := a.GuardRatio
	if ratio == 0 {
		ratio = DefaultGuardRatio
	}
	if p.Cost() > ratio*dp.Cost() {
		dp.Source = fmt.Sprintf("%s (fallback: agent predicted %.2fx costlier)", dp.Source, p.Cost()/dp.Cost())
		return dp, nil
	}
	return p, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
