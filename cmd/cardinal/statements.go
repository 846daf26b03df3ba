package main

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/cardinaldb/cardinal/features"
)

// streamSentinel is an identifier no statement holds; statementReader
// appends it to ask features.SplitStatements whether the text read so far
// ends with a complete statement.
const streamSentinel = "cardinal_stream_sentinel_5e1f0b"

// statementReader reads ';'-terminated SQL statements from a stream as
// they complete, with the project's one splitting rule
// (features.SplitStatements): a statement may span lines, and a ';' in a
// string, quoted identifier or comment does not end it. A line starting
// starting with '{' is a query-log record ({"sql": ...}) and is returned
// whole. Text without any ';' is returned at EOF, or before a record line,
// as one statement per line (the splitter's rule), so a file of one-line
// queries still works (but is not streamed: terminate statements with ';'
// for that).
type statementReader struct {
	sc      *bufio.Scanner
	line    int      // lines read
	pending string   // text read but not yet returned
	first   int      // line of pending's first byte
	ready   []stmtAt // complete statements not yet returned
	eof     bool
}

// stmtAt is a statement and the line it starts on; json marks a query-log
// record line.
type stmtAt struct {
	sql  string
	line int
	json bool
}

// maxStatementBytes bounds one input line (and so one record).
const maxStatementBytes = 64 << 20

func newStatementReader(r io.Reader) *statementReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxStatementBytes)
	return &statementReader{sc: sc}
}

// next returns the next statement, io.EOF after the last one, or the
// reader's error.
func (s *statementReader) next() (stmtAt, error) {
	for len(s.ready) == 0 {
		if s.eof {
			return stmtAt{}, io.EOF
		}
		if !s.sc.Scan() {
			if err := s.sc.Err(); err != nil {
				return stmtAt{}, err
			}
			s.eof = true
			s.flush()
			continue
		}
		s.line++
		text := s.sc.Text()
		if strings.HasPrefix(strings.TrimSpace(text), "{") {
			s.flush()
			s.ready = append(s.ready, stmtAt{sql: strings.TrimSpace(text), line: s.line, json: true})
			continue
		}
		if s.pending == "" {
			s.first = s.line
		}
		s.pending += text + "\n"
		if strings.IndexByte(text, ';') >= 0 {
			s.cut()
		}
	}
	st := s.ready[0]
	s.ready = s.ready[1:]
	return st, nil
}

// flush moves all of pending to ready, split by the splitter's rule for a
// whole text (at EOF, or before a query-log record line).
func (s *statementReader) flush() {
	for _, st := range features.SplitStatements(s.pending) {
		s.ready = append(s.ready, stmtAt{sql: st.SQL, line: s.first + st.Line - 1})
	}
	s.pending = ""
}

// cut moves the complete statements of pending to ready. The splitter is
// asked about pending followed by two lines holding the sentinel: if they
// come back as one statement, pending ended on a ';' (the splitter is in
// ';' mode) and everything before is complete; if they come back as two,
// pending holds no statement-ending ';' yet; otherwise the last statement
// is unfinished (it swallowed the sentinels) and stays pending.
func (s *statementReader) cut() {
	sts := features.SplitStatements(s.pending + streamSentinel + "\n" + streamSentinel)
	if len(sts) == 0 {
		return
	}
	last := sts[len(sts)-1]
	if last.SQL == streamSentinel {
		return // no ';' outside quotes and comments
	}
	for _, st := range sts[:len(sts)-1] {
		s.ready = append(s.ready, stmtAt{sql: st.SQL, line: s.first + st.Line - 1})
	}
	if last.SQL == streamSentinel+"\n"+streamSentinel {
		s.pending = ""
		return
	}
	s.pending = s.pending[offsetOf(s.pending, last.Line, last.Col):]
	s.first += last.Line - 1
}

// offsetOf returns the byte offset of 1-based line and rune column in text.
func offsetOf(text string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			return len(text)
		}
		off += i + 1
	}
	for c := 1; c < col && off < len(text); c++ {
		_, n := utf8.DecodeRuneInString(text[off:])
		off += n
	}
	return off
}
