package live

import (
	"errors"
	"strings"
)

// Sentinel errors of the live package. Match them with errors.Is.
var (
	// ErrNotReadOnly: a statement the read-only guard refuses to send (not a
	// SELECT, EXPLAIN SELECT, SHOW or information_schema read, or a SELECT
	// with a locking clause, INTO, an executable comment, several statements,
	// or a function with side effects).
	ErrNotReadOnly = errors.New("statement refused by the read-only guard")
	// ErrDSN: a DSN that does not parse.
	ErrDSN = errors.New("invalid DSN")
	// ErrNoDatabase: a DSN without a database name where one is needed.
	ErrNoDatabase = errors.New("DSN names no database")
	// ErrSlowLog: a slow query log that does not parse (a bad header value,
	// an entry without a statement).
	ErrSlowLog = errors.New("malformed slow query log")
	// ErrSQLFile: a SQL file that does not split into statements (an
	// unterminated quote or comment).
	ErrSQLFile = errors.New("malformed SQL file")
	// ErrCorruptOutput: an existing output file of Collect whose lines,
	// other than a torn last line, are not labelled records.
	ErrCorruptOutput = errors.New("corrupt labelled query log")
	// ErrServer: the server answered something the package cannot use (an
	// unknown column type, an EXPLAIN without a plan, ...).
	ErrServer = errors.New("unexpected answer from server")
	// ErrOptions: an option is negative, NaN or infinite (zero means its
	// default); reported before any statement is sent.
	ErrOptions = errors.New("invalid options")
	// ErrTimeout: a statement hit its time limit on the server.
	ErrTimeout = errors.New("statement time limit exceeded")
	// ErrFlavour: an operation that needs to know the server flavour was
	// given FlavourUnknown.
	ErrFlavour = errors.New("unknown server flavour")
)

// redactedError wraps an error that may carry a secret (the DSN password):
// Error() replaces every occurrence of the secret, Unwrap keeps errors.Is and
// errors.As working on the original.
type redactedError struct {
	op     string
	err    error
	secret string
}

// redactMark replaces secrets in DSNs and error messages.
const redactMark = "xxxxx"

func (e *redactedError) Error() string {
	msg := e.err.Error()
	if e.secret != "" {
		msg = strings.ReplaceAll(msg, e.secret, redactMark)
	}
	if e.op != "" {
		return "live: " + e.op + ": " + msg
	}
	return "live: " + msg
}

func (e *redactedError) Unwrap() error { return e.err }

// redact wraps err (nil stays nil) so that its message never shows secret.
func redact(op string, err error, secret string) error {
	if err == nil {
		return nil
	}
	return &redactedError{op: op, err: err, secret: secret}
}
