package live

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseSlowLog reads a MySQL 8 or MariaDB slow query log and returns one
// Statement per logged entry (Count 1; use Merge to fold repeats).
//
// An entry is a run of "# " header lines followed by its statement:
//
//	# Time: 2024-05-01T10:00:00.123456Z          (MySQL 8; MariaDB: "# Time: 240501 10:00:00")
//	# User@Host: app[app] @ localhost []  Id: 8
//	# Thread_id: 31  Schema: shop  QC_hit: No      (MariaDB)
//	# Query_time: 0.000123  Lock_time: 0.000002 Rows_sent: 1  Rows_examined: 10
//	# Rows_affected: 0  Bytes_sent: 67             (MariaDB)
//	use shop;
//	SET timestamp=1714557600;
//	SELECT ...
//	  FROM ...;                                    (statements may span lines)
//
// "# Time:" or "# User@Host:" starts an entry (MariaDB omits "# Time:" for
// entries logged in the same second as the previous one). "use db;" sets
// the entry's Database (and that of later entries, as the server only logs
// it on a change); "SET timestamp=", "SET insert_id=" and
// "SET last_insert_id=" lines before the statement are context, not SQL.
// Query_time, Rows_sent, Rows_examined and Schema are read; other header
// fields are ignored. The server's banner ("mariadbd, Version: ... started
// with:", "Tcp port:", "Time Id Command Argument"), written at start and on
// FLUSH LOGS, is skipped, and so are "# administrator command:" entries
// (protocol commands such as Quit, not statements).
//
// A header value that does not parse, an entry whose statement is missing
// or statement text before any header is an error wrapping ErrSlowLog with
// its file:line:col.
func ParseSlowLog(r io.Reader, file string) ([]Statement, error) {
	p := slowParser{file: file, br: bufio.NewReaderSize(r, 64<<10)}
	return p.parse()
}

type slowEntry struct {
	line     int // line of the first header
	sqlLine  int // line of the first SQL line
	headers  bool
	userHost bool
	admin    bool
	sql      []string
	qtime    time.Duration
	sent     int64
	examined int64
	schema   string
	// hasSchema: the header had a Schema: field (MariaDB), possibly empty.
	hasSchema bool
}

type slowParser struct {
	file   string
	br     *bufio.Reader
	lineNo int
	db     string // current default database ("use db;" or Schema:)
	cur    *slowEntry
	out    []Statement
}

func (p *slowParser) errAt(col int, format string, args ...any) error {
	return &PosError{File: p.file, Line: p.lineNo, Col: col, Err: ErrSlowLog, Msg: fmt.Sprintf(format, args...)}
}

func (p *slowParser) parse() ([]Statement, error) {
	for {
		raw, err := p.br.ReadString('\n')
		if raw != "" {
			p.lineNo++
			if err := p.line(strings.TrimRight(raw, "\r\n")); err != nil {
				return nil, err
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("live: read %s: %w", p.file, err)
		}
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return p.out, nil
}

// isBanner reports whether line is part of the server's log banner.
func isBanner(line string) bool {
	switch {
	case strings.Contains(line, ", Version: ") && strings.HasSuffix(line, "started with:"):
		return true
	case strings.HasPrefix(line, "Tcp port: "):
		return true
	case strings.HasPrefix(line, "Time") && strings.Contains(line, "Id Command") && strings.HasSuffix(strings.TrimSpace(line), "Argument"):
		return true
	}
	return false
}

func (p *slowParser) line(line string) error {
	e := p.cur
	inBody := e != nil && len(e.sql) > 0
	if isBanner(line) {
		// The server (re)opened the log: a banner ends any statement, and
		// the server logs "use db;" afresh.
		err := p.finish()
		p.db = ""
		return err
	}
	if strings.HasPrefix(line, "# ") || line == "#" {
		isTime := strings.HasPrefix(line, "# Time:")
		isUser := strings.HasPrefix(line, "# User@Host:")
		if inBody && !isTime && !isUser {
			e.sql = append(e.sql, line) // a '#' comment inside a multi-line statement
			return nil
		}
		if e != nil && e.admin && !isTime && !isUser {
			return nil
		}
		if strings.HasPrefix(line, "# administrator command:") {
			if e == nil {
				return p.errAt(1, "administrator command without entry header")
			}
			e.admin = true
			return nil
		}
		if isTime || (isUser && e != nil && (e.userHost || inBody)) || e == nil || inBody {
			if err := p.finish(); err != nil {
				return err
			}
			p.cur = &slowEntry{line: p.lineNo}
			e = p.cur
		}
		e.headers = true
		if isUser {
			e.userHost = true
		}
		return p.header(e, line)
	}
	if e == nil {
		if strings.TrimSpace(line) == "" {
			return nil
		}
		return p.errAt(1, "statement text before any entry header")
	}
	if e.admin {
		return nil
	}
	if !inBody {
		trim := strings.TrimSpace(line)
		low := strings.ToLower(trim)
		switch {
		case trim == "":
			return nil
		case strings.HasPrefix(low, "use ") && strings.HasSuffix(trim, ";"):
			p.db = unquoteIdent(strings.TrimSpace(trim[4 : len(trim)-1]))
			return nil
		case strings.HasSuffix(trim, ";") && (strings.HasPrefix(low, "set timestamp=") ||
			strings.HasPrefix(low, "set insert_id=") || strings.HasPrefix(low, "set last_insert_id=")):
			return nil
		}
		e.sqlLine = p.lineNo
	}
	e.sql = append(e.sql, line)
	return nil
}

// unquoteIdent strips `backquotes` from an identifier as the server logs it.
func unquoteIdent(s string) string {
	if len(s) >= 2 && s[0] == '`' && s[len(s)-1] == '`' {
		return strings.ReplaceAll(s[1:len(s)-1], "``", "`")
	}
	return s
}

// header reads the "Key: value" pairs of one header line.
func (p *slowParser) header(e *slowEntry, line string) error {
	if strings.HasPrefix(line, "# Time:") || strings.HasPrefix(line, "# User@Host:") {
		return nil
	}
	if len(line) < 2 {
		return nil // a bare "#"
	}
	f := fieldsWithCols(line[2:])
	for i := 0; i < len(f); i++ {
		key := f[i].s
		if !strings.HasSuffix(key, ":") {
			continue
		}
		key = key[:len(key)-1]
		val, col := "", f[i].col+2
		if i+1 < len(f) && !strings.HasSuffix(f[i+1].s, ":") {
			val, col = f[i+1].s, f[i+1].col+2
			i++
		}
		var err error
		switch key {
		case "Query_time":
			var s float64
			s, err = strconv.ParseFloat(val, 64)
			if err == nil && (s < 0 || math.IsInf(s, 0) || math.IsNaN(s) || s > maxQueryTime) {
				err = errors.New("out of range")
			}
			e.qtime = time.Duration(s * float64(time.Second))
		case "Rows_sent":
			e.sent, err = parseCount(val)
		case "Rows_examined":
			e.examined, err = parseCount(val)
		case "Schema":
			e.schema, e.hasSchema = val, true
		}
		if err != nil {
			return p.errAt(col, "%s: bad value %q", key, clip(val))
		}
	}
	return nil
}

// maxQueryTime bounds Query_time (seconds) to what a time.Duration holds:
// about 292 years.
const maxQueryTime = float64(math.MaxInt64) / float64(time.Second)

func parseCount(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err == nil && n < 0 {
		err = errors.New("negative")
	}
	return n, err
}

type fieldCol struct {
	s   string
	col int // 1-based byte column within the string split
}

func fieldsWithCols(s string) []fieldCol {
	var out []fieldCol
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		if j > i {
			out = append(out, fieldCol{s[i:j], i + 1})
		}
		i = j
	}
	return out
}

// finish ends the current entry, appending its statement.
func (p *slowParser) finish() error {
	e := p.cur
	p.cur = nil
	if e == nil || e.admin {
		return nil
	}
	if e.hasSchema {
		p.db = e.schema
	}
	text := strings.TrimSpace(strings.Join(e.sql, "\n"))
	text = strings.TrimSpace(strings.TrimSuffix(text, ";"))
	if text == "" {
		return &PosError{File: p.file, Line: e.line, Err: ErrSlowLog, Msg: "entry without a statement"}
	}
	p.out = append(p.out, Statement{
		SQL: text, Database: p.db, Count: 1, Latency: e.qtime,
		RowsSent: e.sent, RowsExamined: e.examined,
		Source: SourceSlowLog, File: p.file, Line: e.sqlLine,
	})
	return nil
}
