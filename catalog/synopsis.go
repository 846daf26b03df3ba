package catalog

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// Join synopses (Acharya, Gibbons, Poosala, Ramaswamy, "Join Synopses for
// Approximate Query Answering", SIGMOD 1999): a table's uniform sample
// extended, row by row, with the rows its foreign keys reference. Because
// a foreign key references at most one row, the sample joined along a
// foreign-key path is a uniform sample of the join itself:
//
//	order_items sample row i ──order_id──▶ orders row ──customer_id──▶ customers row
//	        │                                   │                           │
//	Sample[.][i]                 Joins[p=(oi→o)].Sample[.][i]   Joins[p=(oi→o→c)].Sample[.][i]
//
// so |σ(order_items ⋈ orders ⋈ customers)| ≈ |order_items| × (sampled rows
// passing every table's filter on the same joined row) / n. Independent
// per-table samples of a 1M-row and a 3M-row table share only ~n²/1M
// joining pairs; a synopsis keeps all n, and it sees correlations across
// the join (a customer's id and the id of their orders) that independence
// misses.

// DefaultJoinDepth is the number of foreign-key hops Build follows from
// each table for its join synopses: two reach a star schema's dimensions
// and a snowflake's second level (order_items → orders → customers).
const DefaultJoinDepth = 2

// maxJoinPaths bounds the join synopses of one table (each costs a sample
// of the referenced table's width).
const maxJoinPaths = 16

// JoinSample is a join synopsis of one table along one foreign-key path.
type JoinSample struct {
	// Path lists the foreign keys followed, as indexes into
	// Schema.ForeignKeys: Path[0] leaves this table and Path[k+1] leaves
	// the table Path[k] references.
	Path []int
	// Sample[col][i] is column col of the row of the path's last table
	// that sampled row i of this table reaches (NULL where Missing).
	Sample [][]Datum
	// Missing[i] reports that sampled row i reaches no row (a NULL or
	// dangling key on the way); nil when every row reaches one.
	Missing []bool
}

// EndTable returns the index of the table the path of j ends at.
func (j *JoinSample) EndTable(s *Schema) int {
	if len(j.Path) == 0 {
		return -1
	}
	return s.TableIndex(s.ForeignKeys[j.Path[len(j.Path)-1]].RefTable)
}

// ForeignKeyColumns is a foreign key resolved to table and column indexes.
type ForeignKeyColumns struct {
	From, To         int   // table indexes; -1 for an unknown table
	FromCols, ToCols []int // column indexes (-1 unknown); nil if a table is unknown
}

// ResolveForeignKeys resolves every foreign key of s, in order.
func (s *Schema) ResolveForeignKeys() []ForeignKeyColumns {
	out := make([]ForeignKeyColumns, len(s.ForeignKeys))
	for i, fk := range s.ForeignKeys {
		x := ForeignKeyColumns{From: s.TableIndex(fk.Table), To: s.TableIndex(fk.RefTable)}
		if x.From >= 0 && x.To >= 0 {
			for k := range fk.Columns {
				x.FromCols = append(x.FromCols, s.Tables[x.From].ColumnIndex(fk.Columns[k]))
				x.ToCols = append(x.ToCols, s.Tables[x.To].ColumnIndex(fk.RefColumns[k]))
			}
		}
		out[i] = x
	}
	return out
}

// keyOf appends the canonical key of row r over cols to b (integral floats
// equal the integer), or reports a NULL in the key.
func keyOf(b []byte, src Source, schema *Schema, table int, cols []int, r int) ([]byte, bool) {
	for _, c := range cols {
		d := src.ColumnData(table, c)
		if d.Null != nil && d.Null[r] {
			return b, false
		}
		switch schema.Tables[table].Columns[c].Type {
		case TypeFloat:
			f := d.Floats[r]
			if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
				b = append(b, 'i')
				b = binary.AppendVarint(b, int64(f))
			} else {
				b = append(b, 'f')
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
			}
		case TypeString:
			s := d.Dict[d.Codes[r]]
			b = append(b, 's')
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		default:
			b = append(b, 'i')
			b = binary.AppendVarint(b, d.Ints[r])
		}
	}
	return b, true
}

// refIndex maps the referenced key of a foreign key to its row; nil when
// the referenced columns are not unique (no single referenced row).
func refIndex(src Source, schema *Schema, fk ForeignKeyColumns) map[string]int32 {
	n := src.NumRows(fk.To)
	m := make(map[string]int32, n)
	var b []byte
	for r := 0; r < n; r++ {
		var ok bool
		b, ok = keyOf(b[:0], src, schema, fk.To, fk.ToCols, r)
		if !ok {
			continue
		}
		if _, dup := m[string(b)]; dup {
			return nil
		}
		m[string(b)] = int32(r)
	}
	return m
}

// buildJoinSamples fills the Joins of every sampled table: for each
// foreign-key path of at most depth hops whose every key is unique on the
// referenced side, the referenced rows of the table's sampled rows.
func buildJoinSamples(schema *Schema, src Source, cat *Catalog, rows [][]int, depth int) {
	fks := schema.ResolveForeignKeys()
	refs := make([]map[string]int32, len(fks))
	resolved := make([]bool, len(fks))
	ref := func(f int) map[string]int32 {
		if !resolved[f] {
			resolved[f] = true
			if fks[f].From >= 0 && fks[f].To >= 0 {
				refs[f] = refIndex(src, schema, fks[f])
			}
		}
		return refs[f]
	}
	var key []byte
	for ti := range schema.Tables {
		type frontier struct {
			path []int
			at   []int32 // per sampled row: row of the path's end table, -1 none
		}
		start := make([]int32, len(rows[ti]))
		for i, r := range rows[ti] {
			start[i] = int32(r)
		}
		level := []frontier{{at: start}}
		for d := 0; d < depth && len(cat.Stats[ti].Joins) < maxJoinPaths; d++ {
			var next []frontier
			for _, fr := range level {
				end := ti
				if len(fr.path) > 0 {
					end = fks[fr.path[len(fr.path)-1]].To
				}
				for f, fk := range fks {
					if fk.From != end || len(cat.Stats[ti].Joins) >= maxJoinPaths {
						continue
					}
					m := ref(f)
					if m == nil {
						continue
					}
					at := make([]int32, len(fr.at))
					var missing []bool
					for i, r := range fr.at {
						at[i] = -1
						if r >= 0 {
							var ok bool
							key, ok = keyOf(key[:0], src, schema, fk.From, fk.FromCols, int(r))
							if row, found := m[string(key)]; ok && found {
								at[i] = row
							}
						}
						if at[i] < 0 {
							if missing == nil {
								missing = make([]bool, len(fr.at))
							}
							missing[i] = true
						}
					}
					path := append(append([]int(nil), fr.path...), f)
					js := JoinSample{Path: path, Missing: missing, Sample: make([][]Datum, len(schema.Tables[fk.To].Columns))}
					for ci, col := range schema.Tables[fk.To].Columns {
						data := src.ColumnData(fk.To, ci)
						out := make([]Datum, len(at))
						for i, r := range at {
							if r < 0 {
								out[i] = Null
								continue
							}
							out[i] = datumAt(data, col.Type, int(r))
						}
						js.Sample[ci] = out
					}
					cat.Stats[ti].Joins = append(cat.Stats[ti].Joins, js)
					next = append(next, frontier{path: path, at: at})
				}
			}
			level = next
		}
	}
}

// pathString renders a foreign-key path for errors.
func pathString(s *Schema, path []int) string {
	var b strings.Builder
	for k, f := range path {
		if f < 0 || f >= len(s.ForeignKeys) {
			fmt.Fprintf(&b, " ?%d", f)
			continue
		}
		fk := s.ForeignKeys[f]
		if k == 0 {
			b.WriteString(fk.Table)
		}
		fmt.Fprintf(&b, " -(%s)-> %s", strings.Join(fk.Columns, ","), fk.RefTable)
	}
	return b.String()
}

// checkJoins verifies the join synopses of table ti: a valid chained
// path and one sample column per column of its end table, as long as
// the table's sample, of the end columns' kinds.
func (c *Catalog) checkJoins(ti int) error {
	ts := &c.Stats[ti]
	s := c.Schema
	for _, j := range ts.Joins {
		if len(j.Path) == 0 {
			return fmt.Errorf("table %q: join synopsis with an empty path", s.Tables[ti].Name)
		}
		at := s.Tables[ti].Name
		for _, f := range j.Path {
			if f < 0 || f >= len(s.ForeignKeys) || s.ForeignKeys[f].Table != at {
				return fmt.Errorf("table %q: join synopsis path%s is not a chain of foreign keys", s.Tables[ti].Name, pathString(s, j.Path))
			}
			at = s.ForeignKeys[f].RefTable
		}
		end := s.TableIndex(at)
		if end < 0 {
			return fmt.Errorf("table %q: join synopsis ends at unknown table %q", s.Tables[ti].Name, at)
		}
		cols := s.Tables[end].Columns
		if len(j.Sample) != len(cols) {
			return fmt.Errorf("table %q: join synopsis%s has %d columns for %d", s.Tables[ti].Name, pathString(s, j.Path), len(j.Sample), len(cols))
		}
		n := ts.SampleSize()
		if j.Missing != nil && len(j.Missing) != n {
			return fmt.Errorf("table %q: join synopsis%s: %d missing flags for %d sampled rows", s.Tables[ti].Name, pathString(s, j.Path), len(j.Missing), n)
		}
		for ci, col := range j.Sample {
			if len(col) != n {
				return fmt.Errorf("table %q: join synopsis%s: %d values for %d sampled rows", s.Tables[ti].Name, pathString(s, j.Path), len(col), n)
			}
			kind := kindOf(cols[ci].Type)
			for _, v := range col {
				if v.Kind != KindNull && (v.Kind != kind || (v.Kind == KindFloat && math.IsNaN(v.F))) {
					return fmt.Errorf("table %q: join synopsis%s: value %v of the wrong kind for %v", s.Tables[ti].Name, pathString(s, j.Path), v, cols[ci].Type)
				}
			}
		}
	}
	return nil
}
