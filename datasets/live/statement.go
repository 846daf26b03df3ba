package live

import (
	"fmt"
	"strings"
	"time"
)

// Source says where a captured statement came from.
type Source uint8

// Capture sources.
const (
	SourceSQLFile Source = iota + 1
	SourceSlowLog
	SourcePerfSchema
)

func (s Source) String() string {
	switch s {
	case SourceSQLFile:
		return "sql"
	case SourceSlowLog:
		return "slowlog"
	case SourcePerfSchema:
		return "perfschema"
	}
	return fmt.Sprintf("Source(%d)", uint8(s))
}

// Statement is one captured statement of a workload with what the server
// measured of it. Totals are over Count executions.
type Statement struct {
	SQL      string // the statement text, without a trailing ';'
	Database string // default database when it ran ("use db;", Schema:), "" if unknown
	Count    int64  // executions: 1 per slow-log entry or SQL-file statement, COUNT_STAR for a digest
	// Latency is the total execution time of the Count executions (0 when
	// unknown, as for a SQL file).
	Latency      time.Duration
	RowsSent     int64 // total rows sent (slow log, digest); 0 if unknown
	RowsExamined int64 // total rows examined (slow log, digest); 0 if unknown
	Source       Source
	// Digest is performance_schema's DIGEST of the statement (hex); ""
	// for statements from a SQL file or a slow log.
	Digest string
	// Normalized: SQL is a performance_schema DIGEST_TEXT with its literals
	// replaced by '?' (no sample statement was found), so it cannot be
	// counted.
	Normalized bool
	// File and Line locate the statement's first line in its input (File is
	// "performance_schema" for digests, Line then 0).
	File string
	Line int
}

// Merge folds statements with the same SQL text (and default database)
// into one, summing Count, Latency and rows; the first occurrence keeps its
// position. Order is that of first occurrences.
func Merge(stmts []Statement) []Statement {
	type key struct{ db, sql string }
	at := make(map[key]int, len(stmts))
	out := make([]Statement, 0, len(stmts))
	for _, s := range stmts {
		k := key{s.Database, s.SQL}
		if i, ok := at[k]; ok {
			m := &out[i]
			m.Count += s.Count
			m.Latency += s.Latency
			m.RowsSent += s.RowsSent
			m.RowsExamined += s.RowsExamined
			continue
		}
		at[k] = len(out)
		out = append(out, s)
	}
	return out
}

// PosError is an input error with its position: file, 1-based line and
// column (in characters). It unwraps to a sentinel (ErrSlowLog, ErrSQLFile,
// ErrCorruptOutput).
type PosError struct {
	File      string
	Line, Col int // Col is 0 when only the line is known
	Err       error
	Msg       string
}

func (e *PosError) Error() string {
	var b strings.Builder
	b.WriteString("live: ")
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	fmt.Fprintf(&b, "%d:", e.Line)
	if e.Col > 0 {
		fmt.Fprintf(&b, "%d:", e.Col)
	}
	b.WriteByte(' ')
	b.WriteString(e.Err.Error())
	if e.Msg != "" {
		b.WriteString(": ")
		b.WriteString(e.Msg)
	}
	return b.String()
}

func (e *PosError) Unwrap() error { return e.Err }
