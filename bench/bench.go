package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/optcheck"
	"github.com/cardinaldb/cardinal/progress"
	"github.com/cardinaldb/cardinal/querylog"
)

// ErrOptions reports invalid Options.
var ErrOptions = errors.New("bench: invalid options")

// Defaults of Options. Sizes follow the estimator issue's protocol: at most
// 50,000 training queries, at least 2,000 never-seen test queries with 0-4
// joins, and an out-of-distribution set with one join more than training.
const (
	DefaultTrainQueries = 10000
	DefaultTestQueries  = 2000
	DefaultOODQueries   = 500
	// DefaultShapeQueries is the size of the test set of outer, semi and
	// anti joins; their training workload adds TrainQueries/shapeTrainDiv
	// queries of which shapeTrainFrac are such joins.
	DefaultShapeQueries = 500
	shapeTrainDiv       = 5
	shapeTrainFrac      = 0.6
	shapeSeedOffset     = 3_000_017
	DefaultMaxJoins     = 4
	DefaultMaxPreds     = 4
	// testSeedOffset separates the test workload's seed from training's so
	// that test queries are never seen in training.
	testSeedOffset = 1_000_003
	oodSeedOffset  = 2_000_029
)

// Options configure Run. The zero value means the defaults.
type Options struct {
	TrainQueries int      // generated training queries (default 10,000)
	TestQueries  int      // fresh-seed test queries (default 2,000)
	OODQueries   int      `opt:"signed"` // test queries with MaxJoins+1 joins (default 500; negative: none)
	ShapeQueries int      `opt:"signed"` // test outer, semi and anti joins (default 500; negative: none, nor their training queries)
	MaxJoins     int      `opt:"signed"` // joins in training and test queries: 0..MaxJoins (default 4; negative: none, as in workload.Options)
	MaxPreds     int      // predicates per query: 1..MaxPreds (default 4)
	DateWindows  float64  `opt:"max=1"` // share of date predicates drawn as narrow windows (workload.Options.DateWindows; default none)
	SubPlans     bool     // also train on every connected sub-plan's label
	Models       []string // estimators to compare (default estimator.Kinds())
	Seed         uint64   // seeds data sampling, workloads and training (unless TrainSeed)
	// TrainSeed, when not 0, seeds the training of the GBDT, the SetNet and
	// the GROUP BY section's group model (split, row subsampling,
	// initialisation) instead of Seed, with the data sample and every
	// workload unchanged: so a figure's spread over training draws can be
	// measured apart from the data's. Linear (whose calibration folds
	// have a fixed seed, linCalibSeed) and the baselines do not depend
	// on it.
	TrainSeed uint64
	// Progress, when set, gets an event (Total 0) per finished stage and
	// the labelling reports of each workload (Stage "labelling training",
	// "labelling test", "labelling out-of-distribution").
	Progress progress.Func
	// Baselines are estimators outside the model kinds, e.g. the server's
	// optimizer (live.ExplainEstimator), scored on the same test queries
	// after the models (no training time or model bytes).
	Baselines []estimator.ContextEstimator
	// GroupQueries is the number of grouped training queries of the GROUP
	// BY section (groups.go; a quarter as many test queries); 0 means a
	// fifth of TrainQueries (2,000 by default), negative none.
	GroupQueries int `opt:"signed"`
	// Expressions is workload.Options.Expressions of the training, test
	// and out-of-distribution workloads: the fraction of predicates on
	// functions of columns and comparisons of two columns (default 0).
	Expressions float64 `opt:"max=1"`
	// CalibFolds is the GBDT's and SetNet's CalibFolds: how many models'
	// held-out residuals calibrate their bands (default
	// estimator.DefaultCalibFolds; 1 the held-out split alone).
	CalibFolds int `opt:"max=10"`
}

func (o Options) withDefaults() (Options, error) {
	if err := optcheck.Struct(ErrOptions, "Options", o); err != nil {
		return o, err
	}
	if o.TrainQueries == 0 {
		o.TrainQueries = DefaultTrainQueries
	}
	if o.TestQueries == 0 {
		o.TestQueries = DefaultTestQueries
	}
	switch {
	case o.OODQueries == 0:
		o.OODQueries = DefaultOODQueries
	case o.OODQueries < 0:
		o.OODQueries = 0
	}
	if o.MaxJoins == 0 {
		o.MaxJoins = DefaultMaxJoins
	}
	switch {
	case o.ShapeQueries == 0:
		o.ShapeQueries = DefaultShapeQueries
	case o.ShapeQueries < 0:
		o.ShapeQueries = 0
	}
	if o.MaxPreds == 0 {
		o.MaxPreds = DefaultMaxPreds
	}
	if len(o.Models) == 0 {
		o.Models = estimator.Kinds()
	}
	if o.GroupQueries == 0 {
		o.GroupQueries = max(o.TrainQueries/groupShare, 1)
	}
	if o.CalibFolds == 0 {
		o.CalibFolds = estimator.DefaultCalibFolds
	}
	if o.TrainSeed == 0 {
		o.TrainSeed = o.Seed
	}
	if o.TrainQueries < 0 || o.TestQueries < 0 || o.MaxPreds < 0 {
		return o, fmt.Errorf("%w: negative size in %+v", ErrOptions, o)
	}
	for _, m := range o.Models {
		if !slices.Contains(estimator.Kinds(), m) {
			return o, fmt.Errorf("%w: unknown model %q (known: %v)", ErrOptions, m, estimator.Kinds())
		}
	}
	return o, nil
}

// ModelResult is one estimator's figures on the test workloads.
type ModelResult struct {
	Model string `json:"model"`
	// Single and Joins summarise q-errors of test queries without and
	// with joins; All summarises both; OOD the out-of-distribution set.
	Single estimator.QErrorSummary `json:"single_table"`
	Joins  estimator.QErrorSummary `json:"joins"`
	All    estimator.QErrorSummary `json:"all"`
	OOD    estimator.QErrorSummary `json:"ood"`
	// Shared summarises the test join queries through a shared dimension
	// or a many-to-many key (features.Query.SharedKeyJoin; issue 12), a
	// subset of Joins.
	Shared estimator.QErrorSummary `json:"shared_key_joins"`
	// Shapes summarises the test queries with an outer, semi or anti join.
	Shapes estimator.QErrorSummary `json:"shapes"`
	// Bands is the band coverage of the test queries per join count, then
	// of the out-of-distribution ones (bands.go).
	Bands []BandSummary `json:"bands"`
	// EstimateMicros is the median wall time of one Estimate call on a
	// parsed query, in microseconds (one goroutine).
	EstimateMicros float64 `json:"estimate_us_median"`
	TrainSeconds   float64 `json:"train_seconds"`
	ModelBytes     int     `json:"model_bytes"`
}

// Report is the outcome of one Run.
type Report struct {
	Dataset       string        `json:"dataset"`
	FactRows      int           `json:"fact_rows"` // rows of the largest table
	TrainQueries  int           `json:"train_queries"`
	TrainExamples int           `json:"train_examples"` // queries plus sub-plans
	TestQueries   int           `json:"test_queries"`
	OODQueries    int           `json:"ood_queries"`
	OODJoins      int           `json:"ood_joins"`
	ShapeQueries  int           `json:"shape_queries"` // outer, semi and anti joins (test)
	LabelSeconds  float64       `json:"label_seconds"`
	StatsSeconds  float64       `json:"stats_seconds"`
	Results       []ModelResult `json:"results"`
	Groups        *GroupResult  `json:"groups,omitempty"` // the GROUP BY section

	// ShapeTrainQueries are the training queries of the shapes workload
	// (a share of them outer, semi or anti joins), besides TrainQueries.
	ShapeTrainQueries int `json:"shape_train_queries"`
}

// labelled is a test workload: parsed queries and their true counts.
type labelled struct {
	queries []*features.Query
	rows    []float64
}

// Run generates training and test workloads over db, labels them exactly,
// trains every requested model and measures it on the never-seen test
// queries.
func Run(ctx context.Context, name string, db *datasets.DB, opts Options) (*Report, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	rep := &Report{Dataset: name, OODJoins: max(opts.MaxJoins, 0) + 1}
	for _, t := range db.Tables {
		rep.FactRows = max(rep.FactRows, t.Rows)
	}

	start := time.Now()
	cat, err := db.CatalogContext(ctx, catalog.StatsOptions{}, int64(opts.Seed))
	if err != nil {
		return nil, fmt.Errorf("statistics: %w", err)
	}
	rep.StatsSeconds = time.Since(start).Seconds()
	opts.Progress.Send(progress.Report{Stage: "statistics", Detail: fmt.Sprintf("built in %.2fs", rep.StatsSeconds)})

	graph := workload.JoinGraphFromSchema(db.Schema)
	start = time.Now()
	_, train, err := generate(ctx, db, graph, workload.Options{Queries: opts.TrainQueries, MaxJoins: opts.MaxJoins, MaxPreds: opts.MaxPreds, Expressions: opts.Expressions, DateWindows: opts.DateWindows}, opts.Seed,
		workload.LabelOptions{SubPlans: opts.SubPlans, Progress: labelling(opts.Progress, "training")})
	if err != nil {
		return nil, fmt.Errorf("training workload: %w", err)
	}
	rep.TrainQueries = len(train)
	if opts.ShapeQueries > 0 && opts.MaxJoins > 0 && opts.TrainQueries >= shapeTrainDiv {
		// Outer, semi and anti joins: training queries of their own, so
		// the inner-join workload stays what it was.
		_, more, err := generate(ctx, db, graph, workload.Options{Queries: opts.TrainQueries / shapeTrainDiv, MaxJoins: opts.MaxJoins, MinJoins: 1, MaxPreds: opts.MaxPreds, Shapes: shapeTrainFrac},
			opts.Seed+shapeSeedOffset, workload.LabelOptions{SubPlans: opts.SubPlans, Progress: labelling(opts.Progress, "training shapes")})
		if err != nil {
			return nil, fmt.Errorf("training shapes workload: %w", err)
		}
		train = append(train, more...)
		rep.ShapeTrainQueries = len(more)
	}
	examples, err := estimator.Examples(db.Schema, train)
	if err != nil {
		return nil, err
	}
	rep.TrainExamples = len(examples)
	test, err := generateLabelled(ctx, db, graph, workload.Options{Queries: opts.TestQueries, MaxJoins: opts.MaxJoins, MaxPreds: opts.MaxPreds, Expressions: opts.Expressions, DateWindows: opts.DateWindows}, opts.Seed+testSeedOffset,
		labelling(opts.Progress, "test"))
	if err != nil {
		return nil, fmt.Errorf("test workload: %w", err)
	}
	rep.TestQueries = len(test.queries)
	var ood labelled
	if opts.OODQueries > 0 {
		ood, err = generateLabelled(ctx, db, graph, workload.Options{Queries: opts.OODQueries, MinJoins: rep.OODJoins, MaxJoins: rep.OODJoins, MaxPreds: opts.MaxPreds, Expressions: opts.Expressions, DateWindows: opts.DateWindows}, opts.Seed+oodSeedOffset,
			labelling(opts.Progress, "out-of-distribution"))
		if err != nil && !errors.Is(err, workload.ErrNoJoinPath) {
			return nil, fmt.Errorf("out-of-distribution workload: %w", err)
		}
		rep.OODQueries = len(ood.queries)
	}
	var shapes labelled
	if opts.ShapeQueries > 0 && opts.MaxJoins > 0 {
		shapes, err = generateLabelled(ctx, db, graph, workload.Options{Queries: opts.ShapeQueries, MaxJoins: opts.MaxJoins, MinJoins: 1, MaxPreds: opts.MaxPreds, Shapes: 1},
			opts.Seed+testSeedOffset+shapeSeedOffset, labelling(opts.Progress, "shapes"))
		if err != nil {
			return nil, fmt.Errorf("shapes workload: %w", err)
		}
		rep.ShapeQueries = len(shapes.queries)
	}
	rep.LabelSeconds = time.Since(start).Seconds()
	opts.Progress.Send(progress.Report{Stage: "workloads", Detail: fmt.Sprintf("generated and labelled %d training queries (%d examples), %d test and %d out-of-distribution queries in %.1fs",
		rep.TrainQueries, rep.TrainExamples, rep.TestQueries, rep.OODQueries, rep.LabelSeconds)})

	var groupRows estimator.Estimator // the row model under the GROUP BY section
	for _, name := range opts.Models {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		start := time.Now()
		m, err := estimator.Train(ctx, name, cat, examples, estimator.TrainOptions{
			GBDT:   estimator.GBDTOptions{Seed: opts.TrainSeed, CalibFolds: opts.CalibFolds},
			SetNet: estimator.SetNetOptions{Seed: opts.TrainSeed, CalibFolds: opts.CalibFolds}})
		if err != nil {
			return nil, fmt.Errorf("train %s: %w", name, err)
		}
		res := ModelResult{Model: name, TrainSeconds: time.Since(start).Seconds()}
		size := &countingWriter{}
		if err := estimator.Save(size, m); err != nil {
			return nil, fmt.Errorf("save %s: %w", name, err)
		}
		res.ModelBytes = size.n
		if err := res.measure(m.Estimate, test, ood); err != nil {
			return nil, err
		}
		if err := res.measureShapes(m.Estimate, shapes); err != nil {
			return nil, err
		}
		rep.Results = append(rep.Results, res)
		opts.Progress.Send(progress.Report{Stage: name, Detail: fmt.Sprintf("trained in %6.2fs: median %.2f  p95 %.2f  p99 %.2f", res.TrainSeconds, res.All.Median, res.All.P95, res.All.P99)})
		if name == estimator.KindGBDT {
			groupRows = m
		}
	}
	if opts.GroupQueries > 0 {
		if rep.Groups, err = runGroups(ctx, db, cat, graph, opts, groupRows); err != nil {
			return nil, err
		}
	}
	for _, b := range opts.Baselines {
		estimate := func(q *features.Query) (estimator.Estimate, error) { return b.EstimateContext(ctx, q) }
		res := ModelResult{Model: b.Name()}
		if err := res.measure(estimate, test, ood); err != nil {
			return nil, err
		}
		if err := res.measureShapes(estimate, shapes); err != nil {
			return nil, err
		}
		rep.Results = append(rep.Results, res)
		opts.Progress.Send(progress.Report{Stage: b.Name(), Detail: fmt.Sprintf("median %.2f  p95 %.2f  p99 %.2f", res.All.Median, res.All.P95, res.All.P99)})
	}
	return rep, nil
}

// measure fills the q-error summaries and latency of res on the test and
// out-of-distribution workloads.
func (res *ModelResult) measure(estimate func(*features.Query) (estimator.Estimate, error), test, ood labelled) error {
	// The estimates are kept, in order, for the band coverage by join
	// count (appending costs nanoseconds of the timed call).
	got := make([]estimator.Estimate, 0, len(test.queries)+len(ood.queries))
	inner := estimate
	estimate = func(q *features.Query) (estimator.Estimate, error) {
		e, err := inner(q)
		got = append(got, e)
		return e, err
	}
	var err error
	if res.Single, res.Joins, res.All, res.Shared, res.EstimateMicros, err = measure(estimate, test); err != nil {
		return fmt.Errorf("%s: %w", res.Model, err)
	}
	if len(ood.queries) > 0 {
		if _, _, res.OOD, _, _, err = measure(estimate, ood); err != nil {
			return fmt.Errorf("%s: %w", res.Model, err)
		}
	}
	res.measureBands(got[:len(test.queries)], test, got[len(test.queries):], ood)
	return nil
}

// generate draws a seeded workload and labels it exactly.
func generate(ctx context.Context, db *datasets.DB, g *workload.JoinGraph, wo workload.Options, seed uint64, lo workload.LabelOptions) ([]*features.Query, []querylog.Record, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	qs, err := workload.Generate(ctx, db, g, wo, rng)
	if err != nil {
		return nil, nil, err
	}
	recs, err := workload.Label(ctx, db, qs, lo)
	return qs, recs, err
}

// labelling renames the labelling reports of one workload ("labelling
// test").
func labelling(f progress.Func, what string) progress.Func {
	if f == nil {
		return nil
	}
	return func(r progress.Report) {
		r.Stage += " " + what
		f(r)
	}
}

// generateLabelled is generate for a test workload, kept parsed.
func generateLabelled(ctx context.Context, db *datasets.DB, g *workload.JoinGraph, wo workload.Options, seed uint64, report progress.Func) (labelled, error) {
	qs, recs, err := generate(ctx, db, g, wo, seed, workload.LabelOptions{Progress: report})
	if err != nil {
		return labelled{}, err
	}
	out := labelled{queries: qs, rows: make([]float64, len(recs))}
	for i, r := range recs {
		out.rows[i] = float64(r.Rows)
	}
	return out, nil
}

// measure estimates every test query and summarises q-errors (single
// table, joins, all, and the joins through a shared dimension or a
// many-to-many key) and latency.
func measure(estimate func(*features.Query) (estimator.Estimate, error), w labelled) (single, joins, all, shared estimator.QErrorSummary, micros float64, err error) {
	var es, ej, ea, eh []estimator.Estimate
	var ts, tj, th []float64
	lat := make([]float64, 0, len(w.queries))
	for i, q := range w.queries {
		t0 := time.Now()
		e, err := estimate(q)
		lat = append(lat, float64(time.Since(t0).Nanoseconds())/1e3)
		if err != nil {
			return single, joins, all, shared, 0, fmt.Errorf("estimate %q: %w", q.SQL(), err)
		}
		ea = append(ea, e)
		if len(q.Tables) == 1 {
			es, ts = append(es, e), append(ts, w.rows[i])
		} else {
			ej, tj = append(ej, e), append(tj, w.rows[i])
			if q.SharedKeyJoin(q.FullMask()) {
				eh, th = append(eh, e), append(th, w.rows[i])
			}
		}
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		micros = lat[len(lat)/2]
	}
	return estimator.Summarize(es, ts), estimator.Summarize(ej, tj), estimator.Summarize(ea, w.rows), estimator.Summarize(eh, th), micros, nil
}

// countingWriter counts the bytes written to it.
type countingWriter struct{ n int }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }
