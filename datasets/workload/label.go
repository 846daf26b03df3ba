package workload

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/optcheck"
	"github.com/cardinaldb/cardinal/progress"
	"github.com/cardinaldb/cardinal/querylog"
)

// LabelOptions configure Label. The zero value means the defaults.
type LabelOptions struct {
	// SubPlans also records the count of every connected sub-plan.
	SubPlans bool
	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// Progress, when set, gets a report after each query (Stage
	// "labelling", Done queries of Total; from one goroutine at a time, in
	// increasing order).
	Progress progress.Func
	// Engine tunes the counting engine (zero: its defaults).
	Engine engine.Options
}

// Label counts every query exactly over db (in parallel, sharing one
// engine.Counter) and returns the records in input order. The first error
// stops the work and is returned with the index of its query.
func Label(ctx context.Context, db *datasets.DB, qs []*features.Query, opts LabelOptions) ([]querylog.Record, error) {
	if err := optcheck.Struct(ErrOptions, "LabelOptions", opts); err != nil {
		return nil, err
	}
	workers := opts.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, max(1, len(qs)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := engine.New(db, opts.Engine)
	out := make([]querylog.Record, len(qs))
	var (
		mu       sync.Mutex
		next     int
		done     int
		firstErr error
		errIdx   = -1
		wg       sync.WaitGroup
	)
	fail := func(i int, err error) {
		mu.Lock()
		// A query stopped by the cancel of an earlier failure does not
		// replace that failure, whatever its index.
		stopped := firstErr != nil && errors.Is(err, context.Canceled)
		if !stopped && (firstErr == nil || i < errIdx) {
			firstErr, errIdx = err, i
		}
		mu.Unlock()
		cancel()
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(qs) || ctx.Err() != nil {
					return
				}
				rec, err := label1(ctx, c, qs[i], opts.SubPlans)
				if err != nil {
					fail(i, fmt.Errorf("workload: query %d: %w", i, err))
					return
				}
				out[i] = rec
				mu.Lock()
				done++
				if opts.Progress != nil {
					opts.Progress(progress.Report{Stage: "labelling", Done: done, Total: len(qs)})
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// label1 labels one query.
func label1(ctx context.Context, c *engine.Counter, q *features.Query, subplans bool) (querylog.Record, error) {
	if q == nil {
		return querylog.Record{}, fmt.Errorf("%w: nil query", engine.ErrBadQuery)
	}
	rec := querylog.Record{SQL: q.SQL()}
	if q.Grouped() {
		gc, err := c.CountGroups(ctx, q)
		if err != nil {
			return querylog.Record{}, err
		}
		rec.Groups = &gc.Groups
	}
	if !subplans {
		n, err := c.Count(ctx, q)
		rec.Rows = n
		return rec, err
	}
	subs, err := c.CountSubPlans(ctx, q)
	if err != nil {
		return querylog.Record{}, err
	}
	full := q.FullMask()
	rec.Rows = -1
	for _, s := range subs {
		if s.Mask == full {
			rec.Rows = s.Rows
		}
		rec.SubPlans = append(rec.SubPlans, querylog.SubPlan{Aliases: q.Aliases(s.Mask), Rows: s.Rows})
	}
	if rec.Rows < 0 {
		// A disconnected query: the whole is a cross product, not a sub-plan.
		n, err := c.Count(ctx, q)
		if err != nil {
			return querylog.Record{}, err
		}
		rec.Rows = n
	}
	return rec, nil
}
