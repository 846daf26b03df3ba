package joinbench

import (
	"context"
	"fmt"

	"github.com/cardinaldb/cardinal/datasets/engine"
)

// CountCheck is Setup.CheckCounts' outcome.
type CountCheck struct {
	Checked    int   `json:"checked"`    // queries counted by the engine
	Mismatched []int `json:"mismatched"` // indexes whose timed COUNT(*) differs from the engine's
}

// CheckCounts completes the COUNT(*) check of ServerBench's held-out
// queries (qs, from a ServerBench on this Setup) where the server's plan
// ran past the limit but our hinted order finished: without the
// server's count, the query as written is counted by the engine (the
// in-memory data the server holds) and compared with the hinted count.
// Queries already compared both ways are left as they are; matching
// queries get SameCount set.
func (s *Setup) CheckCounts(ctx context.Context, qs []ServerQuery) (CountCheck, error) {
	var out CountCheck
	ctr := engine.New(s.DB, engine.Options{})
	for i := range qs {
		q := &qs[i]
		if !q.ServerTimedOut || !q.UsedHint || q.OursTimedOut || i >= len(s.Test) {
			continue
		}
		c := s.Test[i].Est[s.AgentCards]
		if c == nil {
			return out, fmt.Errorf("%w: no %q cardinalities for query %d", ErrOptions, s.AgentCards, i)
		}
		if i < len(s.TestSQL) && q.SQL != s.TestSQL[i] {
			return out, fmt.Errorf("%w: query %d is not this Setup's (another seed?)", ErrOptions, i)
		}
		n, err := ctr.Count(ctx, c.Query())
		if err != nil {
			return out, err
		}
		out.Checked++
		q.SameCount = q.Count == n
		if !q.SameCount {
			out.Mismatched = append(out.Mismatched, i)
		}
	}
	return out, nil
}
