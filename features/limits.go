package features

import (
	"strings"

	"github.com/cardinaldb/cardinal/internal/sqllex"
)

// Bounds on what Parse accepts, checked by one pass of the token scanner
// before the TiDB parser sees the text. The TiDB parser and the resolver
// build and walk the expression tree recursively, so an unbounded nesting
// (a million NOTs or parentheses) would exhaust the goroutine stack, which
// Go cannot recover from; the bounds turn that into a positioned
// ErrTooComplex. Left-deep chains of AND / OR are walked iteratively and
// are bounded by the statement size only.
const (
	// MaxNesting bounds the nesting depth of a statement: open
	// parentheses and CASE expressions plus a run of prefix operators
	// (NOT, !, ~, unary - and +). MySQL's own parser stack allows about
	// 10,000 (YYMAXDEPTH in sql_yacc.yy); no real query needs 256.
	MaxNesting = 256
	// MaxStatementBytes bounds the length of one statement (MySQL's
	// default max_allowed_packet is 64 MiB; 4 MiB holds an IN list of
	// about 500,000 values and parses in about a second).
	MaxStatementBytes = 4 << 20
	// MaxNumberDigits bounds the digits of a number literal: MySQL's
	// DECIMAL holds 65 (DECIMAL(M,D), M <= 65). Longer ones made the
	// TiDB parser's decimal code panic.
	MaxNumberDigits = 65
	// MaxAdjacentStrings bounds a run of adjacent string literals, which
	// MySQL concatenates ('a' 'b' is 'ab'). The TiDB parser joins them
	// one at a time, in time quadratic in the run: 300,000 of them
	// (1.2 MB) took 56 s to parse. Real statements split a long literal
	// into a handful of pieces.
	MaxAdjacentStrings = 64
)

// checkLimits scans sql once and reports the first place it exceeds
// MaxNesting, MaxStatementBytes, MaxNumberDigits or MaxAdjacentStrings.
func checkLimits(sql string) error {
	if len(sql) > MaxStatementBytes {
		return newErr(sql, MaxStatementBytes, ErrTooComplex, "statement", "%d bytes; at most %d are parsed", len(sql), MaxStatementBytes)
	}
	depth, run, strs := 0, 0, 0
	l := sqllex.New(sql, sqllex.Default)
	for {
		t, ok := l.Next()
		if !ok {
			return nil
		}
		unary := false
		if t.Kind == sqllex.String {
			if strs++; strs > MaxAdjacentStrings {
				return newErr(sql, t.Off, ErrTooComplex, "strings", "more than %d adjacent string literals", MaxAdjacentStrings)
			}
		} else if t.Kind != sqllex.Comment && t.Kind != sqllex.ExecOpen && t.Kind != sqllex.ExecClose {
			strs = 0
		}
		switch t.Kind {
		case sqllex.Comment, sqllex.ExecOpen, sqllex.ExecClose:
			continue
		case sqllex.Punct:
			switch sql[t.Off] {
			case '(':
				depth++
				unary = true // keeps a run of NOT ( NOT ( ... counting
			case ')':
				depth = max(0, depth-1)
			case '!', '~', '-', '+':
				run++
				unary = true
			}
		case sqllex.Word:
			// Any run of digits in a word, not only a word that starts
			// with one: the TiDB lexer reads "\xa0123..." as a space and
			// a number where this lexer sees one word.
			for n := t.Off; n < t.End; {
				if c := sql[n]; c < '0' || c > '9' {
					n++
					continue
				}
				start := n
				for n < len(sql) && (sql[n] >= '0' && sql[n] <= '9' || sql[n] == '.') {
					n++
				}
				if n-start > MaxNumberDigits {
					return newErr(sql, start, ErrTooComplex, "number", "more than %d digits", MaxNumberDigits)
				}
			}
			switch w := l.Text(t); {
			case strings.EqualFold(w, "NOT"):
				run++
				unary = true
			case strings.EqualFold(w, "CASE"):
				depth++
			case strings.EqualFold(w, "END"):
				depth = max(0, depth-1)
			}
		}
		if !unary {
			run = 0
		}
		if depth+run > MaxNesting {
			return newErr(sql, t.Off, ErrTooComplex, "nesting", "more than %d nested parentheses, CASEs and prefix operators (NOT, -, !, ~)", MaxNesting)
		}
	}
}
