package joinorder

import (
	"math"
	"slices"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// Rows per join key: the cap on what an index join fetches.
//
// An index nested loop reads, per outer row, the inner rows matching the
// outer row's key: on average the inner table's rows per distinct value of
// the index prefix the join binds. The model's other fetch count, the
// join's estimated rows over the inner filter's selectivity (Rows / sel),
// multiplies an overestimated join by 1/sel; the rows per key bound it by
// the outer rows, which the estimator saw on a smaller sub-plan:
//
//	fetched = min(Rows / sel, LeftRows · base, max(Rows, LeftRows · rowsPerKey))
//
//	rowsPerKey(l_partkey, l_suppkey) = 6,001,215 / 800,000 ≈ 7.5 at TPC-H SF1
//	seed 5 TPC-H q28: 316 outer rows · 7.5 ≈ 2,400 lineitem fetches, where
//	134 estimated rows (2 true) / sel 0.0004 gave 323,000
//
// This is how MariaDB's optimizer counts a ref access (sql/sql_select.cc,
// best_access_path: records = keyinfo->actual_rec_per_key(max_key_part-1)
// rows per outer row, rec_per_key being the index statistics' rows per
// distinct key prefix, what SHOW INDEX reports as rows / Cardinality). The
// rows per key come from the catalog: a unique key (the whole primary key
// or a UNIQUE index) has 1; a single column its non-NULL rows over its
// exact distinct count; a column set a foreign key joins on its key degree
// table's rows over keys (catalog.KeyDegrees), else a sketched pair's
// distinct estimate; a prefix without statistics falls back to its longest
// shorter prefix with them (more rows per key: a looser cap). max(Rows, ·)
// keeps the fetch count at least the join's own rows (an average does not
// bound the rows of a skewed key the estimator saw).

// indexKey is one index of a table as the model sees it: its key columns
// and the rows per distinct value of each prefix (+Inf when unknown).
type indexKey struct {
	cols []int
	rpk  []float64
}

// tableKeys lists, per schema table, the indexes a join can look rows up
// by: the primary key, the declared secondary indexes (up to a column
// prefix) and the foreign keys' columns (InnoDB indexes them).
func tableKeys(cat *catalog.Catalog) [][]indexKey {
	s := cat.Schema
	out := make([][]indexKey, len(s.Tables))
	for i, t := range s.Tables {
		var ts *catalog.TableStats
		if i < len(cat.Stats) {
			ts = &cat.Stats[i]
		}
		add := func(names []string, unique bool) {
			var cols []int
			for _, n := range names {
				c := t.ColumnIndex(n)
				if c < 0 {
					break
				}
				cols = append(cols, c)
			}
			if len(cols) == 0 {
				return
			}
			out[i] = append(out[i], indexKey{cols: cols, rpk: prefixRowsPerKey(ts, cols, unique && len(cols) == len(names))})
		}
		add(t.PrimaryKey, true)
		for _, ix := range t.Indexes {
			var names []string
			for _, c := range ix.Columns {
				if c.Prefix != 0 {
					break
				}
				names = append(names, c.Name)
			}
			add(names, ix.Unique && len(names) == len(ix.Columns))
		}
	}
	for _, fk := range s.ForeignKeys {
		ti := s.TableIndex(fk.Table)
		if ti < 0 {
			continue
		}
		var ts *catalog.TableStats
		if ti < len(cat.Stats) {
			ts = &cat.Stats[ti]
		}
		var cols []int
		for _, n := range fk.Columns {
			c := s.Tables[ti].ColumnIndex(n)
			if c < 0 {
				break
			}
			cols = append(cols, c)
		}
		if len(cols) > 0 {
			out[ti] = append(out[ti], indexKey{cols: cols, rpk: prefixRowsPerKey(ts, cols, false)})
		}
	}
	return out
}

// prefixRowsPerKey returns the rows per distinct value of each prefix of
// cols (unique: the whole of cols is a unique key).
func prefixRowsPerKey(ts *catalog.TableStats, cols []int, unique bool) []float64 {
	rpk := make([]float64, len(cols))
	prev := math.Inf(1)
	for k := range cols {
		r := math.Inf(1)
		switch {
		case unique && k == len(cols)-1:
			r = 1
		case ts != nil && ts.Rows > 0:
			r = statsRowsPerKey(ts, cols[:k+1])
		}
		prev = math.Min(prev, r) // a longer prefix has no more rows per key
		rpk[k] = prev
	}
	return rpk
}

// statsRowsPerKey returns the rows per distinct value of the column set
// cols of a table from its statistics, or +Inf without them.
func statsRowsPerKey(ts *catalog.TableStats, cols []int) float64 {
	if len(cols) == 1 {
		c := cols[0]
		if c < len(ts.Columns) && ts.Columns[c].Distinct > 0 {
			return float64(ts.Rows) * (1 - ts.Columns[c].NullFrac) / float64(ts.Columns[c].Distinct)
		}
		return math.Inf(1)
	}
	if kd := ts.KeyDegreesOf(cols); kd != nil {
		rows, keys := kd.RestRows, kd.RestKeys+int64(len(kd.Keys))
		for _, n := range kd.Counts {
			rows += n
		}
		if keys > 0 {
			return float64(rows) / float64(keys)
		}
	}
	if len(cols) == 2 {
		if h := ts.Sketch(cols...); h != nil {
			if d := h.Estimate(); d >= 1 {
				return float64(ts.Rows) / d
			}
		}
	}
	return math.Inf(1)
}

// rowsPerKey returns the fewest rows per key among the indexes of
// occurrence r whose leading columns are among bound, the columns join
// edges from the outer occurrences bind (boundCols; MariaDB's ref access
// on its best index), or +Inf when none is known.
func (m *MariaDB) rowsPerKey(q *features.Query, r int, bound []int) float64 {
	rt := q.Tables[r].Table
	best := math.Inf(1)
	if rt < 0 || rt >= len(m.keys) {
		return best
	}
	for _, k := range m.keys[rt] {
		n := 0
		for n < len(k.cols) && slices.Contains(bound, k.cols[n]) {
			n++
		}
		if n > 0 {
			best = math.Min(best, k.rpk[n-1])
		}
	}
	return best
}
