package catalog

import (
	"strings"
	"unicode/utf8"
)

// The TiDB parser records no positions for DDL nodes, so ParseSchema
// re-scans the text with this small MySQL tokenizer to find where each
// statement, table element (column or constraint) and key word starts.
// The tokenizer only needs to agree with the parser on comments, quoting
// and parentheses; it never decides validity.

type tokKind uint8

const (
	tokWord   tokKind = iota // keyword, bare identifier or number
	tokQuoted                // `identifier`
	tokString                // 'string' or "string"
	tokPunct                 // any other single byte
)

type token struct {
	kind tokKind
	text string // identifier value for tokQuoted, raw text otherwise
	off  int    // byte offset in the source
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 ||
		(c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// tokenize splits src into tokens, dropping whitespace and comments. An
// unterminated quote or comment ends the token stream (the parser reports
// the error).
func tokenize(src string) []token {
	var toks []token
	i := 0
	versioned := false // inside a /*! ... */ comment, whose text MySQL runs
	for i < len(src) {
		c := src[i]
		switch {
		case versioned && c == '*' && strings.HasPrefix(src[i:], "*/"):
			versioned = false
			i += 2
		case c == '/' && strings.HasPrefix(src[i:], "/*!"):
			versioned = true
			i += 3
			for i < len(src) && src[i] >= '0' && src[i] <= '9' {
				i++
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '#' || (c == '-' && strings.HasPrefix(src[i:], "--") &&
			(i+2 == len(src) || src[i+2] <= ' ')):
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				return toks
			}
			i += j + 1
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				return toks
			}
			i += j + 4
		case c == '`' || c == '\'' || c == '"':
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(src) {
				d := src[j]
				if d == '\\' && c != '`' && j+1 < len(src) {
					b.WriteByte(src[j+1])
					j += 2
					continue
				}
				if d == c {
					if j+1 < len(src) && src[j+1] == c {
						b.WriteByte(c)
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				b.WriteByte(d)
				j++
			}
			if !closed {
				return toks
			}
			k := tokString
			if c == '`' {
				k = tokQuoted
			}
			toks = append(toks, token{kind: k, text: b.String(), off: i})
			i = j
		case isWordByte(c):
			j := i + 1
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			toks = append(toks, token{kind: tokWord, text: src[i:j], off: i})
			i = j
		default:
			toks = append(toks, token{kind: tokPunct, text: src[i : i+1], off: i})
			i++
		}
	}
	return toks
}

// stmtPos locates one CREATE TABLE statement's parts.
type stmtPos struct {
	start    int       // first token of the statement
	name     int       // the table name
	elements [][]token // top-level elements between the outer parentheses
}

// splitStatements groups tokens into ';'-separated statements, dropping
// empty ones, and finds the table elements of each.
func splitStatements(toks []token) []stmtPos {
	var out []stmtPos
	for len(toks) > 0 {
		end := len(toks)
		for i, t := range toks {
			if t.kind == tokPunct && t.text == ";" {
				end = i
				break
			}
		}
		if end > 0 {
			out = append(out, statementParts(toks[:end]))
		}
		if end == len(toks) {
			break
		}
		toks = toks[end+1:]
	}
	return out
}

func statementParts(toks []token) stmtPos {
	sp := stmtPos{start: toks[0].off, name: toks[0].off}
	open := -1
	for i, t := range toks {
		if t.kind == tokPunct && t.text == "(" {
			open = i
			break
		}
	}
	if open < 0 {
		return sp
	}
	if open > 0 {
		sp.name = toks[open-1].off
	}
	depth, from := 0, open+1
	for i := open; i < len(toks); i++ {
		t := toks[i]
		if t.kind != tokPunct {
			continue
		}
		switch t.text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				if i > from {
					sp.elements = append(sp.elements, toks[from:i])
				}
				return sp
			}
		case ",":
			if depth == 1 {
				if i > from {
					sp.elements = append(sp.elements, toks[from:i])
				}
				from = i + 1
			}
		}
	}
	return sp
}

// constraintWords start a table element that is a constraint or index, not
// a column definition.
var constraintWords = map[string]bool{
	"PRIMARY": true, "FOREIGN": true, "KEY": true, "INDEX": true, "UNIQUE": true,
	"CONSTRAINT": true, "CHECK": true, "FULLTEXT": true, "SPATIAL": true,
}

func isConstraintElement(e []token) bool {
	return e[0].kind == tokWord && constraintWords[strings.ToUpper(e[0].text)]
}

// findWord returns the offset of the first bare word w (case-insensitive)
// in toks, or def.
func findWord(toks []token, w string, def int) int {
	for _, t := range toks {
		if t.kind == tokWord && strings.EqualFold(t.text, w) {
			return t.off
		}
	}
	return def
}

// lineCol converts a byte offset to a 1-based line and a 1-based column
// counted in characters.
func lineCol(src string, off int) (line, col int) {
	if off < 0 {
		return 0, 0
	}
	if off > len(src) {
		off = len(src)
	}
	before := src[:off]
	line = strings.Count(before, "\n") + 1
	if nl := strings.LastIndexByte(before, '\n'); nl >= 0 {
		before = before[nl+1:]
	}
	return line, utf8.RuneCountInString(before) + 1
}
