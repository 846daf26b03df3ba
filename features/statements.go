package features

import (
	"strings"
	"unicode/utf8"
)

// Statement is one SQL statement cut from a larger text, with the 1-based
// line and column where it starts.
type Statement struct {
	SQL       string
	Line, Col int
}

// SplitStatements cuts text into statements for batch tools. When the text
// has a ';' outside string literals, quoted identifiers and comments,
// statements end at each such ';' (and may span lines); otherwise every
// line holding a token is one statement. Comments between statements and
// empty statements are dropped; comments inside a statement are kept.
func SplitStatements(text string) []Statement {
	toks := scanTokens(text)
	semis := false
	for _, t := range toks {
		if t.kind == tokPunct && t.text == ";" {
			semis = true
			break
		}
	}
	// Tokens come in text order, so lines are counted as the scan moves on
	// and the split stays linear in the text.
	line, lineStart, counted := 1, 0, 0
	moveTo := func(off int) {
		for {
			i := strings.IndexByte(text[counted:off], '\n')
			if i < 0 {
				break
			}
			line++
			lineStart = counted + i + 1
			counted = lineStart
		}
		counted = off
	}
	var out []Statement
	var cur Statement // the statement being gathered; Line 0 while empty
	start, end := 0, 0
	emit := func() {
		if cur.Line > 0 {
			cur.SQL = text[start:end]
			out = append(out, cur)
		}
		cur = Statement{}
	}
	curLine := 0
	for _, t := range toks {
		moveTo(t.off)
		if semis {
			if t.kind == tokPunct && t.text == ";" {
				emit()
				continue
			}
		} else if line != curLine {
			emit()
		}
		if cur.Line == 0 {
			cur = Statement{Line: line, Col: 1 + utf8.RuneCountInString(text[lineStart:t.off])}
			start = t.off
		}
		end = t.end
		moveTo(t.end)
		curLine = line
	}
	emit()
	return out
}
