package datasets

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
)

// Sentinel errors of building and loading tables. Match them with errors.Is;
// loaders wrap them in a *LoadError that says where the input was bad.
var (
	// ErrMalformed: the input is not well-formed CSV or JSON (bad quoting,
	// wrong number of fields, truncated document, ...).
	ErrMalformed = errors.New("malformed input")
	// ErrType: a value does not parse as, or is not assignable to, the
	// column's type.
	ErrType = errors.New("value does not match column type")
	// ErrNullViolation: a NULL for a NOT NULL column.
	ErrNullViolation = errors.New("NULL in NOT NULL column")
	// ErrArity: a row with the wrong number of values.
	ErrArity = errors.New("wrong number of values in row")
	// ErrMissingTable: a table of the schema has no data file, or a name
	// refers to no table of the schema.
	ErrMissingTable = errors.New("missing table")
	// ErrHeader: a CSV header row that is missing, names an unknown column,
	// repeats a column or leaves one out.
	ErrHeader = errors.New("bad CSV header")
	// ErrUnknownColumn: a name (CSV header field, JSON key) that is no
	// column of the table (the value of catalog.ErrUnknownColumn).
	ErrUnknownColumn = catalog.ErrUnknownColumn
	// ErrDuplicateColumn: a column named twice (CSV header, JSON object).
	ErrDuplicateColumn = errors.New("duplicate column")
	// ErrSchema: a schema the loader cannot use (no tables, a table
	// without columns, duplicate names, an unknown type); the value of
	// catalog.ErrInvalidSchema.
	ErrSchema = catalog.ErrInvalidSchema
)

// LoadError says where loading failed. It unwraps to one of the sentinel
// errors above (sometimes two, e.g. ErrHeader and ErrUnknownColumn).
type LoadError struct {
	File   string // input file name (or table name for a reader); "" if unknown
	Line   int    // 1-based line of the input; 0 if unknown
	Column string // column (CSV header name or JSON key); "" if none
	// Index is the 0-based element index within a JSON array, or -1 when
	// the input is not a JSON array (CSV).
	Index int
	Err   error
}

// Error renders "file:line: element i: column c: err".
func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString("datasets: ")
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":")
			b.WriteString(strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Index >= 0 {
		fmt.Fprintf(&b, "element %d: ", e.Index)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, "column %q: ", e.Column)
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *LoadError) Unwrap() error { return e.Err }
