package sqllex

import "strings"

// Mode holds the sql_mode flags that change how MySQL lexes text. The zero
// value is MySQL's default sql_mode.
type Mode uint8

const (
	// NoBackslashEscapes is sql_mode NO_BACKSLASH_ESCAPES: a backslash in a
	// string is an ordinary character.
	NoBackslashEscapes Mode = 1 << iota
	// ANSIQuotes is sql_mode ANSI_QUOTES: "..." quotes an identifier, not a
	// string.
	ANSIQuotes
)

// Default is MySQL's default sql_mode as far as lexing goes.
const Default Mode = 0

// DefaultDelimiter ends statements until a DELIMITER command changes it.
const DefaultDelimiter = ";"

// Kind classifies a token.
type Kind uint8

// Token kinds.
const (
	Word        Kind = iota + 1 // keyword, bare identifier or number
	String                      // '...', or "..." unless ANSIQuotes
	QuotedIdent                 // `...`, or "..." under ANSIQuotes
	Punct                       // any other single byte
	Comment                     // # ..., -- ..., /* ... */
	ExecOpen                    // "/*!" or "/*M!" and its version digits
	ExecClose                   // the "*/" that closes an executable comment
	Delimiter                   // the statement delimiter
)

var kindNames = [...]string{"?", "word", "string", "quoted identifier", "punctuation",
	"comment", "executable comment", "end of executable comment", "delimiter"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return kindNames[0]
}

// Token is one lexed piece of text: src[Off:End].
type Token struct {
	Kind     Kind
	Off, End int
}

// Lexer walks MySQL text token by token, skipping whitespace. It never
// fails: see Unterminated.
type Lexer struct {
	src    string
	mode   Mode
	pos    int
	delim  string
	exec   int // offset of the open executable comment, or -1
	unterm int // offset where the first unterminated construct began, or -1
}

// New returns a lexer of src under mode, with the default delimiter.
func New(src string, mode Mode) *Lexer {
	return &Lexer{src: src, mode: mode, delim: DefaultDelimiter, exec: -1, unterm: -1}
}

// Text returns the source text of t.
func (l *Lexer) Text(t Token) string { return l.src[t.Off:t.End] }

// Unterminated returns the offset where the first quote, comment or
// executable comment without its closing characters began.
func (l *Lexer) Unterminated() (off int, ok bool) { return l.unterm, l.unterm >= 0 }

// InExec reports whether the lexer is inside an executable comment.
func (l *Lexer) InExec() bool { return l.exec >= 0 }

// isWordByte reports whether c continues a word: letters, digits, '_', '$'
// and every byte of a non-ASCII character (MySQL's ident_map).
func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 ||
		('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// IsSpace reports whether c is whitespace to MySQL (my_isspace for ASCII).
func IsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// isCommentDash reports whether the "--" at i starts a comment: MySQL wants
// whitespace, a control character or the end of the text after it.
func isCommentDash(s string, i int) bool {
	if !strings.HasPrefix(s[i:], "--") {
		return false
	}
	if i+2 == len(s) {
		return true
	}
	c := s[i+2]
	return c <= ' ' || c == 0x7f
}

// execOpenLen returns the length of an executable comment opening at i
// ("/*!" or "/*M!" and the version digits), or 0.
func execOpenLen(s string, i int) int {
	var n int
	switch {
	case strings.HasPrefix(s[i:], "/*!"):
		n = 3
	case strings.HasPrefix(s[i:], "/*M!"):
		n = 4
	default:
		return 0
	}
	for i+n < len(s) && '0' <= s[i+n] && s[i+n] <= '9' {
		n++
	}
	return n
}

func (l *Lexer) setUnterminated(off int) {
	if l.unterm < 0 {
		l.unterm = off
	}
}

// atDelimiter reports whether the delimiter starts at i. Inside an
// executable comment there is none (see the splitting rule).
func (l *Lexer) atDelimiter(i int) bool {
	return l.exec < 0 && strings.HasPrefix(l.src[i:], l.delim)
}

// Next returns the next token, or ok=false at the end of the text.
func (l *Lexer) Next() (t Token, ok bool) {
	s := l.src
	for l.pos < len(s) && IsSpace(s[l.pos]) {
		l.pos++
	}
	if l.pos >= len(s) {
		if l.exec >= 0 {
			l.setUnterminated(l.exec)
			l.exec = -1
		}
		return Token{}, false
	}
	start := l.pos
	c := s[start]
	tok := func(k Kind, end int) (Token, bool) {
		l.pos = end
		return Token{Kind: k, Off: start, End: end}, true
	}
	switch {
	case l.atDelimiter(start):
		return tok(Delimiter, start+len(l.delim))
	case l.exec >= 0 && strings.HasPrefix(s[start:], "*/"):
		l.exec = -1
		return tok(ExecClose, start+2)
	case c == '#' || (c == '-' && isCommentDash(s, start)):
		end := strings.IndexByte(s[start:], '\n')
		if end < 0 {
			return tok(Comment, len(s))
		}
		return tok(Comment, start+end)
	case c == '/' && strings.HasPrefix(s[start:], "/*"):
		if n := execOpenLen(s, start); n > 0 && l.exec < 0 {
			l.exec = start
			return tok(ExecOpen, start+n)
		}
		end := strings.Index(s[start+2:], "*/")
		if end < 0 {
			l.setUnterminated(start)
			return tok(Comment, len(s))
		}
		return tok(Comment, start+2+end+2)
	case c == '\'' || c == '"' || c == '`':
		k := String
		if c == '`' || (c == '"' && l.mode&ANSIQuotes != 0) {
			k = QuotedIdent
		}
		return tok(k, l.skipQuoted(start, c, k == String && l.mode&NoBackslashEscapes == 0))
	case isWordByte(c):
		end := start + 1
		for end < len(s) && isWordByte(s[end]) && !l.atDelimiterInWord(end) {
			end++
		}
		return tok(Word, end)
	}
	return tok(Punct, start+1)
}

// atDelimiterInWord reports whether a delimiter that changed to start with a
// word byte (as "$$" does) begins at i inside a word: the mysql client looks
// for the delimiter at every byte outside quotes and comments.
func (l *Lexer) atDelimiterInWord(i int) bool {
	return l.delim != DefaultDelimiter && isWordByte(l.delim[0]) && l.atDelimiter(i)
}

// skipQuoted returns the offset after the quoted text starting at i with
// quote q.
func (l *Lexer) skipQuoted(i int, q byte, backslash bool) int {
	s := l.src
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if backslash {
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
	l.setUnterminated(i)
	return len(s)
}

// Unquote returns the value of a quoted identifier or string token text:
// the quotes removed, doubled quotes undoubled and, in strings unless
// NoBackslashEscapes, each backslash dropped before the byte it escapes
// (the byte itself is kept as written: Unquote does not translate \n).
// Other text is returned as it is.
func Unquote(text string, mode Mode) string {
	if len(text) < 2 {
		return text
	}
	q := text[0]
	if q != '\'' && q != '"' && q != '`' {
		return text
	}
	backslash := q != '`' && !(q == '"' && mode&ANSIQuotes != 0) && mode&NoBackslashEscapes == 0
	body := text[1:]
	if body[len(body)-1] == q {
		body = body[:len(body)-1]
	}
	if strings.IndexByte(body, q) < 0 && (!backslash || strings.IndexByte(body, '\\') < 0) {
		return body
	}
	var b strings.Builder
	for j := 0; j < len(body); j++ {
		c := body[j]
		switch {
		case c == '\\' && backslash && j+1 < len(body):
			j++
			c = body[j]
		case c == q && j+1 < len(body) && body[j+1] == q:
			j++
		}
		b.WriteByte(c)
	}
	return b.String()
}
