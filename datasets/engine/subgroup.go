package engine

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// A subquery with GROUP BY ... HAVING (TPC-H Q18's
// o_orderkey IN (SELECT l_orderkey FROM lineitem GROUP BY l_orderkey
// HAVING SUM(l_quantity) > 300)) outputs one row per group that passes
// HAVING. Its rows are grouped after its own FROM + WHERE, on its grouping
// keys and its equality correlation columns (a correlated subquery groups
// the rows of one correlation value, so grouping by the correlation
// columns too gives the same groups per outer row); a group's aggregates
// are over the join rows its rows stand for (their weights). The rows of
// the groups that fail HAVING get weight 0, so the semi-/anti-join that
// follows sees exactly the output's key values:
//
//	subquery rows of X ──► group by keys ∪ correlation ──► HAVING ──► failing groups' rows: weight 0
//
// IN and NOT IN compare with the selected column, which must be a
// grouping key (only then is it one value per group). Keys and
// aggregate arguments must read the exposing occurrence X. A group
// without keys that passes HAVING even when empty (HAVING COUNT(*) = 0)
// would make the subquery non-empty for outer rows that match no inner
// row; that is refused.

// subHaving zeroes the weights of s's rows whose group fails the
// subquery's HAVING. It does nothing when the subquery has no HAVING.
func (c *Counter) subHaving(sq *features.Subquery, s *subSide) error {
	g := sq.Query.Group
	if g == nil || g.Having == nil {
		return nil
	}
	X := s.p.occ[s.x]
	for _, cr := range sq.Corr {
		if cr.NotEqual {
			return fmt.Errorf("%w: a <> correlation in a subquery with HAVING", ErrUnsupported)
		}
	}
	var keys []features.GroupKey
	for i, k := range g.Keys {
		if k.Table != s.x {
			return fmt.Errorf("%w: grouping key %d of a subquery with HAVING is not on %s, its correlated (or selected) table", ErrUnsupported, i, X.alias)
		}
		if k.Col < 0 || k.Col >= len(X.cols) {
			return fmt.Errorf("%w: subquery grouping key %d out of range", ErrBadQuery, i)
		}
		keys = append(keys, k)
	}
	if sq.In {
		if len(sq.Corr) == 0 {
			return fmt.Errorf("%w: IN subquery without its IN pair", ErrBadQuery)
		}
		y := sq.Corr[0].Inner
		found := false
		for _, k := range g.Keys {
			found = found || (k.Func == features.KeyColumn && k.ColRef == y)
		}
		if !found {
			return fmt.Errorf("%w: the column an IN subquery with HAVING selects is not one of its grouping keys", ErrUnsupported)
		}
	}
	for _, cr := range sq.EqualityCorr() {
		keys = append(keys, features.GroupKey{ColRef: cr.Inner})
	}
	readKey := make([]func(int32) (uint64, bool), len(keys))
	for i, k := range keys {
		fn, err := c.keyReader(X, k)
		if err != nil {
			return err
		}
		readKey[i] = fn
	}
	readAgg := make([]func(int32) (float64, bool), len(g.Aggs))
	for i, a := range g.Aggs {
		if a.Arg == nil {
			continue
		}
		if a.Table != s.x {
			return fmt.Errorf("%w: aggregate %d of a subquery's HAVING reads another table than %s", ErrUnsupported, i, X.alias)
		}
		fn, err := aggReader(X, a, i)
		if err != nil {
			return err
		}
		readAgg[i] = fn
	}
	S := 4 * len(g.Aggs)
	empty := make([]float64, S)
	for j := 0; j < S; j += 4 {
		empty[j+2], empty[j+3] = math.Inf(1), math.Inf(-1)
	}
	pass := func(cnt int64, acc []float64) bool {
		return g.Having.Eval(func(i int) (float64, bool) { return aggValue(g.Aggs[i], cnt, acc[4*i:4*i+4]) }) == features.True
	}
	if len(g.Keys) == 0 && pass(0, empty) {
		return fmt.Errorf("%w: a subquery's HAVING without GROUP BY that an empty input passes", ErrUnsupported)
	}
	// Group the rows: gid per row (-1: weight 0, in no join row).
	ent := entries{stride: S}
	in := &interner{m: map[string]int32{}}
	gid := make([]int32, len(s.rows))
	var key []byte
	acc := make([]float64, S)
	for k, r := range s.rows {
		w := s.weight(k)
		if w == 0 {
			gid[k] = -1
			continue
		}
		key = key[:0]
		for _, fn := range readKey {
			v, ok := fn(r)
			if !ok {
				key = append(key, 0)
				v = 0
			} else {
				key = append(key, 1)
			}
			key = binary.LittleEndian.AppendUint64(key, v)
		}
		id := in.id(key)
		if int(id) == ent.len() {
			ent.push()
		}
		gid[k] = id
		copy(acc, empty)
		for i, fn := range readAgg {
			if fn == nil {
				continue
			}
			if x, ok := fn(r); ok {
				fw := float64(w)
				acc[4*i], acc[4*i+1], acc[4*i+2], acc[4*i+3] = x*fw, fw, x, x
			}
		}
		if err := ent.add(int(id), w, acc); err != nil {
			return err
		}
	}
	ok := make([]bool, ent.len())
	for i := range ok {
		ok[i] = pass(ent.cnt[i], ent.acc[i*S:(i+1)*S])
	}
	w := make([]int64, len(s.rows))
	for k := range s.rows {
		if gid[k] < 0 || !ok[gid[k]] {
			continue
		}
		w[k] = 1
		if s.w != nil {
			w[k] = s.w[k]
		}
	}
	s.w = w
	return nil
}

// aggReader returns a function reading aggregate i's argument on a row of
// o: its value and whether it is non-NULL.
func aggReader(o *occurrence, a features.Agg, i int) (func(int32) (float64, bool), error) {
	cols := make([]*datasets.Column, len(o.cols))
	for _, qc := range a.Arg.Columns() {
		if qc < 0 || qc >= len(o.cols) {
			return nil, fmt.Errorf("%w: aggregate %d reads column %d of %s", ErrBadQuery, i, qc, o.alias)
		}
		col := o.t.Cols[o.cols[qc]]
		if col.Type == catalog.TypeString && (a.Func != features.AggCount || a.Arg.Kind != features.ArithCol) {
			return nil, fmt.Errorf("%w: aggregate %d of the string column %s.%s", ErrBadQuery, i, o.alias, o.t.Def.Columns[o.cols[qc]].Name)
		}
		cols[qc] = col
	}
	arg := a.Arg
	return func(row int32) (float64, bool) {
		return arg.Eval(func(qc int) (float64, bool) {
			c := cols[qc]
			if c.IsNull(int(row)) {
				return 0, false
			}
			switch c.Type {
			case catalog.TypeFloat:
				return c.Floats[row], true
			case catalog.TypeString:
				return 0, true // COUNT(column) reads only whether it is NULL
			}
			return float64(c.Ints[row]), true
		})
	}, nil
}
