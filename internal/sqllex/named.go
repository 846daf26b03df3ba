package sqllex

import "strings"

// Named is one statement of a file of named statements.
type Named struct {
	// Name is the text of the "-- name" line before the statement.
	Name string
	// SQL is the statement, trimmed, without its final ";".
	SQL string
}

// SplitNamed cuts a file of named statements: each statement follows a
// line "-- name" for which isName(name) is true and runs to the next such
// line; text before the first name is dropped. The bundled benchmark
// query files (datasets/tpchqueries, datasets/jobqueries) are written so.
func SplitNamed(text string, isName func(string) bool) []Named {
	var (
		out  []Named
		cur  *Named
		body strings.Builder
	)
	flush := func() {
		if cur != nil {
			cur.SQL = strings.TrimSuffix(strings.TrimSpace(body.String()), ";")
			out = append(out, *cur)
		}
		body.Reset()
	}
	for line := range strings.Lines(text) {
		if name, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "-- "); ok && isName(name) {
			flush()
			cur = &Named{Name: name}
			continue
		}
		if cur != nil {
			body.WriteString(line)
		}
	}
	flush()
	return out
}
