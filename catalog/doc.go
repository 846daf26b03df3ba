// Package catalog holds what Cardinal knows about a database before it sees
// a query: the schema (tables, typed columns, primary keys, foreign-key join
// paths) and per-table statistics, and the code that produces, renders,
// fingerprints and stores them.
//
//	schema.sql --ParseSchema--> *Schema <--Validate
//	  (MySQL DDL, TiDB parser)     |   `--SQL--> CREATE TABLE text (round trip)
//	                               |
//	Source (column slices) -Build--+--> *Catalog {Schema, Stats []TableStats}
//	  datasets.DB, ...                  |   Rows; per column NullFrac, Distinct,
//	                                    |   Min/Max, MCVs, equi-depth histogram;
//	                                    |   uniform row sample, joined along
//	                                    |   foreign keys (join synopses);
//	                                    |   functional dependencies;
//	                                    |   HyperLogLog sketches of large tables
//	                                    +--Fingerprint--> 32 hex digits
//	                                    `--Save--> bytes --Load--> *Catalog
//
// # Schemas
//
// ParseSchema reads CREATE TABLE statements with the TiDB MySQL parser
// (github.com/pingcap/tidb/pkg/parser). The parser gives DDL nodes no
// positions, so a small tokenizer (sqlpos.go) re-scans the text to map
// statements, column definitions and REFERENCES clauses to offsets, and
// every error is a *SchemaError with a line:col and a sentinel (ErrSyntax,
// ErrUnsupportedType, ...). Validate applies the same checks to schemas
// built in code.
//
// # Statistics
//
// Build reads every row (exact statistics, unlike ANALYZE's sample): each
// column is sorted once with an LSD radix sort over order-preserving uint64
// keys (integers with the sign bit flipped, floats by IEEE-754 bit tricks,
// strings by counting dictionary codes and sorting only the dictionary),
// then run-length grouped. From the groups it takes
//
//   - the MCV list: values more frequent than the average value, most
//     frequent first, as PostgreSQL's compute_scalar_stats keeps values
//     "significantly more common than average" (src/backend/commands/analyze.c);
//   - an equi-depth histogram over the other non-NULL rows
//     (Piatetsky-Shapiro & Connell, "Accurate estimation of the number of
//     tuples satisfying a condition", SIGMOD 1984): bound i is the value at
//     rank i*(m-1)/B, so every bucket holds about m/B rows;
//   - a uniform sample without replacement by Floyd's algorithm (Bentley &
//     Floyd, "Programming pearls: a sample of brilliance", CACM 30(9), 1987),
//     stored in row order, or the whole table when it is small; fact
//     tables meeting at a shared dimension get 3x as many rows
//     (sharedsample.go);
//   - join synopses (Acharya, Gibbons, Poosala, Ramaswamy, "Join Synopses
//     for Approximate Query Answering", SIGMOD 1999): for every foreign-key
//     path of up to DefaultJoinDepth hops whose referenced columns are
//     unique, the rows the sampled rows reference (synopsis.go), so the
//     sample joined along foreign keys is a uniform sample of the join;
//   - join-key degree tables (keydegrees.go; the per-key statistics of
//     FactorJoin, Wu et al., SIGMOD 2023): for every column set a foreign
//     key joins on that is not unique, the exact rows per key value for
//     the MaxKeyDegrees most frequent keys and a (rows, keys) summary of
//     the rest, so joins through a shared key and many-to-many joins are
//     estimated from exact degrees where samples would not meet;
//   - (near-)functional dependencies (fd.go; after CORDS, Ilyas et al.,
//     SIGMOD 2004): per determinant column, its rows sorted into up to
//     DependencyBins bins (one per value on small domains), each with its
//     determinant range, its rows and every dependent column's min and
//     max, kept for the columns whose bin ranges cover on average at most
//     NearDependencyCoverage of their values (a date's month and day of
//     week; a month's quarter). The bins are exact, so an estimator can
//     tell a contradicting filter (month > 5 AND a date in May) has no rows;
//   - HyperLogLog sketches (sketch.go, hll.go; Flajolet et al., AofA 2007,
//     with Ertl's estimator, 2017) of every column and of the pairs of
//     repeated-value columns of tables of at least SketchRows rows: the
//     distinct (a, b) tuples GROUP BY a, b counts, which no per-column
//     statistic bounds, in one pass and fixed memory; streamed from a
//     server they replace a sample's lower-bound distinct counts
//     (datasets/live).
//   - key maps (keymap.go): for a sampled table of at most MaxKeyMapRows
//     rows with a single-column unique key, every row's key with its
//     join columns, so a filter fixing the key to a value the sample
//     misses (flights.id = 11543) is known to be no row, or one row with
//     known join keys whose fan-out the sampled rows sharing them give.
//
// The defaults (StatsOptions) follow PostgreSQL's default_statistics_target
// of 100. Columns are processed in parallel; 3,000,000 rows x 8 columns take
// about half a second on two cores (BenchmarkBuild).
//
// # Fingerprints and files
//
// Fingerprint hashes (SHA-256, first 16 bytes) the canonical binary encoding
// of the schema and statistics without the sample, so it identifies the data
// and statistics options, not the sampling seed. Save writes a versioned
// binary format (see persist.go): magic, format version, length-prefixed
// sections compressed with DEFLATE (format version 7; Load still reads
// the uncompressed versions 1 to 6) and a CRC-32C trailer. Load checks
// every length against fixed limits and the bytes actually present before
// allocating, verifies the checksum before inflating and inflates no more
// than the declared size, validates the decoded catalog, and reads exactly
// the bytes Save wrote so a catalog can be embedded in a model file.
package catalog
