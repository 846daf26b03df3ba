package engine

import (
	"context"
	"fmt"
	"math/bits"
	"strings"
	"sync"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// DefaultMaxRows is the default budget of intermediate rows a cyclic join
// may materialise: 16M tuples of 4 bytes per joined occurrence (256 MiB for
// a 4-occurrence prefix).
const DefaultMaxRows = 1 << 24

// Options tune a Counter. The zero value means the documented defaults.
type Options struct {
	// MaxRows bounds the intermediate tuples materialised for a cyclic
	// join graph; past it the count fails with ErrTooLarge. Acyclic
	// queries never materialise joins. Zero means DefaultMaxRows.
	MaxRows int64
}

// SubPlanCount is the true row count of one connected sub-plan: the join of
// the table occurrences in Mask (bit i = Query.Tables[i]) with their
// filters and the joins among them.
type SubPlanCount struct {
	Mask uint64
	Rows int64
}

// Counter counts queries exactly over one in-memory DB. It caches work that
// does not depend on the query (NULL bitmaps, string dictionaries and
// their translations between tables, the join key ids of whole tables: 4
// bytes per row per join column set used) and reuses per-query scratch
// memory, so reuse one Counter for many queries. It is safe for concurrent
// use; the DB must not change while it is in use.
type Counter struct {
	db      *datasets.DB
	maxRows int64

	mu       sync.Mutex
	nonNulls map[*datasets.Column]bitset
	trans    map[transKey][]int32
	keys     map[keysKey]*fullKeys
	dicts    map[*datasets.Column]map[string]uint32

	arenas sync.Pool // of *arena: per-query scratch memory
}

type transKey struct{ from, to *datasets.Column }

// New returns a Counter over db.
func New(db *datasets.DB, opts Options) *Counter {
	if opts.MaxRows <= 0 {
		opts.MaxRows = DefaultMaxRows
	}
	return &Counter{
		db:       db,
		maxRows:  opts.MaxRows,
		nonNulls: map[*datasets.Column]bitset{},
		trans:    map[transKey][]int32{},
		keys:     map[keysKey]*fullKeys{},
		dicts:    map[*datasets.Column]map[string]uint32{},
	}
}

// Count returns the true COUNT(*) of q's FROM + WHERE over db. It is a
// shorthand for New(db, Options{}).Count; reuse a Counter for many queries.
func Count(ctx context.Context, db *datasets.DB, q *features.Query) (int64, error) {
	return New(db, Options{}).Count(ctx, q)
}

// CountSubPlans returns the true row count of every connected subset of q's
// table occurrences (see Counter.CountSubPlans).
func CountSubPlans(ctx context.Context, db *datasets.DB, q *features.Query) ([]SubPlanCount, error) {
	return New(db, Options{}).CountSubPlans(ctx, q)
}

// Count returns the true COUNT(*) of q's FROM + WHERE. Occurrences not
// connected by joins multiply (a cross product).
func (c *Counter) Count(ctx context.Context, q *features.Query) (int64, error) {
	if q.HasDerived() {
		ext, q2, err := c.withDerived(ctx, q)
		if err != nil {
			return 0, err
		}
		return ext.Count(ctx, q2)
	}
	if q != nil && len(q.Residuals) > 0 {
		return c.countResiduals(ctx, q)
	}
	p, err := c.prepare(ctx, q)
	defer p.release()
	if err != nil {
		return 0, err
	}
	total := int64(1)
	for _, comp := range p.components() {
		n, err := p.countConnected(ctx, comp)
		if err != nil {
			return 0, err
		}
		hi, lo := bits.Mul64(uint64(total), uint64(n))
		if hi != 0 || lo > 1<<63-1 {
			return 0, fmt.Errorf("%w: cross product of components", ErrOverflow)
		}
		total = int64(lo)
	}
	return total, nil
}

// CountSubPlans returns the true row count of every connected subset of q's
// table occurrences, in the order of q.ConnectedSubsets (by size, then
// by mask). An acyclic query is counted
// in one bottom-up pass that shares filtering, join keys and the
// aggregated messages of every subtree among all sub-plans.
//
// A query with more than features.DefaultMaxSubPlans connected sub-plans
// is refused (features.ErrTooManySubPlans) before any work.
func (c *Counter) CountSubPlans(ctx context.Context, q *features.Query) ([]SubPlanCount, error) {
	if q.HasDerived() {
		ext, q2, err := c.withDerived(ctx, q)
		if err != nil {
			return nil, err
		}
		return ext.CountSubPlans(ctx, q2)
	}
	if q != nil && len(q.Residuals) > 0 {
		return c.subPlansResiduals(ctx, q)
	}
	masks, err := q.ConnectedSubsets(features.DefaultMaxSubPlans)
	if err != nil {
		return nil, err
	}
	p, err := c.prepare(ctx, q)
	defer p.release()
	if err != nil {
		return nil, err
	}
	got := map[uint64]int64{}
	for _, comp := range p.components() {
		if !p.isTree(comp) {
			continue
		}
		t := &treeDP{p: p, set: comp, all: true, results: got}
		if _, err := t.count(ctx); err != nil {
			return nil, err
		}
	}
	out := make([]SubPlanCount, 0, len(masks))
	for _, m := range masks {
		n, ok := got[m]
		if !ok {
			if n, err = p.countConnected(ctx, m); err != nil {
				return nil, err
			}
		}
		out = append(out, SubPlanCount{Mask: m, Rows: n})
	}
	return out, nil
}

// occurrence is one table occurrence of the query with its selection.
type occurrence struct {
	t     *datasets.Table
	cols  []int // query column index -> DB column index
	alias string
	sel   bitset
	n     int64   // selected rows
	rows  []int32 // selected row ids, built on demand
}

func (o *occurrence) rowIDs(a *arena) []int32 {
	if o.rows == nil {
		o.rows = o.sel.positions(a.int32s(int(o.n))[:0])
	}
	return o.rows
}

// edge is every join predicate between one pair of occurrences: one edge
// with a composite key.
type edge struct {
	a, b         int // occurrence indices, a < b
	colsA, colsB []int
	encoded      bool
	idsA, idsB   []int32 // key ids of the selected rows, -1 = never matches
	d            int     // ids are in [0, d)
}

func (e *edge) other(x int) int {
	if x == e.a {
		return e.b
	}
	return e.a
}

func (e *edge) idsOf(x int) []int32 {
	if x == e.a {
		return e.idsA
	}
	return e.idsB
}

// plan is a query resolved against the DB with its filters applied.
type plan struct {
	c     *Counter
	a     *arena // scratch memory, returned by release
	occ   []*occurrence
	edges []*edge
	adj   [][]*edge // per occurrence
	outer []features.OuterJoin
}

func (c *Counter) prepare(ctx context.Context, q *features.Query) (*plan, error) {
	return c.prepareDepth(ctx, q, 0)
}

// prepareDepth is prepare for a query nested depth subqueries deep.
func (c *Counter) prepareDepth(ctx context.Context, q *features.Query, depth int) (*plan, error) {
	if q == nil || q.Schema == nil {
		return nil, fmt.Errorf("%w: nil query or schema", ErrBadQuery)
	}
	if len(q.Tables) == 0 || len(q.Tables) > features.MaxTables {
		return nil, fmt.Errorf("%w: %d table occurrences (want 1..%d)", ErrBadQuery, len(q.Tables), features.MaxTables)
	}
	a, _ := c.arenas.Get().(*arena)
	if a == nil {
		a = &arena{}
	}
	p := &plan{c: c, a: a, occ: make([]*occurrence, len(q.Tables)), adj: make([][]*edge, len(q.Tables)), outer: q.Outer}
	for i, ref := range q.Tables {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		o, err := c.resolve(q, ref)
		if err != nil {
			return nil, err
		}
		all := p.a.bits(wordsFor(o.t.Rows))
		setAll(all, o.t.Rows)
		if ref.Filter != nil {
			f := &filter{c: c, a: p.a, t: o.t, cols: o.cols, alias: o.alias}
			if all, err = f.eval(ref.Filter, false, all); err != nil {
				return nil, err
			}
		}
		o.sel = all
		o.n = all.count()
		p.occ[i] = o
	}
	if err := c.applySubqueries(ctx, q, p, depth); err != nil {
		return nil, err
	}
	byPair := map[[2]int]*edge{}
	for _, j := range q.Joins {
		l, r := j.Left, j.Right
		if l < 0 || r < 0 || l >= len(p.occ) || r >= len(p.occ) || l == r {
			return nil, fmt.Errorf("%w: join between occurrences %d and %d of %d", ErrBadQuery, l, r, len(p.occ))
		}
		lc, rc := j.LeftCol, j.RightCol
		if l > r {
			l, r, lc, rc = r, l, rc, lc
		}
		for _, x := range [][2]int{{l, lc}, {r, rc}} {
			if x[1] < 0 || x[1] >= len(p.occ[x[0]].cols) {
				return nil, fmt.Errorf("%w: join column %d of %s out of range", ErrBadQuery, x[1], p.occ[x[0]].alias)
			}
		}
		e := byPair[[2]int{l, r}]
		if e == nil {
			e = &edge{a: l, b: r}
			byPair[[2]int{l, r}] = e
			p.edges = append(p.edges, e)
			p.adj[l] = append(p.adj[l], e)
			p.adj[r] = append(p.adj[r], e)
		}
		e.colsA = append(e.colsA, lc)
		e.colsB = append(e.colsB, rc)
	}
	return p, nil
}

// release returns the plan's scratch memory to its Counter. p may be nil.
func (p *plan) release() {
	if p == nil || p.a == nil {
		return
	}
	p.a.reset()
	p.c.arenas.Put(p.a)
	p.a = nil
}

// resolve maps a table occurrence of q (whose schema may be a different
// value than the DB's) onto the DB by table and column names.
func (c *Counter) resolve(q *features.Query, ref features.TableRef) (*occurrence, error) {
	if ref.Table < 0 || ref.Table >= len(q.Schema.Tables) {
		return nil, fmt.Errorf("%w: table index %d out of range", ErrBadQuery, ref.Table)
	}
	def := q.Schema.Tables[ref.Table]
	alias := ref.Alias
	if alias == "" {
		alias = def.Name
	}
	t := c.db.Table(def.Name)
	if t == nil {
		return nil, fmt.Errorf("%w: %s: no table %q in the DB", ErrBadQuery, alias, def.Name)
	}
	cols := make([]int, len(def.Columns))
	for i, col := range def.Columns {
		j := i
		if j >= len(t.Def.Columns) || !strings.EqualFold(t.Def.Columns[j].Name, col.Name) {
			j = t.Def.ColumnIndex(col.Name)
		}
		if j < 0 || j >= len(t.Cols) {
			return nil, fmt.Errorf("%w: %s: no column %q in table %s", ErrBadQuery, alias, col.Name, t.Def.Name)
		}
		cols[i] = j
	}
	return &occurrence{t: t, cols: cols, alias: alias}, nil
}

// nonNull returns the bitset of non-NULL rows of col, or nil when col has
// no NULL marker.
func (c *Counter) nonNull(col *datasets.Column) bitset {
	if col.Null == nil {
		return nil
	}
	c.mu.Lock()
	b, ok := c.nonNulls[col]
	c.mu.Unlock()
	if ok {
		return b
	}
	b = fullBits(len(col.Null))
	for i, null := range col.Null {
		if null {
			b[i/64] &^= 1 << uint(i%64)
		}
	}
	c.mu.Lock()
	c.nonNulls[col] = b
	c.mu.Unlock()
	return b
}

// dictIndex returns (building once) the map from the strings of col's
// dictionary to their codes, or nil when the dictionary lists a string
// twice (a hand-built column): then codes do not identify strings.
func (c *Counter) dictIndex(col *datasets.Column) map[string]uint32 {
	c.mu.Lock()
	m, ok := c.dicts[col]
	c.mu.Unlock()
	if ok {
		return m
	}
	m = make(map[string]uint32, len(col.Dict))
	for i, s := range col.Dict {
		if _, dup := m[s]; dup {
			m = nil
			break
		}
		m[s] = uint32(i)
	}
	c.mu.Lock()
	c.dicts[col] = m
	c.mu.Unlock()
	return m
}

// components returns the connected components of the join graph as masks.
func (p *plan) components() []uint64 {
	var seen uint64
	var out []uint64
	for i := range p.occ {
		if seen&(1<<uint(i)) != 0 {
			continue
		}
		m := p.closure(1<<uint(i), ^uint64(0))
		seen |= m
		out = append(out, m)
	}
	return out
}

// closure grows m along edges inside within.
func (p *plan) closure(m, within uint64) uint64 {
	for {
		grown := m
		for _, e := range p.edges {
			ba, bb := uint64(1)<<uint(e.a), uint64(1)<<uint(e.b)
			if within&ba != 0 && within&bb != 0 && (m&ba != 0) != (m&bb != 0) {
				grown |= ba | bb
			}
		}
		if grown == m {
			return m
		}
		m = grown
	}
}

// edgesWithin counts the (composite) edges with both ends in s.
func (p *plan) edgesWithin(s uint64) int {
	n := 0
	for _, e := range p.edges {
		if s&(1<<uint(e.a)) != 0 && s&(1<<uint(e.b)) != 0 {
			n++
		}
	}
	return n
}

// isTree reports whether the connected set s induces a tree.
func (p *plan) isTree(s uint64) bool { return p.edgesWithin(s) == bits.OnesCount64(s)-1 }

// countConnected counts the join of the connected set s.
func (p *plan) countConnected(ctx context.Context, s uint64) (int64, error) {
	if bits.OnesCount64(s) == 1 {
		return p.occ[bits.TrailingZeros64(s)].n, nil
	}
	if p.isTree(s) {
		t := &treeDP{p: p, set: s}
		return t.count(ctx)
	}
	if p.outerWithin(s) {
		return 0, fmt.Errorf("%w: an outer join in a cyclic join graph", ErrUnsupported)
	}
	return p.countCyclic(ctx, s)
}
