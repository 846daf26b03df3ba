package server

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/progress"
	"github.com/go-sql-driver/mysql"
)

// LoadOptions configures Load. The zero value gives the defaults.
type LoadOptions struct {
	// Workers is the number of LOAD DATA chunks loaded at once (one
	// connection each; chunks of one table too, largest table first); 0
	// means DefaultLoadWorkers.
	Workers int
	// ForeignKeyIndexes adds a secondary index on the columns of every
	// foreign key (as InnoDB would for a FOREIGN KEY constraint: none
	// when the primary key, a declared index or a longer foreign key's
	// index starts with those columns; named by FKIndexName). Without
	// it the tables have their primary keys and the schema's declared
	// indexes only: no FOREIGN KEY constraints are created either way.
	ForeignKeyIndexes bool
	// SkipAnalyze leaves out ANALYZE TABLE after loading (the optimizer
	// then plans from InnoDB's sampled estimates alone).
	SkipAnalyze bool
	// Force reloads even when the database holds the same data.
	Force bool
	// Progress, when non-nil, gets an event (Stage "load", Total 0) per
	// step: each table loaded, indexes, ANALYZE, a skipped load.
	Progress progress.Func
	// chunkRows is the rows per LOAD DATA statement; 0 means
	// loadChunkRows (tests make it small to load one table in parallel
	// chunks).
	chunkRows int
}

// Defaults and limits of loading.
const (
	// DefaultLoadWorkers: the CI machine has 2 cores; the server and the
	// client each need one per chunk being loaded.
	DefaultLoadWorkers = 2
	// loadChunkRows is the rows per LOAD DATA statement: each is its own
	// transaction, and InnoDB's undo log for one of 6M rows grows past
	// what a 128 MB buffer pool handles well.
	loadChunkRows = 500_000
	// loadFormat is the version of the load layout (DDL rendering, data
	// encoding, marker table); it is part of the fingerprint.
	loadFormat = 2
	// MarkerTable records the fingerprint of a completed load.
	MarkerTable = "cardinal_load"
	// lockWait bounds the wait for another process's load of the same
	// database (GET_LOCK): SF1 loads in minutes on a loaded machine.
	lockWait = 30 * time.Minute
)

// LoadReport says what Load did.
type LoadReport struct {
	Database    string
	Fingerprint string
	// Skipped is set when the database already held this data.
	Skipped bool
	Tables  int
	Rows    int64
	// Load is the time spent creating and filling the tables, Analyze
	// the time of ANALYZE TABLE, Total everything (fingerprint and lock
	// wait included).
	Load, Analyze, Total time.Duration
}

// Fingerprint returns the SHA-256 (hex) of db's schema, data and the
// options that shape the server's tables: equal fingerprints mean equal
// tables on the server.
func Fingerprint(db *datasets.DB, opts LoadOptions) string {
	h := sha256.New()
	fmt.Fprintf(h, "cardinal-load v%d fk-indexes=%v\n", loadFormat, opts.ForeignKeyIndexes)
	for _, t := range db.Tables {
		io.WriteString(h, createTable(t))
		io.WriteString(h, addIndexes(db.Schema, t, opts))
		var buf [8]byte
		for _, c := range t.Cols {
			for _, v := range c.Ints {
				binary.LittleEndian.PutUint64(buf[:], uint64(v))
				h.Write(buf[:])
			}
			for _, v := range c.Floats {
				binary.LittleEndian.PutUint64(buf[:], math.Float64bits(v))
				h.Write(buf[:])
			}
			for _, v := range c.Codes {
				binary.LittleEndian.PutUint32(buf[:4], v)
				h.Write(buf[:4])
			}
			for _, s := range c.Dict {
				binary.LittleEndian.PutUint64(buf[:], uint64(len(s)))
				h.Write(buf[:])
				io.WriteString(h, s)
			}
			for _, n := range c.Null {
				if n {
					h.Write([]byte{1})
				} else {
					h.Write([]byte{0})
				}
			}
			h.Write([]byte{0xff})
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// createTable renders t as MySQL DDL: BIGINT, DOUBLE, VARCHAR(longest
// value, at least 1), DATE, DATETIME; the primary key; InnoDB,
// utf8mb4_bin. Secondary indexes come after loading (addIndexes).
func createTable(t *datasets.Table) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE ")
	b.WriteString(catalog.QuoteIdent(t.Def.Name))
	b.WriteString(" (")
	for i, c := range t.Def.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(catalog.QuoteIdent(c.Name))
		b.WriteString(" ")
		switch c.Type {
		case catalog.TypeFloat:
			b.WriteString("DOUBLE")
		case catalog.TypeString:
			n := 1
			for _, v := range t.Cols[i].Dict {
				n = max(n, utf8.RuneCountInString(v))
			}
			b.WriteString("VARCHAR(" + strconv.Itoa(n) + ")")
		case catalog.TypeDate:
			b.WriteString("DATE")
		case catalog.TypeDateTime:
			b.WriteString("DATETIME")
		default:
			b.WriteString("BIGINT")
		}
		if !c.Nullable {
			b.WriteString(" NOT NULL")
		}
	}
	if len(t.Def.PrimaryKey) > 0 {
		b.WriteString(", PRIMARY KEY (" + quoteList(t.Def.PrimaryKey) + ")")
	}
	b.WriteString(") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin")
	return b.String()
}

// addIndexes renders the ALTER TABLE that adds t's secondary indexes
// after loading (a sorted build: much faster than maintaining them row by
// row), or "" when it has none: the schema's declared indexes and, with
// opts.ForeignKeyIndexes, one per foreign key.
func addIndexes(s *catalog.Schema, t *datasets.Table, opts LoadOptions) string {
	var defs []string
	for _, ix := range t.Def.Indexes {
		defs = append(defs, "ADD "+catalog.IndexDefinition(ix))
	}
	if opts.ForeignKeyIndexes {
		// As InnoDB does for a FOREIGN KEY: no index when the primary
		// key, a declared index or another foreign key's index starts
		// with the columns.
		var prefixes [][]string
		prefixes = append(prefixes, t.Def.PrimaryKey)
		for _, ix := range t.Def.Indexes {
			var cols []string
			for _, c := range ix.Columns {
				cols = append(cols, c.Name)
			}
			prefixes = append(prefixes, cols)
		}
		var fks []catalog.ForeignKey
		for _, fk := range s.ForeignKeys {
			if strings.EqualFold(fk.Table, t.Def.Name) {
				fks = append(fks, fk)
				prefixes = append(prefixes, fk.Columns)
			}
		}
		seen := map[string]bool{}
		for i, fk := range fks {
			covered := false
			for j, p := range prefixes {
				if j == len(prefixes)-len(fks)+i {
					continue // itself
				}
				if isPrefix(fk.Columns, p) && (len(p) > len(fk.Columns) || j < len(prefixes)-len(fks)) {
					covered = true
				}
			}
			name := FKIndexName(fk)
			if covered || seen[name] {
				continue
			}
			seen[name] = true
			defs = append(defs, "ADD KEY "+catalog.QuoteIdent(name)+" ("+quoteList(fk.Columns)+")")
		}
	}
	if len(defs) == 0 {
		return ""
	}
	return "ALTER TABLE " + catalog.QuoteIdent(t.Def.Name) + " " + strings.Join(defs, ", ")
}

// FKIndexName is the name of the index LoadOptions.ForeignKeyIndexes
// adds for fk: "fk_" and the columns joined by "_", cut to 64 bytes.
func FKIndexName(fk catalog.ForeignKey) string {
	name := "fk_" + strings.Join(fk.Columns, "_")
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}

// isPrefix reports whether cols is a prefix of of (case-insensitive).
func isPrefix(cols, of []string) bool {
	if len(cols) > len(of) {
		return false
	}
	for i := range cols {
		if !strings.EqualFold(cols[i], of[i]) {
			return false
		}
	}
	return true
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = catalog.QuoteIdent(n)
	}
	return strings.Join(q, ", ")
}

// Load copies db into the Server's database: it drops the tables of db's
// schema, creates them (createTable: primary keys, no FOREIGN KEY
// constraints), streams the rows with LOAD DATA LOCAL INFILE (chunks of
// loadChunkRows rows, opts.Workers chunks at a time), adds the secondary
// indexes (declared ones and, with opts.ForeignKeyIndexes, foreign-key
// ones) in one sorted build per table, runs ANALYZE TABLE and records the fingerprint in MarkerTable. When the
// marker already holds db's fingerprint it does nothing (Skipped), so
// repeated test runs load once; a load cut short leaves no marker and is
// redone. Concurrent Loads of one database (other processes included)
// wait for each other (GET_LOCK). Other tables of the database are left
// alone.
func (s *Server) Load(ctx context.Context, db *datasets.DB, opts LoadOptions) (LoadReport, error) {
	start := time.Now()
	rep := LoadReport{Database: s.name, Tables: len(db.Tables)}
	if opts.Workers < 0 {
		return rep, fmt.Errorf("server: %w: Workers %d < 0", ErrOptions, opts.Workers)
	}
	if opts.Workers == 0 {
		opts.Workers = DefaultLoadWorkers
	}
	// One connection holds the load lock; each worker needs its own.
	if s.conns < 2 {
		return rep, fmt.Errorf("server: %w: Load needs Options.MaxOpenConns >= 2, have %d", ErrOptions, s.conns)
	}
	opts.Workers = min(opts.Workers, s.conns-1)
	for _, t := range db.Tables {
		rep.Rows += int64(t.Rows)
		if strings.EqualFold(t.Def.Name, MarkerTable) {
			return rep, fmt.Errorf("server: %w: table %s is the load marker's name", ErrName, MarkerTable)
		}
	}
	var progressMu sync.Mutex // loadTables reports from several goroutines
	report := func(format string, args ...any) {
		progressMu.Lock()
		defer progressMu.Unlock()
		opts.Progress.Send(progress.Report{Stage: "load", Detail: fmt.Sprintf(format, args...)})
	}
	rep.Fingerprint = Fingerprint(db, opts)

	conn, err := s.db.Conn(ctx)
	if err != nil {
		return rep, s.wrap("connect", err)
	}
	defer conn.Close()
	lock := "cardinal_load." + s.name
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", lock, int(lockWait.Seconds())).Scan(&got); err != nil {
		return rep, s.wrap("GET_LOCK", err)
	}
	if !got.Valid || got.Int64 != 1 {
		return rep, s.wrap("GET_LOCK", fmt.Errorf("%w: another load of %s held the lock for %v", ErrTimeout, s.name, lockWait))
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "DO RELEASE_LOCK(?)", lock)

	if !opts.Force {
		var fp string
		err := conn.QueryRowContext(ctx, "SELECT fingerprint FROM "+catalog.QuoteIdent(MarkerTable)).Scan(&fp)
		if err == nil && fp == rep.Fingerprint {
			rep.Skipped = true
			rep.Total = time.Since(start)
			report("server: %s already holds this data (fingerprint %.12s); not reloading", s.name, fp)
			return rep, nil
		}
	}

	loadStart := time.Now()
	exec := func(stmt string) error {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return s.wrap(clip(stmt), err)
		}
		return nil
	}
	if err := exec("DROP TABLE IF EXISTS " + catalog.QuoteIdent(MarkerTable)); err != nil {
		return rep, err
	}
	for i := len(db.Tables) - 1; i >= 0; i-- {
		if err := exec("DROP TABLE IF EXISTS " + catalog.QuoteIdent(db.Tables[i].Def.Name)); err != nil {
			return rep, err
		}
	}
	for _, t := range db.Tables {
		if err := exec(createTable(t)); err != nil {
			return rep, err
		}
	}
	if opts.chunkRows <= 0 {
		opts.chunkRows = loadChunkRows
	}
	if err := s.loadTables(ctx, db, opts.Workers, opts.chunkRows, report); err != nil {
		return rep, err
	}
	for _, t := range db.Tables {
		if stmt := addIndexes(db.Schema, t, opts); stmt != "" {
			report("server: %s: adding secondary indexes", t.Def.Name)
			if err := exec(stmt); err != nil {
				return rep, err
			}
		}
	}
	rep.Load = time.Since(loadStart)
	if !opts.SkipAnalyze {
		analyzeStart := time.Now()
		for _, t := range db.Tables {
			report("server: ANALYZE TABLE %s", t.Def.Name)
			// ANALYZE returns a result set (table, op, msg_type, text).
			rows, err := conn.QueryContext(ctx, "ANALYZE TABLE "+catalog.QuoteIdent(t.Def.Name))
			if err != nil {
				return rep, s.wrap("ANALYZE TABLE "+t.Def.Name, err)
			}
			for rows.Next() {
			}
			if err := rows.Close(); err != nil {
				return rep, s.wrap("ANALYZE TABLE "+t.Def.Name, err)
			}
		}
		rep.Analyze = time.Since(analyzeStart)
	}
	if err := exec("CREATE TABLE " + catalog.QuoteIdent(MarkerTable) +
		" (fingerprint CHAR(64) NOT NULL, loaded_at DATETIME NOT NULL, load_seconds DOUBLE NOT NULL, total_rows BIGINT NOT NULL)"); err != nil {
		return rep, err
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO "+catalog.QuoteIdent(MarkerTable)+" VALUES (?, NOW(), ?, ?)",
		rep.Fingerprint, rep.Load.Seconds(), rep.Rows); err != nil {
		return rep, s.wrap("INSERT marker", err)
	}
	rep.Total = time.Since(start)
	report("server: loaded %d rows into %s in %v (ANALYZE %v)", rep.Rows, s.name, rep.Load.Round(time.Millisecond), rep.Analyze.Round(time.Millisecond))
	return rep, nil
}

// loadChunk is one LOAD DATA statement's rows [lo, hi) of a table.
type loadChunk struct {
	t      *datasets.Table
	lo, hi int
}

// loadTables fills the tables, workers chunks at a time: the chunks of
// the largest table first, so that every worker (one connection, and
// one server thread, each) loads the largest table's ranges together
// instead of one worker loading it alone after the small ones are done.
func (s *Server) loadTables(ctx context.Context, db *datasets.DB, workers, chunkRows int, report func(string, ...any)) error {
	order := make([]*datasets.Table, len(db.Tables))
	copy(order, db.Tables)
	for i := 1; i < len(order); i++ { // insertion sort by rows, descending
		for j := i; j > 0 && order[j].Rows > order[j-1].Rows; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	var chunks []loadChunk
	left := map[*datasets.Table]int{} // chunks not yet loaded
	for _, t := range order {
		for lo := 0; lo < t.Rows; lo += chunkRows {
			chunks = append(chunks, loadChunk{t, lo, min(t.Rows, lo+chunkRows)})
			left[t]++
		}
		if t.Rows == 0 {
			report("server: %s: 0 rows", t.Def.Name)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex // first, left
		first error
		next  atomic.Int64
	)
	start := time.Now()
	for range min(workers, len(chunks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(chunks) {
					return
				}
				c := chunks[i]
				err := s.loadRows(ctx, c)
				mu.Lock()
				if err != nil {
					if first == nil {
						first = err
						cancel()
					}
					mu.Unlock()
					return
				}
				if left[c.t]--; left[c.t] == 0 {
					report("server: %s: %d rows (done after %v)", c.t.Def.Name, c.t.Rows, time.Since(start).Round(time.Millisecond))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

// readerSeq makes reader handler names unique within the process.
var readerSeq atomic.Int64

// loadRows streams one chunk of a table through LOAD DATA LOCAL INFILE
// (its own transaction).
func (s *Server) loadRows(ctx context.Context, c loadChunk) error {
	t, lo, hi := c.t, c.lo, c.hi
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.wrap("connect", err)
	}
	defer conn.Close()
	cols := make([]string, len(t.Def.Columns))
	for i, c := range t.Def.Columns {
		cols[i] = catalog.QuoteIdent(c.Name)
	}
	name := fmt.Sprintf("cardinal-%d", readerSeq.Add(1))
	pr, pw := io.Pipe()
	mysql.RegisterReaderHandler(name, func() io.Reader { return pr })
	go func() { pw.CloseWithError(writeRows(pw, t, lo, hi)) }()
	stmt := "LOAD DATA LOCAL INFILE 'Reader::" + name + "' INTO TABLE " + catalog.QuoteIdent(t.Def.Name) +
		` CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n' (` +
		strings.Join(cols, ", ") + ")"
	res, err := conn.ExecContext(ctx, stmt)
	pr.Close() // stops the writer if the server stopped reading
	mysql.DeregisterReaderHandler(name)
	if err != nil {
		if n := mysqlErrno(err); n == 1148 || n == 3948 || n == 4166 {
			return s.wrap("LOAD DATA "+t.Def.Name, fmt.Errorf("%w: %w", ErrLocalInfile, err))
		}
		return s.wrap("LOAD DATA "+t.Def.Name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.wrap("LOAD DATA "+t.Def.Name, fmt.Errorf("rows %d..%d: rows affected: %w", lo, hi, err))
	} else if n != int64(hi-lo) {
		return s.wrap("LOAD DATA "+t.Def.Name, fmt.Errorf("%d rows loaded of %d (rows %d..%d)", n, hi-lo, lo, hi))
	}
	return nil
}

// errNonFinite: a NaN or infinite float, which MySQL cannot store.
var errNonFinite = errors.New("NaN or infinite float")

// writeRows writes rows [lo, hi) of t in LOAD DATA's default text format:
// tab-separated, newline-terminated, \N for NULL, backslash escapes for
// backslash, tab, newline, carriage return and NUL; dates as
// YYYY-MM-DD[ HH:MM:SS].
func writeRows(w io.Writer, t *datasets.Table, lo, hi int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var rec []byte
	for r := lo; r < hi; r++ {
		rec = rec[:0]
		for i, c := range t.Cols {
			if i > 0 {
				rec = append(rec, '\t')
			}
			if c.IsNull(r) {
				rec = append(rec, '\\', 'N')
				continue
			}
			switch c.Type {
			case catalog.TypeString:
				rec = appendEscaped(rec, c.Dict[c.Codes[r]])
			case catalog.TypeFloat:
				f := c.Floats[r]
				if math.IsNaN(f) || math.IsInf(f, 0) {
					return fmt.Errorf("%w: %s.%s row %d", errNonFinite, t.Def.Name, t.Def.Columns[i].Name, r)
				}
				rec = strconv.AppendFloat(rec, f, 'g', -1, 64)
			case catalog.TypeDate:
				rec = datasets.AppendDate(rec, c.Ints[r], false)
			case catalog.TypeDateTime:
				rec = datasets.AppendDate(rec, c.Ints[r], true)
			default:
				rec = strconv.AppendInt(rec, c.Ints[r], 10)
			}
		}
		rec = append(rec, '\n')
		if _, err := bw.Write(rec); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case 0:
			dst = append(dst, '\\', '0')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// clip shortens a statement for messages.
func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// DatabaseName is the conventional database for a built-in data set at a
// scale, loaded with opts: "cardinal_" + dataset + "_s" + scale (dots as
// "p"), plus "_fk" with ForeignKeyIndexes, e.g. cardinal_tpch_s1_fk or
// cardinal_ecommerce_s10. Loads with different options get different
// databases, so they do not reload each other's (Load replaces data whose
// fingerprint differs).
func DatabaseName(dataset string, scale float64, opts LoadOptions) string {
	name := "cardinal_" + dataset + "_s" + strings.ReplaceAll(strconv.FormatFloat(scale, 'f', -1, 64), ".", "p")
	if opts.ForeignKeyIndexes {
		name += "_fk"
	}
	return name
}
