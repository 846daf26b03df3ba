package live

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/optcheck"
	"github.com/cardinaldb/cardinal/internal/sqllex"
)

// DigestOptions configures CaptureDigests. The zero value gives the
// defaults.
type DigestOptions struct {
	// Database keeps only digests whose SCHEMA_NAME is this database; ""
	// keeps all.
	Database string
	// Limit is the most digests read, by SUM_TIMER_WAIT descending.
	// Default DefaultDigestLimit.
	Limit int
}

// DefaultDigestLimit is the default number of digests CaptureDigests reads:
// the digest table itself holds at most performance_schema_digests_size
// rows (autosized, typically 10,000).
const DefaultDigestLimit = 10000

// picosPerNano converts performance_schema timer units (picoseconds).
const picosPerNano = 1000

// CaptureDigests reads the statement digests of
// performance_schema.events_statements_summary_by_digest: DIGEST_TEXT,
// COUNT_STAR, SUM_TIMER_WAIT, SUM_ROWS_SENT and SUM_ROWS_EXAMINED, and a
// sample statement with literals for each: QUERY_SAMPLE_TEXT where the
// server has it (MySQL 8.0.3+), else the latest SQL_TEXT with that DIGEST
// in events_statements_history_long or events_statements_history (MariaDB;
// enable those consumers to get samples). A digest without a sample keeps
// its DIGEST_TEXT (literals replaced by '?') as SQL and Normalized set;
// Classify reports it. Three SELECTs over performance_schema tables held in
// memory: cheap for the server. Bounded by ctx and DefaultCallTimeout.
func CaptureDigests(ctx context.Context, db *sql.DB, opts DigestOptions) ([]Statement, error) {
	if err := optcheck.Struct(ErrOptions, "DigestOptions", opts); err != nil {
		return nil, err
	}
	if opts.Limit == 0 {
		opts.Limit = DefaultDigestLimit
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultCallTimeout)
	defer cancel()
	var hasSample int
	if err := queryRow(ctx, db, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'performance_schema' "+
		"AND TABLE_NAME = 'events_statements_summary_by_digest' AND COLUMN_NAME = 'QUERY_SAMPLE_TEXT'", nil, &hasSample); err != nil {
		return nil, fmt.Errorf("live: performance_schema columns: %w", err)
	}
	sampleCol := "''"
	if hasSample > 0 {
		sampleCol = "COALESCE(QUERY_SAMPLE_TEXT, '')"
	}
	stmt := "SELECT COALESCE(SCHEMA_NAME, ''), COALESCE(DIGEST, ''), COALESCE(DIGEST_TEXT, ''), COUNT_STAR, " +
		"SUM_TIMER_WAIT, SUM_ROWS_SENT, SUM_ROWS_EXAMINED, " + sampleCol +
		" FROM performance_schema.events_statements_summary_by_digest WHERE DIGEST_TEXT IS NOT NULL"
	args := []any{}
	if opts.Database != "" {
		stmt += " AND SCHEMA_NAME = ?"
		args = append(args, opts.Database)
	}
	stmt += fmt.Sprintf(" ORDER BY SUM_TIMER_WAIT DESC LIMIT %d", opts.Limit)
	rows, err := query(ctx, db, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("live: read statement digests: %w", err)
	}
	var out []Statement
	var digests []string
	err = scanAll(rows, func() error {
		var s Statement
		var digest, text, sample string
		var wait uint64
		if err := rows.Scan(&s.Database, &digest, &text, &s.Count, &wait, &s.RowsSent, &s.RowsExamined, &sample); err != nil {
			return err
		}
		s.Latency = time.Duration(wait / picosPerNano)
		s.SQL, s.Source, s.File, s.Digest = text, SourcePerfSchema, "performance_schema", digest
		if sample != "" {
			s.SQL = sample
		} else {
			s.Normalized = true
		}
		out = append(out, s)
		digests = append(digests, digest)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("live: read statement digests: %w", err)
	}
	if hasSample > 0 {
		return out, nil
	}
	samples := map[string]string{}
	for _, table := range []string{"events_statements_history_long", "events_statements_history"} {
		rows, err := query(ctx, db, "SELECT DIGEST, SQL_TEXT FROM performance_schema."+table+
			" WHERE DIGEST IS NOT NULL AND SQL_TEXT IS NOT NULL ORDER BY EVENT_ID DESC")
		if err != nil {
			return nil, fmt.Errorf("live: read %s: %w", table, err)
		}
		err = scanAll(rows, func() error {
			// The history tables are ring buffers other sessions overwrite
			// while we read: a row that passed IS NOT NULL can be read
			// back NULL (seen with concurrent sessions), so NULL is skipped
			// here rather than failing the capture.
			var d, text sql.NullString
			if err := rows.Scan(&d, &text); err != nil {
				return err
			}
			if !d.Valid || !text.Valid {
				return nil
			}
			if _, seen := samples[d.String]; !seen {
				samples[d.String] = text.String
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("live: read %s: %w", table, err)
		}
	}
	for i := range out {
		if text, ok := samples[digests[i]]; ok && out[i].Normalized {
			out[i].SQL, out[i].Normalized = text, false
		}
	}
	return out, nil
}

// Parsed is a captured statement the query model represents.
type Parsed struct {
	Stmt  Statement
	Query *features.Query
}

// SkipReason counts captured statements left out for one reason.
type SkipReason struct {
	Reason     string
	Statements int    // distinct captured statements
	Executions int64  // sum of their Count
	Example    string // the first one's text (clipped) with its position
}

// Reasons for leaving a statement out, besides the features parser's.
const (
	ReasonNotSelect     = "not a SELECT"
	ReasonNormalized    = "digest text without literals (no sample statement)"
	ReasonOtherDatabase = "other database"
	ReasonTimeout       = "count timed out"
	ReasonFailed        = "count failed"
)

// Classify parses each statement against schema with features.Parse. It
// returns the ones the query model represents and counts the rest by
// reason: not a SELECT (with its first keyword), a digest without a sample,
// a default database other than database (when database is not ""), or the
// parser's error (its sentinel and construct, e.g. "unsupported LEFT
// JOIN"). Nothing is dropped silently.
func Classify(schema *catalog.Schema, database string, stmts []Statement) ([]Parsed, []SkipReason) {
	p := features.NewParser()
	var out []Parsed
	skips := newSkipCounter()
	for _, s := range stmts {
		if body, ok := cutSetStatement(s.SQL); ok {
			s.SQL = body
		}
		kw := firstKeyword(s.SQL)
		switch {
		case s.Normalized:
			skips.add(ReasonNormalized, s)
		case kw != "SELECT" && kw != "WITH": // WITH ...: the parser says whether it is a SELECT
			if kw == "" {
				kw = "?"
			}
			skips.add(ReasonNotSelect+": "+kw, s)
		case database != "" && s.Database != "" && !strings.EqualFold(s.Database, database):
			skips.add(ReasonOtherDatabase+": "+s.Database, s)
		default:
			q, err := p.Parse(schema, s.SQL)
			if err != nil {
				skips.add(parseReason(err), s)
				continue
			}
			out = append(out, Parsed{Stmt: s, Query: q})
		}
	}
	return out, skips.list()
}

// parseReason names a features.Parse error without its position and
// details, so that errors of one kind count together.
func parseReason(err error) string {
	var fe *features.Error
	if errors.As(err, &fe) && fe.Err != nil {
		if fe.Construct != "" {
			return fe.Err.Error() + " " + fe.Construct
		}
		return fe.Err.Error()
	}
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

type skipCounter struct {
	by    map[string]*SkipReason
	order []string
}

func newSkipCounter() *skipCounter { return &skipCounter{by: map[string]*SkipReason{}} }

func (c *skipCounter) add(reason string, s Statement) {
	r := c.by[reason]
	if r == nil {
		where := s.File
		if s.Line > 0 {
			where = fmt.Sprintf("%s:%d", s.File, s.Line)
		}
		ex := clip(s.SQL)
		if where != "" {
			ex = where + ": " + ex
		}
		r = &SkipReason{Reason: reason, Example: ex}
		c.by[reason] = r
		c.order = append(c.order, reason)
	}
	r.Statements++
	r.Executions += s.Count
}

// list returns the reasons, most statements first (ties in first-seen
// order).
func (c *skipCounter) list() []SkipReason {
	out := make([]SkipReason, 0, len(c.order))
	for _, k := range c.order {
		out = append(out, *c.by[k])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Statements > out[j].Statements })
	return out
}

// cutSetStatement returns the statement of a MariaDB
// "SET STATEMENT var=value[, ...] FOR <statement>" (the per-statement
// variables do not change what it counts).
func cutSetStatement(sql string) (string, bool) {
	l := sqllex.New(sql, sqllex.Default)
	var words []string
	for {
		t, ok := l.Next()
		if !ok {
			return "", false
		}
		if t.Kind == sqllex.Comment {
			continue
		}
		w := ""
		if t.Kind == sqllex.Word {
			w = strings.ToUpper(l.Text(t))
		}
		words = append(words, w)
		switch {
		case len(words) == 1 && w != "SET", len(words) == 2 && w != "STATEMENT":
			return "", false
		case len(words) > 2 && w == "FOR":
			return strings.TrimSpace(sql[t.End:]), true
		}
	}
}

// firstKeyword returns the first word of s outside comments, upper-cased, or
// "" when s starts with something else.
func firstKeyword(s string) string {
	l := sqllex.New(s, sqllex.Default)
	for {
		t, ok := l.Next()
		if !ok {
			return ""
		}
		switch {
		case t.Kind == sqllex.Comment:
			continue
		case t.Kind == sqllex.Word:
			return strings.ToUpper(l.Text(t))
		case t.Kind == sqllex.Punct && l.Text(t) == "(":
			continue // (SELECT ...) UNION ...
		}
		return ""
	}
}
