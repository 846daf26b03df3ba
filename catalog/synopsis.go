package catalog

import (
	"context"
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

// AppendKey appends the canonical encoding of the key values vals to b:
// equal keys encode equally (integral floats as integers, so an INT key
// meets a DOUBLE one), different keys differently. A RowLookup matches
// keys with it.
func AppendKey(b []byte, vals ...Datum) []byte {
	for _, d := range vals {
		b = appendKey(b, d)
	}
	return b
}

func appendKey(b []byte, d Datum) []byte {
	switch d.Kind {
	case KindFloat:
		if d.F == math.Trunc(d.F) && math.Abs(d.F) < 1<<53 {
			b = append(b, 'i')
			return binary.AppendVarint(b, int64(d.F))
		}
		b = append(b, 'f')
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(d.F))
	case KindString:
		b = append(b, 's')
		b = binary.AppendUvarint(b, uint64(len(d.S)))
		return append(b, d.S...)
	default:
		b = append(b, 'i')
		return binary.AppendVarint(b, d.I)
	}
}

// RowLookup finds the rows foreign keys reference, for AddJoinSynopses.
type RowLookup interface {
	// Lookup returns, for each key (the values of foreign key fk's
	// referenced columns, in order, none NULL), the row of the
	// referenced table that holds it (one value per column of that
	// table), or nil when no row does. unique is false when some key is
	// held by several rows: the foreign key then gets no synopsis.
	Lookup(ctx context.Context, fk int, keys [][]Datum) (rows [][]Datum, unique bool, err error)
}

// AddJoinSynopses sets the join synopses (TableStats.Joins) of every
// sampled table of c: for each foreign-key path of at most depth hops
// whose every key is unique on the referenced side, the rows the sampled
// rows reach, found with lookup (Build uses the data itself; a server
// can answer with SELECTs by key, see datasets/live). Each distinct key is
// looked up once per foreign key and level.
func AddJoinSynopses(ctx context.Context, c *Catalog, depth int, lookup RowLookup) error {
	s := c.Schema
	fks := s.ResolveForeignKeys()
	notUnique := make([]bool, len(fks))
	var key []byte
	for ti := range s.Tables {
		ts := &c.Stats[ti]
		ts.Joins = nil
		n := ts.SampleSize()
		if n == 0 {
			continue
		}
		type frontier struct {
			path    []int
			cols    [][]Datum // by column of the path's end table
			missing []bool
		}
		level := []frontier{{cols: ts.Sample}}
		for d := 0; d < depth && len(ts.Joins) < maxJoinPaths; d++ {
			var next []frontier
			for _, fr := range level {
				end := ti
				if len(fr.path) > 0 {
					end = fks[fr.path[len(fr.path)-1]].To
				}
				for f, fk := range fks {
					if fk.From != end || fk.To < 0 || notUnique[f] || len(ts.Joins) >= maxJoinPaths {
						continue
					}
					// The distinct non-NULL keys of the reached rows.
					slot := make([]int32, n) // per sampled row: key index, -1 none
					ids := make(map[string]int32)
					var keys [][]Datum
					for i := range n {
						slot[i] = -1
						if fr.missing != nil && fr.missing[i] {
							continue
						}
						key = key[:0]
						var kv []Datum
						null := false
						for _, col := range fk.FromCols {
							v := fr.cols[col][i]
							if v.IsNull() {
								null = true
								break
							}
							key = appendKey(key, v)
							kv = append(kv, v)
						}
						if null {
							continue
						}
						id, ok := ids[string(key)]
						if !ok {
							id = int32(len(keys))
							ids[string(key)] = id
							keys = append(keys, kv)
						}
						slot[i] = id
					}
					rows, unique, err := lookup.Lookup(ctx, f, keys)
					if err != nil {
						return fmt.Errorf("join synopsis of %s: %w", pathString(s, append(append([]int(nil), fr.path...), f)), err)
					}
					if !unique {
						notUnique[f] = true
						continue
					}
					if len(rows) != len(keys) {
						return fmt.Errorf("%w: lookup of foreign key %d returned %d rows for %d keys", ErrInvalidSource, f, len(rows), len(keys))
					}
					ncols := len(s.Tables[fk.To].Columns)
					js := JoinSample{Path: append(append([]int(nil), fr.path...), f), Sample: make([][]Datum, ncols)}
					for ci := range js.Sample {
						js.Sample[ci] = make([]Datum, n)
					}
					for i, id := range slot {
						var row []Datum
						if id >= 0 {
							row = rows[id]
						}
						if row == nil {
							if js.Missing == nil {
								js.Missing = make([]bool, n)
							}
							js.Missing[i] = true
							continue
						}
						if len(row) != ncols {
							return fmt.Errorf("%w: lookup of foreign key %d returned a row of %d values for %d columns", ErrInvalidSource, f, len(row), ncols)
						}
						for ci, v := range row {
							js.Sample[ci][i] = v
						}
					}
					ts.Joins = append(ts.Joins, js)
					next = append(next, frontier{path: js.Path, cols: js.Sample, missing: js.Missing})
				}
			}
			level = next
		}
	}
	return nil
}

// NewSourceLookup returns the RowLookup Build uses: it answers from the
// data of src (per foreign key a map from referenced key to row, built on
// first use). Not safe for concurrent use.
func NewSourceLookup(schema *Schema, src Source) RowLookup {
	return &sourceLookup{schema: schema, src: src, fks: schema.ResolveForeignKeys(), index: make(map[int]map[string]int32)}
}

// sourceLookup answers RowLookup from a Source.
type sourceLookup struct {
	schema *Schema
	src    Source
	fks    []ForeignKeyColumns
	index  map[int]map[string]int32 // nil map: not unique
}

func (l *sourceLookup) Lookup(_ context.Context, f int, keys [][]Datum) ([][]Datum, bool, error) {
	fk := l.fks[f]
	m, built := l.index[f]
	if !built {
		m = l.refIndex(fk)
		l.index[f] = m
	}
	if m == nil {
		return nil, false, nil
	}
	cols := l.schema.Tables[fk.To].Columns
	data := make([]ColumnData, len(cols))
	for ci := range cols {
		data[ci] = l.src.ColumnData(fk.To, ci)
	}
	out := make([][]Datum, len(keys))
	var b []byte
	for k, kv := range keys {
		b = AppendKey(b[:0], kv...)
		r, ok := m[string(b)]
		if !ok {
			continue
		}
		row := make([]Datum, len(cols))
		for ci, col := range cols {
			row[ci] = datumAt(data[ci], col.Type, int(r))
		}
		out[k] = row
	}
	return out, true, nil
}

// refIndex maps the referenced key of a foreign key to its row; nil when
// the referenced columns are not unique (no single referenced row).
func (l *sourceLookup) refIndex(fk ForeignKeyColumns) map[string]int32 {
	n := l.src.NumRows(fk.To)
	data := make([]ColumnData, len(fk.ToCols))
	types := make([]Type, len(fk.ToCols))
	for k, c := range fk.ToCols {
		data[k] = l.src.ColumnData(fk.To, c)
		types[k] = l.schema.Tables[fk.To].Columns[c].Type
	}
	m := make(map[string]int32, n)
	var b []byte
rows:
	for r := 0; r < n; r++ {
		b = b[:0]
		for k := range data {
			d := datumAt(data[k], types[k], r)
			if d.IsNull() {
				continue rows
			}
			b = appendKey(b, d)
		}
		if _, dup := m[string(b)]; dup {
			return nil
		}
		m[string(b)] = int32(r)
	}
	return m
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
				if !datumFits(v, kind, true) {
					return fmt.Errorf("table %q: join synopsis%s: value %v of the wrong kind for %v", s.Tables[ti].Name, pathString(s, j.Path), v, cols[ci].Type)
				}
			}
		}
	}
	return nil
}
