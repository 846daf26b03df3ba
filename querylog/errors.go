package querylog

import (
	"errors"
	"fmt"
)

// Sentinel errors. Match them with errors.Is.
var (
	// ErrMalformedLog: a query log line that is not a well-formed record
	// (bad JSON, unknown field, missing SQL, empty sub-plan).
	ErrMalformedLog = errors.New("malformed query log")
	// ErrBadLabel: a row-count label that is negative, fractional, NaN,
	// infinite or larger than MaxLabel.
	ErrBadLabel = errors.New("bad row-count label")
)

// LogError is an error of reading or writing a query log, at a 1-based line
// (record number for a Writer). It unwraps to ErrMalformedLog or
// ErrBadLabel (and to the JSON error when there is one).
type LogError struct {
	Line int
	Err  error // ErrMalformedLog or ErrBadLabel
	Msg  string
	json error
}

// Error renders "querylog: line N: <sentinel>: <details>".
func (e *LogError) Error() string {
	s := fmt.Sprintf("querylog: line %d: %v", e.Line, e.Err)
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

// Unwrap returns the sentinel and the underlying JSON error, if any.
func (e *LogError) Unwrap() []error {
	if e.json != nil {
		return []error{e.Err, e.json}
	}
	return []error{e.Err}
}
