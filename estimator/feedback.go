package estimator

import (
	"container/list"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/cardinaldb/cardinal/features"
)

// Online wraps an Estimator with a feedback loop: true counts observed
// after queries ran are folded back in as log-space corrections, and the
// recent accuracy is watched for drift.
//
//	Estimate(q) ──► base.Estimate(q) ──► × e^c ──► estimate
//	                                     ▲
//	                  c = correction of q.Digest() (else of q's table set)
//	Observe(q, n) ─► r = ln n − ln base(q) ─► c ← c + α(r − c)   (EWMA, LRU)
//	              └► q-error of the served estimate ─► rolling window ─► Drift()
//
// Corrections are exponentially weighted moving averages of the log ratio
// true/base, kept per query digest (a query shape: the statement with its
// literals abstracted) and, more coarsely, per table set, each in an LRU
// map of bounded size (Chaudhuri et al., "A pay-as-you-go framework for
// query execution feedback", VLDB 2008, and LEO, Stillger et al., VLDB
// 2001, correct estimates from observed counts in the same spirit). An
// *Online is safe for concurrent use. Save writes it, with its wrapped
// model and its feedback state, as a model of kind "online" (online_io.go)
// when the wrapped estimator is a model of this package.
type Online struct {
	base Estimator
	opts OnlineOptions

	mu        sync.Mutex
	digests   *fbLRU
	tableSets *fbLRU
	served    fbRing // q-errors of estimates as served (corrections applied)
	raw       fbRing // q-errors of the wrapped estimator alone
	ref       []float64
	observed  int
}

// OnlineOptions configures NewOnline. The zero value gives the defaults.
type OnlineOptions struct {
	// Alpha is the weight of a new observation in the moving average of
	// a correction; default 0.5. The first observation of a key sets it.
	Alpha float64 `opt:"max=1"`
	// Capacity bounds each correction map (digests, table sets); the
	// least recently used entry is evicted. Default 4096.
	Capacity int
	// Window is the number of recent observations the rolling accuracy
	// covers; default 200.
	Window int
	// DriftFactor: drift is reported when the rolling median or p95
	// q-error exceeds DriftFactor times the baseline's; default 2.
	DriftFactor float64
	// Reference, when non-nil, is the baseline accuracy (e.g. the
	// model's held-out q-errors); otherwise the wrapped estimator's
	// q-errors over the first Window observations are the baseline.
	Reference *QErrorSummary
}

// Defaults of OnlineOptions.
const (
	fbDefaultAlpha    = 0.5
	fbDefaultCapacity = 4096
	fbDefaultWindow   = 200
	fbDefaultDrift    = 2.0
	// fbTableSetWeight damps a table-set correction, which pools many
	// query shapes, relative to an exact digest's.
	fbTableSetWeight = 0.5
)

func (o OnlineOptions) withDefaults() OnlineOptions {
	if !(o.Alpha > 0 && o.Alpha <= 1) {
		o.Alpha = fbDefaultAlpha
	}
	if o.Capacity <= 0 {
		o.Capacity = fbDefaultCapacity
	}
	if o.Window <= 0 {
		o.Window = fbDefaultWindow
	}
	if !(o.DriftFactor > 1) {
		o.DriftFactor = fbDefaultDrift
	}
	return o
}

// NewOnline wraps base with online correction and drift monitoring. Options
// failing OnlineOptions.Validate are a programmer error: NewOnline panics
// with the ErrOptions error (validate untrusted values first).
func NewOnline(base Estimator, opts OnlineOptions) *Online {
	if err := opts.Validate(); err != nil {
		panic(err)
	}
	opts = opts.withDefaults()
	return &Online{
		base:      base,
		opts:      opts,
		digests:   newFBLRU(opts.Capacity),
		tableSets: newFBLRU(opts.Capacity),
		served:    newFBRing(opts.Window),
		raw:       newFBRing(opts.Window),
	}
}

// Name returns the wrapped estimator's name with "+online".
func (o *Online) Name() string { return o.base.Name() + "+online" }

// fbKeys returns the correction keys of q: its digest and its table set.
func fbKeys(q *features.Query) (digest, tableSet string) {
	return q.Digest(), fbTableSet(q)
}

// fbTableSet renders the schema tables and join edges of q, sorted, as a
// key: "t1,t3|1.4=3.0".
func fbTableSet(q *features.Query) string {
	ts := make([]int, 0, len(q.Tables))
	for _, tr := range q.Tables {
		ts = append(ts, tr.Table)
	}
	slices.Sort(ts)
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(t))
	}
	b.WriteByte('|')
	es := make([]joinEdge, 0, len(q.Joins))
	for _, j := range q.Joins {
		if j.Left >= 0 && j.Right >= 0 && j.Left < len(q.Tables) && j.Right < len(q.Tables) {
			es = append(es, canonEdge(q.Tables[j.Left].Table, j.LeftCol, q.Tables[j.Right].Table, j.RightCol))
		}
	}
	slices.SortFunc(es, joinEdgeLess)
	for i, e := range es {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%d.%d=%d.%d", e.T1, e.C1, e.T2, e.C2)
	}
	return b.String()
}

// correction returns the log correction for the keys (0 when unknown);
// the caller holds o.mu.
func (o *Online) correction(digest, tableSet string) float64 {
	if c, ok := o.digests.get(digest); ok {
		return c
	}
	if c, ok := o.tableSets.get(tableSet); ok {
		return fbTableSetWeight * c
	}
	return 0
}

// Estimate implements Estimator: the wrapped estimate times the learned
// correction of q's shape.
func (o *Online) Estimate(q *features.Query) (Estimate, error) {
	// Every spelling of a point range shares the equality's correction.
	q = features.Canonical(q)
	e, err := o.base.Estimate(q)
	if err != nil {
		return Estimate{}, err
	}
	d, ts := fbKeys(q)
	o.mu.Lock()
	c := o.correction(d, ts)
	o.mu.Unlock()
	if c == 0 {
		return e, nil
	}
	f := math.Exp(c)
	rows := sanitize(e.Rows * f)
	limit := maxRows
	if cat := catalogOf(o.base); cat != nil {
		limit = tableProduct(cat, q, q.FullMask())
	}
	return capEstimate(Estimate{Rows: rows, Low: math.Min(rows, sanitize(e.Low*f)),
		High: math.Max(rows, sanitize(e.High*f)), Source: e.Source + "+online"}, limit), nil
}

// Observe folds the true row count of q, measured by running it, back into
// the corrections and the rolling accuracy. A NaN, infinite or negative
// count, or one above the product of the row counts of the query's tables
// in the wrapped estimator's catalog, is rejected with ErrBadLabel; a query the wrapped estimator
// rejects returns its error. Nothing is recorded on error.
func (o *Online) Observe(q *features.Query, trueRows float64) error {
	// Every spelling of a point range shares the equality's correction.
	q = features.Canonical(q)
	if err := checkLabel(trueRows); err != nil {
		return err
	}
	e, err := o.base.Estimate(q)
	if err != nil {
		return fmt.Errorf("observe: %w", err)
	}
	// Above the cross product of the catalog's tables the count is
	// impossible for the catalog every estimate is capped by: hostile, or
	// the catalog is stale (refresh its statistics and retrain).
	if err := checkLabelFor(catalogOf(o.base), q, trueRows); err != nil {
		return err
	}
	d, ts := fbKeys(q)
	r := logRows(trueRows) - logRows(sanitize(e.Rows))
	r = math.Max(-maxCorrection, math.Min(maxCorrection, r))
	o.mu.Lock()
	defer o.mu.Unlock()
	served := sanitize(e.Rows * math.Exp(o.correction(d, ts)))
	o.served.add(QError(served, trueRows))
	rawQ := QError(e.Rows, trueRows)
	o.raw.add(rawQ)
	if len(o.ref) < o.opts.Window {
		o.ref = append(o.ref, rawQ)
	}
	o.observed++
	o.digests.update(d, r, o.opts.Alpha)
	o.tableSets.update(ts, r, o.opts.Alpha)
	return nil
}

// DriftReport is the accuracy of an Online estimator over its recent
// observations.
type DriftReport struct {
	Rolling  QErrorSummary // served estimates, last Window observations
	Raw      QErrorSummary // the wrapped estimator alone, same observations
	Baseline QErrorSummary // reference accuracy (see OnlineOptions.Reference)
	// Observed counts all observations so far.
	Observed int
	// Drifted: the rolling or raw median or p95 q-error exceeds
	// DriftFactor times the baseline's.
	Drifted bool
	Advice  string
}

// Drift reports rolling accuracy against the baseline and whether the
// wrapped model should be retrained.
func (o *Online) Drift() DriftReport {
	o.mu.Lock()
	rep := DriftReport{
		Rolling:  Quantiles(o.served.values()),
		Raw:      Quantiles(o.raw.values()),
		Observed: o.observed,
	}
	refReady := o.opts.Reference != nil || len(o.ref) >= o.opts.Window
	if o.opts.Reference != nil {
		rep.Baseline = *o.opts.Reference
	} else {
		rep.Baseline = Quantiles(o.ref)
	}
	o.mu.Unlock()
	if !refReady {
		rep.Advice = fmt.Sprintf("collecting a baseline: %d of %d observations", rep.Observed, o.opts.Window)
		return rep
	}
	f := o.opts.DriftFactor
	worse := func(s QErrorSummary) bool {
		return s.N > 0 && (s.Median > f*rep.Baseline.Median || s.P95 > f*rep.Baseline.P95)
	}
	switch {
	case worse(rep.Rolling):
		rep.Drifted = true
		rep.Advice = fmt.Sprintf("retrain: served median q-error %.2f (p95 %.2f) vs baseline %.2f (p95 %.2f)",
			rep.Rolling.Median, rep.Rolling.P95, rep.Baseline.Median, rep.Baseline.P95)
	case worse(rep.Raw):
		rep.Drifted = true
		rep.Advice = fmt.Sprintf("retrain: feedback masks drift; model median q-error %.2f (p95 %.2f) vs baseline %.2f (p95 %.2f)",
			rep.Raw.Median, rep.Raw.P95, rep.Baseline.Median, rep.Baseline.P95)
	default:
		rep.Advice = fmt.Sprintf("ok: served median q-error %.2f vs baseline %.2f", rep.Rolling.Median, rep.Baseline.Median)
	}
	return rep
}

// fbRing holds the most recent n values; its storage grows to n as values
// arrive (so a loaded ring costs what it holds, not what it may hold).
type fbRing struct {
	n    int
	buf  []float64
	next int // once len(buf) == n: where the next value goes (the oldest)
}

func newFBRing(n int) fbRing { return fbRing{n: n} }

func (r *fbRing) add(x float64) {
	if len(r.buf) < r.n {
		r.buf = append(r.buf, x)
		return
	}
	r.buf[r.next] = x
	r.next = (r.next + 1) % r.n
}

// values returns a copy of the held values (in storage order).
func (r *fbRing) values() []float64 { return slices.Clone(r.buf) }

// fbLRU maps keys to log corrections, evicting the least recently used
// entry beyond its capacity. Not safe for concurrent use on its own.
type fbLRU struct {
	cap   int
	order *list.List // front = most recent; values are *fbEntry
	m     map[string]*list.Element
}

type fbEntry struct {
	key  string
	corr float64
}

func newFBLRU(capacity int) *fbLRU {
	return &fbLRU{cap: capacity, order: list.New(), m: make(map[string]*list.Element)}
}

func (l *fbLRU) get(k string) (float64, bool) {
	el, ok := l.m[k]
	if !ok {
		return 0, false
	}
	l.order.MoveToFront(el)
	return el.Value.(*fbEntry).corr, true
}

// update folds r into k's moving average with weight alpha (the first
// value of a key is taken as is).
func (l *fbLRU) update(k string, r, alpha float64) {
	if el, ok := l.m[k]; ok {
		e := el.Value.(*fbEntry)
		e.corr += alpha * (r - e.corr)
		l.order.MoveToFront(el)
		return
	}
	l.m[k] = l.order.PushFront(&fbEntry{key: k, corr: r})
	if l.order.Len() > l.cap {
		last := l.order.Back()
		l.order.Remove(last)
		delete(l.m, last.Value.(*fbEntry).key)
	}
}

// Len returns the number of entries.
func (l *fbLRU) Len() int { return l.order.Len() }

// each calls f for every entry, most recently used first.
func (l *fbLRU) each(f func(key string, corr float64)) {
	for el := l.order.Front(); el != nil; el = el.Next() {
		e := el.Value.(*fbEntry)
		f(e.key, e.corr)
	}
}

// pushBack adds an entry as the least recently used (loading entries in
// each's order rebuilds the map); it reports false for a key already
// present or a full map.
func (l *fbLRU) pushBack(key string, corr float64) bool {
	if _, dup := l.m[key]; dup || l.order.Len() >= l.cap {
		return false
	}
	l.m[key] = l.order.PushBack(&fbEntry{key: key, corr: corr})
	return true
}
