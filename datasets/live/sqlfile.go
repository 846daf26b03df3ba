package live

import (
	"errors"
	"fmt"
	"io"

	"github.com/cardinaldb/cardinal/internal/sqllex"
)

// maxSQLFile bounds the size of a SQL file ParseSQLFile reads (it holds the
// file in memory): 1 GiB.
const maxSQLFile = 1 << 30

// ParseSQLFile splits a file of SQL statements into statements by the one
// splitting rule of Cardinal (internal/sqllex, Split): statements end at
// ';' outside quotes (”, "", “), comments (--, #, /* */) and executable
// comments (/*! */), or at the delimiter a mysql-client DELIMITER command
// sets; a last statement without a delimiter counts; comments around a
// statement are dropped, and so are statements holding only comments. Each
// statement has Count 1 and the line of its first character. An
// unterminated quote or comment, or a DELIMITER without a delimiter, is an
// error wrapping ErrSQLFile at its position.
func ParseSQLFile(r io.Reader, file string) ([]Statement, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxSQLFile+1))
	if err != nil {
		return nil, fmt.Errorf("live: read %s: %w", file, err)
	}
	if len(b) > maxSQLFile {
		return nil, &PosError{File: file, Line: 1, Err: ErrSQLFile, Msg: "file larger than 1 GiB"}
	}
	stmts, err := sqllex.Split(string(b), sqllex.Options{})
	if err != nil {
		var e *sqllex.Error
		if !errors.As(err, &e) {
			return nil, fmt.Errorf("%w: %s: %w", ErrSQLFile, file, err)
		}
		return nil, &PosError{File: file, Line: e.Line, Col: e.Col, Err: ErrSQLFile, Msg: e.Err.Error() + " " + e.Msg}
	}
	out := make([]Statement, 0, len(stmts))
	for _, s := range stmts {
		out = append(out, Statement{SQL: s.Text, Count: 1, Source: SourceSQLFile, File: file, Line: s.Line})
	}
	return out, nil
}
