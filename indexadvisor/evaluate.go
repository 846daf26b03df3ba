package indexadvisor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/internal/optcheck"
	"github.com/cardinaldb/cardinal/internal/server"
	"github.com/cardinaldb/cardinal/progress"
)

// Strategy names of EvaluateStrategies.
const (
	StrategyCardinal  = "cardinal"   // RecommendIndex's selection with the Options given
	StrategyPerColumn = "per-column" // one single-column index per filtered column, most used first
	StrategyDexter    = "dexter"     // per statement, its best candidate when it halves the statement's estimated cost
	StrategyOracle    = "oracle"     // greedy by MEASURED benefit per byte (each candidate built and timed alone)
	StrategyAll       = "all"        // every candidate: the upper bound
	// StrategyGuarded adds the learned guard to StrategyCardinal (when
	// EvalOptions.LearnGuard trains one); StrategyTraps is StrategyCardinal
	// with trap refusal (when the Options do not already refuse traps);
	// StrategyUnvetted is the greedy selection with neither (when the
	// Options vet).
	StrategyGuarded  = "cardinal+guard"
	StrategyTraps    = "cardinal+traps"
	StrategyUnvetted = "cardinal-unvetted"
	// StrategyCheapest is StrategyCardinal costing each statement by its
	// cheapest plan instead of the plan a server-like optimizer picks
	// (Options.CheapestPlan; when the Options do not already set it).
	StrategyCheapest = "cardinal-cheapest"
	// StrategyWeighed is StrategyCardinal taking indexes predicted to slow
	// some statement down when they save more elsewhere
	// (Options.AllowRegressions; when the Options do not already set it).
	StrategyWeighed = "cardinal-weighed"
)

// strategyNames are the names EvalOptions.Strategies may hold.
var strategyNames = []string{StrategyCardinal, StrategyGuarded, StrategyTraps, StrategyUnvetted, StrategyCheapest,
	StrategyWeighed, StrategyPerColumn, StrategyDexter, StrategyAll, StrategyOracle}

// EvalOptions configures EvaluateStrategies. The zero value gives the
// defaults.
type EvalOptions struct {
	// Budgets are fractions of the storage all candidates need; default
	// 0.10, 0.25, 0.50.
	Budgets []float64
	// Server, when set, measures every configuration: indexes built with
	// ALTER TABLE ... ADD INDEX, the workload's SELECTs timed, the indexes
	// dropped again. The data must be loaded (server.Load) with the
	// workload's schema and no secondary indexes of its own.
	Server *server.Server
	// Time configures each statement's timing (the median of Runs
	// counts); Runs default 3. A statement is timed once per distinct
	// plan (see the measurer in measure.go).
	Time server.TimeOptions
	// IndexPrefix starts the names of the indexes built on the server;
	// default DefaultIndexPrefix. Runs that share a server's database
	// need different prefixes (letters, digits and _, at most 16). An
	// index already on the server whose name starts with it is taken for
	// an interrupted evaluation's, and the evaluation refuses to start
	// (ErrStrayIndexes).
	IndexPrefix string
	// NoiseFloor is the slowdown below which a statement does not count
	// as a regression whatever its ratio (timer noise); default 2 ms.
	NoiseFloor time.Duration
	// Progress, when set, gets an event (Stage "indexes", Total 0) per
	// step.
	Progress progress.Func
	// LearnGuard trains the regression guard before Cardinal's selection
	// on GuardExamples (e.g. MeasurePairs' engine-labelled pairs). With a
	// server the guard is then judged on the pairs measured there: every
	// (statement, candidate) pair the oracle times, labelled by whether
	// the candidate alone made the statement more than
	// RegressionThreshold (and NoiseFloor) slower; the server's outcomes
	// never train it.
	LearnGuard    bool
	GuardExamples []GuardExample
	// Strategies, when set, limits the evaluation to these strategies
	// (names as the Strategy constants); the oracle's one-by-one phase
	// runs only when StrategyOracle is among them.
	Strategies []string
}

// StrategyResult is one strategy at one budget.
type StrategyResult struct {
	Strategy    string   `json:"strategy"`
	BudgetBytes float64  `json:"budget_bytes"`
	Bytes       float64  `json:"bytes"`
	Indexes     []string `json:"indexes"`
	// EstimatedBenefit is the share of the estimated workload cost the
	// configuration saves (what-if model); MeasuredBenefit the share of
	// the measured weighted workload time (SELECTs), when a server is
	// given.
	EstimatedBenefit float64  `json:"estimated_benefit"`
	MeasuredBenefit  *float64 `json:"measured_benefit,omitempty"`
	// Regressions counts statements measured more than 10% (and
	// NoiseFloor) slower than without the new indexes; without a server,
	// statements the what-if model costs more than 10% and
	// regressionFloor higher (at the plan the server-like optimizer
	// picks, unless Options.CheapestPlan).
	Regressions int `json:"regressions"`
	// Regressed lists the regressed statements: "#n before -> after".
	Regressed []string `json:"regressed,omitempty"`
	// StatementMs are the measured per-statement times in milliseconds
	// (-1: not a SELECT), when a server is given.
	StatementMs []float64 `json:"statement_ms,omitempty"`
	// BenefitPerMiB is MeasuredBenefit (else EstimatedBenefit) per MiB.
	BenefitPerMiB float64 `json:"benefit_per_mib"`
	// Distrusted lists, for Cardinal's selections, the indexes trap
	// refusal or the guard left out and the statements predicted slower
	// with them: "table(cols): #n, #m".
	Distrusted []string `json:"distrusted,omitempty"`
}

// Evaluation is the outcome of EvaluateStrategies.
type Evaluation struct {
	Statements     int              `json:"statements"`
	Candidates     int              `json:"candidates"`
	CandidateBytes float64          `json:"candidate_bytes"`
	Measured       bool             `json:"measured"`
	Results        []StrategyResult `json:"results"`
	// ServerPairs and ServerRegressions count the (statement, candidate)
	// pairs measured on the server and those that regressed;
	// GuardOnServer, TrapsOnServer and BaselineOnServer score the trained
	// guard, trap refusal (traps.go) and BaselineRegress (trust the
	// what-if model) on them, each pair alone against no new index.
	ServerPairs       int         `json:"server_pairs"`
	ServerRegressions int         `json:"server_regressions"`
	GuardOnServer     *GuardScore `json:"guard_on_server,omitempty"`
	TrapsOnServer     *GuardScore `json:"traps_on_server,omitempty"`
	BaselineOnServer  *GuardScore `json:"baseline_on_server,omitempty"`
	// ServerExamples are the ServerPairs as guard examples: the what-if
	// model's features of each (statement, candidate) pair and whether the
	// candidate alone made the statement measurably slower. They are
	// measured outcomes to train the guard on in another run
	// (EvalOptions.GuardExamples; eval-indexes --guard-examples).
	ServerExamples []GuardExample `json:"server_examples,omitempty"`
	// GuardTrained says the guard vetted Cardinal's selection.
	GuardTrained bool `json:"guard_trained"`
	// Timings counts the statement timings run on the server; PlansReused
	// the statements whose plan was already timed (not run again).
	Timings     int `json:"timings"`
	PlansReused int `json:"plans_reused"`
	// Rechecked counts the suspected regressions timed again in pairs
	// against their plan without the new indexes (recheck.go; each
	// statement's plan once); RechecksRefuted those the pairs did not
	// confirm.
	Rechecked       int `json:"rechecked"`
	RechecksRefuted int `json:"rechecks_refuted"`
	// BaseMs are the measured per-statement times without new indexes
	// (milliseconds, -1: not a SELECT), when a server is given.
	BaseMs []float64 `json:"base_ms,omitempty"`
	// Alone are the oracle's measurements of each candidate built alone
	// (strategy "alone").
	Alone []StrategyResult `json:"alone,omitempty"`
}

// CheckStrategies returns an error wrapping ErrOptions that names the
// first of names that is not a strategy EvaluateStrategies knows, so a
// caller can refuse a bad list before any measurement.
func CheckStrategies(names []string) error {
	for _, name := range names {
		if !slices.Contains(strategyNames, name) {
			return fmt.Errorf("%w: unknown strategy %q (want %s)", ErrOptions, name, strings.Join(strategyNames, ", "))
		}
	}
	return nil
}

// EvaluateStrategies compares index selection strategies on the workload
// at storage budgets that are fractions of what all candidates need:
// Cardinal's selection (with the guard when LearnGuard, and then without
// it beside), the per-column and Dexter baselines, all candidates, and
// with a server the measured greedy oracle, each costed by the what-if
// model and, with a server, measured.
//
// With a server the order is: the workload without new indexes; the
// strategies chosen from estimates, at every budget; all candidates; each
// candidate alone (the oracle's measured benefit per byte, and the guard
// judged on every (statement, candidate) pair measured there); the
// oracle's configurations. Progress reports each strategy's figures as it
// is measured, so a run cut short still has the earlier ones.
func EvaluateStrategies(ctx context.Context, w *Workload, opts Options, eo EvalOptions) (ev *Evaluation, err error) {
	if err := optcheck.Struct(ErrOptions, "EvalOptions", eo); err != nil {
		return nil, err
	}
	if err := CheckStrategies(eo.Strategies); err != nil {
		return nil, err
	}
	a, err := newAdvisor(w, opts)
	if err != nil {
		return nil, err
	}
	opts = a.opts // with the defaults filled in
	if len(eo.Budgets) == 0 {
		eo.Budgets = []float64{0.10, 0.25, 0.50}
	}
	for _, b := range eo.Budgets {
		if !(b > 0) || math.IsInf(b, 0) {
			return nil, fmt.Errorf("%w: budget fraction %v", ErrOptions, b)
		}
	}
	if eo.NoiseFloor == 0 {
		eo.NoiseFloor = 2 * time.Millisecond
	}
	if eo.IndexPrefix == "" {
		eo.IndexPrefix = DefaultIndexPrefix
	}
	if !prefixRE.MatchString(eo.IndexPrefix) {
		return nil, fmt.Errorf("%w: IndexPrefix %q: want letters, digits and _, at most 16", ErrOptions, eo.IndexPrefix)
	}
	say := func(format string, args ...any) {
		if eo.Progress != nil {
			eo.Progress(progress.Report{Stage: "indexes", Detail: fmt.Sprintf(format, args...)})
		}
	}
	cands := a.candidates()
	total := 0.0
	for _, ix := range cands {
		total += a.size(ix)
	}
	ev = &Evaluation{Statements: len(w.Statements), Candidates: len(cands), CandidateBytes: total, Measured: eo.Server != nil}
	base := a.newConfig()
	baseCost := base.total()
	m := newMeasurer(a, eo)
	if eo.Server != nil {
		if err := checkStray(ctx, eo); err != nil {
			return nil, err
		}
		m.say = say
		defer func() {
			if derr := m.dropAll(ctx); derr != nil && err == nil {
				ev, err = nil, derr
			}
			if ev != nil {
				ev.Timings, ev.PlansReused = m.timed, m.reused
				ev.Rechecked, ev.RechecksRefuted = m.rechecked, m.refuted
			}
		}()
		say("timing the workload without new indexes")
		if m.base, err = m.timeAll(ctx, nil); err != nil {
			return nil, err
		}
		say("base: weighted workload time %.3fs", m.weighted(m.base))
		ev.BaseMs = millis(m.base)
	}
	var guard *Guard
	if eo.LearnGuard {
		say("training the guard on %d (statement, index) pairs", len(eo.GuardExamples))
		g, err := TrainGuard(ctx, eo.GuardExamples)
		switch {
		case errors.Is(err, ErrGuard):
			say("guard not trained: %v", err)
		case err != nil:
			return nil, err
		default:
			guard = g
			ev.GuardTrained = true
		}
	}
	want := func(name string) bool { return len(eo.Strategies) == 0 || slices.Contains(eo.Strategies, name) }
	evalConfig := func(name string, budget float64, ixs []*Index, distrusted []Recommended) error {
		if !want(name) {
			return nil
		}
		res := StrategyResult{Strategy: name, BudgetBytes: budget, Indexes: []string{}}
		for _, d := range distrusted {
			var ss []string
			for _, si := range d.Regressions {
				ss = append(ss, fmt.Sprintf("#%d", si))
			}
			res.Distrusted = append(res.Distrusted, a.label(d.index)+": "+strings.Join(ss, ", "))
		}
		c := a.newConfig()
		for _, ix := range ixs {
			res.Bytes += a.size(ix)
			c.chosen[ix.Table] = append(c.chosen[ix.Table], ix)
			res.Indexes = append(res.Indexes, a.label(ix))
		}
		for t := range c.chosen {
			c.refresh(t)
		}
		res.EstimatedBenefit = 1 - c.total()/math.Max(baseCost, 1e-9)
		res.Regressions = c.regressed() // per statement, against base (stmtCost)
		perMiB := res.EstimatedBenefit
		measured := "-"
		if eo.Server != nil {
			say("%s at %.0f KiB: %d indexes", name, budget/1024, len(ixs))
			times, err := m.timeAll(ctx, ixs)
			if err != nil {
				return err
			}
			mb := 1 - m.weighted(times)/math.Max(m.weighted(m.base), 1e-12)
			res.MeasuredBenefit = &mb
			res.Regressed = m.regressions(times)
			res.StatementMs = millis(times)
			res.Regressions = len(res.Regressed)
			perMiB = mb
			measured = fmt.Sprintf("%.1f%%", 100*mb)
		}
		if res.Bytes > 0 {
			res.BenefitPerMiB = perMiB / (res.Bytes / (1 << 20))
		}
		say("RESULT %s budget %.1f MiB used %.1f MiB: %d indexes, estimated %.1f%%, measured %s, regressions %d %v",
			name, budget/(1<<20), res.Bytes/(1<<20), len(ixs), 100*res.EstimatedBenefit, measured, res.Regressions, res.Regressed)
		ev.Results = append(ev.Results, res)
		return nil
	}
	chosen := func(c *config) []*Index {
		var out []*Index
		for _, ch := range c.chosen {
			out = append(out, ch...)
		}
		return out
	}
	// Cardinal's variants: the default path (opts as given), with the
	// learned guard, and with no vetting at all.
	type variant struct {
		name string
		opts Options
	}
	variants := []variant{{StrategyCardinal, opts}}
	with := func(name string, set func(*Options)) {
		o := opts
		set(&o)
		variants = append(variants, variant{name, o})
	}
	if guard != nil {
		with(StrategyGuarded, func(o *Options) { o.Guard = guard })
	}
	if !opts.RefuseTraps {
		with(StrategyTraps, func(o *Options) { o.RefuseTraps = true })
	}
	if opts.Guard != nil || opts.RefuseTraps {
		with(StrategyUnvetted, func(o *Options) { o.Guard, o.RefuseTraps = nil, false })
	}
	if !opts.AllowRegressions {
		with(StrategyWeighed, func(o *Options) { o.AllowRegressions = true })
	}
	if !opts.CheapestPlan {
		with(StrategyCheapest, func(o *Options) { o.CheapestPlan = true })
	}
	for _, frac := range eo.Budgets {
		budget := frac * total
		for _, v := range variants {
			if !want(v.name) {
				continue
			}
			a.opts = v.opts
			a.opts.Budget = budget
			c, _, distrusted, err := a.selectIndexes(ctx, cands)
			if err != nil {
				return nil, err
			}
			a.opts = opts // every configuration is priced alike
			if err := evalConfig(v.name, budget, chosen(c), distrusted); err != nil {
				return nil, err
			}
		}
		a.opts = opts
		a.opts.Budget = budget
		if err := evalConfig(StrategyPerColumn, budget, a.fit(a.perColumn(cands), budget), nil); err != nil {
			return nil, err
		}
		if err := evalConfig(StrategyDexter, budget, a.fit(a.dexter(cands), budget), nil); err != nil {
			return nil, err
		}
	}
	a.opts.Budget = opts.Budget
	if err := evalConfig(StrategyAll, total, a.fit(cands, math.Inf(1)), nil); err != nil {
		return nil, err
	}
	if eo.Server == nil || !want(StrategyOracle) {
		return ev, nil
	}
	// The oracle: every candidate built and timed alone.
	oracleGain := map[*Index]float64{}
	var rows [][]float64
	var labels, trapHits []bool
	for i, ix := range cands {
		say("oracle: candidate %d/%d alone: %s", i+1, len(cands), a.label(ix))
		times, err := m.timeAll(ctx, []*Index{ix})
		if err != nil {
			return nil, err
		}
		oracleGain[ix] = m.gain(times)
		mb := oracleGain[ix] / math.Max(m.weighted(m.base), 1e-12)
		ev.Alone = append(ev.Alone, StrategyResult{Strategy: "alone", Bytes: a.size(ix), Indexes: []string{a.label(ix)},
			MeasuredBenefit: &mb, Regressed: m.regressions(times), Regressions: len(m.regressions(times)),
			BenefitPerMiB: mb / (a.size(ix) / (1 << 20)), StatementMs: millis(times)})
		say("oracle: %s alone saves %.3fs weighted (%.2f%%), %.1f MiB; regressions %v", a.label(ix), oracleGain[ix],
			100*oracleGain[ix]/math.Max(m.weighted(m.base), 1e-12), a.size(ix)/(1<<20), m.regressions(times))
		for _, oi := range a.byTable[ix.Table] {
			o := a.occs[oi]
			f, ok := a.pairFeatures(o, ix, base.cur[oi])
			if !ok || times[o.stmt] < 0 || m.base[o.stmt] < 0 {
				continue
			}
			t, b := times[o.stmt], m.base[o.stmt]
			reg := float64(t) > RegressionThreshold*float64(b) && t-b > eo.NoiseFloor
			rows, labels = append(rows, f), append(labels, reg)
			trapHits = append(trapHits, a.trapAt(base, o, ix))
		}
	}
	ev.ServerPairs = len(rows)
	for i, f := range rows {
		ev.ServerExamples = append(ev.ServerExamples, GuardExample{Features: f, Regress: labels[i]})
	}
	ev.TrapsOnServer = &GuardScore{}
	for i, r := range labels {
		if r {
			ev.ServerRegressions++
		}
		ev.TrapsOnServer.add(trapHits[i], r)
	}
	if g := guard; g != nil && len(rows) > 0 {
		pred, err := g.Predict(rows)
		if err != nil {
			return nil, err
		}
		ev.GuardOnServer = &GuardScore{}
		ev.BaselineOnServer = &GuardScore{}
		for i, reg := range labels {
			ev.GuardOnServer.add(pred[i], reg)
			ev.BaselineOnServer.add(BaselineRegress(rows[i]), reg)
		}
	}
	byRatio := slices.Clone(cands)
	sort.SliceStable(byRatio, func(i, j int) bool {
		return oracleGain[byRatio[i]]/a.size(byRatio[i]) > oracleGain[byRatio[j]]/a.size(byRatio[j])
	})
	var pos []*Index
	for _, ix := range byRatio {
		if oracleGain[ix] > 0 {
			pos = append(pos, ix)
		}
	}
	for _, frac := range eo.Budgets {
		if err := evalConfig(StrategyOracle, frac*total, a.fit(pos, frac*total), nil); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

// GuardScore is a regression predictor's confusion counts on measured
// (statement, index) pairs.
type GuardScore struct {
	Caught      int `json:"caught"`       // regressions predicted
	Missed      int `json:"missed"`       // regressions not predicted
	FalseAlarms int `json:"false_alarms"` // predicted, not measured
	Correct     int `json:"correct_no"`   // neither
}

func (s *GuardScore) add(pred, measured bool) {
	switch {
	case pred && measured:
		s.Caught++
	case measured:
		s.Missed++
	case pred:
		s.FalseAlarms++
	default:
		s.Correct++
	}
}

// millis converts statement times to milliseconds (-1 stays -1).
func millis(ts []time.Duration) []float64 {
	out := make([]float64, len(ts))
	for i, t := range ts {
		out[i] = -1
		if t >= 0 {
			out[i] = float64(t.Microseconds()) / 1000
		}
	}
	return out
}

var prefixRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,16}$`)

func (a *advisor) size(ix *Index) float64 { return a.tables[ix.Table].indexBytes(ix) }

func (a *advisor) label(ix *Index) string {
	t := a.schema.Tables[ix.Table]
	var cols []string
	for _, c := range ix.Columns {
		cols = append(cols, t.Columns[c].Name)
	}
	return t.Name + "(" + strings.Join(cols, ", ") + ")"
}

// fit takes indexes in order while they fit the budget and the per-table
// limit (MySQL allows 64 indexes per table; the evaluation keeps to 60).
func (a *advisor) fit(order []*Index, budget float64) []*Index {
	var out []*Index
	used := 0.0
	per := map[int]int{}
	limit := a.opts.MaxPerTable
	if math.IsInf(budget, 1) {
		limit = 60
	}
	for _, ix := range order {
		s := a.size(ix)
		if used+s > budget || per[ix.Table] >= limit {
			continue
		}
		used += s
		per[ix.Table]++
		out = append(out, ix)
	}
	return out
}

// perColumn is the per-column baseline: a single-column index on every
// column the workload filters on, most weighted uses first.
func (a *advisor) perColumn(cands []*Index) []*Index {
	type key struct{ t, c int }
	use := map[key]float64{}
	for _, o := range a.occs {
		for _, cj := range o.conj {
			if cj.kind != predOther {
				use[key{o.table, cj.col}] += o.weight
			}
		}
	}
	var out []*Index
	for k := range use {
		ix := &Index{Table: k.t, Columns: []int{k.c}}
		skip := false
		for _, e := range a.existing[k.t] {
			skip = skip || e.hasPrefix(ix.Columns)
		}
		for _, c := range cands {
			if c.key() == ix.key() {
				ix = c
			}
		}
		if !skip {
			out = append(out, ix)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		ui, uj := use[key{out[i].Table, out[i].Columns[0]}], use[key{out[j].Table, out[j].Columns[0]}]
		if ui != uj {
			return ui > uj
		}
		return out[i].key() < out[j].key()
	})
	return out
}

// dexter is the Dexter rule: per statement occurrence, its cheapest
// candidate when it at least halves the occurrence's estimated cost; the
// union, most estimated workload benefit first.
func (a *advisor) dexter(cands []*Index) []*Index {
	c := a.newConfig()
	picked := map[*Index]bool{}
	for oi, o := range a.occs {
		k := a.pos(oi)
		var best *Index
		bc := c.cur[oi].cost
		for _, ix := range cands {
			if ix.Table == o.table {
				if x := c.cost(ix, k); x < bc {
					best, bc = ix, x
				}
			}
		}
		if best != nil && bc <= 0.5*c.cur[oi].cost {
			picked[best] = true
		}
	}
	var out []*Index
	for _, ix := range cands {
		if picked[ix] {
			out = append(out, ix)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return c.gainAdd(out[i]) > c.gainAdd(out[j]) })
	return out
}
