package joinbench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/cardinaldb/cardinal/internal/optcheck"
	"github.com/cardinaldb/cardinal/internal/server"
	"github.com/cardinaldb/cardinal/joinorder"
	"github.com/cardinaldb/cardinal/progress"
)

// Defaults of CalibrateOptions.
const (
	DefaultCalibrateQueries = 20
	// DefaultCalibrateLimit censors a calibration execution: censored
	// samples are dropped (their latency is unknown), so a short limit
	// keeps calibration to minutes.
	DefaultCalibrateLimit = 5 * time.Second
	// MinCalibrationSamples: with fewer uncensored executions Calibrate
	// keeps the model's constants (Calibration.Kept). A fit on 9
	// executions of which only short ones finished (ecommerce scale 10
	// under a 5 s limit on the shared machine) drove every constant but
	// the overhead to zero.
	MinCalibrationSamples = 12
)

// CalibrateOptions configure Setup.Calibrate. The zero value means the
// defaults.
type CalibrateOptions struct {
	Queries int           // training queries timed (default DefaultCalibrateQueries; at most len(Setup.Train))
	Limit   time.Duration // server-side limit per execution (default DefaultCalibrateLimit)
	Fit     joinorder.FitOptions
	// Progress, when set, gets a report per query (Stage "calibrate").
	Progress progress.Func
}

// CalibrationSample is one timed execution of Calibrate.
type CalibrationSample struct {
	Order       []string       `json:"order"` // aliases, left-deep
	Work        joinorder.Work `json:"work"`
	MeasuredMS  float64        `json:"measured_ms"`
	PriorMS     float64        `json:"prior_ms"`     // predicted by the model before the fit (with the fitted overhead)
	PredictedMS float64        `json:"predicted_ms"` // after the fit
}

// Calibration is Setup.Calibrate's outcome.
type Calibration struct {
	Before, After joinorder.MariaDBCosts
	OverheadMS    float64             `json:"overhead_ms"`
	Samples       []CalibrationSample `json:"samples"`
	Censored      int                 `json:"censored"` // executions past the limit, not fitted
	Kept          bool                `json:"kept"`     // fewer than MinCalibrationSamples samples: no fit, After = Before
	// Median relative errors |predicted - measured| / measured before and
	// after the fit, on the fitted samples.
	MedianErrBefore, MedianErrAfter float64
}

// Calibrate is the latency-refinement step: it times training queries
// (never the held-out ones) on srv in several left-deep orders each — the
// server's own (from EXPLAIN) and the Setup's left-deep DP on the agent's
// estimates and on TRUE counts, as STRAIGHT_JOIN — computes each
// execution's work under the MariaDB cost model with TRUE counts, fits
// the model's constants to the measured latencies
// (joinorder.FitMariaDBCosts, the current constants as the prior) and
// replaces Setup.Model by the fitted model. The Setup's cost model must
// be "mariadb" and it must have training queries.
func (s *Setup) Calibrate(ctx context.Context, srv *server.Server, opts CalibrateOptions) (Calibration, error) {
	if err := optcheck.Struct(ErrOptions, "CalibrateOptions", opts); err != nil {
		return Calibration{}, err
	}
	if s.opts.EstimatesOnly {
		return Calibration{}, errEstimatesOnly
	}
	m, ok := s.Model.(*joinorder.MariaDB)
	if !ok {
		return Calibration{}, fmt.Errorf("%w: Calibrate needs the mariadb cost model, not %s", ErrOptions, s.Model.Name())
	}
	if opts.Queries == 0 {
		opts.Queries = DefaultCalibrateQueries
	}
	if opts.Limit == 0 {
		opts.Limit = DefaultCalibrateLimit
	}
	if opts.Queries < 0 || opts.Limit < time.Millisecond || len(s.Train) == 0 {
		return Calibration{}, fmt.Errorf("%w: calibrate %d queries (limit %v) over %d training queries", ErrOptions, opts.Queries, opts.Limit, len(s.Train))
	}
	cal := Calibration{Before: m.Costs()}
	var samples []joinorder.LatencySample
	n := min(opts.Queries, len(s.Train))
	topt := server.TimeOptions{Runs: 1, Warmups: -1, Limit: opts.Limit}
	for i := range n {
		q := s.Train[i]
		query := q.True.Query()
		var orders [][]int
		if o, _, err := serverOrder(ctx, srv, s.trainSQL(i), query); err != nil {
			return cal, err
		} else if o != nil {
			orders = append(orders, o)
		}
		for _, c := range []*joinorder.Cards{q.Est[s.AgentCards], q.True} {
			p, err := joinorder.LeftDeep(c, m, joinorder.Options{})
			if err != nil {
				return cal, err
			}
			if o := p.Order(); !slices.ContainsFunc(orders, func(x []int) bool { return slices.Equal(x, o) }) {
				orders = append(orders, o)
			}
		}
		for _, o := range orders {
			w, err := m.OrderWork(q.True, o)
			if err != nil {
				return cal, err
			}
			p, err := joinorder.FromOrder(q.True, m, o)
			if err != nil {
				return cal, err
			}
			tm, err := srv.Time(ctx, p.StraightJoinSQL(), topt)
			if errors.Is(err, server.ErrTimeout) {
				cal.Censored++
				continue
			}
			if err != nil {
				return cal, err
			}
			samples = append(samples, joinorder.LatencySample{Work: w, LatencyUS: math.Max(float64(tm.Min.Microseconds()), 1)})
			cal.Samples = append(cal.Samples, CalibrationSample{Order: aliases(query, o), Work: w, MeasuredMS: ms(tm.Min)})
		}
		if opts.Progress != nil {
			opts.Progress(progress.Report{Stage: "calibrate", Done: i + 1, Total: n, Detail: fmt.Sprintf("%d orders timed, %d samples, %d censored", len(orders), len(samples), cal.Censored)})
		}
	}
	if len(samples) < MinCalibrationSamples {
		// Too few uncensored executions (most ran past the limit): a
		// fit would follow the few short queries' overhead. Keep the
		// constants.
		cal.After, cal.Kept = cal.Before, true
		return cal, nil
	}
	fo := opts.Fit
	if fo.Prior == (joinorder.MariaDBCosts{}) {
		fo.Prior = cal.Before
	}
	after, overhead, err := joinorder.FitMariaDBCosts(samples, fo)
	if err != nil {
		return cal, err
	}
	fitted, err := joinorder.NewMariaDB(s.Cat, after)
	if err != nil {
		return cal, err
	}
	cal.After, cal.OverheadMS = fitted.Costs(), overhead/1e3
	var before, afterErr []float64
	for i := range cal.Samples {
		sm := &cal.Samples[i]
		sm.PriorMS = sm.Work.Cost(cal.Before)/1e3 + cal.OverheadMS
		sm.PredictedMS = sm.Work.Cost(cal.After)/1e3 + cal.OverheadMS
		before = append(before, math.Abs(sm.PriorMS-sm.MeasuredMS)/sm.MeasuredMS)
		afterErr = append(afterErr, math.Abs(sm.PredictedMS-sm.MeasuredMS)/sm.MeasuredMS)
	}
	cal.MedianErrBefore, cal.MedianErrAfter = median(before), median(afterErr)
	s.Model = fitted
	return cal, nil
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}

// trainSQL returns training query i's SQL as generated.
func (s *Setup) trainSQL(i int) string {
	if i < len(s.trainSQLs) {
		return s.trainSQLs[i]
	}
	return s.Train[i].True.Query().SQL()
}
