package live

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
)

// EnvDSN is the environment variable the CLI reads a DSN from when --dsn is
// not given.
const EnvDSN = "CARDINAL_DSN"

// RedactDSN returns dsn with its password replaced by "xxxxx", for logs,
// errors and reports. It accepts the go-sql-driver form
// "user:password@tcp(host:port)/db?params" (the password is what that
// driver takes it to be: from the first ':' to the last '@' before the
// database '/', so it may itself hold ':', '@' or '/') and the URL form
// "mysql://user:password@host/db". A DSN without a password is returned as
// it is. Text that is not a DSN at all is redacted from the first ':' to
// the last '@' if it has both, so a garbled DSN does not leak either.
func RedactDSN(dsn string) string {
	if i := strings.Index(dsn, "://"); i > 0 && !strings.ContainsAny(dsn[:i], "@:/(") {
		if u, err := url.Parse(dsn); err == nil && u.User != nil {
			if _, has := u.User.Password(); has {
				u.User = url.UserPassword(u.User.Username(), redactMark)
				return strings.Replace(u.String(), url.QueryEscape(redactMark), redactMark, 1)
			}
			return dsn
		}
		return redactUserinfo(dsn, i+3, len(dsn))
	}
	// The driver's own split: the last '/' ends [user[:pass]@][net(addr)].
	end := strings.LastIndexByte(dsn, '/')
	if end < 0 {
		end = len(dsn)
	}
	return redactUserinfo(dsn, 0, end)
}

// redactUserinfo redacts dsn[from:at] after its first ':' where at is the
// last '@' in dsn[from:end].
func redactUserinfo(dsn string, from, end int) string {
	at := strings.LastIndexByte(dsn[from:end], '@')
	if at < 0 {
		// No '@': not a DSN the driver accepts, but "user:password/db"
		// is a plausible slip. Redact after a ':' outside parentheses
		// ("tcp(host:3306)" has one inside).
		depth := 0
		for i := from; i < end; i++ {
			switch dsn[i] {
			case '(':
				depth++
			case ')':
				depth--
			case ':':
				if depth == 0 {
					return dsn[:i+1] + redactMark + dsn[end:]
				}
			}
		}
		return dsn
	}
	at += from
	colon := strings.IndexByte(dsn[from:at], ':')
	if colon < 0 {
		return dsn
	}
	colon += from
	return dsn[:colon+1] + redactMark + dsn[at:]
}

// PinnedSQLMode is the sql_mode of every session this package opens: valid
// on MySQL 5.7+, 8 and MariaDB 10+, and lexing as the default mode does.
const PinnedSQLMode = "STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION"

// Flavour is the kind of server: the two differ in how a statement gets a
// time limit and in their EXPLAIN FORMAT=JSON.
type Flavour uint8

// Server flavours.
const (
	FlavourUnknown Flavour = iota
	FlavourMySQL
	FlavourMariaDB
)

func (f Flavour) String() string {
	switch f {
	case FlavourMySQL:
		return "mysql"
	case FlavourMariaDB:
		return "mariadb"
	}
	return "unknown"
}

// FlavourOf tells the flavour from the text of SELECT VERSION(): MariaDB
// says so ("10.11.6-MariaDB-0+deb12u1-log"); anything else is MySQL.
func FlavourOf(version string) Flavour {
	if strings.Contains(strings.ToLower(version), "mariadb") {
		return FlavourMariaDB
	}
	return FlavourMySQL
}

// OpenOptions configures Open. The zero value gives the defaults.
type OpenOptions struct {
	// MaxOpenConns caps the connections to the server (SetMaxOpenConns).
	// Default DefaultMaxOpenConns.
	MaxOpenConns int
	// DialTimeout bounds establishing a connection. Default
	// DefaultDialTimeout.
	DialTimeout time.Duration
	// CallTimeout bounds every metadata call (ping, VERSION(),
	// information_schema and performance_schema reads, one table read of
	// LoadSample). Default DefaultCallTimeout.
	CallTimeout time.Duration
	// Log receives the driver's own log lines, with the password redacted.
	// Nil discards them.
	Log io.Writer
}

// Defaults of OpenOptions.
const (
	// DefaultMaxOpenConns: a labelling job should not crowd a production
	// server; 4 covers Collect's default concurrency plus a metadata read.
	DefaultMaxOpenConns = 4
	// DefaultDialTimeout: a TCP connect on a LAN takes milliseconds.
	DefaultDialTimeout = 10 * time.Second
	// DefaultCallTimeout: metadata reads of information_schema take well
	// under a second on schemas of thousands of tables.
	DefaultCallTimeout = 60 * time.Second
)

func (o OpenOptions) withDefaults() OpenOptions {
	if o.MaxOpenConns <= 0 {
		o.MaxOpenConns = DefaultMaxOpenConns
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	return o
}

// redactingLogger is the driver's Logger: it writes redacted lines to w.
type redactingLogger struct {
	mu     sync.Mutex
	w      io.Writer
	secret string
}

func (l *redactingLogger) Print(v ...any) {
	if l.w == nil {
		return
	}
	msg := fmt.Sprint(v...)
	if l.secret != "" {
		msg = strings.ReplaceAll(msg, l.secret, redactMark)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(l.w, "mysql driver:", msg)
}

// ParseDSN parses dsn with the driver and applies the package's safety
// settings: no multi-statements, no LOAD DATA LOCAL, no client-side
// interpolation, the dial timeout of opts and a redacting logger. Errors
// never contain the password.
func ParseDSN(dsn string, opts OpenOptions) (*mysql.Config, error) {
	opts = opts.withDefaults()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrDSN, RedactDSN(dsn), redact("", err, dsnPassword(dsn)))
	}
	cfg.MultiStatements = false
	cfg.AllowAllFiles = false
	cfg.InterpolateParams = false
	// Pin the session's sql_mode to one whose lexing is the default one
	// the guard, the parser and features.SQL assume (no ANSI_QUOTES, no
	// NO_BACKSLASH_ESCAPES, no PIPES_AS_CONCAT), whatever the server's
	// global mode or the DSN say. The driver sets it on each new
	// connection.
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	for k := range cfg.Params {
		if strings.EqualFold(k, "sql_mode") {
			delete(cfg.Params, k)
		}
	}
	cfg.Params["sql_mode"] = "'" + PinnedSQLMode + "'"
	if cfg.Timeout <= 0 || cfg.Timeout > opts.DialTimeout {
		cfg.Timeout = opts.DialTimeout
	}
	cfg.Logger = &redactingLogger{w: opts.Log, secret: cfg.Passwd}
	return cfg, nil
}

// dsnPassword is the password as RedactDSN would cut it, for scrubbing
// messages about a DSN the driver could not parse.
func dsnPassword(dsn string) string {
	r := RedactDSN(dsn)
	if r == dsn {
		return ""
	}
	i := strings.Index(r, redactMark)
	tail := len(r) - i - len(redactMark)
	return dsn[i : len(dsn)-tail]
}

// Open connects to the server named by dsn, checks the connection with a
// ping and SELECT VERSION() (each bounded by opts.CallTimeout) and returns
// the pool (at most opts.MaxOpenConns connections) and the server's
// flavour. Errors never contain the password.
func Open(ctx context.Context, dsn string, opts OpenOptions) (*sql.DB, Flavour, error) {
	opts = opts.withDefaults()
	cfg, err := ParseDSN(dsn, opts)
	if err != nil {
		return nil, FlavourUnknown, err
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, FlavourUnknown, redact("open "+RedactDSN(dsn), err, cfg.Passwd)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(opts.MaxOpenConns)
	db.SetMaxIdleConns(opts.MaxOpenConns)
	cctx, cancel := context.WithTimeout(ctx, opts.CallTimeout)
	defer cancel()
	if err := db.PingContext(cctx); err != nil {
		db.Close()
		return nil, FlavourUnknown, redact("connect to "+RedactDSN(dsn), err, cfg.Passwd)
	}
	f, err := DetectFlavour(cctx, db)
	if err != nil {
		db.Close()
		return nil, FlavourUnknown, redact("", err, cfg.Passwd)
	}
	return db, f, nil
}

// DetectFlavour asks the server for VERSION() (bounded by ctx and
// DefaultCallTimeout).
func DetectFlavour(ctx context.Context, db *sql.DB) (Flavour, error) {
	ctx, cancel := context.WithTimeout(ctx, DefaultCallTimeout)
	defer cancel()
	var v string
	if err := queryRow(ctx, db, "SELECT VERSION()", nil, &v); err != nil {
		return FlavourUnknown, fmt.Errorf("live: SELECT VERSION(): %w", err)
	}
	return FlavourOf(v), nil
}

// queryRow runs a guarded single-row query and scans it into dst.
func queryRow(ctx context.Context, q queryer, stmt string, args []any, dst ...any) error {
	rows, err := query(ctx, q, stmt, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return fmt.Errorf("%w: no row from %q", ErrServer, clip(stmt))
	}
	if err := rows.Scan(dst...); err != nil {
		return err
	}
	return rows.Close()
}
