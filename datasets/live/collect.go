package live

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/optcheck"
	"github.com/cardinaldb/cardinal/progress"
	"github.com/cardinaldb/cardinal/querylog"
)

// CollectOptions configures Collect. The zero value gives the defaults,
// except Out, which is required.
type CollectOptions struct {
	// Out is the labelled query log (JSON Lines) to append to. Records
	// already in it are not collected again.
	Out string
	// Database, when not "", leaves out statements captured with another
	// default database (see Classify).
	Database string
	// Flavour selects how the time limit is written; FlavourUnknown asks
	// the server (SELECT VERSION()).
	Flavour Flavour
	// SubPlans also counts every connected sub-plan of each query
	// (features.Query.ConnectedSubsets), at most MaxSubPlans per query.
	SubPlans    bool
	MaxSubPlans int // default DefaultMaxSubPlans; a query with more gets none
	// Timeout is the server-side time limit of one COUNT(*). Default
	// DefaultCountTimeout.
	Timeout time.Duration
	// Concurrency is the number of COUNT(*)s running at once. Default
	// DefaultConcurrency.
	Concurrency int
	// BatchSize is the most records written between fsyncs; the writer
	// also fsyncs whenever no further result is waiting, so slow counts
	// are durable one by one. Default DefaultBatchSize.
	BatchSize int
	// Retries is how often one count is retried after a lost connection,
	// waiting Backoff, then twice that, ... up to MaxBackoff. Defaults
	// DefaultRetries, DefaultBackoff, DefaultMaxBackoff.
	Retries    int
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Progress, when set, gets a report as each statement is counted,
	// timed out or failed (Stage "collect", Done statements of Total).
	Progress progress.Func
	// AfterSync, when not nil, is called after each fsync with the number
	// of records this run has made durable (a test hook: cancel the
	// context or kill the server there).
	AfterSync func(labelled int)
}

// Defaults of CollectOptions.
const (
	DefaultCountTimeout = 10 * time.Second
	DefaultConcurrency  = 2
	// DefaultBatchSize: an fsync costs ~1-10 ms on SSDs; batching 32
	// records keeps that below the cost of the counts themselves.
	DefaultBatchSize  = 32
	DefaultRetries    = 5
	DefaultBackoff    = 250 * time.Millisecond
	DefaultMaxBackoff = 10 * time.Second
	// DefaultMaxSubPlans bounds the sub-plans counted per query: a chain
	// of n tables has n(n+1)/2 connected subsets (36 for 8 tables).
	DefaultMaxSubPlans = 64
	// clientGrace is how long the client waits past the server's limit
	// before cancelling a count itself.
	clientGrace = 5 * time.Second
)

func (o CollectOptions) withDefaults() CollectOptions {
	if o.MaxSubPlans <= 0 {
		o.MaxSubPlans = DefaultMaxSubPlans
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultCountTimeout
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Retries <= 0 {
		o.Retries = DefaultRetries
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	return o
}

// Report says what Collect did.
type Report struct {
	Statements      int // captured statements given
	Queries         int // distinct countable queries among them
	AlreadyLabelled int // of those, found in the output file and not redone
	Labelled        int // records written by this run
	SubPlans        int // sub-plan counts in those records
	TimedOut        int // queries whose count hit the time limit
	Failed          int // queries whose count failed otherwise
	Retries         int // counts retried after a lost connection
	TornLine        bool
	// Skipped lists what was not labelled, by reason: statements the
	// query model cannot represent (Classify), timeouts and failures.
	Skipped []SkipReason
	Elapsed time.Duration
}

// CountSQL is the statement whose result labels q: q.SQL() without GROUP
// BY, DISTINCT, HAVING and ORDER BY, i.e. SELECT COUNT(*) FROM ... WHERE ... It is also the
// key of the query in the labelled log.
func CountSQL(q *features.Query) string {
	c := *q
	c.GroupBy, c.OrderBy, c.Group = nil, nil, nil
	return c.SQL()
}

// GroupsSQL is the statement that counts the output groups of a query
// that groups (GROUP BY, DISTINCT, HAVING; q.Group != nil): SELECT
// COUNT(*) FROM (q.SQL() without ORDER BY and LIMIT) AS cardinal_groups.
func GroupsSQL(q *features.Query) string {
	c := *q
	c.OrderBy, c.OrderDesc, c.Limit, c.Offset = nil, nil, 0, 0
	return "SELECT COUNT(*) FROM (" + c.SQL() + ") AS cardinal_groups"
}

// WithTimeLimit returns stmt (a SELECT) with a server-side time limit:
//
//	MySQL:   SELECT /*+ MAX_EXECUTION_TIME(ms) */ ...          (MySQL 5.7.8+)
//	MariaDB: SET STATEMENT max_statement_time=s FOR SELECT ... (MariaDB 10.1.2+)
//
// MariaDB's limit is rounded up to whole seconds.
func WithTimeLimit(f Flavour, stmt string, limit time.Duration) (string, error) {
	body, ok := strings.CutPrefix(stmt, "SELECT ")
	if !ok {
		return "", fmt.Errorf("%w: time limit on a non-SELECT %q", ErrNotReadOnly, clip(stmt))
	}
	switch f {
	case FlavourMySQL:
		ms := max(1, limit.Milliseconds())
		return fmt.Sprintf("SELECT /*+ MAX_EXECUTION_TIME(%d) */ %s", ms, body), nil
	case FlavourMariaDB:
		s := max(1, int64(math.Ceil(limit.Seconds())))
		return fmt.Sprintf("SET STATEMENT max_statement_time=%d FOR %s", s, stmt), nil
	}
	return "", ErrFlavour
}

// Server error numbers (MySQL and MariaDB error references).
const (
	erServerShutdown   = 1053 // ER_SERVER_SHUTDOWN
	erQueryInterrupted = 1317 // ER_QUERY_INTERRUPTED (KILL QUERY)
	erConnectionKilled = 1927 // ER_CONNECTION_KILLED (MariaDB)
	erStatementTimeout = 1969 // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
	erQueryTimeout     = 3024 // ER_QUERY_TIMEOUT (MySQL MAX_EXECUTION_TIME)
	erTooManyConns     = 1040 // ER_CON_COUNT_ERROR
	crServerGone       = 2006 // CR_SERVER_GONE_ERROR
	crServerLost       = 2013 // CR_SERVER_LOST
)

func isServerTimeout(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == erStatementTimeout || me.Number == erQueryTimeout)
}

// isConnLoss reports whether err means the connection or the server went
// away, so that the count is worth retrying on a new connection.
func isConnLoss(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case erServerShutdown, erQueryInterrupted, erConnectionKilled, erTooManyConns, crServerGone, crServerLost:
			return true
		}
		return false
	}
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.As(err, &ne)
}

// job is one distinct query to label: key is q.SQL(), the record's SQL
// (GROUP BY / ORDER BY kept, as workload.Label writes it); stmt is its
// first captured statement, for the report.
type job struct {
	key  string
	q    *features.Query
	stmt Statement
}

type result struct {
	rec     querylog.Record
	err     error
	retries int
	stmt    Statement
}

// Collect labels captured statements with their true row counts from the
// server: each distinct statement the query model represents (Classify) is
// counted with CountSQL's SELECT COUNT(*) (and, with SubPlans, each of its
// connected sub-plans), inside a READ ONLY transaction with a server-side
// time limit (WithTimeLimit) and a client-side deadline a little later, at
// most Concurrency at a time. Records are appended to opts.Out as they
// arrive and fsynced at least every BatchSize records, so a crash, a killed server
// or a cancelled context loses at most the unsynced batch: a later call
// with the same Out skips what is labelled (by SQL text), truncates a torn
// last line and goes on. A count that loses its connection is retried
// with exponential backoff. Only the guarded SELECTs are ever sent; the
// captured text itself never is.
//
// Collect returns the report and ctx.Err() when cancelled; timeouts and
// failures of single counts are reported, not returned.
func Collect(ctx context.Context, db *sql.DB, schema *catalog.Schema, stmts []Statement, opts CollectOptions) (Report, error) {
	start := time.Now()
	if err := optcheck.Struct(ErrOptions, "CollectOptions", opts); err != nil {
		return Report{}, err
	}
	opts = opts.withDefaults()
	rep := Report{Statements: len(stmts)}
	if opts.Out == "" {
		return rep, errors.New("live: Collect needs CollectOptions.Out")
	}
	if opts.Flavour == FlavourUnknown {
		f, err := DetectFlavour(ctx, db)
		if err != nil {
			return rep, err
		}
		opts.Flavour = f
	}
	parsed, skips := Classify(schema, opts.Database, stmts)
	out, done, torn, err := resumeOutput(opts.Out)
	if err != nil {
		return rep, err
	}
	defer out.Close()
	rep.TornLine = torn

	var jobs []job
	seen := map[string]bool{}
	for _, p := range parsed {
		s := p.Query.SQL()
		if seen[s] {
			continue
		}
		seen[s] = true
		rep.Queries++
		if done[s] {
			rep.AlreadyLabelled++
			continue
		}
		jobs = append(jobs, job{key: s, q: p.Query, stmt: p.Stmt})
	}
	sk := newSkipCounter()
	for _, r := range skips {
		sk.by[r.Reason] = &r
		sk.order = append(sk.order, r.Reason)
	}
	counted := 0
	tick := func() {
		counted++
		opts.Progress.Send(progress.Report{Stage: "collect", Done: counted, Total: len(jobs)})
	}

	c := &collector{db: db, opts: opts}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobCh := make(chan job)
	// Buffered so that len(resCh) tells the writer whether more results
	// are waiting (then it batches before the fsync).
	resCh := make(chan result, opts.Concurrency)
	var wg sync.WaitGroup
	for range opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobCh {
				r := c.label(wctx, j)
				select {
				case resCh <- r:
				case <-wctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobCh)
		for _, j := range jobs {
			select {
			case jobCh <- j:
			case <-wctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(resCh)
	}()

	w := querylog.NewWriter(out)
	pending := 0
	syncOut := func() error {
		if pending == 0 {
			return nil
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("live: write output: %w", err)
		}
		if err := out.Sync(); err != nil {
			return fmt.Errorf("live: fsync output: %w", err)
		}
		pending = 0
		if opts.AfterSync != nil {
			opts.AfterSync(rep.Labelled)
		}
		return nil
	}
	var werr error
	for r := range resCh {
		rep.Retries += r.retries
		switch {
		case r.err == nil:
			if werr = w.Write(r.rec); werr != nil {
				break
			}
			pending++
			rep.Labelled++
			rep.SubPlans += len(r.rec.SubPlans)
			tick()
			if pending >= opts.BatchSize || len(resCh) == 0 {
				werr = syncOut()
			}
		case wctx.Err() != nil:
			// Cancelled mid-count: not a failure of the query.
		case errors.Is(r.err, ErrTimeout):
			rep.TimedOut++
			sk.add(ReasonTimeout, r.stmt)
			tick()
		default:
			rep.Failed++
			sk.add(ReasonFailed+": "+failReason(r.err), r.stmt)
			tick()
		}
		if werr != nil {
			cancel()
			break
		}
	}
	if werr == nil {
		werr = syncOut()
	}
	cancel()
	for range resCh { // let workers finish after an early break
	}
	rep.Skipped = sk.list()
	rep.Elapsed = time.Since(start)
	if werr != nil {
		return rep, werr
	}
	return rep, ctx.Err()
}

// failReason is a short class of a count failure for the report.
func failReason(err error) string {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return fmt.Sprintf("server error %d", me.Number)
	}
	if isConnLoss(err) {
		return "connection lost"
	}
	return "other"
}

type collector struct {
	db   *sql.DB
	opts CollectOptions
}

// label counts one query and, when asked, its sub-plans.
func (c *collector) label(ctx context.Context, j job) result {
	r := result{stmt: j.stmt}
	n, tries, err := c.count(ctx, CountSQL(j.q))
	r.retries += tries
	if err != nil {
		r.err = err
		return r
	}
	r.rec = querylog.Record{SQL: j.key, Rows: n}
	if j.q.Group != nil {
		g, tries, err := c.count(ctx, GroupsSQL(j.q))
		r.retries += tries
		if err != nil {
			r.err = err
			return r
		}
		r.rec.Groups = &g
	}
	if !c.opts.SubPlans {
		return r
	}
	masks, err := j.q.ConnectedSubsets(c.opts.MaxSubPlans)
	if err != nil {
		return r // too many sub-plans: the query alone (Options.MaxSubPlans)
	}
	full := j.q.FullMask()
	for _, m := range masks {
		sn := n
		if m != full {
			var tries int
			sn, tries, err = c.count(ctx, CountSQL(j.q.Sub(m)))
			r.retries += tries
			if err != nil {
				r.err = err
				return r
			}
		}
		r.rec.SubPlans = append(r.rec.SubPlans, querylog.SubPlan{Aliases: j.q.Aliases(m), Rows: sn})
	}
	return r
}

// count runs one guarded, time-limited COUNT(*) in a READ ONLY
// transaction, retrying after connection loss. It returns the retries
// made.
func (c *collector) count(ctx context.Context, countSQL string) (int64, int, error) {
	stmt, err := WithTimeLimit(c.opts.Flavour, countSQL, c.opts.Timeout)
	if err != nil {
		return 0, 0, err
	}
	wait := c.opts.Backoff
	for attempt := 0; ; attempt++ {
		n, err := c.countOnce(ctx, stmt)
		switch {
		case err == nil:
			return n, attempt, nil
		case ctx.Err() != nil:
			return 0, attempt, ctx.Err()
		case isServerTimeout(err) || errors.Is(err, context.DeadlineExceeded):
			return 0, attempt, fmt.Errorf("%w: %w", ErrTimeout, err)
		case !isConnLoss(err) || attempt >= c.opts.Retries:
			return 0, attempt, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, attempt, ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, c.opts.MaxBackoff)
	}
}

func (c *collector) countOnce(ctx context.Context, stmt string) (int64, error) {
	cctx, cancel := context.WithTimeout(ctx, c.opts.Timeout+clientGrace)
	defer cancel()
	tx, err := c.db.BeginTx(cctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() // read only: nothing to commit
	var n int64
	if err := queryRow(cctx, tx, stmt, nil, &n); err != nil {
		return 0, err
	}
	return n, nil
}
