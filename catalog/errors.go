package catalog

import (
	"errors"
	"fmt"

	"github.com/cardinaldb/cardinal/internal/bincodec"
)

// Sentinel errors. Every error returned by this package wraps one of them;
// match with errors.Is. They are Cardinal's one error vocabulary for these
// concepts: features, datasets and estimator re-export the same values
// (features.ErrUnknownColumn == catalog.ErrUnknownColumn), so errors.Is
// works whichever name a caller uses.
var (
	// ErrSyntax: the schema text is not valid MySQL.
	ErrSyntax = errors.New("syntax error")
	// ErrUnsupportedStatement: a statement other than CREATE TABLE (or a
	// CREATE TABLE ... LIKE / ... AS SELECT) in a schema.
	ErrUnsupportedStatement = errors.New("unsupported statement")
	// ErrUnsupportedType: a column type with no Cardinal Type (BLOB, TIME,
	// GEOMETRY, ...).
	ErrUnsupportedType = errors.New("unsupported column type")
	// ErrDuplicate: two tables, or two columns of a table, share a name.
	ErrDuplicate = errors.New("duplicate name")
	// ErrUnknownTable: a foreign key names a table the schema lacks.
	ErrUnknownTable = errors.New("unknown table")
	// ErrUnknownColumn: a key names a column its table lacks.
	ErrUnknownColumn = errors.New("unknown column")
	// ErrInvalidSchema: any other inconsistency (no tables, no columns,
	// several primary keys, key column count mismatch, ...).
	ErrInvalidSchema = errors.New("invalid schema")
	// ErrInvalidSource: a statistics Source disagrees with the schema
	// (wrong column length, dictionary code out of range, NaN float).
	ErrInvalidSource = errors.New("invalid statistics source")
	// ErrInvalidOptions: negative StatsOptions, or a nil *rand.Rand when a
	// table must be sampled.
	ErrInvalidOptions = errors.New("invalid statistics options")

	// The errors of Cardinal's file formats, shared with the model files of
	// the estimator (internal/bincodec defines them once; estimator
	// re-exports these).

	// ErrBadMagic: Load was given something that is not a saved catalog.
	ErrBadMagic = bincodec.ErrBadMagic
	// ErrVersion: Load was given a catalog of an unknown format version.
	ErrVersion = bincodec.ErrVersion
	// ErrCorrupt: a saved catalog is truncated, fails its checksum, exceeds
	// a limit or decodes to an inconsistent catalog.
	ErrCorrupt = bincodec.ErrCorrupt
)

// SchemaError is an error in a schema with its position in the SQL text
// when known. Err is one of the sentinels above.
type SchemaError struct {
	Line, Col int // 1-based; 0 when the error has no position (Validate)
	Err       error
	Msg       string
}

// Error renders "line:col: sentinel: message".
func (e *SchemaError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%d:%d: %v: %s", e.Line, e.Col, e.Err, e.Msg)
	}
	return fmt.Sprintf("%v: %s", e.Err, e.Msg)
}

// Unwrap returns the sentinel.
func (e *SchemaError) Unwrap() error { return e.Err }
