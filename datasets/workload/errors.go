package workload

import "errors"

// Sentinel errors. Match them with errors.Is.
var (
	// ErrOptions: an option out of its documented range.
	ErrOptions = errors.New("invalid workload options")
	// ErrBadGraph: a join graph edge names a table or column the database
	// does not have, or joins columns of incompatible types.
	ErrBadGraph = errors.New("invalid join graph")
	// ErrNoJoinPath: the join graph cannot provide the requested minimum
	// number of joins.
	ErrNoJoinPath = errors.New("join graph too small for MinJoins")
)
