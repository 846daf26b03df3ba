package engine_test

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// refGroup is one output group of the brute-force references: its rows,
// key values, tuples and the running aggregates of its non-NULL arguments.
type refGroup struct {
	rows                int64
	keys                []catalog.Datum
	tuples              [][]int
	sum, nn, minv, maxv []float64
}

// refGrouper groups tuples as SQL's GROUP BY does, by the rendered values
// of g's keys (NULLs one group), in the order groups are first seen. It
// shares no code with the engine: key functions are computed with package
// time, aggregates by summing and comparing.
type refGrouper struct {
	g      *features.Grouping
	groups map[string]*refGroup
	order  []string
}

func newRefGrouper(g *features.Grouping) *refGrouper {
	return &refGrouper{g: g, groups: map[string]*refGroup{}}
}

// refNumber is a cell as an aggregate's argument sees it: numbers as
// themselves, strings as 0 (MySQL's cast of a non-numeric string), NULL
// as none.
func refNumber(d catalog.Datum) (float64, bool) {
	switch d.Kind {
	case catalog.KindInt:
		return float64(d.I), true
	case catalog.KindFloat:
		return d.F, true
	case catalog.KindString:
		return 0, true
	}
	return 0, false
}

// add puts tuple tu in its group; cell(table, col) is tu's value of a
// column.
func (r *refGrouper) add(tu []int, cell func(table, col int) catalog.Datum) {
	keys := make([]catalog.Datum, len(r.g.Keys))
	var name strings.Builder
	for i, k := range r.g.Keys {
		d := refKeyValue(k, cell(k.Table, k.Col))
		keys[i] = d
		fmt.Fprintf(&name, "%v|", d)
	}
	a := r.group(name.String(), keys)
	a.rows++
	a.tuples = append(a.tuples, tu)
	for i, ag := range r.g.Aggs {
		if ag.Arg == nil {
			continue
		}
		v, ok := ag.Arg.Eval(func(c int) (float64, bool) { return refNumber(cell(ag.Table, c)) })
		if ok {
			a.sum[i] += v
			a.nn[i]++
			a.minv[i] = min(a.minv[i], v)
			a.maxv[i] = max(a.maxv[i], v)
		}
	}
}

// group returns the group named name, creating it with keys.
func (r *refGrouper) group(name string, keys []catalog.Datum) *refGroup {
	if a := r.groups[name]; a != nil {
		return a
	}
	n := len(r.g.Aggs)
	a := &refGroup{keys: keys, sum: make([]float64, n), nn: make([]float64, n), minv: make([]float64, n), maxv: make([]float64, n)}
	for i := range a.minv {
		a.minv[i], a.maxv[i] = math.Inf(1), math.Inf(-1)
	}
	r.groups[name] = a
	r.order = append(r.order, name)
	return a
}

// result returns the groups in first-seen order; an aggregate without
// GROUP BY has its one group even over no rows.
func (r *refGrouper) result() []*refGroup {
	if len(r.g.Keys) == 0 && len(r.groups) == 0 {
		r.group("", nil)
	}
	out := make([]*refGroup, len(r.order))
	for i, name := range r.order {
		out[i] = r.groups[name]
	}
	return out
}

// agg returns aggregate i of group a as SQL defines it (false: NULL).
func (r *refGrouper) agg(a *refGroup, i int) (float64, bool) {
	switch r.g.Aggs[i].Func {
	case features.AggCount:
		if r.g.Aggs[i].Arg == nil {
			return float64(a.rows), true
		}
		return a.nn[i], true
	case features.AggSum:
		return a.sum[i], a.nn[i] > 0
	case features.AggAvg:
		return a.sum[i] / a.nn[i], a.nn[i] > 0
	case features.AggMin:
		return a.minv[i], a.nn[i] > 0
	case features.AggMax:
		return a.maxv[i], a.nn[i] > 0
	}
	return 0, false
}

// passes reports whether group a passes the HAVING.
func (r *refGrouper) passes(a *refGroup) bool {
	return r.g.Having.Eval(func(i int) (float64, bool) { return r.agg(a, i) }) == features.True
}

// refKeyValue is the value of grouping key k for column value d: the
// date part or prefix it names, computed with package time and runes.
func refKeyValue(k features.GroupKey, d catalog.Datum) catalog.Datum {
	if d.IsNull() {
		return d
	}
	switch k.Func {
	case features.KeyYear:
		d = catalog.Int(int64(time.Unix(d.I, 0).UTC().Year()))
	case features.KeyMonth:
		d = catalog.Int(int64(time.Unix(d.I, 0).UTC().Month()))
	case features.KeyDate:
		d = catalog.Int(time.Unix(d.I, 0).UTC().Truncate(24 * time.Hour).Unix())
	case features.KeyPrefix:
		if r := []rune(d.S); len(r) > k.N {
			d = catalog.String(string(r[:k.N]))
		}
	}
	if d.Kind == catalog.KindFloat && d.F == 0 {
		d.F = 0 // -0 and 0 are one group
	}
	return d
}
