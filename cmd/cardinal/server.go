package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cardinaldb/cardinal/datasets/live"
	"github.com/cardinaldb/cardinal/features"
)

// errEmptyLog: a labelled query log without a query to score.
var errEmptyLog = errors.New("the query log holds no queries")

// server is a connection to a live server used as a baseline: its own
// optimizer's estimates (EXPLAIN FORMAT=JSON, never running the query)
// and, for explain --analyze, true counts.
type server struct {
	db      *sql.DB
	flavour live.Flavour
	explain *live.ExplainEstimator
}

// openServer connects to dsn, saying so on stderr (without the password).
func openServer(ctx context.Context, dsn string, stderr io.Writer) (*server, error) {
	db, flavour, err := live.Open(ctx, dsn, live.OpenOptions{})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "server baseline: %s (%s optimizer, EXPLAIN FORMAT=JSON)\n", live.RedactDSN(dsn), flavour)
	return &server{db: db, flavour: flavour, explain: live.NewExplainEstimator(db, flavour)}, nil
}

func (s *server) close() { s.db.Close() }

// count runs COUNT(*) of q on the server under a server-side time limit.
func (s *server) count(ctx context.Context, q *features.Query, limit time.Duration) (int64, error) {
	stmt, err := live.WithTimeLimit(s.flavour, live.CountSQL(q), limit)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := s.db.QueryRowContext(ctx, stmt).Scan(&n); err != nil {
		return 0, fmt.Errorf("count on the server: %w", err)
	}
	return n, nil
}
