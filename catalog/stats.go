package catalog

// MCV is one most-common value of a column with its frequency as a fraction
// of all rows of the table (NULLs included in the denominator).
type MCV struct {
	Value Datum
	Freq  float64
}

// ColumnStats summarises one column.
type ColumnStats struct {
	NullFrac float64 // fraction of rows that are NULL
	Distinct int64   // number of distinct non-NULL values
	Min, Max Datum   // NULL when the column has no non-NULL value
	// MCVs are the most common values, most frequent first.
	MCVs []MCV
	// Histogram holds the bounds of an equi-depth histogram over the
	// non-NULL values that are not MCVs: len(Histogram)-1 buckets, each
	// holding about the same number of rows; bucket i spans
	// [Histogram[i], Histogram[i+1]]. Empty when every value is an MCV.
	Histogram []Datum
	// HistFrac is the fraction of all rows covered by the histogram
	// (1 - NullFrac - sum of MCV frequencies).
	HistFrac float64
}

// TableStats summarises one table.
type TableStats struct {
	Rows    int64
	Columns []ColumnStats // parallel to Table.Columns
	// Sample is a seeded uniform sample of rows without replacement, stored
	// by column: Sample[col][i] is column col of sampled row i. When the
	// table has no more rows than the sample size the sample is the whole
	// table (in row order).
	Sample [][]Datum
	// Joins are the join synopses of the sample: for each foreign-key
	// path from this table, the rows the sampled rows reference (see
	// JoinSample). Empty without a sample or foreign keys.
	Joins []JoinSample
	// KeyDegrees are the degree tables of the table's non-unique join keys
	// (see KeyDegrees); empty without foreign keys or when Build was told
	// NoKeyDegrees.
	KeyDegrees []KeyDegrees
	// Dependencies are the columns' (near-)functional dependencies found
	// in the data (see Dependency); empty without a sample.
	Dependencies []Dependency
	// Sketches are HyperLogLog sketches of the distinct values of the
	// columns and of pairs of columns of a large table (see Sketch and
	// AddSketches); empty for tables under StatsOptions.SketchRows.
	Sketches []Sketch
	// KeyMap is the table's unique key with every row's join columns (see
	// KeyMap and AddKeyMaps); nil for a table sampled whole, over
	// MaxKeyMapRows rows or without a single-column unique key.
	KeyMap *KeyMap
}

// SampleSize returns the number of sampled rows.
func (ts *TableStats) SampleSize() int {
	if len(ts.Sample) == 0 {
		return 0
	}
	return len(ts.Sample[0])
}

// Catalog is a schema with statistics for each of its tables.
type Catalog struct {
	Schema *Schema
	Stats  []TableStats // parallel to Schema.Tables
}

// TableStats returns the statistics of the named table, or nil.
func (c *Catalog) TableStats(name string) *TableStats {
	i := c.Schema.TableIndex(name)
	if i < 0 || i >= len(c.Stats) {
		return nil
	}
	return &c.Stats[i]
}
