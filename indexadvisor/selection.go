package indexadvisor

import (
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
	// Regressions are statements the guard predicts it makes slower.
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

// config is a set of indexes per table with each occurrence's cheapest
// plan cost under it.
type config struct {
	a      *advisor
	chosen [][]*Index
	cur    []float64 // per occurrence
	memo   map[*Index][]float64
	full   []float64
}

func (a *advisor) newConfig() *config {
	c := &config{a: a, chosen: make([][]*Index, len(a.tables)), cur: make([]float64, len(a.occs)),
		memo: map[*Index][]float64{}, full: make([]float64, len(a.occs))}
	for oi, o := range a.occs {
		c.full[oi] = a.fullScan(o).cost
	}
	for oi := range a.occs {
		c.cur[oi] = c.costWithout(oi, nil)
	}
	return c
}

// costs returns ix's plan cost for every occurrence of its table (+Inf
// where it cannot serve), computed once.
func (c *config) costs(ix *Index) []float64 {
	if m, ok := c.memo[ix]; ok {
		return m
	}
	occs := c.a.byTable[ix.Table]
	m := make([]float64, len(occs))
	for k, oi := range occs {
		m[k] = math.Inf(1)
		if p, ok := c.a.access(c.a.occs[oi], ix); ok {
			m[k] = p.cost
		}
	}
	c.memo[ix] = m
	return m
}

// pos is the position of occurrence oi in its table's list.
func (a *advisor) pos(oi int) int {
	occs := a.byTable[a.occs[oi].table]
	return sort.SearchInts(occs, oi)
}

// costWithout is occurrence oi's cost under the existing and chosen
// indexes except skip.
func (c *config) costWithout(oi int, skip *Index) float64 {
	o := c.a.occs[oi]
	k := c.a.pos(oi)
	best := c.full[oi]
	for _, ix := range c.a.existing[o.table] {
		if ix != skip {
			best = math.Min(best, c.costs(ix)[k])
		}
	}
	for _, ix := range c.chosen[o.table] {
		if ix != skip {
			best = math.Min(best, c.costs(ix)[k])
		}
	}
	return best
}

func (c *config) total() float64 {
	t := 0.0
	for oi, o := range c.a.occs {
		t += o.weight * c.cur[oi]
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

// gainAdd is the weighted saving of adding ix.
func (c *config) gainAdd(ix *Index) float64 {
	m := c.costs(ix)
	g := 0.0
	for k, oi := range c.a.byTable[ix.Table] {
		if d := c.cur[oi] - m[k]; d > 0 {
			g += c.a.occs[oi].weight * d
		}
	}
	return g - c.a.maintenance(ix)
}

// gainReplace is the weighted saving of replacing old by ix.
func (c *config) gainReplace(old, ix *Index) float64 {
	m := c.costs(ix)
	g := 0.0
	for k, oi := range c.a.byTable[ix.Table] {
		nc := math.Min(c.costWithout(oi, old), m[k])
		g += c.a.occs[oi].weight * (c.cur[oi] - nc)
	}
	return g - (c.a.maintenance(ix) - c.a.maintenance(old))
}

func (c *config) refresh(table int) {
	for _, oi := range c.a.byTable[table] {
		c.cur[oi] = c.costWithout(oi, nil)
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
		bestRatio, bestGain := 0.0, 0.0
		consider := func(ix, old *Index, gain, size float64) {
			if gain <= MinImprovement*base || size <= 0 {
				return
			}
			if r := gain / size; r > bestRatio {
				bestIx, bestOld, bestRatio, bestGain = ix, old, r, gain
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
		c.refresh(t)
	}
	return c, used, nil
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
				g := -c.a.maintenance(ix)
				for _, oi := range c.a.byTable[t] {
					g += c.a.occs[oi].weight * (c.costWithout(oi, ix) - c.cur[oi])
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
			qc.Before += before.cur[oi]
			qc.After += c.cur[oi]
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
		c, used, err := a.greedy(ctx, cands, banned)
		if err != nil {
			return nil, 0, nil, err
		}
		used -= c.prune()
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
		if c.costs(ix)[k] <= c.cur[oi] && c.cur[oi] < c.costWithoutNew(oi) {
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
		best = math.Min(best, c.costs(ix)[k])
	}
	return best
}

// describe builds the report of a chosen index: its marginal benefit, the
// statements it serves and why.
func (a *advisor) describe(c *config, ix *Index) Recommended {
	t := a.schema.Tables[ix.Table]
	rec := Recommended{Table: t.Name, Name: ix.Name, Bytes: a.tables[ix.Table].indexBytes(ix), Maintenance: a.maintenance(ix), index: ix}
	for _, col := range ix.Columns {
		rec.Columns = append(rec.Columns, t.Columns[col].Name)
	}
	m := c.costs(ix)
	var topW float64
	var top *occ
	var topPlan plan
	for k, oi := range a.byTable[ix.Table] {
		without := c.costWithout(oi, ix)
		if m[k] < without && m[k] <= c.cur[oi] {
			o := a.occs[oi]
			g := o.weight * (without - m[k])
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
					if c.costWithout(oi, ix) > c.cur[oi]*(1+1e-9) {
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
