package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/datasets/live"
	"github.com/go-sql-driver/mysql"
)

// EnvTestDSN names the environment variable with the DSN of the private
// test server (.ci/mariadb.sh sets it).
const EnvTestDSN = "CARDINAL_TEST_DSN"

// Sentinel errors. Match them with errors.Is; errors of the server or the
// driver are wrapped, with the DSN password scrubbed.
var (
	// ErrName: a database name the package will not use (see
	// Options.Database).
	ErrName = errors.New("invalid database name")
	// ErrNotAllowed: a statement Time or ExecDDL refuses to send.
	ErrNotAllowed = errors.New("statement not allowed")
	// ErrTimeout: a statement hit its server-side time limit. It is
	// live.ErrTimeout, so either name matches.
	ErrTimeout = live.ErrTimeout
	// ErrLocalInfile: the server refuses LOAD DATA LOCAL INFILE
	// (local_infile=OFF); SET GLOBAL local_infile=1 enables it.
	ErrLocalInfile = errors.New("server refuses LOAD DATA LOCAL INFILE")
	// ErrOptions: an option out of its documented range.
	ErrOptions = errors.New("invalid options")
)

// Options configures Open. The zero value gives the defaults.
type Options struct {
	// Database is the database the Server works in; it is created
	// (utf8mb4, utf8mb4_bin: byte-wise string comparison, like the
	// in-memory engine) when missing. "" means the DSN's own database.
	// It must match [A-Za-z0-9_]{1,64}; on the CI server the test user
	// may create databases named cardinal_*.
	Database string
	// MaxOpenConns caps the connections; 0 means DefaultMaxOpenConns.
	MaxOpenConns int
	// Log receives the driver's log lines (password redacted); nil
	// discards them.
	Log io.Writer
}

// DefaultMaxOpenConns: Load uses LoadOptions.Workers connections plus one
// for the load lock; timing uses one.
const DefaultMaxOpenConns = 4

var dbNameRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)

// Server is a connection pool to one database of a MySQL or MariaDB
// server. It is safe for concurrent use; Close releases it.
type Server struct {
	db      *sql.DB
	flavour live.Flavour
	name    string // database
	conns   int    // MaxOpenConns
	dsn     string // redacted, for messages
	secret  string // the password, scrubbed from errors
}

// Open connects to the server named by dsn and returns a Server working
// in opts.Database (created when missing). Errors never contain the
// password.
func Open(ctx context.Context, dsn string, opts Options) (*Server, error) {
	if opts.MaxOpenConns < 0 {
		return nil, fmt.Errorf("server: %w: MaxOpenConns %d < 0", ErrOptions, opts.MaxOpenConns)
	}
	if opts.MaxOpenConns == 0 {
		opts.MaxOpenConns = DefaultMaxOpenConns
	}
	cfg, err := live.ParseDSN(dsn, live.OpenOptions{Log: opts.Log})
	if err != nil {
		return nil, err
	}
	name := opts.Database
	if name == "" {
		name = cfg.DBName
	}
	if !dbNameRE.MatchString(name) {
		return nil, fmt.Errorf("server: %w: %q (want [A-Za-z0-9_]{1,64})", ErrName, name)
	}
	s := &Server{name: name, conns: opts.MaxOpenConns, dsn: live.RedactDSN(dsn), secret: cfg.Passwd}
	if name != cfg.DBName {
		// Create the database through a connection to the DSN's own.
		admin, _, err := live.Open(ctx, dsn, live.OpenOptions{MaxOpenConns: 1, Log: opts.Log})
		if err != nil {
			return nil, err
		}
		_, err = admin.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
		admin.Close()
		if err != nil {
			return nil, s.wrap("CREATE DATABASE "+name, err)
		}
		cfg.DBName = name
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, s.wrap("open", err)
	}
	s.db = sql.OpenDB(conn)
	s.db.SetMaxOpenConns(opts.MaxOpenConns)
	s.db.SetMaxIdleConns(opts.MaxOpenConns)
	cctx, cancel := context.WithTimeout(ctx, live.DefaultCallTimeout)
	defer cancel()
	if s.flavour, err = live.DetectFlavour(cctx, s.db); err != nil {
		s.db.Close()
		return nil, s.wrap("connect", err)
	}
	return s, nil
}

// Close closes the pool.
func (s *Server) Close() error { return s.db.Close() }

// Database returns the name of the database the Server works in.
func (s *Server) Database() string { return s.name }

// Flavour returns the server's flavour (MySQL or MariaDB).
func (s *Server) Flavour() live.Flavour { return s.flavour }

// DB returns the underlying pool, for reads the package does not offer.
// Statements sent through it bypass the package's guards.
func (s *Server) DB() *sql.DB { return s.db }

// wrap adds the operation and the redacted DSN to a server error and
// scrubs the password.
func (s *Server) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return &scrubbed{msg: fmt.Sprintf("server %s (%s): ", op, s.dsn), err: err, secret: s.secret}
}

// scrubbed is an error whose message has the password replaced.
type scrubbed struct {
	msg    string
	err    error
	secret string
}

func (e *scrubbed) Error() string {
	m := e.msg + e.err.Error()
	if e.secret != "" {
		m = strings.ReplaceAll(m, e.secret, "xxxxx")
	}
	return m
}

func (e *scrubbed) Unwrap() error { return e.err }

// mysqlErrno returns the server error number of err, or 0.
func mysqlErrno(err error) uint16 {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

// callTimeout bounds metadata statements (marker reads, DROP, CREATE).
const callTimeout = 5 * time.Minute
