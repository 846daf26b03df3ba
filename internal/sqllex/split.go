package sqllex

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of Split, wrapped in an *Error.
var (
	// ErrUnterminated: a quote, comment or executable comment runs to the
	// end of the text.
	ErrUnterminated = errors.New("unterminated")
	// ErrDelimiter: a DELIMITER command without a usable delimiter.
	ErrDelimiter = errors.New("bad DELIMITER command")
)

// Error is a Split error with its position.
type Error struct {
	Off       int // byte offset of the offending construct
	Line, Col int // 1-based; Col counts characters
	Err       error
	Msg       string // e.g. "string", "comment"
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%d:%d: %v", e.Line, e.Col, e.Err)
	if e.Msg != "" {
		s += " " + e.Msg
	}
	return s
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// Statement is one statement cut from a script.
type Statement struct {
	Text      string // the statement, without comments around it and without its delimiter
	Off, End  int    // Text is src[Off:End]
	Line, Col int    // where Text starts, 1-based; Col counts characters
}

// Options configure Split; the zero value is the documented rule in the
// default sql_mode.
type Options struct {
	Mode Mode
	// LinesWhenUndelimited: a text with no delimiter and no DELIMITER
	// command holds one statement per line (rule 4 of the package doc).
	LinesWhenUndelimited bool
}

// Split cuts src into statements by the splitting rule of the package
// documentation. It returns every statement it could cut; err, when not
// nil, is an *Error for the first problem.
func Split(src string, opt Options) (stmts []Statement, err error) {
	l := New(src, opt.Mode)
	idx := NewLineIndex(src)
	start, end := -1, -1 // code of the statement being gathered
	delimited := false
	var perLine []Statement             // undelimited text cut by lines, for rule 4
	lStart, lEnd, lastLine := -1, -1, 0 // the same for rule 4
	add := func(list *[]Statement, off, end int) {
		line, col := idx.LineCol(off)
		*list = append(*list, Statement{Text: src[off:end], Off: off, End: end, Line: line, Col: col})
	}
	fail := func(off int, sentinel error, msg string) {
		if err == nil {
			line, col := idx.LineCol(off)
			err = &Error{Off: off, Line: line, Col: col, Err: sentinel, Msg: msg}
		}
	}
	for {
		t, ok := l.Next()
		if !ok {
			break
		}
		switch t.Kind {
		case Comment:
			continue
		case Delimiter:
			delimited = true
			if start >= 0 {
				add(&stmts, start, end)
			}
			start, end = -1, -1
			continue
		}
		if start < 0 && t.Kind == Word && strings.EqualFold(l.Text(t), "DELIMITER") &&
			(t.End == len(src) || src[t.End] == ' ' || src[t.End] == '\t' ||
				src[t.End] == '\n' || src[t.End] == '\r') {
			delimited = true
			eol := strings.IndexByte(src[t.End:], '\n')
			if eol < 0 {
				eol = len(src)
			} else {
				eol += t.End
			}
			fields := strings.Fields(src[t.End:eol])
			switch {
			case len(fields) == 0:
				fail(t.Off, ErrDelimiter, "without a delimiter")
			case strings.IndexByte(fields[0], '\\') >= 0:
				fail(t.Off, ErrDelimiter, fmt.Sprintf("%q: a delimiter may not hold a backslash", fields[0]))
			default:
				l.delim = fields[0]
			}
			l.pos = eol
			continue
		}
		if start < 0 {
			start = t.Off
		}
		end = t.End
		if opt.LinesWhenUndelimited {
			if line := idx.Line(t.Off); line != lastLine || lStart < 0 {
				if lStart >= 0 {
					add(&perLine, lStart, lEnd)
				}
				lStart = t.Off
			}
			lEnd = t.End
			lastLine = idx.Line(t.End)
		}
	}
	if off, ok := l.Unterminated(); ok {
		fail(off, ErrUnterminated, describe(src[off:]))
	}
	if opt.LinesWhenUndelimited && !delimited {
		if lStart >= 0 {
			add(&perLine, lStart, lEnd)
		}
		return perLine, err
	}
	if start >= 0 {
		add(&stmts, start, end)
	}
	return stmts, err
}

// describe names the unterminated construct that text starts with.
func describe(text string) string {
	switch {
	case execOpenLen(text, 0) > 0:
		return "executable comment"
	case strings.HasPrefix(text, "/*"):
		return "comment"
	case strings.HasPrefix(text, "`"):
		return "quoted identifier"
	}
	return "string"
}
