package indexadvisor

import (
	"context"
	"fmt"
	"time"

	"github.com/cardinaldb/cardinal/internal/server"
)

// Validation is the measured outcome of building a recommendation.
type Validation struct {
	Statements []ValidatedStatement `json:"statements"`
	// Before and After are the weighted workload times (SELECTs) in
	// seconds; Benefit is 1 - After/Before.
	Before, After, Benefit float64
	Regressions            int  `json:"regressions"`
	Kept                   bool `json:"kept"`
}

// ValidatedStatement is one SELECT timed without and with the indexes.
type ValidatedStatement struct {
	Stmt      int           `json:"stmt"`
	SQL       string        `json:"sql"`
	Weight    float64       `json:"weight"`
	Before    time.Duration `json:"before_ns"`
	After     time.Duration `json:"after_ns"`
	Regressed bool          `json:"regressed"`
}

// Validate builds r's indexes on srv (whose database holds the workload's
// tables), times every SELECT of the workload without and with them, and
// drops them again unless keep. A statement regresses when it is more than
// RegressionThreshold and noiseFloor slower.
func (r *Recommendation) Validate(ctx context.Context, srv *server.Server, topts server.TimeOptions, noiseFloor time.Duration, keep bool) (*Validation, error) {
	a := r.a
	timeAll := func() ([]time.Duration, error) {
		out := make([]time.Duration, len(a.w.Statements))
		for si, st := range a.w.Statements {
			out[si] = -1
			if st.Kind != KindSelect {
				continue
			}
			tm, err := srv.Time(ctx, st.SQL, topts)
			if err != nil && !tm.TimedOut {
				return nil, fmt.Errorf("time statement %d: %w", si, err)
			}
			out[si] = tm.Min
		}
		return out, nil
	}
	before, err := timeAll()
	if err != nil {
		return nil, err
	}
	var built []Recommended
	drop := func() {
		for _, rec := range built {
			_ = srv.ExecDDL(context.WithoutCancel(ctx), DropIndexSQL(rec.Table, rec.Name))
		}
	}
	for _, rec := range r.Indexes {
		if err := srv.ExecDDL(ctx, AddIndexSQL(rec)); err != nil {
			drop()
			return nil, fmt.Errorf("build %s: %w", rec.Name, err)
		}
		built = append(built, rec)
	}
	after, err := timeAll()
	if err != nil || !keep {
		drop()
	}
	if err != nil {
		return nil, err
	}
	v := &Validation{Kept: keep}
	for si, st := range a.w.Statements {
		if before[si] < 0 {
			continue
		}
		vs := ValidatedStatement{Stmt: si, SQL: st.SQL, Weight: st.Weight, Before: before[si], After: after[si]}
		vs.Regressed = float64(vs.After) > RegressionThreshold*float64(vs.Before) && vs.After-vs.Before > noiseFloor
		if vs.Regressed {
			v.Regressions++
		}
		v.Before += st.Weight * vs.Before.Seconds()
		v.After += st.Weight * vs.After.Seconds()
		v.Statements = append(v.Statements, vs)
	}
	if v.Before > 0 {
		v.Benefit = 1 - v.After/v.Before
	}
	return v, nil
}
