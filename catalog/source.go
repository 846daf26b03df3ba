package catalog

import "fmt"

// ColumnData is read-only columnar access to the values of one column, in
// the layout of an in-memory column store (datasets.Column):
//
//	TypeInt, TypeDate, TypeDateTime -> Ints (dates as Unix seconds, UTC)
//	TypeFloat                       -> Floats
//	TypeString                      -> Codes indexing Dict
//
// Null, when non-nil, marks NULL rows (the typed slot is then ignored).
// Dict may hold unused or repeated strings; Build counts by string value.
type ColumnData struct {
	Ints   []int64
	Floats []float64
	Codes  []uint32
	Dict   []string
	Null   []bool
}

// Source gives Build access to the data of every table of a schema, by
// table and column index (parallel to Schema.Tables and Table.Columns).
// Whole-column slices keep Build free of per-value interface calls: it
// summarizes 3M rows x 8 columns in about half a second. Build calls it
// from several goroutines at once and never writes to the returned slices.
type Source interface {
	NumRows(table int) int
	ColumnData(table, col int) ColumnData
}

// Defaults of StatsOptions, PostgreSQL's default_statistics_target = 100
// (histogram buckets and MCV list length), and a 10,000-row sample so that
// tables of up to 10,000 rows are kept whole.
const (
	DefaultBuckets    = 100
	DefaultMCVs       = 100
	DefaultSampleSize = 10000
)

// StatsOptions tunes Build. The zero value means the defaults; negative
// values are an error.
type StatsOptions struct {
	Buckets    int // equi-depth histogram buckets; default DefaultBuckets
	MCVs       int // most-common values kept per column; default DefaultMCVs
	SampleSize int // sampled rows per table; default DefaultSampleSize
	// SharedKeySampleSize is the sample size of a table with more than
	// SampleSize rows that references a dimension another such table
	// references too (a fact on a shared dimension, see sharedsample.go);
	// default SharedKeySampleFactor × SampleSize, no effect when not
	// above SampleSize. NoSharedKeySamples samples them at SampleSize.
	SharedKeySampleSize int
	NoSharedKeySamples  bool
	// NoJoinSynopses skips the join synopses (TableStats.Joins), which by
	// default follow DefaultJoinDepth foreign-key hops from every table.
	NoJoinSynopses bool
	// NoKeyDegrees skips the degree tables of join keys
	// (TableStats.KeyDegrees), which by default are counted for every
	// column set a foreign key joins on.
	NoKeyDegrees bool
	// NoKeyMaps skips the key maps (TableStats.KeyMap), which by default
	// are kept for every sampled table of up to MaxKeyMapRows rows with a
	// single-column unique key and join columns.
	NoKeyMaps bool
	// NoDependencies skips the functional dependencies
	// (TableStats.Dependencies, see Dependency).
	NoDependencies bool
	// SketchRows is the fewest rows a table needs to get HyperLogLog
	// sketches (TableStats.Sketches); default DefaultSketchRows.
	// NoSketches skips them.
	SketchRows int
	NoSketches bool
	// SketchPrecision and PairSketchPrecision are the precisions (log2
	// of the registers, MinHLLPrecision..MaxHLLPrecision) of the column
	// and column-pair sketches; defaults DefaultSketchPrecision and
	// DefaultPairSketchPrecision.
	SketchPrecision, PairSketchPrecision int
}

func (o StatsOptions) withDefaults() (StatsOptions, error) {
	if o.Buckets < 0 || o.MCVs < 0 || o.SampleSize < 0 || o.SharedKeySampleSize < 0 || o.SketchRows < 0 || o.SketchPrecision < 0 || o.PairSketchPrecision < 0 {
		return o, fmt.Errorf("%w: negative value in %+v", ErrInvalidOptions, o)
	}
	if o.Buckets == 0 {
		o.Buckets = DefaultBuckets
	}
	if o.MCVs == 0 {
		o.MCVs = DefaultMCVs
	}
	if o.SampleSize == 0 {
		o.SampleSize = DefaultSampleSize
	}
	if o.SharedKeySampleSize == 0 {
		o.SharedKeySampleSize = int(SharedKeySampleFactor * float64(o.SampleSize))
	}
	if o.SketchRows == 0 {
		o.SketchRows = DefaultSketchRows
	}
	if o.SketchPrecision == 0 {
		o.SketchPrecision = DefaultSketchPrecision
	}
	if o.PairSketchPrecision == 0 {
		o.PairSketchPrecision = DefaultPairSketchPrecision
	}
	for _, p := range []int{o.SketchPrecision, o.PairSketchPrecision} {
		if p < MinHLLPrecision || p > MaxHLLPrecision {
			return o, fmt.Errorf("%w: sketch precision %d not in [%d, %d]", ErrInvalidOptions, p, MinHLLPrecision, MaxHLLPrecision)
		}
	}
	return o, nil
}

// checkColumn verifies that d holds n values of type t.
func checkColumn(d ColumnData, t Type, n int) error {
	if d.Null != nil && len(d.Null) != n {
		return fmt.Errorf("%w: %d null flags for %d rows", ErrInvalidSource, len(d.Null), n)
	}
	var got int
	switch t {
	case TypeFloat:
		got = len(d.Floats)
	case TypeString:
		got = len(d.Codes)
		for i, c := range d.Codes {
			if int(c) >= len(d.Dict) && (d.Null == nil || !d.Null[i]) {
				return fmt.Errorf("%w: row %d: dictionary code %d out of range (%d strings)", ErrInvalidSource, i, c, len(d.Dict))
			}
		}
	default:
		got = len(d.Ints)
	}
	if got != n {
		return fmt.Errorf("%w: %d %v values for %d rows", ErrInvalidSource, got, t, n)
	}
	return nil
}
