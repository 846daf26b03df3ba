package joinorder

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/internal/optcheck"
	"github.com/cardinaldb/cardinal/progress"
)

// Defaults of AgentOptions.
const (
	DefaultEpochs  = 6
	DefaultEpsilon = 0.3
	DefaultRidge   = 1e-2
)

// TrainQuery is one training query: the cardinalities the agent will plan
// with (estimates) and the true ones its cost feedback is computed with.
// Both must be of the same query.
type TrainQuery struct {
	Est, True *Cards
}

// AgentOptions configure TrainAgent. The zero value means the defaults.
type AgentOptions struct {
	// Epochs is the rounds of Q-learning after the bootstrap (default
	// DefaultEpochs).
	Epochs int
	// Epsilon is the exploration rate of the first round, decaying
	// linearly to 0 in the last (default DefaultEpsilon; in [0, 1]).
	Epsilon float64 `opt:"max=1"`
	// Ridge is the L2 penalty of the value function's least squares
	// (default DefaultRidge).
	Ridge float64
	// Beam is the trained agent's beam width (default DefaultBeam).
	Beam int
	// Seed seeds exploration: the same data, options and seed give the
	// same agent, byte for byte.
	Seed uint64
	// Progress, when non-nil, gets a report after each round (Stage
	// "q-learning", Done rounds of Total, Detail the experiences so far).
	Progress progress.Func
}

func (o AgentOptions) withDefaults() (AgentOptions, error) {
	if err := optcheck.Struct(ErrOptions, "AgentOptions", o); err != nil {
		return o, err
	}
	if o.Epochs == 0 {
		o.Epochs = DefaultEpochs
	}
	if o.Epsilon == 0 {
		o.Epsilon = DefaultEpsilon
	}
	if o.Ridge == 0 {
		o.Ridge = DefaultRidge
	}
	if o.Beam == 0 {
		o.Beam = DefaultBeam
	}
	switch {
	case o.Epochs < 0, o.Beam < 0:
		return o, fmt.Errorf("%w: Epochs %d, Beam %d", ErrOptions, o.Epochs, o.Beam)
	case !(o.Epsilon >= 0 && o.Epsilon <= 1):
		return o, fmt.Errorf("%w: Epsilon %g not in [0, 1]", ErrOptions, o.Epsilon)
	case !(o.Ridge > 0) || math.IsInf(o.Ridge, 0):
		return o, fmt.Errorf("%w: Ridge %g", ErrOptions, o.Ridge)
	}
	return o, nil
}

// experience is one (query, state, action) with its features; its target
// is the best true cost seen from the state it leads to.
type experience struct {
	q    int
	next uint64
	phi  [numFeatures]float64
}

type stateKey struct {
	q   int
	sig uint64
}

// trainer holds the replay memory.
type trainer struct {
	a      *Agent
	data   []TrainQuery
	model  CostModel
	seen   map[[3]uint64]bool // (query, prev, next) already stored
	exps   []experience
	best   map[stateKey]float64 // log1p of the best true final cost through a state
	ranges [2][numFeatures]float64
}

// TrainAgent trains a join-order agent with Q-learning:
//
//  1. Bootstrap: the trajectories of DPccp on TRUE counts (the optimum),
//     and of DPccp, left-deep DP and GOO on the estimates, replayed as
//     agent actions (features under the estimates), fill the replay
//     memory; each (state, action) is labelled with log(1 + true cost) of
//     the complete plan, priced with the true counts.
//  2. Each round fits the linear value function by ridge regression on
//     the memory, then rolls out every training query twice with it: once
//     ε-greedy (exploration, ε decaying from Epsilon to 0) and once by
//     beam search. New experiences join the memory.
//  3. Targets are Bellman minimum backups over everything observed: a
//     state's target is the best true final cost of any episode through
//     it (the DQ update, with the min over observed successors in place of
//     a bootstrapped estimate).
//
// cat's fingerprint is stored in the agent; Load checks it.
func TrainAgent(ctx context.Context, cat *catalog.Catalog, data []TrainQuery, model CostModel, opts AgentOptions) (*Agent, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if model == nil {
		return nil, fmt.Errorf("%w: nil cost model", ErrOptions)
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: no training queries", ErrOptions)
	}
	a := &Agent{CostModel: model.Name(), Beam: opts.Beam}
	if cat != nil {
		a.Fingerprint = cat.Fingerprint()
	}
	for i, d := range data {
		if d.Est == nil || d.True == nil || d.Est.q != d.True.q {
			return nil, fmt.Errorf("%w: training query %d lacks estimated or true cardinalities of one query", ErrOptions, i)
		}
		a.Cards = d.Est.Source
		a.maxTables = max(a.maxTables, d.Est.g.n)
	}
	tr := &trainer{a: a, data: data, model: model, seen: map[[3]uint64]bool{}, best: map[stateKey]float64{}}
	for i := range tr.ranges[0] {
		tr.ranges[0][i], tr.ranges[1][i] = math.Inf(1), math.Inf(-1)
	}
	for qi, d := range data {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, f := range []func() (*Plan, error){
			func() (*Plan, error) { return DPccp(d.True, model, Options{}) },
			func() (*Plan, error) { return DPccp(d.Est, model, Options{}) },
			func() (*Plan, error) { return LeftDeep(d.Est, model, Options{}) },
			func() (*Plan, error) { return GOO(d.Est, model) },
		} {
			p, err := f()
			if err != nil {
				return nil, err
			}
			if err := tr.replay(qi, p); err != nil {
				return nil, err
			}
		}
	}
	if len(tr.exps) == 0 {
		return nil, fmt.Errorf("%w: no training query has a join to learn from", ErrOptions)
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x6a6f696e)) // "join"
	tr.fit(opts.Ridge)
	for round := 1; round <= opts.Epochs; round++ {
		eps := opts.Epsilon * float64(opts.Epochs-round) / float64(max(1, opts.Epochs-1))
		for qi, d := range data {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if err := tr.episode(qi, d, 1, eps, rng); err != nil {
				return nil, err
			}
			if err := tr.episode(qi, d, opts.Beam, 0, nil); err != nil {
				return nil, err
			}
		}
		tr.fit(opts.Ridge)
		if opts.Progress != nil {
			opts.Progress(progress.Report{Stage: "q-learning", Done: round, Total: opts.Epochs, Detail: fmt.Sprintf("%d experiences", len(tr.exps))})
		}
	}
	a.fmin, a.fmax = tr.ranges[0], tr.ranges[1]
	return a, nil
}

// replay records the trajectory of plan p as agent actions.
func (tr *trainer) replay(qi int, p *Plan) error {
	d := tr.data[qi]
	r, st, err := newRollout(tr.a, d.Est, tr.model, true)
	if err != nil {
		return err
	}
	var walk func(n *Node) error
	walk = func(n *Node) error {
		if n.Leaf() {
			return nil
		}
		if err := walk(n.Left); err != nil {
			return err
		}
		if err := walk(n.Right); err != nil {
			return err
		}
		ia := slices.IndexFunc(st.trees, func(t int32) bool { return r.nodes[t].mask == n.Left.Mask })
		ib := slices.IndexFunc(st.trees, func(t int32) bool { return r.nodes[t].mask == n.Right.Mask })
		if ia < 0 || ib < 0 {
			return fmt.Errorf("%w: replayed plan does not match the forest", ErrPlan)
		}
		if ia > ib {
			ia, ib = ib, ia
		}
		x, err := r.join(st, ia, ib)
		if err != nil {
			return err
		}
		c := candidate{st: st, ia: ia, ib: ib, x: x}
		r.actionFeatures(c.phi[:], st, ia, ib, x)
		st = r.apply(&c)
		return nil
	}
	if err := walk(p.Root); err != nil {
		return err
	}
	return tr.record(qi, r, st)
}

// episode rolls query qi out with the current value function.
func (tr *trainer) episode(qi int, d TrainQuery, beam int, eps float64, rng *rand.Rand) error {
	r, st, err := newRollout(tr.a, d.Est, tr.model, true)
	if err != nil {
		return err
	}
	final, err := tr.a.search(r, st, beam, eps, rng)
	if err != nil {
		return err
	}
	return tr.record(qi, r, final)
}

// record prices the final plan of a trajectory with the true counts and
// stores its experiences and backups.
func (tr *trainer) record(qi int, r *rollout, final *agentState) error {
	d := tr.data[qi]
	p := &Plan{Query: d.Est.q, Root: r.tree(final.trees[0]), Method: MethodAgent, Source: MethodAgent, Cards: d.Est.Source, Model: tr.model.Name()}
	tp, err := Recost(p, d.True, tr.model)
	if err != nil {
		return err
	}
	y := math.Log1p(tp.Cost())
	for _, act := range final.actions {
		k := stateKey{qi, act.next}
		if cur, ok := tr.best[k]; !ok || y < cur {
			tr.best[k] = y
		}
		id := [3]uint64{uint64(qi), act.prev, act.next}
		if tr.seen[id] {
			continue
		}
		tr.seen[id] = true
		tr.exps = append(tr.exps, experience{q: qi, next: act.next, phi: act.phi})
		for i, v := range act.phi {
			tr.ranges[0][i] = math.Min(tr.ranges[0][i], v)
			tr.ranges[1][i] = math.Max(tr.ranges[1][i], v)
		}
	}
	return nil
}

// fit solves the ridge regression of the targets on the standardised
// features.
func (tr *trainer) fit(ridge float64) {
	a := tr.a
	n := float64(len(tr.exps))
	var mean, sq [numFeatures]float64
	for _, e := range tr.exps {
		for i, v := range e.phi {
			mean[i] += v
		}
	}
	for i := range mean {
		mean[i] /= n
	}
	for _, e := range tr.exps {
		for i, v := range e.phi {
			sq[i] += (v - mean[i]) * (v - mean[i])
		}
	}
	for i := range mean {
		a.mean[i], a.std[i] = mean[i], math.Sqrt(sq[i]/n)
		if i == fBias || a.std[i] < 1e-12 {
			a.mean[i], a.std[i] = 0, 0
		}
	}
	// Normal equations over z (z_0 = 1).
	var xtx [numFeatures][numFeatures]float64
	var xty [numFeatures]float64
	var z [numFeatures]float64
	for _, e := range tr.exps {
		for i, v := range e.phi {
			switch {
			case i == fBias:
				z[i] = 1
			case a.std[i] > 0:
				z[i] = (v - a.mean[i]) / a.std[i]
			default:
				z[i] = 0
			}
		}
		y := tr.best[stateKey{e.q, e.next}]
		for i := range z {
			xty[i] += z[i] * y
			for j := range z {
				xtx[i][j] += z[i] * z[j]
			}
		}
	}
	for i := 1; i < numFeatures; i++ {
		xtx[i][i] += ridge * n
	}
	xtx[0][0] += 1e-9 * n
	a.w = solve(xtx, xty)
}

// solve solves the symmetric positive definite system m x = b by Gaussian
// elimination with partial pivoting.
func solve(m [numFeatures][numFeatures]float64, b [numFeatures]float64) [numFeatures]float64 {
	const n = numFeatures
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		m[c], m[p] = m[p], m[c]
		b[c], b[p] = b[p], b[c]
		if m[c][c] == 0 {
			continue
		}
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k < n; k++ {
				m[r][k] -= f * m[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	var x [numFeatures]float64
	for c := n - 1; c >= 0; c-- {
		if m[c][c] == 0 {
			continue
		}
		s := b[c]
		for k := c + 1; k < n; k++ {
			s -= m[c][k] * x[k]
		}
		x[c] = s / m[c][c]
	}
	return x
}
