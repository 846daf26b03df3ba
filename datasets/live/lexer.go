package live

import (
	"strings"
	"unicode/utf8"
)

// tokKind classifies a lexed piece of SQL text.
type tokKind uint8

const (
	tokWord        tokKind = iota + 1 // identifier or keyword (letters, digits, _, $, non-ASCII)
	tokQuoted                         // '...' or "..." string
	tokIdent                          // `...` quoted identifier
	tokPunct                          // any other single character
	tokComment                        // /* ... */, -- ..., # ...
	tokExecComment                    // /*! ... */ or /*M! ... */: executed by MySQL/MariaDB
)

// token is one lexed piece: text is src[off:end].
type token struct {
	kind     tokKind
	off, end int
}

// lexer walks MySQL text, skipping whitespace. It never fails: an
// unterminated quote or comment ends at the end of the input with
// unterminated set.
type lexer struct {
	src          string
	pos          int
	unterminated bool
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 ||
		('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// next returns the next token, or ok=false at the end of the input.
func (l *lexer) next() (t token, ok bool) {
	s := l.src
	for l.pos < len(s) && isSpace(s[l.pos]) {
		l.pos++
	}
	if l.pos >= len(s) {
		return token{}, false
	}
	start := l.pos
	c := s[l.pos]
	switch {
	case c == '\'' || c == '"' || c == '`':
		l.pos = l.skipQuoted(l.pos, c)
		kind := tokQuoted
		if c == '`' {
			kind = tokIdent
		}
		return token{kind, start, l.pos}, true
	case c == '#' || (c == '-' && strings.HasPrefix(s[l.pos:], "--") &&
		(l.pos+2 == len(s) || isSpace(s[l.pos+2]))):
		i := strings.IndexByte(s[l.pos:], '\n')
		if i < 0 {
			l.pos = len(s)
		} else {
			l.pos += i + 1
		}
		return token{tokComment, start, l.pos}, true
	case c == '/' && strings.HasPrefix(s[l.pos:], "/*"):
		kind := tokComment
		if strings.HasPrefix(s[l.pos:], "/*!") || strings.HasPrefix(s[l.pos:], "/*M!") {
			kind = tokExecComment
		}
		i := strings.Index(s[l.pos+2:], "*/")
		if i < 0 {
			l.pos = len(s)
			l.unterminated = true
		} else {
			l.pos += 2 + i + 2
		}
		return token{kind, start, l.pos}, true
	case isWordByte(c):
		for l.pos < len(s) && isWordByte(s[l.pos]) {
			l.pos++
		}
		return token{tokWord, start, l.pos}, true
	}
	_, n := utf8.DecodeRuneInString(s[l.pos:])
	l.pos += n
	return token{tokPunct, start, l.pos}, true
}

// skipQuoted returns the offset after the quoted text starting at i with
// quote q. Inside ” and "" a backslash escapes the next byte; a doubled
// quote is a quote in all three kinds.
func (l *lexer) skipQuoted(i int, q byte) int {
	s := l.src
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if q != '`' {
				j++
			}
		case q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	l.unterminated = true
	return len(s)
}

// text returns the source text of t.
func (l *lexer) text(t token) string { return l.src[t.off:t.end] }

// firstKeyword returns the first word of s outside comments, upper-cased, or
// "" when s starts with something else.
func firstKeyword(s string) string {
	l := lexer{src: s}
	for {
		t, ok := l.next()
		if !ok {
			return ""
		}
		switch t.kind {
		case tokComment:
			continue
		case tokWord:
			return strings.ToUpper(l.text(t))
		}
		if t.kind == tokPunct && l.text(t) == "(" {
			continue // (SELECT ...) UNION ...
		}
		return ""
	}
}
