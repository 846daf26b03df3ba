package indexadvisor

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// Recommendation is the result of RecommendIndex.
type Recommendation struct {
	// Indexes are the new indexes, most beneficial first.
	Indexes []Recommended
	// Distrusted are indexes the selection chose but the guard predicted
	// to make some query slower: left out of Indexes and the DDL.
	Distrusted []Recommended
	// Drops are existing indexes the workload does not need.
	Drops []Drop
	// Queries are the statements' estimated costs before and after.
	Queries []QueryCost
	// CostBefore and CostAfter are the weighted workload costs (reads and
	// index maintenance, MySQL cost units) with the existing indexes and
	// with the recommended ones added.
	CostBefore, CostAfter float64
	// Budget is the storage budget (0: none); Bytes what the indexes take.
	Budget, Bytes float64
	// Candidates is the number of candidate indexes; CandidateBytes their
	// total size (the storage "all candidates" need).
	Candidates     int
	CandidateBytes float64
	Skipped        []Skip
	author         string
	a              *advisor
}

// Recommended is one recommended index.
type Recommended struct {
	Table   string   `json:"table"`
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Bytes   float64  `json:"bytes"`
	// Benefit is the weighted workload cost it saves (net of Maintenance)
	// given the other recommended indexes.
	Benefit     float64 `json:"benefit"`
	Maintenance float64 `json:"maintenance"`
	Reason      string  `json:"reason"`
	// Queries are the statements (indexes into the workload) it serves.
	Queries []int `json:"queries"`
	// Regressions are statements predicted slower with it: by the
	// what-if model (a server-like optimizer would switch them to a
	// dearer plan through it; the selection kept it because it saves more
	// elsewhere), by trap refusal or by the guard.
	Regressions []int `json:"regressions,omitempty"`
	index       *Index
}

// Drop is an existing index the workload does not need.
type Drop struct {
	Table   string   `json:"table"`
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Reason  string   `json:"reason"`
	// WriteCost is the weighted maintenance cost dropping it saves.
	WriteCost float64 `json:"write_cost"`
	Bytes     float64 `json:"bytes"`
}

// QueryCost is one statement's estimated cost per execution.
type QueryCost struct {
	Stmt        int      `json:"stmt"`
	SQL         string   `json:"sql"`
	Digest      string   `json:"digest"`
	Weight      float64  `json:"weight"`
	Before      float64  `json:"before"`
	After       float64  `json:"after"`
	Improvement float64  `json:"improvement"` // 1 - After/Before
	Indexes     []string `json:"indexes,omitempty"`
}

// config is a set of indexes per table with each occurrence's plan under
// it: by default the plan a MySQL-like optimizer picks (serverChoice) at
// the cost the what-if model gives it, so an index that lures the server
// into a slower plan costs the configuration that slowdown; with
// Options.CheapestPlan the cheapest plan.
type config struct {
	a      *advisor
	chosen [][]*Index
	cur    []pick // per occurrence: its plan (cost, server's cost, bnl.go's join state)
	memo   map[*Index][]pick
	full   []pick
	orig   []float64 // per occurrence: its cost with the existing indexes only
	// origStmt is per statement its cost with the existing indexes only
	// (stmtCost); delta and touched are slowed's scratch.
	origStmt []float64
	delta    []float64
	touched  []bool
}

// pick is one plan's cost and the cost the server-like optimizer sees;
// bnl as plan.bnl (bnl.go).
type pick struct {
	cost, srv float64
	bnl       bnlState
	// runs is the plan's run ratio of its join key (plan.runs).
	runs float64
	// disorder is the plan's read order against primary key order
	// (plan.disorder).
	disorder float64
	// charge is what eff added to cost: the join charges that depend on
	// other tables' indexes (bnl.go, blind.go).
	charge float64
}

func (a *advisor) newConfig() *config {
	c := &config{a: a, chosen: make([][]*Index, len(a.tables)), cur: make([]pick, len(a.occs)),
		orig: make([]float64, len(a.occs)), memo: map[*Index][]pick{}, full: make([]pick, len(a.occs))}
	for oi, o := range a.occs {
		p := a.fullScan(o)
		c.full[oi] = pick{cost: p.cost, srv: a.serverChoice(o, p), bnl: p.bnl}
	}
	for oi := range a.occs {
		p := c.pickWithout(oi, nil)
		c.cur[oi] = p
		c.orig[oi] = p.cost
	}
	n := len(a.stmtOccs)
	c.origStmt, c.delta, c.touched = make([]float64, n), make([]float64, n), make([]bool, n)
	for si := range a.stmtOccs {
		c.origStmt[si] = c.stmtCost(si)
	}
	return c
}

// Regressions are judged per statement.
//
// A statement's cost is the sum of its occurrences' (all share its
// weight), and the selection's regression checks (regresses, curePair,
// regressed, tableState, the marks in describe) compare that sum with its
// sum under the existing indexes only: the rule is that no
// recommended index makes a workload query more than 10% slower, and the
// server times statements, not table occurrences. Judged per occurrence
// (until 2026-12-06) the checks mistook cost moved between the
// occurrences of one statement for a regression: a blind join
// (blind.go) the server does not lift charges its driving occurrence
// what the inner occurrence's join-led plan saves (blindRestore), so an
// index on the inner table's join column leaves the statement's total
// as it was while its driving occurrence reads as dearer. On fresh
// TPC-H seed 13 (scale 1, 10% budget) that refused lineitem(l_partkey)
// for #5 (the driving partsupp occurrence 2.2x dearer, the statement
// unchanged), which lifts #12 and #41 from past 10 s to 49-82 ms; judged
// per statement the selection takes it at 10% (measured on maria3 at load
// 9-13: 46.2% of the workload time saved where the per-occurrence pick
// saved 23.8%; 25% 59.5 -> 68.6%, 50% 59.5 -> 64.9%, no regression).

// stmtCost is statement si's cost per execution under c: the sum of its
// occurrences'.
func (c *config) stmtCost(si int) float64 {
	s := 0.0
	for _, oi := range c.a.stmtOccs[si] {
		s += c.cur[oi].cost
	}
	return s
}

// stmtSlower reports whether statement si is a predicted regression
// under c: more than RegressionThreshold and regressionFloor dearer than
// with the existing indexes only.
func (c *config) stmtSlower(si int) bool { return slower(c.stmtCost(si), c.origStmt[si]) }

// linkStmts records per table the statements its indexes can re-price
// (tableStmts): those with an occurrence of it and those whose driving
// occurrence it charges (bnlDrivers).
func (a *advisor) linkStmts() {
	a.tableStmts = make([][]int, len(a.tables))
	for t := range a.tables {
		var ss []int
		for _, oi := range a.byTable[t] {
			ss = append(ss, a.occs[oi].stmt)
		}
		for _, oi := range a.bnlDrivers[t] {
			ss = append(ss, a.occs[oi].stmt)
		}
		slices.Sort(ss)
		a.tableStmts[t] = slices.Compact(ss)
	}
}

// regresses reports whether replacing old (nil: adding) by ix would have
// the optimizer run some statement more than RegressionThreshold times
// dearer than with the existing indexes only (and dearer than now).
func (c *config) regresses(old, ix *Index) bool { return len(c.slowed(old, ix)) > 0 }

// slowed returns the statements that replacing old (nil: adding) by ix
// would make dearer than now and a predicted regression: the new plans of
// ix's table's occurrences and the new join charges of the driving
// occurrences it charges, summed per statement.
func (c *config) slowed(old, ix *Index) []int {
	a := c.a
	var stmts []int
	add := func(oi int, cost float64) {
		si := a.occs[oi].stmt
		if !c.touched[si] {
			c.touched[si] = true
			stmts = append(stmts, si)
		}
		c.delta[si] += cost - c.cur[oi].cost
	}
	m := c.picks(ix)
	for k, oi := range a.byTable[ix.Table] {
		nc := c.cur[oi]
		if old != nil {
			nc = c.pickWithout(oi, old)
		}
		if c.better(m[k], nc) {
			nc = c.eff(oi, m[k])
		}
		add(oi, nc.cost)
	}
	// A blind join reading this table makes its eq_ref lookups in the
	// order of the plan ix gives it (eqrefruns.go), and charges back what
	// its occurrence's join-led plan saves when not lifted (blind.go).
	for _, d := range a.bnlDrivers[ix.Table] {
		if p := c.cur[d]; a.occs[d].table != ix.Table {
			add(d, p.cost-p.charge+c.charge(d, p, ix))
		}
	}
	out := stmts[:0]
	for _, si := range stmts {
		if d := c.delta[si]; d > 0 && slower(c.stmtCost(si)+d, c.origStmt[si]) {
			out = append(out, si)
		}
		c.delta[si], c.touched[si] = 0, false
	}
	return out
}

// better reports whether the optimizer takes plan p over q: the server's
// view (ties to the cheaper), or with Options.CheapestPlan the cost.
func (c *config) better(p, q pick) bool {
	if c.a.opts.CheapestPlan || p.srv == q.srv {
		return p.cost < q.cost
	}
	return p.srv < q.srv
}

// picks returns ix's plan for every occurrence of its table (+Inf where it
// cannot serve), computed once.
func (c *config) picks(ix *Index) []pick {
	if m, ok := c.memo[ix]; ok {
		return m
	}
	occs := c.a.byTable[ix.Table]
	m := make([]pick, len(occs))
	for k, oi := range occs {
		m[k] = pick{cost: math.Inf(1), srv: math.Inf(1)}
		o := c.a.occs[oi]
		if p, ok := c.a.access(o, ix); ok {
			m[k] = pick{cost: p.cost, srv: c.a.serverChoice(o, p), bnl: p.bnl, runs: p.runs, disorder: p.disorder}
		}
	}
	c.memo[ix] = m
	return m
}

// cost is ix's plan cost for the k-th occurrence of its table.
func (c *config) cost(ix *Index, k int) float64 { return c.picks(ix)[k].cost }

// pos is the position of occurrence oi in its table's list.
func (a *advisor) pos(oi int) int {
	occs := a.byTable[a.occs[oi].table]
	return sort.SearchInts(occs, oi)
}

// pickWithout is occurrence oi's plan under the existing and chosen
// indexes except skip, at its cost under the configuration (eff).
func (c *config) pickWithout(oi int, skip *Index) pick {
	o := c.a.occs[oi]
	k := c.a.pos(oi)
	best := c.full[oi]
	for _, ix := range c.a.existing[o.table] {
		if p := c.picks(ix)[k]; ix != skip && c.better(p, best) {
			best = p
		}
	}
	for _, ix := range c.chosen[o.table] {
		if p := c.picks(ix)[k]; ix != skip && c.better(p, best) {
			best = p
		}
	}
	return c.eff(oi, best)
}

// costWithout is occurrence oi's cost under the existing and chosen
// indexes except skip.
func (c *config) costWithout(oi int, skip *Index) float64 { return c.pickWithout(oi, skip).cost }

func (c *config) total() float64 {
	t := 0.0
	for oi, o := range c.a.occs {
		t += o.weight * c.cur[oi].cost
	}
	for _, ixs := range c.chosen {
		for _, ix := range ixs {
			t += c.a.maintenance(ix)
		}
	}
	for _, ixs := range c.a.existing {
		for _, ix := range ixs {
			if !ix.clustered {
				t += c.a.maintenance(ix)
			}
		}
	}
	return t
}

// gainAdd is the weighted saving of adding ix: negative for the
// statements the optimizer would switch to a dearer plan through it.
func (c *config) gainAdd(ix *Index) float64 {
	m := c.picks(ix)
	g := 0.0
	for k, oi := range c.a.byTable[ix.Table] {
		if c.better(m[k], c.cur[oi]) {
			g += c.a.occs[oi].weight * (c.cur[oi].cost - c.eff(oi, m[k]).cost)
		}
	}
	return g + c.bnlRelief(ix) - c.a.maintenance(ix)
}

// gainReplace is the weighted saving of replacing old by ix.
func (c *config) gainReplace(old, ix *Index) float64 {
	m := c.picks(ix)
	g := 0.0
	for k, oi := range c.a.byTable[ix.Table] {
		nc := c.pickWithout(oi, old)
		if c.better(m[k], nc) {
			nc = c.eff(oi, m[k])
		}
		g += c.a.occs[oi].weight * (c.cur[oi].cost - nc.cost)
	}
	return g - (c.a.maintenance(ix) - c.a.maintenance(old))
}

// refresh re-prices the occurrences of table and the driving occurrences
// that charge one of them for BNL pairs (bnl.go).
func (c *config) refresh(table int) {
	for _, oi := range c.a.byTable[table] {
		p := c.pickWithout(oi, nil)
		c.cur[oi] = p
	}
	for _, oi := range c.a.bnlDrivers[table] {
		if c.a.occs[oi].table == table {
			continue // re-priced above
		}
		// The driving occurrence's plan does not depend on this table's
		// indexes, only its join charges do.
		p := c.cur[oi]
		p.cost -= p.charge
		p.charge = 0
		c.cur[oi] = c.eff(oi, p)
	}
}

// greedy runs the Extend-style selection (Schlosser et al., ICDE 2019):
// each step takes the candidate, or the one-column extension of a chosen
// index, with the highest benefit per byte that fits the budget and the
// per-table limit, until no step saves at least MinImprovement of the
// workload cost.
func (a *advisor) greedy(ctx context.Context, cands []*Index, banned map[string]bool) (*config, float64, error) {
	c := a.newConfig()
	used := 0.0
	base := math.Max(c.total(), 1e-9)
	pool := map[string]*Index{}
	for _, ix := range cands {
		pool[ix.key()] = ix
	}
	cols := a.workloadColumns()
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		var bestIx, bestOld *Index
		var bestCure []*Index
		bestRatio, bestGain := 0.0, 0.0
		consider := func(ix, old *Index, gain, size float64) {
			if gain <= MinImprovement*base || size <= 0 {
				return
			}
			if !a.opts.AllowRegressions && c.regresses(old, ix) {
				return
			}
			if r := gain / size; r > bestRatio {
				bestIx, bestOld, bestCure, bestRatio, bestGain = ix, old, nil, r, gain
			}
		}
		for _, ix := range cands {
			t := ix.Table
			if banned[ix.key()] || slices.Contains(c.chosen[t], ix) || len(c.chosen[t]) >= a.opts.MaxPerTable {
				continue
			}
			size := a.tables[t].indexBytes(ix)
			if a.opts.Budget > 0 && used+size > a.opts.Budget {
				continue
			}
			consider(ix, nil, c.gainAdd(ix), size)
			if !a.opts.AllowRegressions {
				if cure, g, sz := c.curePair(ix, cands, banned, used); len(cure) > 0 && g > MinImprovement*base && g/sz > bestRatio {
					bestIx, bestOld, bestCure, bestRatio, bestGain = ix, nil, cure, g/sz, g
				}
			}
		}
		for t, chosen := range c.chosen {
			for _, old := range chosen {
				if len(old.Columns) >= a.opts.MaxColumns {
					continue
				}
				for _, col := range cols[t] {
					if old.contains(col) {
						continue
					}
					ext := &Index{Table: t, Columns: append(slices.Clone(old.Columns), col)}
					if p, ok := pool[ext.key()]; ok {
						ext = p
					} else {
						pool[ext.key()] = ext
					}
					if banned[ext.key()] || slices.Contains(chosen, ext) {
						continue
					}
					size := a.tables[t].indexBytes(ext) - a.tables[t].indexBytes(old)
					if a.opts.Budget > 0 && used+size > a.opts.Budget {
						continue
					}
					consider(ext, old, c.gainReplace(old, ext), math.Max(size, 1))
				}
			}
		}
		if bestIx == nil {
			break
		}
		_ = bestGain
		t := bestIx.Table
		used += a.tables[t].indexBytes(bestIx)
		if bestOld != nil {
			used -= a.tables[t].indexBytes(bestOld)
			i := slices.Index(c.chosen[t], bestOld)
			c.chosen[t][i] = bestIx
		} else {
			c.chosen[t] = append(c.chosen[t], bestIx)
		}
		for _, cure := range bestCure {
			used += a.tables[t].indexBytes(cure)
			c.chosen[t] = append(c.chosen[t], cure)
		}
		c.refresh(t)
	}
	return c, used, nil
}

// curePair finds, for a candidate ix that slows some statement down
// (config.regresses), the candidate of its table that serves those
// statements so that together they slow nothing down, or failing one,
// two candidates that serve them between them, with the highest joint
// benefit per byte; it returns them, the set's gain and bytes (nil when
// there is none). Two indexes can each be the other's cure: on
// ecommerce seed 7, orders(total) lures WHERE order_date = v ORDER BY
// total LIMIT 10 into a walk of the total index and orders(order_date)
// lures WHERE total = v ORDER BY order_date LIMIT 10 into a walk of the
// order_date index; each alone is refused, the two together serve both
// (measured with one index per filtered column: 2.34 s -> 0.2 ms and
// 1.19 s -> 8.5 ms). A step-wise greedy never takes either.
func (c *config) curePair(ix *Index, cands []*Index, banned map[string]bool, used float64) ([]*Index, float64, float64) {
	a := c.a
	t := ix.Table
	if len(c.chosen[t])+2 > a.opts.MaxPerTable {
		return nil, 0, 0
	}
	slowed := c.slowed(nil, ix)
	if len(slowed) == 0 {
		return nil, 0, 0
	}
	size := a.tables[t].indexBytes(ix)
	m := c.picks(ix)
	// The occurrences of the slowed statements that ix slows down.
	var hurt []int // positions of those of table t
	for k, oi := range a.byTable[t] {
		if slices.Contains(slowed, a.occs[oi].stmt) && c.better(m[k], c.cur[oi]) && slower(c.eff(oi, m[k]).cost, c.orig[oi]) {
			hurt = append(hurt, k)
		}
	}
	// Driving occurrences whose join charge ix raises (its eq_ref
	// lookups in a scattered order, eqrefruns.go).
	var hurtDrivers []int
	for _, d := range a.bnlDrivers[t] {
		if p := c.cur[d]; a.occs[d].table != t && slices.Contains(slowed, a.occs[d].stmt) && slower(p.cost-p.charge+c.charge(d, p, ix), c.orig[d]) {
			hurtDrivers = append(hurtDrivers, d)
		}
	}
	if len(hurt)+len(hurtDrivers) == 0 {
		return nil, 0, 0
	}
	// servesOne reports whether cure alone serves hurt statement h (an
	// index into hurt, then hurtDrivers).
	servesOne := func(cure *Index, mc []pick, h int) bool {
		if h < len(hurt) {
			k := hurt[h]
			oi := a.byTable[t][k]
			return !slower(c.eff(oi, mc[k]).cost, c.orig[oi]) && c.better(mc[k], m[k])
		}
		// A driving occurrence whose blind join ix scatters is served
		// by an index that can lift that join: one led by a join column
		// (blind.go; the joint check below prices it).
		return slices.ContainsFunc(a.occs[hurtDrivers[h-len(hurt)]].blindBy, func(l blindLink) bool {
			return l.table == t && len(cure.Columns) > 0 && cure.prefix(0) == 0 && slices.Contains(l.cols, cure.Columns[0])
		})
	}
	nh := len(hurt) + len(hurtDrivers)
	// try prices ix with cures together: their joint gain, when nothing
	// on the table (or driven by it) is then slower.
	var best []*Index
	bestG, bestSz := 0.0, 0.0
	try := func(cures ...*Index) {
		sz := size
		for _, cu := range cures {
			sz += a.tables[t].indexBytes(cu)
		}
		if a.opts.Budget > 0 && used+sz > a.opts.Budget || len(c.chosen[t])+1+len(cures) > a.opts.MaxPerTable {
			return
		}
		g := c.gainAdd(ix)
		c.move(nil, ix)
		for _, cu := range cures {
			g += c.gainAdd(cu)
			c.move(nil, cu)
		}
		k, _ := c.tableState(t)
		for i := len(cures) - 1; i >= 0; i-- {
			c.move(cures[i], nil)
		}
		c.move(ix, nil)
		if k == 0 && g > 0 && (best == nil || g/sz > bestG/bestSz) {
			best, bestG, bestSz = slices.Clone(cures), g, sz
		}
	}
	type partial struct {
		cure    *Index
		serves  []bool
		perByte float64
	}
	var some []partial // cures that serve some hurt statements only
	for _, cure := range cands {
		if cure == ix || cure.Table != t || banned[cure.key()] || slices.Contains(c.chosen[t], cure) {
			continue
		}
		if a.opts.Budget > 0 && used+size+a.tables[t].indexBytes(cure) > a.opts.Budget {
			continue
		}
		mc := c.picks(cure)
		sv := make([]bool, nh)
		all, part := true, false
		for h := range nh {
			sv[h] = servesOne(cure, mc, h)
			all, part = all && sv[h], part || sv[h]
		}
		if all {
			try(cure)
		} else if part {
			some = append(some, partial{cure: cure, serves: sv})
		}
	}
	// Two cures, each serving some of the hurt statements (ecommerce seed
	// 15: order_items(product_id) lures two GROUP BY product_id
	// statements, one WHERE quantity = v, one WHERE unit_price BETWEEN,
	// each served by its own covering index): tried when no single cure
	// serves them all, among the maxPartialCures most beneficial per byte.
	if best == nil && len(some) > 1 && nh <= maxPartialHurt {
		for i := range some {
			some[i].perByte = c.gainAdd(some[i].cure) / a.tables[t].indexBytes(some[i].cure)
		}
		slices.SortStableFunc(some, func(x, y partial) int { return cmp.Compare(y.perByte, x.perByte) }) // descending
		some = some[:min(len(some), maxPartialCures)]
		for i := range some {
			for j := i + 1; j < len(some); j++ {
				covers := true
				for h := range nh {
					covers = covers && (some[i].serves[h] || some[j].serves[h])
				}
				if covers {
					try(some[i].cure, some[j].cure)
				}
			}
		}
	}
	return best, bestG, bestSz
}

// maxPartialCures bounds the cures that serve some of a candidate's
// slowed statements which curePair pairs up (maxPartialCures² / 2 pairs,
// each priced by moving three indexes in and out), maxPartialHurt the
// slowed statements it tries two cures for: with 6, no bound and any
// index counted as serving a slowed driving statement (now only one led
// by its join column), BenchmarkRecommend1000 (flights, 1,000
// statements) took 10.8 s against 2.6 s without two cures (load 4.5-7).
const (
	maxPartialCures = 3
	maxPartialHurt  = 4
)

// Portfolio of the selection (bestGreedy).
const (
	// portfolioHalvings: the greedy also runs at the budget's half and
	// quarter: a ratio greedy is not monotone in its budget (a large index that
	// fits only the larger budget can block better pairs), so a
	// configuration within half the budget may beat the full budget's.
	portfolioHalvings = 2
	// spendShare: of the portfolio's configurations the smallest whose
	// estimated benefit is at least this share of the best one's is kept
	// (bytes that buy less than the estimates can resolve are not spent;
	// the issue judges benefit per byte).
	spendShare = 0.97
	// kneeShare: a configuration that costs more bytes than a smaller one
	// of the portfolio must buy, with those bytes, at least this share of
	// the smaller one's estimated benefit per byte (a knee-point rule for
	// diminishing returns; the issue judges benefit per byte, and the
	// what-if model overestimates the benefit of the last, least useful
	// indexes most). Measured at TPC-H SF1 (README, index advice), the 50%
	// budget's extra 320 MiB bought 7 points where the first 735 MiB had
	// bought 89.
	kneeShare = 1.0 / 3
	// kneeFloor: the knee never gives up more than a twentieth of the
	// best estimated benefit. The issue asks for 90% of the measured
	// oracle's benefit as well as benefit per byte; a floor at 90% of the
	// estimate (until 2026-12-06) left nothing for the model's error:
	// on ecommerce seed 10 at 50% the knee kept an estimated 90.3% of the
	// best 98.7%, measured 86.0% against the oracle's 97.7% (88%). Half
	// of the tenth is left for that error.
	kneeFloor = 0.95
)

// polish prunes a portfolio configuration holding used bytes, swaps its
// indexes within budget (none is the workload's total without new
// indexes) and, when repair is set and it slows a statement down (unless
// allow), repairs it (repair.go). It returns the bytes then used and
// whether the configuration may be kept.
func (c *config) polish(ctx context.Context, cands []*Index, banned map[string]bool, budget, used, none float64, allow, repair bool) (float64, bool) {
	used -= c.prune()
	used = c.swaps(ctx, cands, banned, budget, used, none)
	ok := allow || c.regressed() == 0
	if !ok && repair {
		used, ok = c.repair(ctx, cands, banned, budget, used)
	}
	return used, ok
}

// bestGreedy runs the greedy selection as a small portfolio and keeps one
// configuration, priced at the server's plans (unless CheapestPlan): the
// greedy at the budget and at its halves, each on the server's plans and
// (when those are the default) on cheapest plans, pruned; configurations
// that slow some statement down are out (unless AllowRegressions). Of the
// rest it keeps the smallest whose estimated benefit is at least
// spendShare of the best's, or a smaller one still past the knee
// (kneeShare) that keeps kneeFloor of the best's. The greedy runs are restarts of a myopic
// greedy, not new models: at the server's plans an index may pay only
// beside another, which a one-step greedy does not see.
func (a *advisor) bestGreedy(ctx context.Context, cands []*Index, banned map[string]bool) (*config, float64, error) {
	type run struct {
		c       *config
		used    float64
		benefit float64
	}
	budget, cheapest, allow := a.opts.Budget, a.opts.CheapestPlan, a.opts.AllowRegressions
	defer func() { a.opts.Budget, a.opts.CheapestPlan, a.opts.AllowRegressions = budget, cheapest, allow }()
	base := a.newConfig().total()
	var runs []run
	var fallback *run
	for h := 0; h <= portfolioHalvings; h++ {
		if h > 0 && budget <= 0 {
			break
		}
		type mode struct{ cheapest, weigh bool }
		modes := []mode{{cheapest, allow}}
		if !cheapest {
			modes = append(modes, mode{true, allow})
		}
		if !allow {
			// Weighing regressions lets the greedy take an index that
			// slows a statement down when a later one serves that
			// statement better (a step-wise refusal is myopic); the
			// configuration is kept only when it slows nothing down.
			modes = append(modes, mode{cheapest, true})
		}
		for _, md := range modes {
			a.opts.Budget, a.opts.CheapestPlan, a.opts.AllowRegressions = budget/float64(int(1)<<h), md.cheapest, md.weigh
			g, _, err := a.greedy(ctx, cands, banned)
			if err != nil {
				return nil, 0, err
			}
			a.opts.CheapestPlan, a.opts.AllowRegressions = cheapest, allow
			c := a.newConfig()
			used := 0.0
			for t, ixs := range g.chosen {
				c.chosen[t] = ixs
				for _, ix := range ixs {
					used += a.tables[t].indexBytes(ix)
				}
				c.refresh(t)
			}
			used, ok := c.polish(ctx, cands, banned, a.opts.Budget, used, base, allow, md.weigh)
			if ok {
				runs = append(runs, run{c, used, base - c.total()})
			} else if fallback == nil {
				fallback = &run{c, used, base - c.total()}
			}
		}
	}
	// The baselines' configurations (the Dexter rule, one index per
	// filtered column) fitted to the budget join the portfolio, priced
	// by the same model, pruned, swapped and repaired like the greedy's:
	// a greedy by benefit per byte can end below a configuration the same
	// model prices higher (TPC-H seed 6 at 10%: Dexter's 66.6% estimated
	// against the greedy's 60.3%).
	a.opts.Budget, a.opts.CheapestPlan, a.opts.AllowRegressions = budget, cheapest, allow
	if budget > 0 {
		for _, order := range [][]*Index{a.dexter(cands), a.perColumn(cands)} {
			c := a.newConfig()
			used := 0.0
			for _, ix := range a.fit(order, budget) {
				if banned[ix.key()] {
					continue
				}
				c.chosen[ix.Table] = append(c.chosen[ix.Table], ix)
				used += a.tables[ix.Table].indexBytes(ix)
			}
			for t := range c.chosen {
				c.refresh(t)
			}
			used, ok := c.polish(ctx, cands, banned, budget, used, base, allow, true)
			if ok {
				runs = append(runs, run{c, used, base - c.total()})
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
	}
	if len(runs) == 0 { // every run slows a statement down: keep the first
		runs = append(runs, *fallback)
	}
	best := 0
	for i, r := range runs {
		if r.benefit > runs[best].benefit {
			best = i
		}
	}
	keep := best
	for i, r := range runs {
		if r.benefit >= spendShare*runs[best].benefit && r.used < runs[keep].used {
			keep = i
		}
	}
	// The knee: a smaller configuration is kept when the bytes the larger
	// one adds buy less than kneeShare of its benefit per byte.
	for moved := true; moved; {
		moved = false
		k := runs[keep]
		for i, r := range runs {
			if r.used < k.used && r.benefit >= kneeFloor*runs[best].benefit &&
				(k.benefit-r.benefit)/(k.used-r.used) < kneeShare*r.benefit/r.used {
				keep, moved = i, true
				break
			}
		}
	}
	return runs[keep].c, runs[keep].used, nil
}

// maxSwapRounds bounds the local search of swaps: each round tries every
// (chosen, candidate) pair, and at 3 rounds recommending for 1,000
// statements (Recommend1000, the nine-run portfolio) took 3.58 s against
// the 5 s target (README, index advice; 1aa251f lowered it from 8).
const maxSwapRounds = 3

// swaps improves a greedy configuration by local search: the best swap of
// one chosen index for one candidate that is not chosen (within the
// budget and the per-table limit, slowing no statement down unless
// AllowRegressions), repeated while one lowers the workload cost. A
// greedy by benefit per byte cannot leave a local optimum where an index
// pays only beside another (an index that lures one statement into a trap
// is refused before the one that serves that statement better is taken).
// A swap that takes more bytes must buy them at no less than the
// configuration's benefit per byte (none is the workload cost without
// new indexes). It returns the bytes used.
func (c *config) swaps(ctx context.Context, cands []*Index, banned map[string]bool, budget, used, none float64) float64 {
	a := c.a
	ok := func() bool { return a.opts.AllowRegressions || c.regressed() == 0 }
	for round := 0; round < maxSwapRounds && ctx.Err() == nil; round++ {
		base := c.total()
		var bestOut, bestIn *Index
		bestTotal := base * (1 - MinImprovement)
		for t := range c.chosen {
			for _, out := range slices.Clone(c.chosen[t]) {
				for _, in := range cands {
					if banned[in.key()] || slices.Contains(c.chosen[in.Table], in) {
						continue
					}
					size := used - a.tables[t].indexBytes(out) + a.tables[in.Table].indexBytes(in)
					if budget > 0 && size > budget {
						continue
					}
					if in.Table != t && len(c.chosen[in.Table]) >= a.opts.MaxPerTable {
						continue
					}
					c.swap(out, in)
					// A swap that takes more bytes must buy them at the
					// configuration's benefit per byte (the issue judges
					// benefit per byte).
					tot := c.total()
					perByte := size <= used || (base-tot)/(size-used) >= (none-base)/math.Max(used, 1)
					if tot < bestTotal && perByte && ok() {
						bestOut, bestIn, bestTotal = out, in, tot
					}
					c.swap(in, out) // undone: in was appended last, out goes back last
				}
			}
		}
		if bestIn == nil {
			break
		}
		c.swap(bestOut, bestIn)
		used += a.tables[bestIn.Table].indexBytes(bestIn) - a.tables[bestOut.Table].indexBytes(bestOut)
	}
	return used
}

// swap replaces chosen index out by in (appended last on its table) and
// refreshes the occurrences of both tables.
func (c *config) swap(out, in *Index) {
	c.chosen[out.Table] = slices.DeleteFunc(c.chosen[out.Table], func(x *Index) bool { return x == out })
	c.chosen[in.Table] = append(c.chosen[in.Table], in)
	c.refresh(out.Table)
	if in.Table != out.Table {
		c.refresh(in.Table)
	}
}

// prune removes chosen indexes that no longer pay for themselves given
// the others (a single-column index later covered by a wider one chosen
// from the candidates), least beneficial first; it returns the bytes freed.
func (c *config) prune() float64 {
	freed := 0.0
	for {
		var worst *Index
		worstGain := 0.0
		for t, chosen := range c.chosen {
			for _, ix := range chosen {
				g := c.bnlLoss(ix) - c.a.maintenance(ix)
				for _, oi := range c.a.byTable[t] {
					g += c.a.occs[oi].weight * (c.costWithout(oi, ix) - c.cur[oi].cost)
				}
				if worst == nil || g < worstGain {
					worst, worstGain = ix, g
				}
			}
		}
		if worst == nil || worstGain > 0 {
			return freed
		}
		t := worst.Table
		freed += c.a.tables[t].indexBytes(worst)
		c.chosen[t] = slices.DeleteFunc(c.chosen[t], func(x *Index) bool { return x == worst })
		c.refresh(t)
	}
}

// workloadColumns lists per table the columns the workload's occurrences
// filter, join, sort or group on (extension columns of Extend).
func (a *advisor) workloadColumns() [][]int {
	out := make([][]int, len(a.tables))
	for _, o := range a.occs {
		add := func(c int) {
			if !slices.Contains(out[o.table], c) {
				out[o.table] = append(out[o.table], c)
			}
		}
		for _, cj := range o.conj {
			if cj.kind != predOther {
				add(cj.col)
			}
		}
		for _, c := range o.joinCols {
			add(c)
		}
		for _, c := range o.order {
			add(c)
		}
		for _, c := range o.group {
			add(c)
		}
	}
	for _, cs := range out {
		slices.Sort(cs)
	}
	return out
}

// recommend runs candidates, selection, the guard and drop advice.
func (a *advisor) recommend(ctx context.Context) (*Recommendation, error) {
	cands := a.candidates()
	r := &Recommendation{Budget: a.opts.Budget, Candidates: len(cands), Skipped: a.w.Skipped, author: a.opts.Author, a: a}
	for _, ix := range cands {
		r.CandidateBytes += a.tables[ix.Table].indexBytes(ix)
	}
	c, used, distrusted, err := a.selectIndexes(ctx, cands)
	if err != nil {
		return nil, err
	}
	r.Distrusted = distrusted
	before := a.newConfig()
	r.CostBefore, r.CostAfter, r.Bytes = before.total(), c.total(), used
	taken := make([]map[string]bool, len(a.schema.Tables)) // index names are per table
	for ti := range a.schema.Tables {
		taken[ti] = map[string]bool{}
		for _, ix := range a.existing[ti] {
			taken[ti][strings.ToLower(ix.Name)] = true
		}
	}
	for i := range r.Distrusted {
		d := &r.Distrusted[i]
		d.Name = indexName(a.schema.Tables[d.index.Table], d.index.Columns, taken[d.index.Table])
	}
	for _, chosen := range c.chosen {
		for _, ix := range chosen {
			ix.Name = indexName(a.schema.Tables[ix.Table], ix.Columns, taken[ix.Table])
			r.Indexes = append(r.Indexes, a.describe(c, ix))
		}
	}
	sort.SliceStable(r.Indexes, func(i, j int) bool { return r.Indexes[i].Benefit > r.Indexes[j].Benefit })
	for si, st := range a.w.Statements {
		qc := QueryCost{Stmt: si, SQL: st.SQL, Digest: st.Digest, Weight: st.Weight}
		for _, oi := range a.stmtOccs[si] {
			qc.Before += before.cur[oi].cost
			qc.After += c.cur[oi].cost
			if ix := c.bestIndex(oi); ix != nil {
				qc.Indexes = append(qc.Indexes, ix.Name)
			}
		}
		if qc.Before > 0 {
			qc.Improvement = 1 - qc.After/qc.Before
		}
		r.Queries = append(r.Queries, qc)
	}
	r.Drops = a.drops(c)
	return r, nil
}

// maxVetRounds bounds the reruns of the selection after indexes are
// refused (traps) or distrusted (guard).
const maxVetRounds = 6

// selectIndexes runs the greedy selection; indexes that are traps
// (traps.go) or that the guard distrusts are banned and the selection
// reruns (at most maxVetRounds times).
func (a *advisor) selectIndexes(ctx context.Context, cands []*Index) (*config, float64, []Recommended, error) {
	banned := map[string]bool{}
	var distrusted []Recommended
	for round := 0; ; round++ {
		c, used, err := a.bestGreedy(ctx, cands, banned)
		if err != nil {
			return nil, 0, nil, err
		}
		if a.opts.Guard == nil && !a.opts.RefuseTraps {
			return c, used, distrusted, nil
		}
		last := round == maxVetRounds
		again := false
		for _, chosen := range c.chosen {
			for _, ix := range chosen {
				var regs []int
				if a.opts.RefuseTraps {
					regs = a.traps(c, ix)
				}
				if a.opts.Guard != nil {
					for _, si := range a.opts.Guard.regressions(a, c, ix) {
						if !slices.Contains(regs, si) {
							regs = append(regs, si)
						}
					}
				}
				if len(regs) > 0 {
					banned[ix.key()] = true
					rec := a.describe(c, ix)
					rec.Regressions = regs
					distrusted = append(distrusted, rec)
					again = true
				}
			}
		}
		if again && last {
			// No rerun left: drop the banned indexes from this selection.
			for t := range c.chosen {
				for _, ix := range c.chosen[t] {
					if banned[ix.key()] {
						used -= a.tables[t].indexBytes(ix)
					}
				}
				c.chosen[t] = slices.DeleteFunc(c.chosen[t], func(x *Index) bool { return banned[x.key()] })
				c.refresh(t)
			}
			return c, used, distrusted, nil
		}
		if !again {
			return c, used, distrusted, nil
		}
	}
}

// bestIndex is the chosen (new) index that gives occurrence oi its cost,
// or nil.
func (c *config) bestIndex(oi int) *Index {
	o := c.a.occs[oi]
	k := c.a.pos(oi)
	for _, ix := range c.chosen[o.table] {
		if c.cost(ix, k) <= c.cur[oi].cost && c.cur[oi].cost < c.costWithoutNew(oi) {
			return ix
		}
	}
	return nil
}

func (c *config) costWithoutNew(oi int) float64 {
	o := c.a.occs[oi]
	k := c.a.pos(oi)
	best := c.full[oi]
	for _, ix := range c.a.existing[o.table] {
		if p := c.picks(ix)[k]; c.better(p, best) {
			best = p
		}
	}
	return best.cost
}

// describe builds the report of a chosen index: its marginal benefit, the
// statements it serves and why.
func (a *advisor) describe(c *config, ix *Index) Recommended {
	t := a.schema.Tables[ix.Table]
	rec := Recommended{Table: t.Name, Name: ix.Name, Bytes: a.tables[ix.Table].indexBytes(ix), Maintenance: a.maintenance(ix), index: ix}
	for _, col := range ix.Columns {
		rec.Columns = append(rec.Columns, t.Columns[col].Name)
	}
	m := c.picks(ix)
	var topW float64
	var top *occ
	var topPlan plan
	// Marked: statements the optimizer would run slower through ix (its
	// table's occurrences at ix's plan where the optimizer takes it,
	// against their plans without ix, summed per statement); the
	// selection kept ix because it saves more elsewhere.
	with, without := map[int]float64{}, map[int]float64{}
	for k, oi := range a.byTable[ix.Table] {
		wo := c.pickWithout(oi, ix)
		si := a.occs[oi].stmt
		if _, ok := with[si]; !ok {
			with[si], without[si] = c.stmtCost(si), c.stmtCost(si)
		}
		with[si] -= c.cur[oi].cost
		without[si] += wo.cost - c.cur[oi].cost
		if c.better(m[k], wo) {
			with[si] += c.eff(oi, m[k]).cost
		} else {
			with[si] += wo.cost
		}
	}
	for _, oi := range a.byTable[ix.Table] {
		if si := a.occs[oi].stmt; slower(with[si], without[si]) && !slices.Contains(rec.Regressions, si) {
			rec.Regressions = append(rec.Regressions, si)
		}
	}
	for k, oi := range a.byTable[ix.Table] {
		without := c.pickWithout(oi, ix).cost
		if m[k].cost < without && m[k].cost <= c.cur[oi].cost {
			o := a.occs[oi]
			g := o.weight * (without - m[k].cost)
			rec.Benefit += g
			if !slices.Contains(rec.Queries, o.stmt) {
				rec.Queries = append(rec.Queries, o.stmt)
			}
			if g > topW {
				topW, top = g, o
				topPlan, _ = a.access(o, ix)
			}
		}
	}
	rec.Benefit -= rec.Maintenance
	if top != nil {
		rec.Reason = a.reason(top, ix, topPlan)
	}
	return rec
}

// reason says how ix serves occurrence o.
func (a *advisor) reason(o *occ, ix *Index, p plan) string {
	t := a.schema.Tables[o.table]
	var eq, rg, join []string
	for _, col := range ix.Columns {
		name := t.Columns[col].Name
		switch {
		case slices.Contains(o.joinCols, col):
			join = append(join, name)
		case slices.ContainsFunc(o.conj, func(c conjunct) bool { return c.col == col && (c.kind == predEq || c.kind == predIn) }):
			eq = append(eq, name)
		case slices.ContainsFunc(o.conj, func(c conjunct) bool { return c.col == col && c.kind == predRange }):
			rg = append(rg, name)
		}
	}
	var parts []string
	if len(join) > 0 {
		parts = append(parts, "inner-side join lookup on "+strings.Join(join, ", "))
	}
	if len(eq) > 0 {
		parts = append(parts, "equality on "+strings.Join(eq, ", "))
	}
	if len(rg) > 0 {
		parts = append(parts, "range on "+strings.Join(rg, ", "))
	}
	if p.ordered {
		s := "avoids the sort for ORDER BY"
		if o.limit > 0 {
			s += fmt.Sprintf(" ... LIMIT %.0f", o.limit)
		}
		parts = append(parts, s)
	}
	if p.grouped {
		parts = append(parts, "reads GROUP BY groups in order")
	}
	if p.covered {
		parts = append(parts, "covering (index-only)")
	}
	return fmt.Sprintf("%s (statement %d, weight %.0f)", strings.Join(parts, "; "), o.stmt, o.weight)
}

// drops lists existing secondary indexes that are not unique and either
// serve no statement (removing one raises no statement's cost) or are a
// prefix of another index.
func (a *advisor) drops(c *config) []Drop {
	var out []Drop
	for ti, ixs := range a.existing {
		t := a.schema.Tables[ti]
		all := append(slices.Clone(ixs), c.chosen[ti]...)
		for _, ix := range ixs {
			if ix.clustered || ix.Unique {
				continue
			}
			d := Drop{Table: t.Name, Name: ix.Name, WriteCost: a.maintenance(ix), Bytes: a.tables[ti].indexBytes(ix)}
			for _, col := range ix.Columns {
				d.Columns = append(d.Columns, t.Columns[col].Name)
			}
			for _, other := range all {
				if other != ix && len(other.Columns) > len(ix.Columns) && prefixOf(ix, other) {
					d.Reason = "redundant: a prefix of " + other.Name
					break
				}
			}
			if d.Reason == "" {
				used := false
				for _, oi := range a.byTable[ti] {
					if c.costWithout(oi, ix) > c.cur[oi].cost*(1+1e-9) {
						used = true
						break
					}
				}
				if !used {
					d.Reason = "unused: no workload statement is cheaper with it"
				}
			}
			if d.Reason != "" {
				out = append(out, d)
			}
		}
	}
	return out
}

func prefixOf(ix, other *Index) bool {
	for k, col := range ix.Columns {
		if other.Columns[k] != col || other.prefix(k) != ix.prefix(k) {
			return false
		}
	}
	return true
}
