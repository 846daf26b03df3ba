package catalog

import (
	"cmp"
	"fmt"
	"slices"
)

// Join-key degree tables, the per-key statistics of FactorJoin (Wu et al.,
// "FactorJoin: A New Cardinality Estimation Framework for Join Queries",
// SIGMOD 2023) with exact degrees where they fit: for each column set of a
// table that a foreign key joins on (either side), the number of rows
// holding each key value. A join of two tables that reference one shared
// key (orders and reviews on customers.id; flights and routes on
// airports.iata) or of two non-unique sides (customers(city, region) =
// stores(city, region)) has Σ_k deg_R(k)·deg_S(k) rows, which an
// independence estimate |R|·|S|/ndv misses by orders of magnitude where hub
// keys are heavy on both sides, and independent samples miss where the
// samples do not meet:
//
//	orders.customer_id     deg: 7 ▇▇▇▇▇▇▇ 3 ▇▇▇ 1 ▇ ...   (top MaxKeyDegrees exact,
//	reviews.customer_id    deg: 4 ▇▇▇▇    2 ▇▇  0        the rest as rows/keys)
//	                            k=17      k=4   k=9
//
// The estimator (estimator/factorjoin.go) post-stratifies the sample by
// key: each sampled row stands for deg(k)/sampled(k) rows of its key
// instead of |T|/n, so an unfiltered table's message is exact and a
// filtered one's is its key's exact degree times the filter's pass rate
// among the key's sampled rows.

// MaxKeyDegrees is the number of keys whose degree a KeyDegrees keeps
// exactly (the most frequent); the others are summarised by their rows and
// keys. 16,384 keeps every key of a dimension of up to 16k rows (the
// flights airports, ecommerce customers at scale 1) at about 10 bytes a key.
const MaxKeyDegrees = 1 << 14

// KeyDegrees is the degree table of one join key of a table.
type KeyDegrees struct {
	// Columns are the key's column indexes, in the foreign key's order.
	Columns []int
	// Keys are the most frequent key values (AppendKey encodings of the
	// columns' values, none NULL), most frequent first, and Counts their
	// rows; every key when RestKeys is 0.
	Keys   []string
	Counts []int64
	// RestRows and RestKeys are the rows and distinct keys not in Keys
	// (rows with a NULL in the key are in neither).
	RestRows, RestKeys int64
}

// Degree returns the rows holding key (an AppendKey encoding): its exact
// count, else the average of the keys not kept (0 when every key is kept).
// The index maps keys to their position in Keys (see Index).
func (k *KeyDegrees) Degree(index map[string]int32, key []byte) float64 {
	if i, ok := index[string(key)]; ok {
		return float64(k.Counts[i])
	}
	if k.RestKeys == 0 {
		return 0
	}
	return float64(k.RestRows) / float64(k.RestKeys)
}

// Index maps each kept key to its position in Keys.
func (k *KeyDegrees) Index() map[string]int32 {
	m := make(map[string]int32, len(k.Keys))
	for i, s := range k.Keys {
		m[s] = int32(i)
	}
	return m
}

// KeyDegreesOf returns the degree table of table ti on exactly the column
// set cols (in any order), or nil.
func (ts *TableStats) KeyDegreesOf(cols []int) *KeyDegrees {
	for i := range ts.KeyDegrees {
		k := &ts.KeyDegrees[i]
		if len(k.Columns) != len(cols) {
			continue
		}
		same := true
		for _, c := range cols {
			if !slices.Contains(k.Columns, c) {
				same = false
				break
			}
		}
		if same {
			return k
		}
	}
	return nil
}

// joinKeys returns, per table of s, the distinct column sets foreign keys
// join on (either side), in foreign-key order.
func joinKeys(s *Schema) [][][]int {
	out := make([][][]int, len(s.Tables))
	add := func(t int, cols []int) {
		if t < 0 || slices.Contains(cols, -1) || len(cols) == 0 {
			return
		}
		for _, have := range out[t] {
			if len(have) == len(cols) {
				same := true
				for _, c := range cols {
					same = same && slices.Contains(have, c)
				}
				if same {
					return
				}
			}
		}
		out[t] = append(out[t], cols)
	}
	for _, fk := range s.ResolveForeignKeys() {
		add(fk.From, fk.FromCols)
		add(fk.To, fk.ToCols)
	}
	return out
}

// AddKeyDegrees sets the degree tables (TableStats.KeyDegrees) of every
// join key of c's foreign keys from the data of src; a key whose every
// value is held by one row (a primary key) gets none: its degree is 1.
func AddKeyDegrees(c *Catalog, src Source) error {
	s := c.Schema
	for ti, sets := range joinKeys(s) {
		c.Stats[ti].KeyDegrees = nil
		n := src.NumRows(ti)
		for _, cols := range sets {
			data := make([]ColumnData, len(cols))
			types := make([]Type, len(cols))
			for k, col := range cols {
				data[k] = src.ColumnData(ti, col)
				types[k] = s.Tables[ti].Columns[col].Type
				if err := checkColumn(data[k], types[k], n); err != nil {
					return fmt.Errorf("table %q column %q: %w", s.Tables[ti].Name, s.Tables[ti].Columns[col].Name, err)
				}
			}
			counts := make(map[string]int64)
			var b []byte
		rows:
			for r := range n {
				b = b[:0]
				for k := range data {
					d := datumAt(data[k], types[k], r)
					if d.IsNull() {
						continue rows
					}
					b = appendKey(b, d)
				}
				counts[string(b)]++
			}
			if kd, ok := newKeyDegrees(cols, counts); ok {
				c.Stats[ti].KeyDegrees = append(c.Stats[ti].KeyDegrees, kd)
			}
		}
	}
	return nil
}

// newKeyDegrees keeps the MaxKeyDegrees most frequent keys of counts
// (ties by key, so the result depends only on the data); ok is false when
// every key has one row.
func newKeyDegrees(cols []int, counts map[string]int64) (KeyDegrees, bool) {
	kd := KeyDegrees{Columns: slices.Clone(cols)}
	keys := make([]string, 0, len(counts))
	unique := true
	for k, n := range counts {
		keys = append(keys, k)
		unique = unique && n == 1
	}
	if unique {
		return kd, false
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	for i, k := range keys {
		if i < MaxKeyDegrees {
			kd.Keys = append(kd.Keys, k)
			kd.Counts = append(kd.Counts, counts[k])
			continue
		}
		kd.RestRows += counts[k]
		kd.RestKeys++
	}
	return kd, true
}

// checkKeyDegrees verifies the degree tables of table ti: known, distinct
// columns; positive counts, most frequent first; keys distinct; rests
// consistent; no more rows than the table.
func (c *Catalog) checkKeyDegrees(ti int) error {
	ts := &c.Stats[ti]
	t := c.Schema.Tables[ti]
	for _, kd := range ts.KeyDegrees {
		if len(kd.Columns) == 0 || len(kd.Columns) > maxKeyColumns {
			return fmt.Errorf("table %q: key degrees of %d columns", t.Name, len(kd.Columns))
		}
		for i, col := range kd.Columns {
			if col < 0 || col >= len(t.Columns) || slices.Contains(kd.Columns[:i], col) {
				return fmt.Errorf("table %q: key degrees on column %d", t.Name, col)
			}
		}
		if len(kd.Keys) != len(kd.Counts) || len(kd.Keys) > MaxKeyDegrees {
			return fmt.Errorf("table %q: %d keys with %d counts", t.Name, len(kd.Keys), len(kd.Counts))
		}
		total := kd.RestRows
		seen := make(map[string]bool, len(kd.Keys))
		for i, n := range kd.Counts {
			if n <= 0 || (i > 0 && n > kd.Counts[i-1]) || seen[kd.Keys[i]] {
				return fmt.Errorf("table %q: key degrees not distinct positive counts, most frequent first", t.Name)
			}
			seen[kd.Keys[i]] = true
			total += n
		}
		if kd.RestKeys < 0 || kd.RestRows < kd.RestKeys || (kd.RestKeys == 0) != (kd.RestRows == 0) || total > ts.Rows || total < 0 {
			return fmt.Errorf("table %q: key degrees of %d rows (%d rows, %d keys not kept) for a table of %d rows", t.Name, total, kd.RestRows, kd.RestKeys, ts.Rows)
		}
	}
	return nil
}

// encodeKeyDegrees writes the degree tables: per table their count, then
// per table its columns, its kept keys with their counts, and the rests.
func encodeKeyDegrees(e *encoder, stats []TableStats) {
	e.Uvarint(uint64(len(stats)))
	for _, ts := range stats {
		e.Uvarint(uint64(len(ts.KeyDegrees)))
		for _, kd := range ts.KeyDegrees {
			e.Uvarint(uint64(len(kd.Columns)))
			for _, c := range kd.Columns {
				e.Uvarint(uint64(c))
			}
			e.Uvarint(uint64(len(kd.Keys)))
			for i, k := range kd.Keys {
				e.Str(k)
				e.Uvarint(uint64(kd.Counts[i]))
			}
			e.Uvarint(uint64(kd.RestRows))
			e.Uvarint(uint64(kd.RestKeys))
		}
	}
}

// maxCount bounds the rows of a key degree table in a file (2^48, far
// above any table this library can hold).
const maxCount = 1 << 48

// decodeKeyDegrees reads what encodeKeyDegrees wrote (check validates the
// values).
func decodeKeyDegrees(d *decoder, s *Schema, stats []TableStats) {
	n := d.Count("key degree tables", maxTables, 1)
	if d.Err() != nil {
		return
	}
	if n != len(stats) {
		d.Fail("key degrees of %d tables for %d", n, len(stats))
		return
	}
	count := func(what string) int64 { return int64(d.Count(what, maxCount, 0)) }
	for ti := range stats {
		nk := d.Count("key degree tables", maxForeignKey, 4)
		for range nk {
			var kd KeyDegrees
			nc := d.Count("key columns", maxKeyColumns, 1)
			for range nc {
				kd.Columns = append(kd.Columns, d.Count("key column", len(s.Tables[ti].Columns)-1, 0))
			}
			nkeys := d.Count("keys", MaxKeyDegrees, 2)
			if d.Err() != nil {
				return
			}
			kd.Keys, kd.Counts = make([]string, nkeys), make([]int64, nkeys)
			for i := range nkeys {
				kd.Keys[i] = d.Str("key", maxStringLen)
				kd.Counts[i] = count("key count")
			}
			kd.RestRows, kd.RestKeys = count("rest rows"), count("rest keys")
			if d.Err() != nil {
				return
			}
			stats[ti].KeyDegrees = append(stats[ti].KeyDegrees, kd)
		}
	}
}
