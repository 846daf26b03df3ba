// Package datasets is Cardinal's in-memory columnar database: how tables
// are built, loaded from CSV and JSON, written back, and the two built-in
// data sets (real flights data, a generated e-commerce shop) on which
// estimators are trained and tested.
//
// # Storage
//
// A DB holds one Table per table of a catalog.Schema; a Table holds one
// Column per column, stored by type (see db.go): ints, dates and datetimes
// (Unix seconds, UTC) as []int64, floats as []float64, strings
// dictionary-encoded as []uint32 codes into Dict, with a Null []bool only
// when the column has a NULL. Strings are interned in order of first
// appearance, so a load is deterministic.
//
//	schema.sql --catalog.ParseSchema--> catalog.Schema
//	                                         |
//	<t>.csv ----> LoadCSV ---+               v
//	JSON array -> LoadJSON --+-------------> DB --> Table --> Column
//	Go rows ----> AppendRow -+               |      {Ints | Floats | Codes+Dict, Null}
//	Flights() (embedded) ----+               |
//	Ecommerce() (seeded) ----+               +--> WriteCSVDir: schema.sql + <t>.csv
//	                                         +--> engine, workload, catalog stats
//
// # Loading
//
// LoadCSVDir reads schema.sql and one <table>.csv per table; LoadCSV takes
// the schema as a value. The CSV reader is a small RFC 4180 reader written
// for this package because encoding/csv cannot tell an empty unquoted field
// (NULL) from a quoted empty string (""), which a NULL-aware format needs
// (MySQL's \N marker is NULL too). It parses straight from a 1 MiB bufio
// buffer into the typed columns without per-row allocation (a string
// allocates only when it first enters the dictionary); dates are parsed by
// hand with H. Hinnant's days_from_civil ("chrono-Compatible Low-Level Date
// Algorithms"). Columns are preallocated from the file size once the first
// records show the bytes per record. Inputs of 8 MiB or more are parsed in
// parallel: a splitter cuts the text into chunks of whole records (a
// newline ends a record when an even number of quotes precede it), workers
// tokenize and parse numbers and dates, and the caller appends the parts
// in document order, interning strings itself so that dictionary codes,
// results and errors are exactly those of a sequential parse (tested
// differentially, fuzzing included).
//
// LoadJSON appends a JSON array of objects through encoding/json's token
// stream. Every bad input is a *LoadError (file, line, JSON element index,
// column) wrapping a sentinel (ErrMalformed, ErrType, ErrNullViolation,
// ErrHeader, ErrUnknownColumn, ErrMissingTable, ...); nothing is dropped or
// rounded silently (fractional seconds, out-of-range numbers and impossible
// dates are errors), and a failed load leaves the table as it was.
//
// # Built-in data
//
// Flights is real data, embedded from flightsdata/ (see NOTICE.md there):
// 20,000 US domestic flights of Jan-Mar 2001 (U.S. Bureau of
// Transportation Statistics on-time data), 3,376 airports (Data.gov) and
// 5,366 routes with 2008 flight counts, as bundled in the vega-datasets
// 3.2.1 npm package (BSD-3-Clause). Hour, month and day of week are
// derived from the departure time; the airports file's R-style "NA" city
// and state become NULL. Its foreign keys include a composite one
// (flights -> routes) and a many-to-many self join (airports on city,
// state).
//
// Ecommerce generates a seeded shop (customers, products, orders,
// order_items) with the skew and correlation that make cardinality
// estimation hard: Zipf (Zipf's law; sampled by binary search over
// cumulative weights) product popularity and customer activity, region
// correlated with order volume, log-normal prices by category, brands
// nested in categories, quantity falling with price (Poisson, Knuth's
// method, TAOCP vol. 2 §3.4.1), seasonal and weekday order dates, status
// and shipped_date determined by order age, NULLs in optional columns.
//
// # TPC-H
//
// TPCH generates the TPC-H benchmark database (TPC Benchmark H, standard
// specification 2.17; eight tables with primary and foreign keys, see
// TPCHSchema) with go-tpc's Go port of the reference dbgen
// (github.com/pingcap/go-tpc/tpch/dbgen), row for row the reference data
// at whole scale factors (tested against reference rows in testdata). It
// is the join-ordering and index-advice workbench: a snowflake of
// foreign keys in which nation and region play two roles (customer's and
// supplier's, as in Q7 and Q8).
//
//	lineitem --> orders --> customer --> nation --> region
//	  |   |
//	  |   +--> partsupp --> part
//	  |          |
//	  +------> supplier --> nation --> region   (second role)
//	(lineitem also references part and supplier directly)
//
// dbgen keeps its state in package variables and prints to standard
// output, so calls are serialised by a mutex and its output silenced;
// its set-up builds a 300 MB text pool (about 30 s here) whatever the
// scale. TPCH therefore caches the tables on disk (DefaultCacheDir, or
// $CARDINAL_CACHE_DIR: schema.sql and a binary column file per table,
// the columns as held in memory, so a read is a copy rather than a CSV
// parse; a manifest with a format version, the options and each file's
// size and SHA-256, checked while reading; all written to a
// temporary directory and renamed; a lock file makes other processes wait
// for the one generating). Scale is a whole number (dbgen's factor) or a
// sub-scale in [0.001, 1): that fraction of SF1 by key ranges with the
// foreign keys folded into the kept ranges, which keeps every key valid
// and the table ratios of SF1 (0.01: 60,175 lineitems, read from the
// cache in a fraction of a second; tests use it). Comment columns are
// left out unless TPCHOptions.Comments is set.
package datasets
