package engine

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// Derived relations (features/derived.go): a grouped derived table or CTE
// is materialised as a virtual table, one row per output group of its
// inner query, then the enclosing query is counted over the DB extended
// with those tables, like any query:
//
//	inner query ──CountGroups' group plan──► groups (key tuple, aggregates)
//	    │  keys: MIN of the key's value over the group (all equal)
//	    │  HAVING: groups failing it are dropped
//	    ▼
//	virtual table (keys, aggregates) ─┐
//	base tables ──────────────────────┴─► the enclosing query's counts
//
// Key values ride on the group plan as extra aggregates whose value is the
// key of the row (every row of a group has the same), so the grouping of
// the inner query is the engine's own (message passing on acyclic joins,
// the hash-join fallback on cycles). Numeric keys must be exact in float64
// (|value| <= 2^53); string keys carry their dictionary code.

// maxExactKey is the largest integer key value float64 holds exactly.
const maxExactKey = 1 << 53

// withDerived returns a Counter over the DB extended with q's derived
// relations and q without them (its tables and subqueries refer to the
// extended schema, which the new Counter resolves by name).
func (c *Counter) withDerived(ctx context.Context, q *features.Query) (*Counter, *features.Query, error) {
	ext := &datasets.DB{Schema: &catalog.Schema{Tables: slices.Clip(c.db.Schema.Tables), ForeignKeys: c.db.Schema.ForeignKeys}, Tables: slices.Clip(c.db.Tables)}
	for i := range q.Derived {
		d := &q.Derived[i]
		if d.Table < 0 || d.Table >= len(q.Schema.Tables) || d.Query == nil {
			return nil, nil, fmt.Errorf("%w: derived relation %d out of range", ErrBadQuery, i)
		}
		def := q.Schema.Tables[d.Table]
		if ext.Schema.TableIndex(def.Name) >= 0 {
			return nil, nil, fmt.Errorf("%w: derived relation %s: the DB has a table of that name", ErrBadQuery, def.Name)
		}
		t, err := c.materialise(ctx, d, def)
		if err != nil {
			return nil, nil, fmt.Errorf("derived relation %s: %w", def.Name, err)
		}
		ext.Schema.Tables = append(ext.Schema.Tables, def)
		ext.Tables = append(ext.Tables, t)
	}
	out := *q
	out.Derived = nil
	return New(ext, Options{MaxRows: c.maxRows}), &out, nil
}

// DerivedRows returns the rows of a derived relation of q: its inner
// query's output groups, with their key and aggregate values.
func (c *Counter) DerivedRows(ctx context.Context, q *features.Query, d *features.DerivedRel) (*datasets.Table, error) {
	if d == nil || d.Table < 0 || d.Table >= len(q.Schema.Tables) {
		return nil, fmt.Errorf("%w: derived relation out of range", ErrBadQuery)
	}
	return c.materialise(ctx, d, q.Schema.Tables[d.Table])
}

// materialise computes the rows of derived relation d whose virtual table
// is def.
func (c *Counter) materialise(ctx context.Context, d *features.DerivedRel, def *catalog.Table) (*datasets.Table, error) {
	in := d.Query
	if in.Group == nil || len(d.Cols) != len(def.Columns) {
		return nil, fmt.Errorf("%w: no grouping, or %d columns for %d", ErrBadQuery, len(d.Cols), len(def.Columns))
	}
	cc := c
	if len(in.Derived) > 0 { // derived relations nested in the inner query
		var err error
		if cc, in, err = c.withDerived(ctx, in); err != nil {
			return nil, err
		}
	}
	if len(in.Residuals) > 0 {
		return nil, fmt.Errorf("%w: filters across tables (OR / NOT) in a grouped derived table", ErrUnsupported)
	}
	in, err := cc.resolveHaving(ctx, in) // subqueries in its HAVING (havingsub.go)
	if err != nil {
		return nil, err
	}
	g := in.Group
	// Grouping with one extra aggregate per key: the key's value.
	g2 := *g
	g2.Aggs = slices.Clip(g.Aggs)
	for _, k := range g.Keys {
		g2.Aggs = append(g2.Aggs, features.Agg{Func: features.AggCount, Table: k.Table, Arg: &features.Arith{Kind: features.ArithCol, Col: k.Col}})
	}
	q2 := *in
	q2.Group = &g2
	p, err := cc.prepare(ctx, &q2)
	defer p.release()
	if err != nil {
		return nil, err
	}
	gp, err := newGroupPlan(p, &q2)
	if err != nil {
		return nil, err
	}
	dicts := make([][]string, len(g.Keys)) // string keys: code -> value
	for ki, k := range g.Keys {
		o := p.occ[k.Table]
		col := o.t.Cols[o.cols[k.Col]]
		read, dict, err := keyValueReader(o, col, k)
		if err != nil {
			return nil, err
		}
		dicts[ki] = dict
		gp.aggFn[len(g.Aggs)+ki] = read
	}
	comps, err := gp.groupSets(ctx)
	if err != nil {
		return nil, err
	}
	t := &datasets.Table{Def: def, Cols: make([]*datasets.Column, len(def.Columns))}
	for i, cd := range def.Columns {
		t.Cols[i] = &datasets.Column{Type: cd.Type}
		if cd.Type == catalog.TypeString {
			t.Cols[i].Dict = dicts[d.Cols[i].Key]
		}
	}
	err = gp.each(comps, func(cnt int64, acc []float64) error {
		if g.Having.Eval(func(i int) (float64, bool) { return aggValue(g.Aggs[i], cnt, acc[4*i:4*i+4]) }) != features.True {
			return nil
		}
		for i, dc := range d.Cols {
			var v float64
			var ok bool
			switch {
			case dc.Key >= 0 && dc.Key < len(g.Keys):
				j := 4 * (len(g.Aggs) + dc.Key)
				v, ok = acc[j+2], acc[j+1] > 0 // MIN of the key over its group
			case dc.Agg >= 0 && dc.Agg < len(g.Aggs):
				v, ok = aggValue(g.Aggs[dc.Agg], cnt, acc[4*dc.Agg:4*dc.Agg+4])
			default:
				return fmt.Errorf("%w: derived column %d is neither key nor aggregate", ErrBadQuery, i)
			}
			if err := appendValue(t.Cols[i], t.Rows, v, ok); err != nil {
				return fmt.Errorf("column %s: %w", def.Columns[i].Name, err)
			}
		}
		t.Rows++
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// keyValueReader returns a reader of a grouping key's value as float64
// (exact), and for a string key the strings of its codes.
func keyValueReader(o *occurrence, col *datasets.Column, k features.GroupKey) (func(row int32) (float64, bool), []string, error) {
	null := func(row int32) bool { return col.IsNull(int(row)) }
	switch col.Type {
	case catalog.TypeFloat:
		if k.Func != features.KeyColumn {
			return nil, nil, fmt.Errorf("%w: function key on the float column %s", ErrBadQuery, o.alias)
		}
		return func(row int32) (float64, bool) { return col.Floats[row], !null(row) }, nil, nil
	case catalog.TypeString:
		if k.Func != features.KeyColumn && k.Func != features.KeyPrefix {
			return nil, nil, fmt.Errorf("%w: %s key on a string column of %s", ErrBadQuery, keyFuncName(k.Func), o.alias)
		}
		canon := make([]uint32, len(col.Dict))
		seen := make(map[string]uint32, len(col.Dict))
		var dict []string
		for i, s := range col.Dict {
			if k.Func == features.KeyPrefix {
				s = features.KeyPrefixOf(s, k.N)
			}
			id, ok := seen[s]
			if !ok {
				id = uint32(len(dict))
				seen[s] = id
				dict = append(dict, s)
			}
			canon[i] = id
		}
		return func(row int32) (float64, bool) { return float64(canon[col.Codes[row]]), !null(row) }, dict, nil
	}
	for _, v := range col.Ints {
		if v > maxExactKey || v < -maxExactKey {
			return nil, nil, fmt.Errorf("%w: key values of %s beyond 2^53 as a derived relation's key", ErrUnsupported, o.alias)
		}
	}
	f := k.Func
	return func(row int32) (float64, bool) { return float64(features.KeyValue(f, col.Ints[row])), !null(row) }, nil, nil
}

// appendValue appends row r's value (v, non-NULL ok) to a materialised
// column.
func appendValue(c *datasets.Column, r int, v float64, ok bool) error {
	if !ok {
		if c.Null == nil {
			c.Null = make([]bool, r, r+1)
		}
		v = 0
	}
	if c.Null != nil {
		c.Null = append(c.Null, !ok)
	}
	switch c.Type {
	case catalog.TypeFloat:
		c.Floats = append(c.Floats, v)
	case catalog.TypeString:
		if v < 0 || int(v) >= len(c.Dict) {
			return fmt.Errorf("%w: string code %v", ErrBadQuery, v)
		}
		c.Codes = append(c.Codes, uint32(v))
	default:
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > maxExactKey || v != math.Trunc(v) {
			return fmt.Errorf("%w: %v is no exact integer", ErrOverflow, v)
		}
		c.Ints = append(c.Ints, int64(v))
	}
	return nil
}

// each calls fn with every output group of the components (the
// combinations of their groups, as output counts them): its rows and
// accumulators. Without keys the input is one group, even when empty.
func (gp *groupPlan) each(comps []*groupSet, fn func(cnt int64, acc []float64) error) error {
	S := gp.stride
	empty := &groupSet{entries: entries{stride: S}}
	empty.push()
	cnt := []int64{1}
	acc := [][]float64{make([]float64, S)}
	for j := 0; j < S; j += 4 {
		acc[0][j+2], acc[0][j+3] = math.Inf(1), math.Inf(-1)
	}
	for _, c := range comps {
		src := c
		if c.len() == 0 && len(gp.g.Keys) == 0 {
			src = empty
		}
		if n := int64(len(cnt)) * int64(src.len()); n > maxGroupCombos {
			return fmt.Errorf("%w: %d combinations of disconnected groups", ErrTooLarge, n)
		}
		var cnt2 []int64
		var acc2 [][]float64
		for x := range cnt {
			for e := 0; e < src.len(); e++ {
				cc, err := mulCount(cnt[x], src.cnt[e])
				if err != nil {
					return err
				}
				a := make([]float64, S)
				product(a, cnt[x], acc[x], src.cnt[e], src.acc[e*S:(e+1)*S])
				cnt2 = append(cnt2, cc)
				acc2 = append(acc2, a)
			}
		}
		cnt, acc = cnt2, acc2
	}
	for x := range cnt {
		if err := fn(cnt[x], acc[x]); err != nil {
			return err
		}
	}
	return nil
}
