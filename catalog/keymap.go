package catalog

import (
	"fmt"
	"slices"
	"sort"
)

// Key maps: for a sampled table of at most MaxKeyMapRows rows with a
// single-column unique key (its primary key or a unique index), every
// row's key value with the values of its join columns (the columns its
// foreign keys join on, either side, as the degree tables):
//
//	flights.id   origin  destination
//	      11543  ORD     DBQ
//	      11544  TPA     IAD
//
// A filter fixing the key (flights.id = 11543) holds at most one row,
// which a sample of half the table misses half the time. Through joins
// that row's count is its fan-out, a function of its join-column values
// alone; the sample cannot say which row it is, and the mean fan-out of a
// row, its only other answer, is set by the hubs (issue 12: 1,494,527 for
// a flight to DBQ, true 1). The key map says which: a key it does not hold
// has no row (0, exactly), else the estimator weighs the sampled rows that
// share the row's join-column values (estimator/zerohit.go).

// MaxKeyMapRows is the most rows of a table that gets a key map. A key map
// holds every row's key and join columns: the 20,000 flights of the demo
// (an id and two 3-letter airport codes a row) add 99,259 bytes to its
// saved catalog (362,293 -> 461,552, seed 1), 5 bytes a row after
// compression. 100,000 rows bound that at about 0.5 MB, the size of the
// rest of such a catalog, while a fact table of millions of rows would
// grow the file with its size, which is what a sample is for.
const MaxKeyMapRows = 100_000

// KeyMap is the projection of a table's single-column unique key on its
// join columns.
type KeyMap struct {
	// Key is the unique key's column index; Columns are the join
	// columns' indexes (ascending, without Key).
	Key     int
	Columns []int
	// Keys are the key values of every row with a non-NULL key,
	// ascending; Values[c][r] is column Columns[c] of the row holding
	// Keys[r].
	Keys   []Datum
	Values [][]Datum
}

// Lookup returns the row position of key value v in Keys, or false.
func (k *KeyMap) Lookup(v Datum) (int, bool) {
	if v.IsNull() {
		return 0, false
	}
	r := sort.Search(len(k.Keys), func(i int) bool { return Compare(k.Keys[i], v) >= 0 })
	return r, r < len(k.Keys) && Compare(k.Keys[r], v) == 0
}

// uniqueColumn returns the column index of t's single-column primary key,
// else of its first single-column unique index without a prefix, else -1.
func uniqueColumn(t *Table) int {
	if len(t.PrimaryKey) == 1 {
		return t.ColumnIndex(t.PrimaryKey[0])
	}
	for _, ix := range t.Indexes {
		if ix.Unique && len(ix.Columns) == 1 && ix.Columns[0].Prefix == 0 {
			return t.ColumnIndex(ix.Columns[0].Name)
		}
	}
	return -1
}

// AddKeyMaps sets the key map (TableStats.KeyMap) of every table of c that
// has more rows than its sample, at most MaxKeyMapRows, a single-column
// unique key whose values are distinct in the data, and join columns
// besides it, from the data of src.
func AddKeyMaps(c *Catalog, src Source) error {
	s := c.Schema
	for ti, sets := range joinKeys(s) {
		ts := &c.Stats[ti]
		ts.KeyMap = nil
		t := s.Tables[ti]
		n := src.NumRows(ti)
		key := uniqueColumn(t)
		if key < 0 || n > MaxKeyMapRows || int64(ts.SampleSize()) >= ts.Rows {
			continue
		}
		var cols []int
		for _, set := range sets {
			for _, col := range set {
				if col != key && !slices.Contains(cols, col) {
					cols = append(cols, col)
				}
			}
		}
		if len(cols) == 0 {
			continue
		}
		slices.Sort(cols)
		kdata := src.ColumnData(ti, key)
		if err := checkColumn(kdata, t.Columns[key].Type, n); err != nil {
			return fmt.Errorf("table %q column %q: %w", t.Name, t.Columns[key].Name, err)
		}
		data := make([]ColumnData, len(cols))
		for k, col := range cols {
			data[k] = src.ColumnData(ti, col)
			if err := checkColumn(data[k], t.Columns[col].Type, n); err != nil {
				return fmt.Errorf("table %q column %q: %w", t.Name, t.Columns[col].Name, err)
			}
		}
		var rows []int
		for r := range n {
			if !datumAt(kdata, t.Columns[key].Type, r).IsNull() {
				rows = append(rows, r)
			}
		}
		keyOf := func(r int) Datum { return datumAt(kdata, t.Columns[key].Type, r) }
		slices.SortFunc(rows, func(a, b int) int { return Compare(keyOf(a), keyOf(b)) })
		km := &KeyMap{Key: key, Columns: cols, Keys: make([]Datum, len(rows)), Values: make([][]Datum, len(cols))}
		unique := true
		for i, r := range rows {
			km.Keys[i] = keyOf(r)
			unique = unique && (i == 0 || Compare(km.Keys[i-1], km.Keys[i]) != 0)
		}
		if !unique {
			// The data holds a key value twice (nothing enforced the
			// declared key, as in a CSV export): a filter on it is not
			// one row, so the table gets no key map; its statistics
			// stand as before key maps.
			continue
		}
		for k, col := range cols {
			km.Values[k] = make([]Datum, len(rows))
			for i, r := range rows {
				km.Values[k][i] = datumAt(data[k], t.Columns[col].Type, r)
			}
		}
		ts.KeyMap = km
	}
	return nil
}

// checkKeyMap verifies the key map of table ti: its key is the table's
// unique column, its columns known, ascending and not the key; keys
// non-NULL, strictly ascending and of the key's kind, at most the table's
// rows; values parallel to them and of their columns' kinds.
func (c *Catalog) checkKeyMap(ti int) error {
	km := c.Stats[ti].KeyMap
	if km == nil {
		return nil
	}
	t := c.Schema.Tables[ti]
	if km.Key < 0 || km.Key != uniqueColumn(t) {
		return fmt.Errorf("table %q: key map on column %d, not a single-column unique key", t.Name, km.Key)
	}
	if len(km.Columns) == 0 || len(km.Columns) != len(km.Values) {
		return fmt.Errorf("table %q: key map of %d columns with %d value lists", t.Name, len(km.Columns), len(km.Values))
	}
	for i, col := range km.Columns {
		if col < 0 || col >= len(t.Columns) || col == km.Key || (i > 0 && col <= km.Columns[i-1]) {
			return fmt.Errorf("table %q: key map on column %d", t.Name, col)
		}
	}
	if int64(len(km.Keys)) > c.Stats[ti].Rows {
		return fmt.Errorf("table %q: key map of %d keys for %d rows", t.Name, len(km.Keys), c.Stats[ti].Rows)
	}
	kind := kindOf(t.Columns[km.Key].Type)
	for i, k := range km.Keys {
		if !datumFits(k, kind, false) || (i > 0 && Compare(km.Keys[i-1], k) >= 0) {
			return fmt.Errorf("table %q: key map keys not distinct non-NULL %v values, ascending", t.Name, t.Columns[km.Key].Type)
		}
	}
	for i, vs := range km.Values {
		if len(vs) != len(km.Keys) {
			return fmt.Errorf("table %q: key map column %d has %d values for %d keys", t.Name, km.Columns[i], len(vs), len(km.Keys))
		}
		ck := kindOf(t.Columns[km.Columns[i]].Type)
		for _, v := range vs {
			if !datumFits(v, ck, true) {
				return fmt.Errorf("table %q: key map value %v of the wrong kind for %v", t.Name, v, t.Columns[km.Columns[i]].Type)
			}
		}
	}
	return nil
}

// encodeKeyMaps writes the key maps: per table 0 (none) or 1, then the
// key column, the columns, the keys and the values column by column.
func encodeKeyMaps(e *encoder, stats []TableStats) {
	e.Uvarint(uint64(len(stats)))
	for _, ts := range stats {
		km := ts.KeyMap
		if km == nil {
			e.Uvarint(0)
			continue
		}
		e.Uvarint(1)
		e.Uvarint(uint64(km.Key))
		e.Uvarint(uint64(len(km.Columns)))
		for _, c := range km.Columns {
			e.Uvarint(uint64(c))
		}
		e.Uvarint(uint64(len(km.Keys)))
		for _, k := range km.Keys {
			e.datum(k)
		}
		for _, vs := range km.Values {
			for _, v := range vs {
				e.datum(v)
			}
		}
	}
}

// decodeKeyMaps reads what encodeKeyMaps wrote (check validates the
// values).
func decodeKeyMaps(d *decoder, s *Schema, stats []TableStats) {
	n := d.Count("key map tables", maxTables, 1)
	if d.Err() != nil {
		return
	}
	if n != len(stats) {
		d.Fail("key maps of %d tables for %d", n, len(stats))
		return
	}
	for ti := range stats {
		if d.Count("key maps", 1, 1) == 0 || d.Err() != nil {
			continue
		}
		nc := len(s.Tables[ti].Columns)
		km := &KeyMap{Key: d.Count("key map key", nc-1, 0)}
		ncols := d.Count("key map columns", nc, 1)
		for range ncols {
			km.Columns = append(km.Columns, d.Count("key map column", nc-1, 0))
		}
		nkeys := d.Count("key map keys", MaxKeyMapRows, 2+len(km.Columns))
		if d.Err() != nil {
			return
		}
		km.Keys = make([]Datum, nkeys)
		for i := range km.Keys {
			km.Keys[i] = d.datum()
		}
		km.Values = make([][]Datum, len(km.Columns))
		for c := range km.Values {
			km.Values[c] = make([]Datum, nkeys)
			for i := range nkeys {
				km.Values[c][i] = d.datum()
			}
		}
		if d.Err() != nil {
			return
		}
		stats[ti].KeyMap = km
	}
}
