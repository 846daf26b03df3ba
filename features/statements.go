package features

import "github.com/cardinaldb/cardinal/internal/sqllex"

// Statement is one SQL statement cut from a larger text, with the 1-based
// line and column where it starts.
type Statement struct {
	SQL       string
	Line, Col int
}

// SplitStatements cuts text into statements for batch tools by the one
// splitting rule of Cardinal (internal/sqllex, Split): statements end at
// ';' (or the delimiter of a DELIMITER command) outside string literals,
// quoted identifiers and comments, and may span lines; comments around a
// statement and empty statements are dropped, comments inside are kept.
// A text with no delimiter at all holds one statement per line. An
// unterminated quote or comment runs to the end of the text.
func SplitStatements(text string) []Statement {
	stmts, _ := sqllex.Split(text, sqllex.Options{LinesWhenUndelimited: true})
	out := make([]Statement, 0, len(stmts))
	for _, s := range stmts {
		out = append(out, Statement{SQL: s.Text, Line: s.Line, Col: s.Col})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
