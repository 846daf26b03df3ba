package joinorder

import "errors"

// Errors of planning. Match them with errors.Is; they are wrapped with the
// offending query, mask or option.
var (
	// ErrQuery: the query cannot be planned: nil, no tables, more than
	// features.MaxTables occurrences (sub-plans are 64-bit masks), or a
	// join edge between unknown occurrences.
	ErrQuery = errors.New("joinorder: query cannot be planned")
	// ErrCards: the cardinalities lack a connected sub-plan the planner
	// needs, or hold a negative, NaN or infinite row count.
	ErrCards = errors.New("joinorder: missing or invalid cardinality")
	// ErrOptions: an option is negative, NaN or infinite.
	ErrOptions = errors.New("joinorder: invalid options")
	// ErrPlan: a plan does not join every table of its query exactly once
	// along join edges (see Validate).
	ErrPlan = errors.New("joinorder: invalid plan")
	// ErrModel: an agent model file is malformed, of another version, or
	// made for another catalog.
	ErrModel = errors.New("joinorder: invalid agent model")
)
