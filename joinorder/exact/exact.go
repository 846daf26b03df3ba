// Package exact is the joinorder.Source of true sub-plan counts from the
// in-memory counting engine (datasets/engine). Planning with it gives the
// true optimum a plan is measured against; training the learned agent
// uses it for cost feedback. It lives apart so that package joinorder
// depends, at plan time, only on the estimator, catalog and features
// packages.
package exact

import (
	"context"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/joinorder"
)

// Name is the cardinality source name of true counts.
const Name = "true"

// Source counts every connected sub-plan exactly with one engine.Counter
// (safe for concurrent use).
type Source struct{ c *engine.Counter }

// New returns a Source over db.
func New(db *datasets.DB) *Source { return &Source{c: engine.New(db, engine.Options{})} }

// FromCounter returns a Source sharing an existing Counter's caches.
func FromCounter(c *engine.Counter) *Source { return &Source{c: c} }

// Name returns "true".
func (*Source) Name() string { return Name }

// Cards returns the true rows of every connected sub-plan of q.
func (s *Source) Cards(ctx context.Context, q *features.Query) (*joinorder.Cards, error) {
	sps, err := s.c.CountSubPlans(ctx, q)
	if err != nil {
		return nil, err
	}
	masks := make([]uint64, len(sps))
	rows := make([]int64, len(sps))
	for i, sp := range sps {
		masks[i], rows[i] = sp.Mask, sp.Rows
	}
	return joinorder.FromCounts(q, Name, masks, rows)
}
