package engine

import "errors"

// Sentinel errors of the counting engine. Match them with errors.Is; the
// engine wraps them with the offending table occurrence, column or join.
var (
	// ErrBadQuery: the query does not fit the database: a table or column
	// the DB does not have, a join edge out of range, a literal of the
	// wrong kind for its column, an unknown operator.
	ErrBadQuery = errors.New("query does not fit the database")
	// ErrUnsupported: a valid query the engine cannot count exactly, e.g. a
	// join between a string column and a numeric column.
	ErrUnsupported = errors.New("unsupported by the counting engine")
	// ErrOverflow: the true count (or an intermediate sum of join weights)
	// exceeds the int64 range.
	ErrOverflow = errors.New("count overflows int64")
	// ErrTooLarge: a cyclic join would materialise more intermediate rows
	// than Options.MaxRows allows.
	ErrTooLarge = errors.New("intermediate join result too large")
)
