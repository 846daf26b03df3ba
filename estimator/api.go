package estimator

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sort"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Model kinds: the Name of each estimator and the kind string of its model
// file.
const (
	KindHistogram = "histogram"
	KindSample    = "sample"
	KindGBDT      = "gbdt"
	KindSetNet    = "setnet"
	KindLinear    = "linear"
	// KindOnline is the model-file kind of an Online (its Name is the
	// wrapped model's with "+online").
	KindOnline = "online"
)

// Errors of estimating. Match with errors.Is.
var (
	// ErrQuery: the query does not fit the estimator's catalog (a table or
	// column index out of range, a join between unknown occurrences, too
	// many tables).
	ErrQuery = errors.New("estimator: query does not match the catalog")
	// ErrNoExamples: training was given no usable examples.
	ErrNoExamples = errors.New("estimator: no training examples")
)

// Model is an estimator that can be saved to a model file.
type Model = Estimator

// subPlanEstimator is implemented by estimators that share per-table work
// across the sub-plans of one query.
type subPlanEstimator interface {
	estimateSubPlans(q *features.Query, masks []uint64, dst []SubPlanEstimate) ([]SubPlanEstimate, error)
}

// SubPlanEstimate is the estimate of one connected sub-plan: the tables
// of Query.Tables whose bits are set in Mask, with the joins among them.
type SubPlanEstimate struct {
	Mask     uint64
	Estimate Estimate
}

// EstimateSQL parses sql against the schema of est's catalog and
// estimates it. An estimator from outside this package has no catalog to
// parse against: ErrQuery.
func EstimateSQL(est Estimator, sql string) (Estimate, error) {
	cat := catalogOf(est)
	if cat == nil || cat.Schema == nil {
		return Estimate{}, fmt.Errorf("%w: %T has no catalog to parse against; use features.Parse and Estimate", ErrQuery, est)
	}
	q, err := features.Parse(cat.Schema, sql)
	if err != nil {
		return Estimate{}, err
	}
	return est.Estimate(q)
}

// EstimateSubPlans estimates every connected sub-plan of q (every set of
// table occurrences connected by its joins, single tables included),
// ordered by number of tables then mask. Estimators of this package share
// the per-table work between sub-plans.
func EstimateSubPlans(est Estimator, q *features.Query) ([]SubPlanEstimate, error) {
	return AppendSubPlans(nil, est, q)
}

// AppendSubPlans is EstimateSubPlans appending to a caller-owned slice
// (reuse dst[:0] across queries on hot paths).
func AppendSubPlans(dst []SubPlanEstimate, est Estimator, q *features.Query) ([]SubPlanEstimate, error) {
	if q == nil || len(q.Tables) > features.MaxTables {
		return dst, fmt.Errorf("%w: nil query or more than %d tables", ErrQuery, features.MaxTables)
	}
	masks, err := q.ConnectedSubsets(features.DefaultMaxSubPlans)
	if err != nil {
		return dst, err
	}
	dst = slices.Grow(dst, len(masks))
	if sp, ok := est.(subPlanEstimator); ok && len(q.Residuals) == 0 && !q.HasDerived() {
		start := len(dst)
		dst, err = sp.estimateSubPlans(q, masks, dst)
		if err != nil {
			return dst, err
		}
		// Sub-plans are connected: only the cap of estimateGuarded applies.
		if cat := catalogOf(est); cat != nil {
			for i := start; i < len(dst); i++ {
				dst[i].Estimate = capEstimate(dst[i].Estimate, tableProduct(cat, q, dst[i].Mask))
			}
		}
		return dst, nil
	}
	for _, m := range masks {
		e, err := est.Estimate(q.Sub(m))
		if err != nil {
			return dst, err
		}
		dst = append(dst, SubPlanEstimate{Mask: m, Estimate: e})
	}
	return dst, nil
}

// QError returns max(e/t, t/e) with both clamped to at least one row
// (Moerkotte et al., VLDB 2009): 1 is a perfect estimate.
func QError(est, truth float64) float64 {
	if math.IsNaN(est) || math.IsInf(est, 0) {
		return math.Inf(1)
	}
	e, t := math.Max(est, 1), math.Max(truth, 1)
	return math.Max(e/t, t/e)
}

// QErrorSummary summarises a set of q-errors.
type QErrorSummary struct {
	Median float64 `json:"median"`
	P90    float64 `json:"p90"`
	P95    float64 `json:"p95"`
	P99    float64 `json:"p99"`
	Max    float64 `json:"max"`
	Mean   float64 `json:"mean"`
	N      int     `json:"n"`
	// Coverage is the fraction of queries whose true count lies in the
	// estimate's [Low, High] band (Covers), and BandWidth the median
	// High/Low (both clamped to at least one row): the documented 90%
	// band should cover about 0.9 at a small width. Both are 0 when the
	// summary was made from q-errors alone (Quantiles).
	Coverage  float64 `json:"coverage"`
	BandWidth float64 `json:"band_width"`
	// Empty is the number of queries whose true count is 0, and
	// EmptyNear the share of them estimated at most EmptyNearRows rows
	// (0 without such queries or from q-errors alone).
	Empty     int     `json:"empty"`
	EmptyNear float64 `json:"empty_near"`
}

// EmptyNearRows is the estimate an empty result may get and still count
// as "near 0" in QErrorSummary.EmptyNear (issue 12's target: 90% of empty
// results estimated at <= 10 rows).
const EmptyNearRows = 10

// Covers reports whether truth lies in e's band [Low, High], rows clamped
// to at least one as QError clamps them (an empty result is covered by a
// band reaching down to one row).
func Covers(e Estimate, truth float64) bool {
	const slack = 1e-9 // float round-off of Low and High
	t := math.Max(truth, 1)
	return math.Max(e.Low, 1)*(1-slack) <= t && t <= math.Max(e.High, 1)*(1+slack)
}

// Summarize is Quantiles of the q-errors of ests against truths (the true
// counts, in the same order), with the band coverage, the median band
// width and how near 0 the empty results were estimated. It panics when the lengths differ (a programming error).
func Summarize(ests []Estimate, truths []float64) QErrorSummary {
	if len(ests) != len(truths) {
		panic("estimator: Summarize of estimates and truths of different lengths")
	}
	qe := make([]float64, len(ests))
	widths := make([]float64, len(ests))
	covered, empty, near := 0, 0, 0
	for i, e := range ests {
		if truths[i] == 0 {
			empty++
			if e.Rows <= EmptyNearRows {
				near++
			}
		}
		qe[i] = QError(e.Rows, truths[i])
		widths[i] = math.Max(e.High, 1) / math.Max(e.Low, 1)
		if Covers(e, truths[i]) {
			covered++
		}
	}
	s := Quantiles(qe)
	if len(ests) > 0 {
		slices.Sort(widths)
		s.Coverage = float64(covered) / float64(len(ests))
		s.BandWidth = widths[(len(widths)-1)/2]
	}
	if s.Empty = empty; empty > 0 {
		s.EmptyNear = float64(near) / float64(empty)
	}
	return s
}

// Quantiles summarises q-errors (nearest-rank quantiles). An empty input
// gives the zero summary.
func Quantiles(qerrors []float64) QErrorSummary {
	if len(qerrors) == 0 {
		return QErrorSummary{}
	}
	s := append([]float64(nil), qerrors...)
	sort.Float64s(s)
	q := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		if i < 0 {
			i = 0
		}
		return s[i]
	}
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	return QErrorSummary{Median: q(0.5), P90: q(0.9), P95: q(0.95), P99: q(0.99),
		Max: s[len(s)-1], Mean: sum / float64(len(s)), N: len(s)}
}

// checkQuery verifies that q's table, column and join indexes fit cat.
func checkQuery(cat *catalog.Catalog, q *features.Query) error {
	if q == nil {
		return fmt.Errorf("%w: nil query", ErrQuery)
	}
	if q.HasDerived() {
		return checkDerived(cat, q) // derived.go
	}
	if len(q.Tables) == 0 || len(q.Tables) > features.MaxTables {
		return fmt.Errorf("%w: %d tables", ErrQuery, len(q.Tables))
	}
	if !sameSchema(q.Schema, cat.Schema) {
		return fmt.Errorf("%w: %w: parse it against the model's catalog (EstimateSQL does)", ErrQuery, ErrSchema)
	}
	if err := checkShapes(cat, q); err != nil {
		return err
	}
	if err := checkResiduals(cat, q); err != nil {
		return err
	}
	for i, tr := range q.Tables {
		if tr.Table < 0 || tr.Table >= len(cat.Schema.Tables) || tr.Table >= len(cat.Stats) {
			return fmt.Errorf("%w: table %d of the query is schema table %d", ErrQuery, i, tr.Table)
		}
		if err := checkExpr(cat.Schema.Tables[tr.Table], tr.Filter, 0); err != nil {
			return fmt.Errorf("%w: table %s: %w", ErrQuery, tr.Alias, err)
		}
	}
	for _, j := range q.Joins {
		if j.Left < 0 || j.Right < 0 || j.Left >= len(q.Tables) || j.Right >= len(q.Tables) {
			return fmt.Errorf("%w: join between occurrences %d and %d", ErrQuery, j.Left, j.Right)
		}
		lt, rt := cat.Schema.Tables[q.Tables[j.Left].Table], cat.Schema.Tables[q.Tables[j.Right].Table]
		if j.LeftCol < 0 || j.LeftCol >= len(lt.Columns) || j.RightCol < 0 || j.RightCol >= len(rt.Columns) {
			return fmt.Errorf("%w: join column out of range", ErrQuery)
		}
	}
	return nil
}

// canonicalQuery checks q against cat (checkQuery) and returns the query
// every estimator of this package estimates in its place: its canonical
// form (features.Canonical), where every spelling of a point range (x
// BETWEEN a AND a, x >= a AND x <= a, ...) is the equality x = a, so
// that each is estimated exactly as the equality is. It is q itself when
// nothing changes.
func canonicalQuery(cat *catalog.Catalog, q *features.Query) (*features.Query, error) {
	if err := checkQuery(cat, q); err != nil {
		return nil, err
	}
	return features.Canonical(q), nil
}

// canonicalExamples returns train, without the queries with residual
// filters (residual.go), with every query in canonical form
// (features.Canonical), as the learned models are trained and asked; train
// itself when none changes. The queries must have been checked.
func canonicalExamples(train []Example) []Example {
	train = withoutResidualExamples(train)
	var out []Example
	for i, ex := range train {
		c := features.Canonical(ex.Query)
		if c == ex.Query {
			continue
		}
		if out == nil {
			out = slices.Clone(train)
		}
		out[i].Query = c
	}
	if out == nil {
		return train
	}
	return out
}

// maxExprDepth bounds filter nesting so a hostile query cannot exhaust
// the stack.
const maxExprDepth = 1000

func checkExpr(t *catalog.Table, e *features.Expr, depth int) error {
	if e == nil {
		return nil
	}
	if depth > maxExprDepth {
		return errors.New("filter nested too deeply")
	}
	switch e.Kind {
	case features.ExprPred:
		if e.Pred.Col < 0 || e.Pred.Col >= len(t.Columns) {
			return fmt.Errorf("%w: column %d out of range", catalog.ErrUnknownColumn, e.Pred.Col)
		}
	case features.ExprFunc:
		if e.Pred.Col < 0 || e.Pred.Col >= len(t.Columns) {
			return fmt.Errorf("%w: column %d out of range", catalog.ErrUnknownColumn, e.Pred.Col)
		}
		if !e.Pred.Fn.Accepts(t.Columns[e.Pred.Col].Type) {
			return fmt.Errorf("function %v of %s column %s", e.Pred.Fn, t.Columns[e.Pred.Col].Type, t.Columns[e.Pred.Col].Name)
		}
	case features.ExprCols:
		if e.Pred.Col < 0 || e.Pred.Col >= len(t.Columns) || e.Pred.Col2 < 0 || e.Pred.Col2 >= len(t.Columns) {
			return fmt.Errorf("%w: column %d or %d out of range", catalog.ErrUnknownColumn, e.Pred.Col, e.Pred.Col2)
		}
	case features.ExprAnd, features.ExprOr:
		if len(e.Args) == 0 {
			return errors.New("empty AND/OR")
		}
	case features.ExprNot:
		if len(e.Args) != 1 {
			return errors.New("NOT needs one argument")
		}
	default:
		return fmt.Errorf("unknown expression kind %d", e.Kind)
	}
	for _, a := range e.Args {
		if a == nil {
			return errors.New("nil argument")
		}
		if err := checkExpr(t, a, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// fullMask returns the mask of the first n table occurrences; for a whole
// query call features.Query.FullMask.
func fullMask(n int) uint64 {
	if n >= 64 {
		return ^uint64(0)
	}
	return (1 << uint(n)) - 1
}

func popcount(m uint64) int { return bits.OnesCount64(m) }

func clamp01(x float64) float64 {
	switch {
	case x < 0 || math.IsNaN(x):
		return 0
	case x > 1:
		return 1
	}
	return x
}

// maxRows caps estimates so they stay finite.
const maxRows = 1e300

// sanitize makes an estimate a finite non-negative number.
func sanitize(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 0:
		return 0
	case x > maxRows:
		return maxRows
	}
	return x
}

// unsatisfiable reports whether some table filter of q is never TRUE
// (features.Unsatisfiable): the query has no rows, whatever the data.
func unsatisfiable(q *features.Query) bool {
	for _, tr := range q.Tables {
		if features.Unsatisfiable(q.Schema.Tables[tr.Table], tr.Filter) {
			return true
		}
	}
	return false
}
