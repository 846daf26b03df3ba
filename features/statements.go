package features

import "strings"

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
	var out []Statement
	emit := func(group []token) {
		if len(group) == 0 {
			return
		}
		start, end := group[0].off, group[len(group)-1].end
		line, col := lineCol(text, start)
		out = append(out, Statement{SQL: text[start:end], Line: line, Col: col})
	}
	var group []token
	curLine := 0
	for _, t := range toks {
		if semis {
			if t.kind == tokPunct && t.text == ";" {
				emit(group)
				group = group[:0]
				continue
			}
		} else if line := 1 + strings.Count(text[:t.off], "\n"); line != curLine {
			emit(group)
			group = group[:0]
			curLine = line + strings.Count(text[t.off:t.end], "\n")
		} else {
			curLine += strings.Count(text[t.off:t.end], "\n")
		}
		group = append(group, t)
	}
	emit(group)
	return out
}
