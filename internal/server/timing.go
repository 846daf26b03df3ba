package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/datasets/live"
)

// TimeOptions configures Time. The zero value gives the defaults.
type TimeOptions struct {
	// Runs is the number of timed executions; 0 means DefaultRuns.
	Runs int
	// Warmups is the number of untimed executions first (to bring the
	// pages into the buffer pool); 0 means DefaultWarmups, negative none.
	Warmups int `opt:"signed"`
	// Limit is the server-side time limit of each execution; 0 means
	// DefaultLimit. MariaDB: SET STATEMENT max_statement_time=<s> FOR;
	// MySQL: the MAX_EXECUTION_TIME(<ms>) optimizer hint.
	Limit time.Duration
}

// Defaults of TimeOptions.
const (
	DefaultRuns    = 3
	DefaultWarmups = 1
	DefaultLimit   = 60 * time.Second
)

func (o TimeOptions) withDefaults() (TimeOptions, error) {
	if o.Runs == 0 {
		o.Runs = DefaultRuns
	}
	switch {
	case o.Warmups == 0:
		o.Warmups = DefaultWarmups
	case o.Warmups < 0:
		o.Warmups = 0
	}
	if o.Limit == 0 {
		o.Limit = DefaultLimit
	}
	if o.Runs < 0 || o.Limit < time.Millisecond {
		return o, fmt.Errorf("server: %w: Runs %d, Limit %v (want Runs >= 0, Limit >= 1ms)", ErrOptions, o.Runs, o.Limit)
	}
	return o, nil
}

// Timing is the outcome of Time.
type Timing struct {
	SQL string // the statement as given
	// Runs are the measured wall-clock times of the timed executions
	// (statement sent to last row read), in order.
	Runs []time.Duration
	// Median and Min summarise Runs.
	Median, Min time.Duration
	// Rows is the number of rows the statement returned; Checksum an
	// FNV-1a hash of all their values in order (equal results, equal
	// checksums). Count is the value of a single-row, single-column
	// integer result (SELECT COUNT(*) ...), with HasCount set.
	Rows     int64
	Checksum uint64
	Count    int64
	HasCount bool
	// TimedOut is set when an execution hit Limit; Runs then ends with
	// that execution's time (at least Limit: a censored value).
	TimedOut bool
}

// Time runs stmt (a read-only statement: live.CheckReadOnly) opts.Warmups
// times untimed and opts.Runs times timed on one connection, each under
// the server-side time limit opts.Limit, and returns the times and the
// result. When an execution hits the limit it stops there: the error
// wraps ErrTimeout and the Timing has what was measured, TimedOut set
// and the censored run last. Results that differ between executions are
// an error.
func (s *Server) Time(ctx context.Context, stmt string, opts TimeOptions) (Timing, error) {
	tm := Timing{SQL: stmt}
	opts, err := opts.withDefaults()
	if err != nil {
		return tm, err
	}
	if err := live.CheckReadOnly(stmt); err != nil {
		return tm, fmt.Errorf("server: %w: %w", ErrNotAllowed, err)
	}
	limited, err := withLimit(s.flavour, stmt, opts.Limit)
	if err != nil {
		return tm, err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return tm, s.wrap("connect", err)
	}
	defer conn.Close()
	first := true
	for i := range opts.Warmups + opts.Runs {
		start := time.Now()
		rows, sum, err := runOnce(ctx, conn, limited)
		d := time.Since(start)
		if err != nil {
			if isTimeout(err) {
				tm.TimedOut = true
				tm.Runs = append(tm.Runs, max(d, opts.Limit))
				tm.summarise()
				return tm, s.wrap(fmt.Sprintf("time limit %v", opts.Limit), fmt.Errorf("%w: %w", ErrTimeout, err))
			}
			return tm, s.wrap("execute", err)
		}
		if first {
			tm.Rows, tm.Checksum = rows.n, sum
			tm.Count, tm.HasCount = rows.count, rows.hasCount
			first = false
		} else if rows.n != tm.Rows || sum != tm.Checksum {
			return tm, fmt.Errorf("server: result changed between executions (%d rows vs %d): %s", rows.n, tm.Rows, clip(stmt))
		}
		if i >= opts.Warmups {
			tm.Runs = append(tm.Runs, d)
		}
	}
	tm.summarise()
	return tm, nil
}

func (tm *Timing) summarise() {
	if len(tm.Runs) == 0 {
		return
	}
	s := slices.Clone(tm.Runs)
	slices.Sort(s)
	tm.Min = s[0]
	if n := len(s); n%2 == 1 {
		tm.Median = s[n/2]
	} else {
		tm.Median = (s[n/2-1] + s[n/2]) / 2
	}
}

// result summarises a result set.
type result struct {
	n        int64
	count    int64
	hasCount bool
}

// runOnce executes a statement and reads every row, hashing the values.
func runOnce(ctx context.Context, conn *sql.Conn, stmt string) (result, uint64, error) {
	var res result
	rows, err := conn.QueryContext(ctx, stmt)
	if err != nil {
		return res, 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return res, 0, err
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	h := fnv.New64a()
	var first string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return res, 0, err
		}
		for _, v := range vals {
			if v == nil {
				h.Write([]byte{0xff, 0})
			} else {
				h.Write(v)
				h.Write([]byte{0xff, 1})
			}
		}
		h.Write([]byte{0xfe})
		if res.n == 0 && len(vals) == 1 && vals[0] != nil {
			first = string(vals[0])
		}
		res.n++
	}
	if err := rows.Err(); err != nil {
		return res, 0, err
	}
	if res.n == 1 && len(cols) == 1 {
		if v, err := strconv.ParseInt(first, 10, 64); err == nil {
			res.count, res.hasCount = v, true
		}
	}
	return res, h.Sum64(), nil
}

// withLimit adds the server-side time limit to a read-only statement:
//
//	MariaDB: SET STATEMENT max_statement_time=<seconds> FOR <stmt>
//	MySQL:   SELECT /*+ MAX_EXECUTION_TIME(<ms>) ... */ (merged into the
//	         statement's own hint comment when it has one)
func withLimit(f live.Flavour, stmt string, limit time.Duration) (string, error) {
	stmt = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(stmt), ";"))
	switch f {
	case live.FlavourMariaDB:
		return fmt.Sprintf("SET STATEMENT max_statement_time=%s FOR %s",
			strconv.FormatFloat(math.Max(0.001, limit.Seconds()), 'f', -1, 64), stmt), nil
	case live.FlavourMySQL:
		ms := max(1, limit.Milliseconds())
		if len(stmt) < 7 || !strings.EqualFold(stmt[:7], "SELECT ") {
			return "", fmt.Errorf("server: %w: a MySQL time limit needs a statement starting with SELECT: %s", ErrNotAllowed, clip(stmt))
		}
		body := strings.TrimLeft(stmt[7:], " ")
		if rest, ok := strings.CutPrefix(body, "/*+"); ok {
			return fmt.Sprintf("SELECT /*+ MAX_EXECUTION_TIME(%d)%s", ms, rest), nil
		}
		return fmt.Sprintf("SELECT /*+ MAX_EXECUTION_TIME(%d) */ %s", ms, body), nil
	}
	return "", live.ErrFlavour
}

// Server error numbers of a statement time limit (MariaDB and MySQL error
// references).
const (
	erStatementTimeout = 1969 // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
	erQueryTimeout     = 3024 // ER_QUERY_TIMEOUT (MySQL MAX_EXECUTION_TIME)
)

func isTimeout(err error) bool {
	n := mysqlErrno(err)
	return n == erStatementTimeout || n == erQueryTimeout || errors.Is(err, ErrTimeout)
}
