package live

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/cardinaldb/cardinal/internal/sqllex"
)

// queryer is what the guard sends statements through: *sql.DB, *sql.Conn
// and *sql.Tx all have it.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// query is the only way this package sends a statement to a server: it
// refuses, before the driver sees it, anything CheckReadOnly refuses. (A
// test checks that no other file of the package calls QueryContext,
// ExecContext or their context-less forms.)
func query(ctx context.Context, q queryer, stmt string, args ...any) (*sql.Rows, error) {
	if err := CheckReadOnly(stmt); err != nil {
		return nil, err
	}
	return q.QueryContext(ctx, stmt, args...)
}

// sideEffectFuncs are functions that change server state or block, refused
// in any statement: locks, sleeps, sequences, replication waits and file
// reads.
var sideEffectFuncs = map[string]bool{
	"SLEEP": true, "BENCHMARK": true, "GET_LOCK": true, "RELEASE_LOCK": true,
	"RELEASE_ALL_LOCKS": true, "LOAD_FILE": true, "NEXTVAL": true,
	"SETVAL": true, "LASTVAL": true, "MASTER_POS_WAIT": true,
	"SOURCE_POS_WAIT": true, "MASTER_GTID_WAIT": true,
	"WAIT_FOR_EXECUTED_GTID_SET": true, "WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS": true,
}

// CheckReadOnly returns nil when stmt is a statement the package may send:
//
//	SELECT ...                         (no INTO, FOR UPDATE, FOR SHARE,
//	                                    LOCK IN SHARE MODE, NEXT VALUE FOR)
//	WITH ... SELECT ...                (the same, and no UPDATE, DELETE,
//	                                    INSERT or REPLACE anywhere)
//	EXPLAIN [FORMAT=JSON|EXTENDED|PARTITIONS] SELECT ...   (never ANALYZE)
//	SHOW ...
//	SET STATEMENT max_statement_time=<n> FOR SELECT ...     (MariaDB)
//
// Everything else, several statements, executable comments (/*! */,
// /*M! */) and calls of functions with side effects (SLEEP, GET_LOCK,
// NEXTVAL, LOAD_FILE, ...) are refused with an error wrapping
// ErrNotReadOnly. information_schema and performance_schema reads are
// SELECTs. The guard is a second line of defence: Collect also runs inside
// a READ ONLY transaction.
//
// The verdict holds under every sql_mode: the statement is lexed under
// each combination of NO_BACKSLASH_ESCAPES and ANSI_QUOTES and refused if
// any reading of it is ('\' INTO OUTFILE 'x' -- ' hides INTO in a string
// only when backslashes escape). Sessions of this package also pin
// PinnedSQLMode.
func CheckReadOnly(stmt string) error {
	for _, mode := range []sqllex.Mode{sqllex.Default, sqllex.NoBackslashEscapes, sqllex.ANSIQuotes, sqllex.NoBackslashEscapes | sqllex.ANSIQuotes} {
		if err := checkReadOnly(stmt, mode); err != nil {
			return err
		}
	}
	return nil
}

// checkReadOnly is CheckReadOnly under one lexing mode.
func checkReadOnly(stmt string, mode sqllex.Mode) error {
	l := sqllex.New(stmt, mode)
	var words []string // upper-cased words and punctuation, comments dropped
	var kinds []sqllex.Kind
	for {
		t, ok := l.Next()
		if !ok {
			break
		}
		switch t.Kind {
		case sqllex.Comment:
			if text := l.Text(t); strings.HasPrefix(text, "--") && len(text) > 2 && !sqllex.IsSpace(text[2]) {
				// MySQL ends "--" comments at a control character too;
				// refuse the oddity rather than hide text behind it.
				return refuse(stmt, "comment %q", clip(text))
			}
			continue
		case sqllex.ExecOpen:
			return refuse(stmt, "executable comment %q", clip(stmt[t.Off:]))
		case sqllex.Delimiter:
			t.Kind = sqllex.Punct
			words = append(words, ";")
		case sqllex.Word, sqllex.Punct:
			words = append(words, strings.ToUpper(l.Text(t)))
		default:
			words = append(words, "") // quoted: never a keyword
		}
		kinds = append(kinds, t.Kind)
	}
	if _, bad := l.Unterminated(); bad {
		return refuse(stmt, "unterminated quote or comment")
	}
	if n := len(words); n > 0 && words[n-1] == ";" {
		words, kinds = words[:n-1], kinds[:n-1]
	}
	if len(words) == 0 {
		return refuse(stmt, "empty statement")
	}
	for i, w := range words {
		if w == ";" {
			return refuse(stmt, "several statements")
		}
		if kinds[i] == sqllex.Word && sideEffectFuncs[w] && i+1 < len(words) && words[i+1] == "(" {
			return refuse(stmt, "function %s()", w)
		}
	}
	i := 0
	switch words[0] {
	case "SHOW":
		return nil
	case "SELECT", "(":
		i = 0
	case "EXPLAIN", "DESCRIBE", "DESC":
		i = 1
		switch {
		case i+2 < len(words) && words[i] == "FORMAT" && words[i+1] == "=":
			i += 3
		case i < len(words) && (words[i] == "EXTENDED" || words[i] == "PARTITIONS"):
			i++
		}
	case "SET":
		// SET STATEMENT max_statement_time = <number> FOR ...
		if len(words) < 7 || words[1] != "STATEMENT" || words[2] != "MAX_STATEMENT_TIME" ||
			words[3] != "=" || kinds[4] != sqllex.Word || words[5] != "FOR" {
			return refuse(stmt, "SET other than SET STATEMENT max_statement_time=n FOR")
		}
		for _, c := range words[4] {
			if c < '0' || c > '9' {
				return refuse(stmt, "SET STATEMENT max_statement_time=%s", words[4])
			}
		}
		i = 6
	case "WITH":
		// WITH [RECURSIVE] cte AS (SELECT ...) [, ...] SELECT ...:
		// checkSelect refuses the UPDATE, DELETE, INSERT and REPLACE
		// (MySQL 8's WITH ... UPDATE/DELETE) anywhere in it.
		return checkSelect(stmt, words)
	default:
		return refuse(stmt, "%s statement", words[0])
	}
	j := i
	for j < len(words) && words[j] == "(" {
		j++ // (SELECT ...) UNION (SELECT ...)
	}
	if j >= len(words) || words[j] != "SELECT" {
		return refuse(stmt, "%s of something other than SELECT", words[0])
	}
	return checkSelect(stmt, words[i:])
}

// checkSelect refuses the clauses that make a SELECT write or lock.
func checkSelect(stmt string, words []string) error {
	for i, w := range words {
		prev := ""
		if i > 0 {
			prev = words[i-1]
		}
		switch {
		case w == "INTO":
			return refuse(stmt, "SELECT ... INTO")
		case prev == "FOR" && (w == "UPDATE" || w == "SHARE"):
			return refuse(stmt, "FOR %s", w)
		case prev == "LOCK" && w == "IN":
			return refuse(stmt, "LOCK IN SHARE MODE")
		case prev == "NEXT" && w == "VALUE":
			return refuse(stmt, "NEXT VALUE FOR")
		case w == "UPDATE" || w == "DELETE" ||
			((w == "INSERT" || w == "REPLACE") && (i+1 == len(words) || words[i+1] != "(")):
			// Not valid inside a SELECT (INSERT() and REPLACE() are string
			// functions); seen here only in odd input.
			return refuse(stmt, "%s inside SELECT", w)
		}
	}
	return nil
}

// maxQuoted bounds how much of a refused statement an error repeats.
const maxQuoted = 80

func clip(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	cut := maxQuoted
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "..."
}

func refuse(stmt, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %q", ErrNotReadOnly, fmt.Sprintf(format, args...), clip(stmt))
}
