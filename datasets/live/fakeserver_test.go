package live

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"sync"

	"github.com/go-sql-driver/mysql"
)

// fakeServer is a database/sql driver standing in for a MariaDB server in
// unit tests: COUNT(*) of a statement is its length in bytes, so every
// answer is known. It records what reached it and can fail on demand.
type fakeServer struct {
	mu          sync.Mutex
	sent        []string
	writableTx  int // transactions begun without ReadOnly
	failNext    int // the next failNext queries fail with a lost connection
	timeoutOn   string
	inFlight    int
	maxInFlight int
	hold        chan struct{} // when set, counts wait on it (concurrency check)
}

func (s *fakeServer) open() *sql.DB { return sql.OpenDB(fakeConnector{s}) }

// fakeRows is the count a COUNT(*) statement gets.
func fakeRows(countSQL string) int64 { return int64(len(countSQL)) }

type fakeConnector struct{ s *fakeServer }

func (c fakeConnector) Connect(context.Context) (driver.Conn, error) { return &fakeConn{c.s}, nil }
func (c fakeConnector) Driver() driver.Driver                        { return fakeDriver{c.s} }

type fakeDriver struct{ s *fakeServer }

func (d fakeDriver) Open(string) (driver.Conn, error) { return &fakeConn{d.s}, nil }

type fakeConn struct{ s *fakeServer }

func (c *fakeConn) Prepare(string) (driver.Stmt, error) {
	return nil, errors.New("fakeServer: no prepared statements")
}
func (c *fakeConn) Close() error { return nil }
func (c *fakeConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *fakeConn) BeginTx(_ context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if !opts.ReadOnly {
		c.s.mu.Lock()
		c.s.writableTx++
		c.s.mu.Unlock()
	}
	return fakeTx{}, nil
}

type fakeTx struct{}

func (fakeTx) Commit() error   { return nil }
func (fakeTx) Rollback() error { return nil }

func (c *fakeConn) QueryContext(ctx context.Context, q string, _ []driver.NamedValue) (driver.Rows, error) {
	s := c.s
	s.mu.Lock()
	s.sent = append(s.sent, q)
	fail := s.failNext > 0 && q != "SELECT VERSION()"
	if fail {
		s.failNext--
	}
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	hold := s.hold
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	if q == "SELECT VERSION()" {
		return &fakeResult{vals: []driver.Value{[]byte("10.11.6-MariaDB-fake")}}, nil
	}
	if fail {
		return nil, mysql.ErrInvalidConn // not retried by database/sql: Collect must
	}
	body, ok := cutSetStatement(q)
	if !ok {
		return nil, errors.New("fakeServer: expected SET STATEMENT ... FOR")
	}
	if s.timeoutOn != "" && body == s.timeoutOn {
		return nil, &mysql.MySQLError{Number: erStatementTimeout, Message: "Query execution was interrupted (max_statement_time exceeded)"}
	}
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return &fakeResult{vals: []driver.Value{fakeRows(body)}}, nil
}

type fakeResult struct {
	vals []driver.Value
	done bool
}

func (r *fakeResult) Columns() []string { return []string{"v"} }
func (r *fakeResult) Close() error      { return nil }
func (r *fakeResult) Next(dest []driver.Value) error {
	if r.done {
		return io.EOF
	}
	r.done = true
	copy(dest, r.vals)
	return nil
}

// sentStatements returns the statements that reached the fake server.
func (s *fakeServer) sentStatements() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sent...)
}
