package workload

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/optcheck"
)

// Defaults of Options.
const (
	DefaultQueries    = 1000
	DefaultMaxJoins   = 4
	DefaultMaxPreds   = 4
	DefaultOutOfRange = 0.03 // fraction of literals drawn outside the data
	// maxAttempts bounds the retries of a walk that fell short of MinJoins.
	maxAttempts = 100
	// maxInList is the longest IN list generated.
	maxInList = 5
	// maxLikeRunes is the longest literal part of a generated LIKE pattern.
	maxLikeRunes = 3
	// nullRetries is how often a NULL row value is redrawn before the
	// predicate becomes IS [NOT] NULL.
	nullRetries = 4
)

// Options configure Generate. The zero value means the defaults.
type Options struct {
	// Queries is the number of queries; 0 means DefaultQueries.
	Queries int
	// MaxJoins is the largest number of joins (table occurrences - 1);
	// 0 means DefaultMaxJoins, negative means single-table queries only.
	MaxJoins int `opt:"signed"`
	// MinJoins is the smallest number of joins (default 0).
	MinJoins int
	// MaxPreds is the largest number of atomic predicates (each side of an
	// OR counts); 0 means DefaultMaxPreds. Every query has at least one.
	MaxPreds int
	// OutOfRange is the fraction of literals drawn outside the column's
	// values (empty results); 0 means DefaultOutOfRange, negative none.
	OutOfRange float64 `opt:"signed,max=1"`
	// Snowflake restricts the walk to snowflake-shaped joins, as in TPC-H
	// Q2-Q10: every table occurrence is the To side (the referenced side
	// of a foreign key) of at most one of the query's joins. The query is
	// then a tree hanging from one root occurrence with every join a
	// lookup along a foreign key away from the root (lineitem -> orders
	// -> customer -> nation -> region and lineitem -> supplier -> nation
	// -> region, nation and region twice), so on foreign keys the join
	// has at most as many rows as the root table. Without it the walk may
	// also join two referencing tables through the table they reference
	// (customer -> nation <- supplier), a many-to-many join whose result
	// can be far larger than any table.
	Snowflake bool
	// Expressions is the fraction of atomic predicates drawn on
	// expressions of columns: functions with no range equivalent
	// (MONTH(d) = 5, HOUR(ts) BETWEEN 9 AND 17, LOWER(s) = 'x') and
	// comparisons of two columns of one table (exprgen.go). 0 (the
	// default) draws none, so that workloads of earlier versions are
	// drawn unchanged.
	Expressions float64 `opt:"max=1"`
	// DateWindows is the fraction of predicates on DATE and DATETIME
	// columns drawn as a narrow window around the row's value (an hour to
	// a month wide, see dateWindow), as dashboards and reports filter
	// dates; 0 means none.
	DateWindows float64 `opt:"max=1"`
	// Shapes is the fraction of queries (of two or more occurrences)
	// turned into an outer join, a semi-join or an anti-join (shapes.go);
	// 0 means none.
	Shapes float64 `opt:"max=1"`
	// ShapeHaving is the fraction of the semi- and anti-joins of Shapes
	// whose subquery groups by its correlated column and keeps the groups
	// with HAVING COUNT(*) > c (TPC-H Q18's shape, shapes.go); 0 means
	// none, so that workloads of earlier versions are drawn unchanged.
	ShapeHaving float64 `opt:"max=1"`
}

func (o Options) withDefaults() (Options, error) {
	if err := optcheck.Struct(ErrOptions, "Options", o); err != nil {
		return o, err
	}
	if o.Queries == 0 {
		o.Queries = DefaultQueries
	}
	switch {
	case o.MaxJoins == 0:
		o.MaxJoins = DefaultMaxJoins
	case o.MaxJoins < 0:
		o.MaxJoins = 0
	}
	if o.MaxPreds == 0 {
		o.MaxPreds = DefaultMaxPreds
	}
	switch {
	case o.OutOfRange == 0:
		o.OutOfRange = DefaultOutOfRange
	case o.OutOfRange < 0:
		o.OutOfRange = 0
	}
	switch {
	case o.Queries < 0:
		return o, fmt.Errorf("%w: Queries %d < 0", ErrOptions, o.Queries)
	case o.MinJoins < 0 || o.MinJoins > o.MaxJoins:
		return o, fmt.Errorf("%w: MinJoins %d not in [0, MaxJoins %d]", ErrOptions, o.MinJoins, o.MaxJoins)
	case o.MaxJoins >= features.MaxTables:
		return o, fmt.Errorf("%w: MaxJoins %d >= %d", ErrOptions, o.MaxJoins, features.MaxTables)
	case o.MaxPreds < 0:
		return o, fmt.Errorf("%w: MaxPreds %d < 0", ErrOptions, o.MaxPreds)
	case o.OutOfRange > 1 || math.IsNaN(o.OutOfRange):
		return o, fmt.Errorf("%w: OutOfRange %g > 1", ErrOptions, o.OutOfRange)
	}
	return o, nil
}

// dbEdge is a graph edge resolved against the DB's schema.
type dbEdge struct {
	from, to         int
	fromCols, toCols []int
}

// generator draws queries.
type generator struct {
	db    *datasets.DB
	opts  Options
	rng   *rand.Rand
	edges []dbEdge
	// incident lists, per table, the (edge, from-side?) pairs touching it.
	incident [][]side
	ranges   map[[2]int]colRange
	// indexes map the key values of (table, columns) to the rows having
	// them, to draw joined rows; built on first use.
	indexes map[string]map[string][]int32
	keyBuf  []byte
}

type side struct {
	edge     int
	fromSide bool // the table is the edge's From side
}

// colRange is the smallest and largest non-NULL value of a column.
type colRange struct {
	lo, hi catalog.Datum
	ok     bool
}

// Generate draws opts.Queries random queries over db: a random connected
// walk over g (a table may appear several times under different aliases),
// then 1..MaxPreds predicates on random occurrences with literals taken
// from random rows. It is deterministic for a given rng state.
func Generate(ctx context.Context, db *datasets.DB, g *JoinGraph, opts Options, rng *rand.Rand) ([]*features.Query, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if db == nil || db.Schema == nil || len(db.Tables) == 0 {
		return nil, fmt.Errorf("%w: empty database", ErrOptions)
	}
	if rng == nil {
		return nil, fmt.Errorf("%w: nil *rand.Rand", ErrOptions)
	}
	gen := &generator{db: db, opts: opts, rng: rng, incident: make([][]side, len(db.Tables)), ranges: map[[2]int]colRange{}, indexes: map[string]map[string][]int32{}}
	if g != nil {
		if err := gen.resolve(g); err != nil {
			return nil, err
		}
	}
	out := make([]*features.Query, 0, opts.Queries)
	for len(out) < opts.Queries {
		if len(out)%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		q, err := gen.query()
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

// resolve maps g's edges onto the DB schema by table and column names.
func (gen *generator) resolve(g *JoinGraph) error {
	if len(g.Invalid) > 0 {
		return fmt.Errorf("%w: foreign keys naming unknown tables or columns: %s", ErrBadGraph, strings.Join(g.Invalid, "; "))
	}
	s := gen.db.Schema
	for _, e := range g.Edges {
		if g.Schema == nil || e.From < 0 || e.To < 0 || e.From >= len(g.Schema.Tables) || e.To >= len(g.Schema.Tables) ||
			len(e.FromCols) == 0 || len(e.FromCols) != len(e.ToCols) {
			return fmt.Errorf("%w: edge %q", ErrBadGraph, e.Name)
		}
		ft, tt := g.Schema.Tables[e.From], g.Schema.Tables[e.To]
		d := dbEdge{from: s.TableIndex(ft.Name), to: s.TableIndex(tt.Name)}
		if d.from < 0 || d.to < 0 {
			return fmt.Errorf("%w: edge %q: table not in the database", ErrBadGraph, e.Name)
		}
		for i := range e.FromCols {
			if e.FromCols[i] < 0 || e.FromCols[i] >= len(ft.Columns) || e.ToCols[i] < 0 || e.ToCols[i] >= len(tt.Columns) {
				return fmt.Errorf("%w: edge %q: column out of range", ErrBadGraph, e.Name)
			}
			a := s.Tables[d.from].ColumnIndex(ft.Columns[e.FromCols[i]].Name)
			b := s.Tables[d.to].ColumnIndex(tt.Columns[e.ToCols[i]].Name)
			if a < 0 || b < 0 {
				return fmt.Errorf("%w: edge %q: column not in the database", ErrBadGraph, e.Name)
			}
			ta, tb := s.Tables[d.from].Columns[a].Type, s.Tables[d.to].Columns[b].Type
			if (ta == catalog.TypeString) != (tb == catalog.TypeString) {
				return fmt.Errorf("%w: edge %q joins %s with %s", ErrBadGraph, e.Name, ta, tb)
			}
			d.fromCols = append(d.fromCols, a)
			d.toCols = append(d.toCols, b)
		}
		k := len(gen.edges)
		gen.edges = append(gen.edges, d)
		gen.incident[d.from] = append(gen.incident[d.from], side{k, true})
		gen.incident[d.to] = append(gen.incident[d.to], side{k, false})
	}
	return nil
}

// query draws one query.
func (gen *generator) query() (*features.Query, error) {
	for attempt := 0; ; attempt++ {
		q := gen.walk()
		if len(q.Tables)-1 >= gen.opts.MinJoins {
			gen.aliases(q)
			gen.predicates(q, gen.tuple(q))
			if len(q.Tables) > 1 && gen.opts.Shapes > 0 && gen.rng.Float64() < gen.opts.Shapes {
				return gen.shape(q)
			}
			return q, nil
		}
		if attempt == maxAttempts {
			return nil, fmt.Errorf("%w: no walk of %d joins found in %d attempts", ErrNoJoinPath, gen.opts.MinJoins, maxAttempts)
		}
	}
}

// walk draws the tables and joins: a random start table, then a random
// number of steps along random edges incident to any occurrence so far;
// every step adds a new occurrence (so the join graph is a tree).
func (gen *generator) walk() *features.Query {
	q := &features.Query{Schema: gen.db.Schema}
	k := gen.opts.MinJoins + gen.rng.IntN(gen.opts.MaxJoins-gen.opts.MinJoins+1)
	var starts []int
	for t := range gen.db.Tables {
		if k == 0 || len(gen.incident[t]) > 0 {
			starts = append(starts, t)
		}
	}
	if len(starts) == 0 {
		starts = []int{gen.rng.IntN(len(gen.db.Tables))}
	}
	q.Tables = append(q.Tables, features.TableRef{Table: starts[gen.rng.IntN(len(starts))]})
	type step struct {
		occ int
		s   side
	}
	used := map[step]bool{}
	// referenced[o]: occurrence o is the To side of one of the joins.
	referenced := []bool{false}
	for len(q.Tables)-1 < k {
		var cands []step
		for o, ref := range q.Tables {
			for _, s := range gen.incident[ref.Table] {
				if st := (step{o, s}); !used[st] && (!gen.opts.Snowflake || s.fromSide || !referenced[o]) {
					cands = append(cands, st)
				}
			}
		}
		if len(cands) == 0 {
			break
		}
		st := cands[gen.rng.IntN(len(cands))]
		e := gen.edges[st.s.edge]
		mine, theirs, other := e.fromCols, e.toCols, e.to
		if !st.s.fromSide {
			mine, theirs, other = e.toCols, e.fromCols, e.from
		}
		n := len(q.Tables)
		q.Tables = append(q.Tables, features.TableRef{Table: other})
		for i := range mine {
			q.Joins = append(q.Joins, features.Join{Left: st.occ, Right: n, LeftCol: mine[i], RightCol: theirs[i]})
		}
		// The To side of the new join: the new occurrence when walking
		// from the From side, else the one walked from.
		referenced = append(referenced, st.s.fromSide)
		if !st.s.fromSide {
			referenced[st.occ] = true
		}
		used[st] = true
		// Do not walk straight back along the same edge.
		used[step{n, side{st.s.edge, !st.s.fromSide}}] = true
	}
	return q
}

// aliases names occurrences: the table name when it appears once, else
// the name with a 1-based number (airports1, airports2).
func (gen *generator) aliases(q *features.Query) {
	count := map[int]int{}
	for _, r := range q.Tables {
		count[r.Table]++
	}
	seen := map[int]int{}
	for i := range q.Tables {
		t := q.Tables[i].Table
		name := gen.db.Schema.Tables[t].Name
		if count[t] > 1 {
			seen[t]++
			name = fmt.Sprintf("%s%d", name, seen[t])
		}
		q.Tables[i].Alias = name
	}
}

// tupleAttempts is how many start rows tuple tries before giving up on a
// joined tuple.
const tupleAttempts = 64

// tuple draws one row of the query's join result (ignoring filters): a
// random row of the first occurrence, then for each later occurrence a
// random row joining its parent's row. Literals drawn from this tuple make
// the query's result non-empty unless a predicate excludes its own value
// (<>, <, NOT IN, ...). Rows are -1 when no joined tuple was found.
func (gen *generator) tuple(q *features.Query) []int {
	// The joins of each occurrence to its parent (the walk adds one
	// parent), the same for every attempt.
	type link struct {
		parent int // -1: none
		pc, oc []int
	}
	links := make([]link, len(q.Tables))
	for o := range links {
		links[o].parent = -1
	}
	for _, j := range q.Joins {
		l := &links[j.Right]
		l.parent = j.Left
		l.pc = append(l.pc, j.LeftCol)
		l.oc = append(l.oc, j.RightCol)
	}
	rows := make([]int, len(q.Tables))
	for attempt := 0; attempt < tupleAttempts; attempt++ {
		ok := true
		for o := range q.Tables {
			t := gen.db.Tables[q.Tables[o].Table]
			if t.Rows == 0 {
				ok = false
				break
			}
			l := links[o]
			if o == 0 || l.parent < 0 {
				rows[o] = gen.rng.IntN(t.Rows)
				continue
			}
			pt := gen.db.Tables[q.Tables[l.parent].Table]
			key, null := gen.key(pt, l.pc, rows[l.parent])
			if null {
				ok = false
				break
			}
			match := gen.index(q.Tables[o].Table, l.oc)[string(key)]
			if len(match) == 0 {
				ok = false
				break
			}
			rows[o] = int(match[gen.rng.IntN(len(match))])
		}
		if ok {
			return rows
		}
	}
	for i := range rows {
		rows[i] = -1
	}
	return rows
}

// key encodes the values of cols in row r of t; null reports a NULL.
func (gen *generator) key(t *datasets.Table, cols []int, r int) (key []byte, null bool) {
	b := gen.keyBuf[:0]
	for _, c := range cols {
		d := t.Cols[c].Datum(r)
		switch d.Kind {
		case catalog.KindNull:
			return nil, true
		case catalog.KindString:
			b = append(b, 's')
			b = binary.AppendUvarint(b, uint64(len(d.S)))
			b = append(b, d.S...)
		case catalog.KindFloat:
			// Integral floats join integers: encode them alike.
			if f := d.F; f == math.Trunc(f) && math.Abs(f) < 1<<62 {
				b = append(b, 'i')
				b = binary.LittleEndian.AppendUint64(b, uint64(int64(f)))
			} else {
				b = append(b, 'f')
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
			}
		default:
			b = append(b, 'i')
			b = binary.LittleEndian.AppendUint64(b, uint64(d.I))
		}
	}
	gen.keyBuf = b
	return b, false
}

// index returns the rows of table t by the values of cols.
func (gen *generator) index(t int, cols []int) map[string][]int32 {
	name := fmt.Sprint(t, cols)
	if ix, ok := gen.indexes[name]; ok {
		return ix
	}
	tab := gen.db.Tables[t]
	ix := map[string][]int32{}
	for r := 0; r < tab.Rows; r++ {
		k, null := gen.key(tab, cols, r)
		if !null {
			ix[string(k)] = append(ix[string(k)], int32(r))
		}
	}
	gen.indexes[name] = ix
	return ix
}

// predicates adds 1..MaxPreds atomic predicates, ANDed per occurrence; an
// OR of two atoms counts as two. Literals come from the tuple's rows.
func (gen *generator) predicates(q *features.Query, rows []int) {
	if gen.opts.MaxPreds == 0 {
		return
	}
	budget := 1 + gen.rng.IntN(gen.opts.MaxPreds)
	conj := make([][]*features.Expr, len(q.Tables))
	for budget > 0 {
		o := gen.rng.IntN(len(q.Tables))
		t := q.Tables[o].Table
		row := rows[o]
		var e *features.Expr
		switch r := gen.rng.Float64(); {
		case r < 0.12 && budget >= 2:
			e = &features.Expr{Kind: features.ExprOr, Args: []*features.Expr{gen.atom(t, row), gen.atom(t, row)}}
			budget -= 2
		case r < 0.22:
			e = &features.Expr{Kind: features.ExprNot, Args: []*features.Expr{gen.atom(t, row)}}
			budget--
		default:
			e = gen.atom(t, row)
			budget--
		}
		conj[o] = append(conj[o], e)
	}
	for o, es := range conj {
		switch len(es) {
		case 0:
		case 1:
			q.Tables[o].Filter = es[0]
		default:
			q.Tables[o].Filter = &features.Expr{Kind: features.ExprAnd, Args: es}
		}
	}
}

// atom draws one atomic predicate on a random column of table t, its
// literal taken from row (or a random row when row is -1).
func (gen *generator) atom(t, row int) *features.Expr {
	tab := gen.db.Tables[t]
	c := gen.rng.IntN(len(tab.Cols))
	col := tab.Cols[c]
	def := tab.Def.Columns[c]
	pred := func(op features.Op, vals ...catalog.Datum) *features.Expr {
		return &features.Expr{Kind: features.ExprPred, Pred: features.Pred{Col: c, Op: op, Values: vals}}
	}
	nullOp := func() *features.Expr {
		if gen.rng.IntN(2) == 0 {
			return pred(features.OpIsNull)
		}
		return pred(features.OpIsNotNull)
	}
	if gen.opts.Expressions > 0 && gen.rng.Float64() < gen.opts.Expressions {
		if e := gen.exprAtom(t, row); e != nil {
			return e
		}
	}
	if tab.Rows == 0 || (def.Nullable && gen.rng.Float64() < 0.1) {
		return nullOp()
	}
	v, ok := gen.literal(t, c, row)
	if !ok {
		if row >= 0 && gen.rng.IntN(4) != 0 {
			return pred(features.OpIsNull) // true for the tuple
		}
		return nullOp()
	}
	if col.Type == catalog.TypeString {
		switch r := gen.rng.Float64(); {
		case r < 0.30:
			return pred(features.OpEQ, v)
		case r < 0.38:
			return pred(features.OpNE, v)
		case r < 0.50:
			return pred(features.OpIn, gen.list(t, c, v)...)
		case r < 0.55:
			return pred(features.OpNotIn, gen.list(t, c, v)...)
		case r < 0.67:
			if p, ok := likePrefix(v.S, gen.rng); ok {
				return pred(features.OpLike, catalog.String(p))
			}
		case r < 0.79:
			if p, ok := likeInfix(v.S, gen.rng); ok {
				return pred(features.OpLike, catalog.String(p))
			}
		case r < 0.85:
			if p, ok := likeInfix(v.S, gen.rng); ok {
				return pred(features.OpNotLike, catalog.String(p))
			}
		case r < 0.92:
			ops := []features.Op{features.OpLT, features.OpLE, features.OpGT, features.OpGE}
			return pred(ops[gen.rng.IntN(len(ops))], v)
		default:
			w, _ := gen.value(t, c)
			lo, hi := order(v, w)
			return pred(features.OpBetween, lo, hi)
		}
		return pred(features.OpEQ, v)
	}
	if gen.opts.DateWindows > 0 && (def.Type == catalog.TypeDate || def.Type == catalog.TypeDateTime) && gen.rng.Float64() < gen.opts.DateWindows {
		return pred(features.OpBetween, dateWindow(gen.rng, def.Type, v)...)
	}
	switch r := gen.rng.Float64(); {
	case r < 0.15:
		return pred(features.OpEQ, v)
	case r < 0.22:
		return pred(features.OpNE, v)
	case r < 0.62:
		ops := []features.Op{features.OpLT, features.OpLE, features.OpGT, features.OpGE}
		return pred(ops[gen.rng.IntN(len(ops))], v)
	case r < 0.82:
		w, _ := gen.value(t, c)
		lo, hi := order(v, w)
		return pred(features.OpBetween, lo, hi)
	case r < 0.94:
		return pred(features.OpIn, gen.list(t, c, v)...)
	default:
		return pred(features.OpNotIn, gen.list(t, c, v)...)
	}
}

// order returns a and b sorted (a NULL b stands in for a).
func order(a, b catalog.Datum) (catalog.Datum, catalog.Datum) {
	if b.IsNull() {
		return a, a
	}
	if catalog.Compare(b, a) < 0 {
		return b, a
	}
	return a, b
}

// literal is the value of column c in row (or, with probability
// OutOfRange, a value outside the column's range); a random row's value
// when row is -1. ok is false for NULL.
func (gen *generator) literal(t, c, row int) (catalog.Datum, bool) {
	if row < 0 {
		return gen.value(t, c)
	}
	if gen.rng.Float64() < gen.opts.OutOfRange {
		if d, ok := gen.outside(t, c); ok {
			return d, true
		}
	}
	d := gen.db.Tables[t].Cols[c].Datum(row)
	return d, !d.IsNull()
}

// value draws a literal for column c of table t: the value of a random
// row (redrawn when NULL), or with probability OutOfRange a value outside
// the column's range. ok is false when only NULLs were found.
func (gen *generator) value(t, c int) (catalog.Datum, bool) {
	tab := gen.db.Tables[t]
	col := tab.Cols[c]
	if gen.rng.Float64() < gen.opts.OutOfRange {
		if d, ok := gen.outside(t, c); ok {
			return d, true
		}
	}
	for i := 0; i <= nullRetries; i++ {
		d := col.Datum(gen.rng.IntN(tab.Rows))
		if !d.IsNull() {
			return d, true
		}
	}
	return catalog.Null, false
}

// outside returns a value beyond the column's largest (or below its
// smallest) non-NULL value.
func (gen *generator) outside(t, c int) (catalog.Datum, bool) {
	k := [2]int{t, c}
	r, ok := gen.ranges[k]
	if !ok {
		r = columnRange(gen.db.Tables[t].Cols[c])
		gen.ranges[k] = r
	}
	if !r.ok {
		return catalog.Null, false
	}
	below := gen.rng.IntN(2) == 0
	switch r.lo.Kind {
	case catalog.KindString:
		if below && r.lo.S != "" {
			return catalog.String(""), true
		}
		return catalog.String(r.hi.S + "~"), true
	case catalog.KindFloat:
		span := math.Max(1, r.hi.F-r.lo.F)
		if below {
			return catalog.Float(r.lo.F - span), true
		}
		return catalog.Float(r.hi.F + span), true
	}
	span := uint64(r.hi.I-r.lo.I) + 1
	if span > 1<<40 {
		span = 1 << 40
	}
	if below && r.lo.I > math.MinInt64+int64(span) {
		return catalog.Int(r.lo.I - int64(span)), true
	}
	if r.hi.I < math.MaxInt64-int64(span) {
		return catalog.Int(r.hi.I + int64(span)), true
	}
	return catalog.Null, false
}

func columnRange(col *datasets.Column) colRange {
	var r colRange
	for i := 0; i < col.Len(); i++ {
		d := col.Datum(i)
		if d.IsNull() {
			continue
		}
		if !r.ok || catalog.Compare(d, r.lo) < 0 {
			r.lo = d
		}
		if !r.ok || catalog.Compare(d, r.hi) > 0 {
			r.hi = d
		}
		r.ok = true
	}
	return r
}

// list draws an IN list: first plus 1..maxInList-1 more distinct values.
func (gen *generator) list(t, c int, first catalog.Datum) []catalog.Datum {
	n := 2 + gen.rng.IntN(maxInList-1)
	out := []catalog.Datum{first}
	for i := 1; i < n; i++ {
		d, ok := gen.value(t, c)
		if !ok {
			continue
		}
		dup := false
		for _, x := range out {
			if catalog.Compare(x, d) == 0 {
				dup = true
			}
		}
		if !dup {
			out = append(out, d)
		}
	}
	return out
}

// likeSafe reports whether s can appear in a LIKE pattern literally.
func likeSafe(s string) bool { return s != "" && !strings.ContainsAny(s, `%_\`) }

// likePrefix returns 'p%' for a 1..maxLikeRunes-rune prefix p of s.
func likePrefix(s string, rng *rand.Rand) (string, bool) {
	runes := []rune(s)
	if len(runes) == 0 {
		return "", false
	}
	p := string(runes[:1+rng.IntN(min(maxLikeRunes, len(runes)))])
	if !likeSafe(p) {
		return "", false
	}
	return p + "%", true
}

// likeInfix returns '%x%' for a 1..maxLikeRunes-rune substring x of s.
func likeInfix(s string, rng *rand.Rand) (string, bool) {
	runes := []rune(s)
	n := len(runes)
	if n == 0 {
		return "", false
	}
	l := 1 + rng.IntN(min(maxLikeRunes, n))
	at := rng.IntN(n - l + 1)
	x := string(runes[at : at+l])
	if !likeSafe(x) {
		return "", false
	}
	return "%" + x + "%", true
}
