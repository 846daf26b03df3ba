package indexadvisor

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/internal/server"
)

// DefaultIndexPrefix starts the names of the indexes EvaluateStrategies
// builds on the server (EvalOptions.IndexPrefix).
const DefaultIndexPrefix = "cx_"

// measurer builds configurations on the server and times the workload.
//
// Two things keep the measurements cheap and stable on a shared machine:
//
//   - The server's indexes move from one configuration to the next by
//     difference (apply): an index two configurations share is built once.
//   - A statement is timed once per distinct plan (memo): before timing,
//     its EXPLAIN is read and reduced to the plan's shape (per row: table,
//     access type, key, key length, ref, Extra; not the row estimates or
//     possible_keys, which move with every new index). A statement whose
//     plan is one already timed keeps that time, so a configuration that
//     leaves a statement's plan alone cannot be credited or blamed with
//     timer noise, and each configuration costs one EXPLAIN per statement
//     plus a timing per new plan.
type measurer struct {
	a      *advisor
	eo     EvalOptions
	base   []time.Duration            // per statement; -1: not timed (not a SELECT)
	memo   []map[string]time.Duration // per statement: plan shape -> median time
	built  map[string]Recommended     // index key -> what is on the server
	timed  int                        // statements timed
	reused int                        // statements whose plan was already timed
	// baseShape is each statement's plan shape without new indexes;
	// rechecked and refuted count the suspected regressions timed again
	// in pairs (recheck.go) and those the pairs did not confirm.
	baseShape          []string
	rechecked, refuted int
	// checked marks, per statement, the plan shapes already rechecked
	// (their memo time is the recheck's).
	checked []map[string]bool
	say     func(string, ...any)
}

// SlowStatement is the first-run time past which EvaluateStrategies times
// a statement once instead of EvalOptions.Time.Runs times: a statement of
// seconds moves by less, relatively, than the factors indexes make, and
// repeating it dominates a measured evaluation's time.
const SlowStatement = 2 * time.Second

func newMeasurer(a *advisor, eo EvalOptions) *measurer {
	return &measurer{a: a, eo: eo, memo: make([]map[string]time.Duration, len(a.w.Statements)), built: map[string]Recommended{},
		baseShape: make([]string, len(a.w.Statements)), checked: make([]map[string]bool, len(a.w.Statements)),
		say: func(string, ...any) {}}
}

// name is the server name of ix: the prefix and the advisor's name for
// its columns, or a hash when that is too long. It depends on the columns
// only, so the same index has the same name (and EXPLAIN key) in every
// configuration.
func (m *measurer) name(ix *Index) Recommended {
	t := m.a.schema.Tables[ix.Table]
	rec := Recommended{Table: t.Name, Name: m.eo.IndexPrefix + indexName(t, ix.Columns, map[string]bool{})}
	if len([]rune(rec.Name)) > MaxIdentLen {
		rec.Name = m.eo.IndexPrefix + "h" + strconv.FormatUint(uint64(fnv32(ix.key())), 36)
	}
	for _, c := range ix.Columns {
		rec.Columns = append(rec.Columns, t.Columns[c].Name)
	}
	return rec
}

// apply makes the server's new indexes exactly ixs: it drops the built
// indexes ixs does not have and builds the missing ones.
func (m *measurer) apply(ctx context.Context, ixs []*Index) error {
	want := map[string]*Index{}
	for _, ix := range ixs {
		want[ix.key()] = ix
	}
	srv := m.eo.Server
	for _, k := range sortedKeys(m.built) {
		if want[k] == nil {
			rec := m.built[k]
			if err := srv.ExecDDL(ctx, DropIndexSQL(rec.Table, rec.Name)); err != nil {
				return fmt.Errorf("drop %s: %w", rec.Name, err)
			}
			delete(m.built, k)
		}
	}
	for _, ix := range ixs {
		if _, ok := m.built[ix.key()]; ok {
			continue
		}
		rec := m.name(ix)
		start := time.Now()
		if err := srv.ExecDDL(ctx, AddIndexSQL(rec)); err != nil {
			return fmt.Errorf("build %s: %w", rec.Name, err)
		}
		m.say("built %s.%s in %v", rec.Table, rec.Name, time.Since(start).Round(time.Millisecond))
		m.built[ix.key()] = rec
	}
	return nil
}

// dropAll drops every index the measurer built, even when ctx is done.
func (m *measurer) dropAll(ctx context.Context) error {
	var first error
	for _, k := range sortedKeys(m.built) {
		rec := m.built[k]
		if err := m.eo.Server.ExecDDL(context.WithoutCancel(ctx), DropIndexSQL(rec.Table, rec.Name)); err != nil && first == nil {
			first = fmt.Errorf("drop %s: %w", rec.Name, err)
		}
		delete(m.built, k)
	}
	return first
}

func sortedKeys(mp map[string]Recommended) []string {
	ks := make([]string, 0, len(mp))
	for k := range mp {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// timeAll puts exactly ixs on the server and returns every statement's
// time under them: SELECTs that read a table of ixs (all of them when ixs
// is empty or there is no base yet) are explained and timed when their
// plan is new; the others keep their base time; -1 for non-SELECTs.
func (m *measurer) timeAll(ctx context.Context, ixs []*Index) ([]time.Duration, error) {
	if err := m.apply(ctx, ixs); err != nil {
		return nil, err
	}
	tables := map[int]bool{}
	for _, ix := range ixs {
		tables[ix.Table] = true
	}
	out := make([]time.Duration, len(m.a.w.Statements))
	for si, st := range m.a.w.Statements {
		out[si] = -1
		if st.Kind != KindSelect {
			continue
		}
		if m.base != nil && !slices.ContainsFunc(m.a.stmtOccs[si], func(oi int) bool { return tables[m.a.occs[oi].table] }) {
			out[si] = m.base[si]
			continue
		}
		t, err := m.timeStmt(ctx, si)
		if err != nil {
			return nil, err
		}
		out[si] = t
	}
	if err := m.recheck(ctx, ixs, out); err != nil {
		return nil, err
	}
	return out, nil
}

// timeStmt is statement si's median time under the server's current
// indexes, from the memo when its plan was timed before.
func (m *measurer) timeStmt(ctx context.Context, si int) (time.Duration, error) {
	st := &m.a.w.Statements[si]
	shape, err := m.planShape(ctx, st.SQL)
	if err != nil {
		return 0, fmt.Errorf("explain statement %d: %w", si, err)
	}
	if m.memo[si] == nil {
		m.memo[si] = map[string]time.Duration{}
	}
	if m.base == nil {
		m.baseShape[si] = shape
	}
	if t, ok := m.memo[si][shape]; ok {
		m.reused++
		return t, nil
	}
	first := m.eo.Time
	first.Runs = 1
	tm, err := m.eo.Server.Time(ctx, st.SQL, first)
	if err != nil && !tm.TimedOut {
		return 0, fmt.Errorf("time statement %d: %w", si, err)
	}
	t := tm.Runs[len(tm.Runs)-1] // censored at the limit when it timed out
	if !tm.TimedOut && t < SlowStatement && m.eo.Time.Runs != 1 {
		rest := m.eo.Time
		rest.Runs = cmp.Or(rest.Runs, server.DefaultRuns) - 1
		rest.Warmups = -1
		more, err := m.eo.Server.Time(ctx, st.SQL, rest)
		if err != nil && !more.TimedOut {
			return 0, fmt.Errorf("time statement %d: %w", si, err)
		}
		runs := append(slices.Clone(tm.Runs), more.Runs...)
		slices.Sort(runs)
		t = runs[len(runs)/2]
		if len(runs)%2 == 0 {
			t = (runs[len(runs)/2-1] + runs[len(runs)/2]) / 2
		}
	}
	if t >= SlowStatement {
		m.say("statement %d: %v", si, t.Round(time.Millisecond))
	}
	m.timed++
	m.memo[si][shape] = t
	return t, nil
}

// planShape is the statement's EXPLAIN without its estimates: one line
// per plan row of table, type, key, key_len, ref and Extra.
func (m *measurer) planShape(ctx context.Context, stmt string) (string, error) {
	rows, err := m.eo.Server.DB().QueryContext(ctx, "EXPLAIN "+stmt)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	keep := make([]bool, len(cols))
	for i, c := range cols {
		switch strings.ToLower(c) {
		case "id", "select_type", "table", "type", "key", "key_len", "ref", "extra":
			keep[i] = true
		}
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var b strings.Builder
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		for i, v := range vals {
			if keep[i] {
				b.WriteString(v.String)
				b.WriteByte('|')
			}
		}
		b.WriteByte('\n')
	}
	return b.String(), rows.Err()
}

func (m *measurer) weighted(times []time.Duration) float64 {
	s := 0.0
	for si, t := range times {
		if t >= 0 {
			s += m.a.w.Statements[si].Weight * t.Seconds()
		}
	}
	return s
}

// gain is the weighted time saved against the base.
func (m *measurer) gain(times []time.Duration) float64 {
	g := 0.0
	for si, t := range times {
		if t >= 0 && m.base[si] >= 0 {
			g += m.a.w.Statements[si].Weight * (m.base[si] - t).Seconds()
		}
	}
	return g
}

// regressions lists statements more than RegressionThreshold and the
// noise floor slower than the base.
func (m *measurer) regressions(times []time.Duration) []string {
	var out []string
	for si, t := range times {
		b := m.base[si]
		if t >= 0 && b >= 0 && float64(t) > RegressionThreshold*float64(b) && t-b > m.eo.NoiseFloor {
			out = append(out, fmt.Sprintf("#%d %v -> %v", si, b.Round(time.Microsecond*100), t.Round(time.Microsecond*100)))
		}
	}
	return out
}

// ErrStrayIndexes: the server already has indexes named with the
// evaluation's prefix, left by an evaluation that was interrupted (an ALTER
// TABLE runs to its end after its client has gone, so an index being
// built when the run stopped appears after it dropped its others). Timed
// as the base, they would be credited to no strategy and spoil every
// figure; the error names them and how to drop them.
var ErrStrayIndexes = errors.New("indexadvisor: the server has indexes of an interrupted evaluation")

// checkStray returns ErrStrayIndexes when the server has an index whose
// name starts with eo.IndexPrefix.
func checkStray(ctx context.Context, eo EvalOptions) error {
	ixs, err := eo.Server.SecondaryIndexes(ctx)
	if err != nil {
		return err
	}
	var drops []string
	for _, ix := range ixs {
		if strings.HasPrefix(ix.Name, eo.IndexPrefix) {
			drops = append(drops, DropIndexSQL(ix.Table, ix.Name))
		}
	}
	if len(drops) > 0 {
		return fmt.Errorf("%w (prefix %q): drop them with %s, or choose another IndexPrefix", ErrStrayIndexes, eo.IndexPrefix, strings.Join(drops, "; "))
	}
	return nil
}
