package joinbench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/internal/optcheck"
	"github.com/cardinaldb/cardinal/internal/server"
	"github.com/cardinaldb/cardinal/joinorder"
	"github.com/cardinaldb/cardinal/progress"
)

// DefaultOracleCandidates is how many orders besides the server's and
// ours OracleBench times per query by default.
const DefaultOracleCandidates = 3

// OracleOptions configure Setup.OracleBench. The zero value means the
// defaults.
type OracleOptions struct {
	Queries int           // held-out queries (default DefaultServerQueries)
	Limit   time.Duration // server-side limit per execution (default DefaultServerLimit)
	// Candidates: orders timed per query besides the server's and
	// ours, the ones the Setup's cost model prices cheapest among the
	// greedy orders from each start table and left-deep DP under the
	// other cost models (default DefaultOracleCandidates).
	Candidates int
	// Known are the held-out queries already timed by ServerBench on
	// the same Setup (TimeBoth): their server and our-order times are
	// reused instead of timed again. Matched by position and SQL.
	Known    []ServerQuery
	Progress progress.Func
}

// OracleCandidate is one order timed by OracleBench.
type OracleCandidate struct {
	Source   string   `json:"source"` // "server", "ours", "greedy from X", "leftdeep (mysql)", ...
	Order    []string `json:"order,omitempty"`
	MS       float64  `json:"ms"`
	TimedOut bool     `json:"timed_out,omitempty"` // past its limit: MS is the limit, the true time at least that
	LimitMS  float64  `json:"limit_ms"`
	Count    int64    `json:"count"`
	HasCount bool     `json:"has_count"`
}

// OracleQuery is one held-out query's candidates.
type OracleQuery struct {
	SQL        string            `json:"sql"`
	Tables     int               `json:"tables"`
	Candidates []OracleCandidate `json:"candidates"` // [0] the server's plan, [1] ours
	Best       int               `json:"best"`       // index of the fastest candidate
}

// OracleReport is OracleBench's outcome: the server's plans, our orders
// (method's, as ServerBench hints them, without a guard) and the fastest
// timed candidate per query.
type OracleReport struct {
	Database      string        `json:"database"`
	Queries       []OracleQuery `json:"queries"`
	ServerTotalMS float64       `json:"server_total_ms"`
	OursTotalMS   float64       `json:"ours_total_ms"`
	OracleTotalMS float64       `json:"oracle_total_ms"`
	// SameCount: every candidate that finished returned the same COUNT(*).
	SameCount bool `json:"same_count"`
}

// OracleBench measures the headroom of join ordering on srv: for each
// held-out query it times the server's own plan, our order (method's
// plan as STRAIGHT_JOIN) and opts.Candidates other connected left-deep
// orders, each of those under a limit of the fastest time so far (an
// order slower than that cannot be the best), and reports the total of
// the fastest per query beside the server's and ours. No guard, model or
// selector can do better with these candidates; what lies between ours
// and the oracle is what choosing among them could win.
func (s *Setup) OracleBench(ctx context.Context, srv *server.Server, method joinorder.Method, opts OracleOptions) (OracleReport, error) {
	if err := optcheck.Struct(ErrOptions, "OracleOptions", opts); err != nil {
		return OracleReport{}, err
	}
	if opts.Queries == 0 {
		opts.Queries = DefaultServerQueries
	}
	if opts.Limit == 0 {
		opts.Limit = DefaultServerLimit
	}
	if opts.Candidates == 0 {
		opts.Candidates = DefaultOracleCandidates
	}
	rep := OracleReport{Database: srv.Database(), SameCount: true}
	if opts.Queries < 0 || opts.Candidates < 0 || opts.Limit < time.Millisecond {
		return rep, fmt.Errorf("%w: oracle queries %d, candidates %d, limit %v", ErrOptions, opts.Queries, opts.Candidates, opts.Limit)
	}
	n := min(opts.Queries, len(s.Test))
	time1 := func(sql string, limit time.Duration) (OracleCandidate, error) {
		tm, err := srv.Time(ctx, sql, server.TimeOptions{Runs: 1, Warmups: -1, Limit: limit})
		if err != nil && !errors.Is(err, server.ErrTimeout) {
			return OracleCandidate{}, err
		}
		return OracleCandidate{MS: ms(tm.Median), TimedOut: tm.TimedOut, LimitMS: ms(limit), Count: tm.Count, HasCount: tm.HasCount && !tm.TimedOut}, nil
	}
	for i := range n {
		c := s.Test[i].Est[method.Cards]
		if c == nil {
			return rep, fmt.Errorf("%w: no %q cardinalities for query %d", ErrOptions, method.Cards, i)
		}
		query := c.Query()
		sql := query.SQL()
		if i < len(s.TestSQL) {
			sql = s.TestSQL[i]
		}
		ours, err := method.Plan(c)
		if err != nil {
			return rep, err
		}
		oq := OracleQuery{SQL: sql, Tables: len(query.Tables)}
		var known *ServerQuery
		if i < len(opts.Known) && opts.Known[i].SQL == sql && opts.Known[i].OrderTimed && slices.Equal(opts.Known[i].OursOrder, aliases(query, ours.Order())) {
			known = &opts.Known[i]
		}
		var sv, ou OracleCandidate
		if known != nil {
			sv = OracleCandidate{MS: known.ServerMS, TimedOut: known.ServerTimedOut, LimitMS: ms(opts.Limit)}
			ou = OracleCandidate{MS: known.OrderMS, TimedOut: known.OrderTimedOut, LimitMS: ms(opts.Limit)}
		} else {
			if sv, err = time1(sql, opts.Limit); err != nil {
				return rep, err
			}
			if ou, err = time1(ours.StraightJoinSQL(), opts.Limit); err != nil {
				return rep, err
			}
		}
		sv.Source, ou.Source, ou.Order = "server", "ours", aliases(query, ours.Order())
		if order, _, err := serverOrder(ctx, srv, sql, query); err != nil {
			return rep, err
		} else if order != nil {
			sv.Order = aliases(query, order)
		}
		oq.Candidates = append(oq.Candidates, sv, ou)
		cands, err := s.candidateOrders(c, ours.Order(), opts.Candidates)
		if err != nil {
			return rep, err
		}
		for _, cd := range cands {
			best := math.Min(sv.MS, ou.MS)
			for _, x := range oq.Candidates[2:] {
				best = math.Min(best, x.MS)
			}
			limit := min(opts.Limit, time.Duration(best*float64(time.Millisecond))+time.Millisecond)
			t, err := time1(cd.plan.StraightJoinSQL(), limit)
			if err != nil {
				return rep, err
			}
			t.Source, t.Order = cd.source, aliases(query, cd.plan.Order())
			oq.Candidates = append(oq.Candidates, t)
		}
		var count int64 = -1
		for j, x := range oq.Candidates {
			if x.MS < oq.Candidates[oq.Best].MS && !x.TimedOut {
				oq.Best = j
			}
			if x.HasCount {
				if count >= 0 && x.Count != count {
					rep.SameCount = false
				}
				count = x.Count
			}
		}
		rep.ServerTotalMS += sv.MS
		rep.OursTotalMS += ou.MS
		rep.OracleTotalMS += oq.Candidates[oq.Best].MS
		rep.Queries = append(rep.Queries, oq)
		if opts.Progress != nil {
			parts := make([]string, len(oq.Candidates))
			for j, x := range oq.Candidates {
				parts[j] = fmt.Sprintf("%s %s", x.Source, markMS(x.MS, x.TimedOut))
			}
			opts.Progress(progress.Report{Stage: "oracle", Done: i + 1, Total: n, Detail: fmt.Sprintf("%d tables: %s ms", oq.Tables, strings.Join(parts, ", "))})
		}
	}
	return rep, nil
}

type candidate struct {
	source string
	plan   *joinorder.Plan
}

// candidateOrders returns up to k connected left-deep orders other than
// ours: left-deep DP under the other cost models and, from each start
// table, the greedy order that adds the joined table with the fewest
// estimated rows next; the k the Setup's model prices cheapest.
func (s *Setup) candidateOrders(c *joinorder.Cards, ours []int, k int) ([]candidate, error) {
	q := c.Query()
	n := len(q.Tables)
	adj := make([]uint64, n)
	for _, j := range q.Joins {
		adj[j.Left] |= 1 << uint(j.Right)
		adj[j.Right] |= 1 << uint(j.Left)
	}
	seen := [][]int{ours}
	var out []candidate
	add := func(source string, order []int) error {
		if slices.ContainsFunc(seen, func(x []int) bool { return slices.Equal(x, order) }) {
			return nil
		}
		seen = append(seen, order)
		p, err := joinorder.FromOrder(c, s.Model, order)
		if err != nil {
			return err
		}
		if hasCross(p.Root) {
			return nil
		}
		out = append(out, candidate{source, p})
		return nil
	}
	for _, name := range []string{"mysql", "cout"} {
		m, ok := joinorder.CostModelByName(name, s.Cat)
		if !ok || m.Name() == s.Model.Name() {
			continue
		}
		p, err := joinorder.LeftDeep(c, m, joinorder.Options{})
		if err != nil {
			return nil, err
		}
		if err := add("leftdeep ("+name+")", p.Order()); err != nil {
			return nil, err
		}
	}
	for start := range n {
		order, mask := []int{start}, uint64(1)<<uint(start)
		for len(order) < n {
			next, least := -1, math.Inf(1)
			for t := range n {
				bit := uint64(1) << uint(t)
				if mask&bit != 0 || adj[t]&mask == 0 {
					continue
				}
				if r, ok := c.Rows(mask | bit); ok && r < least {
					next, least = t, r
				}
			}
			if next < 0 {
				break // disconnected: no greedy order from here
			}
			order, mask = append(order, next), mask|uint64(1)<<uint(next)
		}
		if bits.OnesCount64(mask) == n {
			if err := add("greedy from "+q.Tables[start].Alias, order); err != nil {
				return nil, err
			}
		}
	}
	slices.SortStableFunc(out, func(a, b candidate) int {
		switch {
		case a.plan.Cost() < b.plan.Cost():
			return -1
		case a.plan.Cost() > b.plan.Cost():
			return 1
		}
		return 0
	})
	return out[:min(k, len(out))], nil
}

// markMS renders a time, ">" when censored at the limit.
func markMS(v float64, timedOut bool) string {
	if timedOut {
		return fmt.Sprintf(">%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// FormatOracle renders an OracleReport as Markdown.
func FormatOracle(r OracleReport) string {
	var b strings.Builder
	// A total holding an execution cut at its limit is a lower bound.
	var past [3]int // server's plan, ours, the fastest past the limit
	for _, q := range r.Queries {
		for k, x := range []OracleCandidate{q.Candidates[0], q.Candidates[1], q.Candidates[q.Best]} {
			if x.TimedOut {
				past[k]++
			}
		}
	}
	atLeast := func(k int) string {
		if past[k] > 0 {
			return ">= "
		}
		return ""
	}
	fmt.Fprintf(&b, "%d queries on %s: server's plans %s%.0f ms, our orders (always hinted) %s%.0f ms (%.2fx), the fastest timed candidate per query %s%.0f ms (%.2fx); same COUNT(*) wherever finished: %v; past the limit: server %d, ours %d, fastest %d\n\n",
		len(r.Queries), r.Database, atLeast(0), r.ServerTotalMS, atLeast(1), r.OursTotalMS, r.ServerTotalMS/math.Max(r.OursTotalMS, 0.001),
		atLeast(2), r.OracleTotalMS, r.ServerTotalMS/math.Max(r.OracleTotalMS, 0.001), r.SameCount, past[0], past[1], past[2])
	b.WriteString("| # | tables | server ms | ours ms | fastest | fastest ms | other candidates (ms, > = cut at the fastest so far) |\n|---:|---:|---:|---:|---|---:|---|\n")
	for i, q := range r.Queries {
		var others []string
		for _, x := range q.Candidates[2:] {
			others = append(others, fmt.Sprintf("%s %s", x.Source, markMS(x.MS, x.TimedOut)))
		}
		best := q.Candidates[q.Best]
		fmt.Fprintf(&b, "| %d | %d | %s | %s | %s | %s | %s |\n", i+1, q.Tables, markMS(q.Candidates[0].MS, q.Candidates[0].TimedOut),
			markMS(q.Candidates[1].MS, q.Candidates[1].TimedOut), best.Source, markMS(best.MS, best.TimedOut), strings.Join(others, ", "))
	}
	return b.String()
}
