package live

import (
	"fmt"
	"io"
	"strings"
)

// maxSQLFile bounds the size of a SQL file ParseSQLFile reads (it holds the
// file in memory): 1 GiB.
const maxSQLFile = 1 << 30

// ParseSQLFile splits a file of SQL statements separated by ';' into
// statements. Semicolons inside quotes (”, "", “) and comments (--, #,
// /* */) do not split; a last statement without ';' counts; pieces that
// are only comments are dropped, and so are comments before a statement. Each statement has Count 1 and the line
// of its first character. An unterminated quote or comment is an error
// wrapping ErrSQLFile at its position. (DELIMITER commands of the mysql
// client are not interpreted: they come out as statements, and Classify
// reports them as not SELECT.)
func ParseSQLFile(r io.Reader, file string) ([]Statement, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxSQLFile+1))
	if err != nil {
		return nil, fmt.Errorf("live: read %s: %w", file, err)
	}
	if len(b) > maxSQLFile {
		return nil, &PosError{File: file, Line: 1, Err: ErrSQLFile, Msg: "file larger than 1 GiB"}
	}
	src := string(b)
	var out []Statement
	l := lexer{src: src}
	start, hasCode := -1, false
	flush := func(end int) {
		if start >= 0 && hasCode {
			text := strings.TrimSpace(src[start:end])
			line, _ := lineCol(src, start)
			out = append(out, Statement{SQL: text, Count: 1, Source: SourceSQLFile, File: file, Line: line})
		}
		start, hasCode = -1, false
	}
	for {
		t, ok := l.next()
		if !ok {
			break
		}
		if l.unterminated {
			line, col := lineCol(src, t.off)
			return nil, &PosError{File: file, Line: line, Col: col, Err: ErrSQLFile,
				Msg: "unterminated " + describeTok(src[t.off:t.end])}
		}
		if t.kind == tokPunct && src[t.off] == ';' {
			flush(t.off)
			continue
		}
		if start < 0 && t.kind != tokComment {
			start, hasCode = t.off, true
		}
	}
	flush(len(src))
	return out, nil
}

func describeTok(s string) string {
	switch {
	case strings.HasPrefix(s, "/*"):
		return "comment"
	case strings.HasPrefix(s, "`"):
		return "quoted identifier"
	}
	return "string"
}
