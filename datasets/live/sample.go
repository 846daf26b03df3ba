package live

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/internal/optcheck"
)

// SampleOptions configures LoadSample. The zero value gives the defaults.
type SampleOptions struct {
	// Rows is the most rows read per table. Default catalog.DefaultSampleSize.
	Rows int
	// SharedKeyRows is the most rows read of a fact table meeting another
	// at a shared dimension (catalog.StatsOptions.SharedKeySampleSize,
	// which the catalog built over the sample keeps whole). Default
	// catalog.SharedKeySampleFactor × Rows; Rows or fewer reads them at
	// Rows. NoSharedKeyRows reads them at Rows too
	// (catalog.StatsOptions.NoSharedKeySamples).
	SharedKeyRows   int
	NoSharedKeyRows bool
	// Seed seeds the server's RAND(seed): the same seed over the same
	// physical table gives the same sample.
	Seed int64 `opt:"any"`
	// TableTimeout bounds the COUNT(*) and the sample read of one table,
	// on the client (the context) and on the server (WithTimeLimit: the
	// server stops the statement even if the client goes away). Default
	// DefaultTableTimeout.
	TableTimeout time.Duration
	// Flavour is the server's (for the server-side limit); FlavourUnknown
	// asks it with SELECT VERSION().
	Flavour Flavour
	// Sketches makes SampleCatalog scan every table its sample does not
	// hold whole once more, into HyperLogLog sketches of its columns that
	// replace the sample's distinct counts (AddStreamedSketches).
	Sketches bool
}

// DefaultTableTimeout bounds one table's reads in LoadSample and LoadAll: a
// full scan of a few GB at the ~100 MB/s of a cold InnoDB read.
const DefaultTableTimeout = 10 * time.Minute

func (o SampleOptions) withDefaults() SampleOptions {
	if o.Rows <= 0 {
		o.Rows = catalog.DefaultSampleSize
	}
	if o.TableTimeout <= 0 {
		o.TableTimeout = DefaultTableTimeout
	}
	return o
}

// LoadSample reads a bounded uniform row sample of every table of schema
// into an in-memory DB (schema shared) and returns the tables' exact row
// counts (parallel to schema.Tables). Per table it sends two statements:
//
//	SELECT COUNT(*) FROM `t`
//	SELECT `c1`, `c2`, ... FROM `t` WHERE RAND(seed) < p LIMIT n   -- p = n / COUNT(*)
//
// or, when COUNT(*) <= n, the whole table without the WHERE. Each row is
// kept independently with probability p (Bernoulli sampling), so about n
// rows come back (LIMIT caps the rare excess, slightly favouring rows early
// in scan order).
//
// Cost to the server: the COUNT(*) is a full scan of the smallest index of
// an InnoDB table (exact counts are not stored); the sample is one full
// table scan evaluating RAND() per row, stopping early only at the LIMIT.
// Both read with a consistent snapshot and take no locks. For tables of
// many GB, prefer a replica.
//
// Build catalog statistics from the result with SampleCatalog (which scales
// TableStats.Rows to the counts).
func LoadSample(ctx context.Context, db *sql.DB, schema *catalog.Schema, opts SampleOptions) (*datasets.DB, []int64, error) {
	if err := optcheck.Struct(ErrOptions, "SampleOptions", opts); err != nil {
		return nil, nil, err
	}
	opts = opts.withDefaults()
	if opts.Flavour == FlavourUnknown {
		f, err := DetectFlavour(ctx, db)
		if err != nil {
			return nil, nil, err
		}
		opts.Flavour = f
	}
	out := datasets.NewDB(schema)
	counts := make([]int64, len(schema.Tables))
	for i, t := range schema.Tables {
		err := func() error {
			tctx, cancel := context.WithTimeout(ctx, opts.TableTimeout)
			defer cancel()
			count, err := WithTimeLimit(opts.Flavour, "SELECT COUNT(*) FROM "+catalog.QuoteIdent(t.Name), opts.TableTimeout)
			if err != nil {
				return err
			}
			return queryRow(tctx, db, count, nil, &counts[i])
		}()
		if err != nil {
			return nil, nil, fmt.Errorf("live: sample table %s: %w", catalog.QuoteIdent(t.Name), err)
		}
	}
	// The facts meeting at a shared dimension are read at SharedKeyRows,
	// as catalog.Build samples them (catalog/sharedsample.go).
	sizes, err := catalog.SampleSizes(schema, counts, catalog.StatsOptions{SampleSize: opts.Rows, SharedKeySampleSize: opts.SharedKeyRows, NoSharedKeySamples: opts.NoSharedKeyRows})
	if err != nil {
		return nil, nil, fmt.Errorf("live: %w", err)
	}
	for i, t := range schema.Tables {
		err := func() error {
			tctx, cancel := context.WithTimeout(ctx, opts.TableTimeout)
			defer cancel()
			var err error
			stmt := selectColumns(t)
			if n := sizes[i]; counts[i] > int64(n) {
				p := float64(n) / float64(counts[i])
				stmt += fmt.Sprintf(" WHERE RAND(%d) < %s LIMIT %d", opts.Seed, strconv.FormatFloat(p, 'g', 17, 64), n)
			}
			if stmt, err = WithTimeLimit(opts.Flavour, stmt, opts.TableTimeout); err != nil {
				return err
			}
			return readRows(tctx, db, stmt, out.Tables[i])
		}()
		if err != nil {
			return nil, nil, fmt.Errorf("live: sample table %s: %w", catalog.QuoteIdent(t.Name), err)
		}
	}
	return out, counts, nil
}

// SampleCatalog builds catalog statistics of a server's tables without
// exporting them: LoadSample, datasets.DB.Catalog over the sample, then
// each TableStats.Rows set to the server's COUNT(*). Fractions (null
// fraction, MCV frequencies, histograms) come from the sample; Distinct is
// the sample's distinct count, a lower bound of the table's, or with
// opts.Sketches the estimate of a HyperLogLog sketch streamed from a scan
// of the table (AddStreamedSketches).
//
// The join synopses (catalog.JoinSample; unless stats.NoJoinSynopses) are
// read from the server, since the rows a sampled row references mostly
// lie outside the referenced table's sample: per foreign key and hop, the
// distinct keys of the sampled rows in batches of lookupBatch,
//
//	SELECT `c1`, ... FROM `parent` WHERE `id` IN (?, ?, ...)
//	SELECT `c1`, ... FROM `parent` WHERE (`a`, `b`) IN ((?, ?), ...)
//
// each an index lookup on the referenced key (about ten per foreign key for
// a 10,000-row sample).
func SampleCatalog(ctx context.Context, db *sql.DB, schema *catalog.Schema, opts SampleOptions, stats catalog.StatsOptions) (*catalog.Catalog, error) {
	// Read the shared-key facts as the catalog over the sample keeps them.
	opts.NoSharedKeyRows = opts.NoSharedKeyRows || stats.NoSharedKeySamples
	if opts.SharedKeyRows == 0 {
		opts.SharedKeyRows = stats.SharedKeySampleSize
	}
	sample, counts, err := LoadSample(ctx, db, schema, opts)
	if err != nil {
		return nil, err
	}
	synopses := !stats.NoJoinSynopses
	stats.NoJoinSynopses = true // the sample DB lacks the referenced rows
	cat, err := sample.CatalogContext(ctx, stats, opts.Seed)
	if err != nil {
		return nil, fmt.Errorf("live: statistics of the sample: %w", err)
	}
	ScaleRows(cat, counts)
	if opts.Sketches {
		if err := AddStreamedSketches(ctx, db, cat, opts, stats); err != nil {
			return nil, err
		}
	}
	if synopses {
		lookup := &serverLookup{db: db, schema: schema, fks: schema.ResolveForeignKeys(), timeout: opts.withDefaults().TableTimeout}
		if err := catalog.AddJoinSynopses(ctx, cat, catalog.DefaultJoinDepth, lookup); err != nil {
			return nil, fmt.Errorf("live: %w", err)
		}
	}
	return cat, nil
}

// lookupBatch is the number of keys per SELECT of serverLookup.
const lookupBatch = 1000

// serverLookup answers catalog.RowLookup with SELECTs by key.
type serverLookup struct {
	db      *sql.DB
	schema  *catalog.Schema
	fks     []catalog.ForeignKeyColumns
	timeout time.Duration // per statement
}

// Lookup implements catalog.RowLookup.
func (l *serverLookup) Lookup(ctx context.Context, f int, keys [][]catalog.Datum) ([][]catalog.Datum, bool, error) {
	fk := l.fks[f]
	t := l.schema.Tables[fk.To]
	pos := make(map[string]int, len(keys))
	var b []byte
	for k, kv := range keys {
		b = catalog.AppendKey(b[:0], kv...)
		pos[string(b)] = k
	}
	out := make([][]catalog.Datum, len(keys))
	for lo := 0; lo < len(keys); lo += lookupBatch {
		batch := keys[lo:min(lo+lookupBatch, len(keys))]
		stmt, args := keyQuery(t, fk.ToCols, batch)
		got := datasets.NewTable(t)
		tctx, cancel := context.WithTimeout(ctx, l.timeout)
		err := readRows(tctx, l.db, stmt, got, args...)
		cancel()
		if err != nil {
			return nil, false, fmt.Errorf("rows of %s by key: %w", catalog.QuoteIdent(t.Name), err)
		}
		kv := make([]catalog.Datum, len(fk.ToCols))
		for r := range got.Rows {
			row := got.Row(r, nil)
			for k, c := range fk.ToCols {
				kv[k] = row[c]
			}
			p, ok := pos[string(catalog.AppendKey(b[:0], kv...))]
			if !ok {
				continue // a key the server compares equal (collation)
			}
			if out[p] != nil {
				return nil, false, nil // several rows hold one key
			}
			out[p] = row
		}
	}
	return out, true, nil
}

// keyQuery renders the SELECT of t's rows whose columns cols hold one of
// keys, with one placeholder per key value.
func keyQuery(t *catalog.Table, cols []int, keys [][]catalog.Datum) (string, []any) {
	var sb strings.Builder
	sb.WriteString(selectColumns(t))
	sb.WriteString(" WHERE ")
	tuple := func(write func(k int)) {
		if len(cols) > 1 {
			sb.WriteByte('(')
		}
		for k := range cols {
			if k > 0 {
				sb.WriteString(", ")
			}
			write(k)
		}
		if len(cols) > 1 {
			sb.WriteByte(')')
		}
	}
	tuple(func(k int) { sb.WriteString(catalog.QuoteIdent(t.Columns[cols[k]].Name)) })
	sb.WriteString(" IN (")
	args := make([]any, 0, len(keys)*len(cols))
	for i, kv := range keys {
		if i > 0 {
			sb.WriteString(", ")
		}
		tuple(func(k int) {
			sb.WriteByte('?')
			args = append(args, driverArg(kv[k], t.Columns[cols[k]].Type))
		})
	}
	sb.WriteByte(')')
	return sb.String(), args
}

// driverArg converts a key datum to a driver argument for a column of
// type typ (dates and datetimes as text, as the server compares them).
func driverArg(d catalog.Datum, typ catalog.Type) any {
	switch {
	case typ == catalog.TypeDate || typ == catalog.TypeDateTime:
		return d.Format(typ)
	case d.Kind == catalog.KindInt:
		return d.I
	case d.Kind == catalog.KindFloat:
		return d.F
	default:
		return d.S
	}
}

// ScaleRows sets each table's Rows to the server's count (counts parallel
// to cat.Schema.Tables).
func ScaleRows(cat *catalog.Catalog, counts []int64) {
	for i := range cat.Stats {
		if i < len(counts) {
			cat.Stats[i].Rows = counts[i]
		}
	}
}

// LoadAll copies every table of schema whole into memory with one
// SELECT `c1`, ... FROM `t` per table (a full scan each; no locks, each
// bounded by DefaultTableTimeout). Meant for small tables: the result holds
// every row.
func LoadAll(ctx context.Context, db *sql.DB, schema *catalog.Schema) (*datasets.DB, error) {
	out := datasets.NewDB(schema)
	for i, t := range schema.Tables {
		tctx, cancel := context.WithTimeout(ctx, DefaultTableTimeout)
		err := readRows(tctx, db, selectColumns(t), out.Tables[i])
		cancel()
		if err != nil {
			return nil, fmt.Errorf("live: load table %s: %w", catalog.QuoteIdent(t.Name), err)
		}
	}
	return out, nil
}

// LoadOptions configures LoadDB. The zero value gives the defaults.
type LoadOptions struct {
	Open OpenOptions
	// SampleRows, when positive, loads a sample of at most that many rows
	// per table (LoadSample) instead of whole tables (LoadAll). Counts
	// over a sample are not true counts: use it for statistics only.
	SampleRows int
	Seed       int64
}

// LoadDB connects to dsn, reads the schema of the DSN's database and
// copies its tables into memory (whole, or a sample per opts). It is what
// the CLI's --dsn uses for gen/train/eval. Errors never contain the
// password.
func LoadDB(ctx context.Context, dsn string, opts LoadOptions) (*datasets.DB, error) {
	cfg, err := ParseDSN(dsn, opts.Open)
	if err != nil {
		return nil, err
	}
	if cfg.DBName == "" {
		return nil, fmt.Errorf("%w: %s", ErrNoDatabase, RedactDSN(dsn))
	}
	db, _, err := Open(ctx, dsn, opts.Open)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ss, err := LoadSchema(ctx, db, cfg.DBName)
	if err != nil {
		return nil, redact("", err, cfg.Passwd)
	}
	if len(ss.Schema.Tables) == 0 {
		return nil, fmt.Errorf("%w: database %q has no usable tables", ErrServer, cfg.DBName)
	}
	var out *datasets.DB
	if opts.SampleRows > 0 {
		out, _, err = LoadSample(ctx, db, ss.Schema, SampleOptions{Rows: opts.SampleRows, Seed: opts.Seed})
	} else {
		out, err = LoadAll(ctx, db, ss.Schema)
	}
	return out, redact("", err, cfg.Passwd)
}

// selectColumns renders SELECT of every column of t, quoted.
func selectColumns(t *catalog.Table) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	for j, c := range t.Columns {
		if j > 0 {
			b.WriteString(", ")
		}
		b.WriteString(catalog.QuoteIdent(c.Name))
	}
	b.WriteString(" FROM ")
	b.WriteString(catalog.QuoteIdent(t.Name))
	return b.String()
}

// readRows appends every row of stmt (columns in t.Def order) to t.
func readRows(ctx context.Context, db *sql.DB, stmt string, t *datasets.Table, args ...any) error {
	rows, err := query(ctx, db, stmt, args...)
	if err != nil {
		return err
	}
	return scanDatums(rows, t.Def, func(line int, row []catalog.Datum) error {
		if err := t.AppendRow(row); err != nil {
			return fmt.Errorf("row %d: %w", line, err)
		}
		return nil
	})
}

// scanDatums calls each with every row of rows (the columns of t, in
// order) converted to datums; row is reused between calls, line counts
// from 1. Conversion errors name the row and column.
func scanDatums(rows *sql.Rows, t *catalog.Table, each func(line int, row []catalog.Datum) error) error {
	n := len(t.Columns)
	raw := make([]any, n)
	ptrs := make([]any, n)
	for j := range raw {
		ptrs[j] = &raw[j]
	}
	row := make([]catalog.Datum, n)
	line := 0
	return scanAll(rows, func() error {
		line++
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for j, v := range raw {
			d, err := toDatum(v, t.Columns[j].Type)
			if err != nil {
				return fmt.Errorf("row %d column %s: %w", line, catalog.QuoteIdent(t.Columns[j].Name), err)
			}
			row[j] = d
		}
		return each(line, row)
	})
}

// toDatum converts a value scanned from the driver (text protocol: []byte;
// time.Time with parseTime=true; int64/float64 from the binary protocol).
func toDatum(v any, t catalog.Type) (catalog.Datum, error) {
	switch x := v.(type) {
	case nil:
		return catalog.Null, nil
	case time.Time:
		if t == catalog.TypeDate || t == catalog.TypeDateTime {
			return catalog.Int(x.Unix()), nil
		}
		v = []byte(x.UTC().Format(catalog.DateTimeLayout))
	case int64:
		if t == catalog.TypeFloat {
			return catalog.Float(float64(x)), nil
		}
		v = []byte(strconv.FormatInt(x, 10))
	case float64:
		v = []byte(strconv.FormatFloat(x, 'g', -1, 64))
	case float32:
		v = []byte(strconv.FormatFloat(float64(x), 'g', -1, 32))
	}
	b, ok := v.([]byte)
	if !ok {
		if s, isStr := v.(string); isStr {
			b = []byte(s)
		} else {
			return catalog.Null, fmt.Errorf("%w: driver value of type %T", ErrServer, v)
		}
	}
	s := string(b)
	switch t {
	case catalog.TypeString:
		return catalog.String(s), nil
	case catalog.TypeInt:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return catalog.Null, fmt.Errorf("%w: %q is not a 64-bit integer", datasets.ErrType, clip(s))
		}
		return catalog.Int(n), nil
	case catalog.TypeFloat:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) {
			return catalog.Null, fmt.Errorf("%w: %q is not a number", datasets.ErrType, clip(s))
		}
		return catalog.Float(f), nil
	case catalog.TypeDate, catalog.TypeDateTime:
		for _, layout := range []string{catalog.DateTimeLayout + ".999999999", catalog.DateLayout} {
			if tm, err := time.Parse(layout, s); err == nil {
				return catalog.Int(tm.Unix()), nil
			}
		}
		return catalog.Null, fmt.Errorf("%w: %q is not a date (zero dates are not supported)", datasets.ErrType, clip(s))
	}
	return catalog.Null, fmt.Errorf("%w: column type %v", ErrServer, t)
}
