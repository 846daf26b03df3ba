package features

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/internal/sqllex"
)

// Sentinel errors returned (wrapped in *Error) by Parse. Match them with
// errors.Is.
var (
	// ErrSyntax: the text is not valid MySQL (the value of catalog.ErrSyntax).
	ErrSyntax = catalog.ErrSyntax
	// ErrUnsupported: valid SQL outside the modelled subset (outer joins,
	// subqueries, functions on columns, ...).
	ErrUnsupported = errors.New("unsupported")
	// ErrUnknownTable: a FROM table or a column qualifier names no table
	// (the value of catalog.ErrUnknownTable).
	ErrUnknownTable = catalog.ErrUnknownTable
	// ErrUnknownColumn: no table in FROM has the column (the value of
	// catalog.ErrUnknownColumn).
	ErrUnknownColumn = catalog.ErrUnknownColumn
	// ErrAmbiguousColumn: an unqualified column exists in several FROM tables.
	ErrAmbiguousColumn = errors.New("ambiguous column")
	// ErrDuplicateAlias: two FROM entries share one alias.
	ErrDuplicateAlias = errors.New("duplicate alias")
	// ErrType: a literal does not fit the type of the column it is compared with.
	ErrType = errors.New("type mismatch")
	// ErrTooManyTables: FROM has more than MaxTables table occurrences.
	ErrTooManyTables = errors.New("too many tables")
	// ErrTooComplex: the statement is longer than MaxStatementBytes,
	// nests deeper than MaxNesting, has a number literal of more than
	// MaxNumberDigits digits, or a run of more than MaxAdjacentStrings
	// adjacent string literals.
	ErrTooComplex = errors.New("statement too complex")
	// ErrTooManySubPlans: a query has more connected sub-plans than the
	// limit given to ConnectedSubsets (returned bare, not in an *Error).
	ErrTooManySubPlans = errors.New("too many sub-plans")
)

// Error is a parse or resolution error with the position (1-based line and
// column, in characters) of the construct it is about. Line is 0 when the
// position is unknown.
type Error struct {
	Err       error  // one of the Err* sentinels
	Construct string // the offending construct, e.g. "LEFT JOIN", "function YEAR()"
	Line, Col int
	Msg       string // details
}

// Error renders e as "line L:C: <sentinel> <construct>: <details>".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d:%d: ", e.Line, e.Col)
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	if e.Construct != "" {
		b.WriteByte(' ')
		b.WriteString(e.Construct)
	}
	if e.Msg != "" {
		b.WriteString(": ")
		b.WriteString(e.Msg)
	}
	return b.String()
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// newErr builds an *Error positioned at byte offset off of src.
func newErr(src string, off int, sentinel error, construct, format string, args ...any) *Error {
	e := &Error{Err: sentinel, Construct: construct, Msg: fmt.Sprintf(format, args...)}
	if off >= 0 {
		e.Line, e.Col = sqllex.LineCol(src, off)
	}
	return e
}

// tidbPosRE matches the position prefix of TiDB parser errors.
var tidbPosRE = regexp.MustCompile(`line (\d+) column (\d+) near "`)

// maxNearScan bounds the quadratic search for the "near" text of a TiDB
// syntax error; longer inputs fall back to the line/column TiDB reports.
const maxNearScan = 1 << 14

// tidbNearLimit is how much remaining text the TiDB scanner quotes after
// "near" (pkg/parser/lexer.go, Scanner.Errorf).
const tidbNearLimit = 2048

// syntaxErr converts a TiDB parser error into an *Error. TiDB reports the
// text from the offending token to the end ("near ..."), which locates the
// token exactly; its own column number points after the token.
func syntaxErr(src string, err error) *Error {
	msg := err.Error()
	e := &Error{Err: ErrSyntax}
	loc := tidbPosRE.FindStringSubmatchIndex(msg)
	if loc == nil {
		e.Msg = msg
		return e
	}
	rest := msg[loc[1]:]
	off := -1
	if len(src) <= maxNearScan {
		for i := 0; i <= len(src); i++ {
			cand := src[i:]
			if len(cand) > tidbNearLimit {
				cand = cand[:tidbNearLimit]
			}
			if len(rest) > len(cand) && rest[len(cand)] == '"' && strings.HasPrefix(rest, cand) {
				off = i
				break
			}
		}
	}
	if off >= 0 {
		e.Line, e.Col = sqllex.LineCol(src, off)
		near := src[off:]
		if i := strings.IndexAny(near, "\n"); i >= 0 {
			near = near[:i]
		}
		if len(near) > 40 {
			near = near[:40] + "..."
		}
		if near == "" {
			e.Msg = "unexpected end of statement"
		} else {
			e.Msg = "near " + strconv.Quote(near)
		}
		return e
	}
	e.Line, _ = strconv.Atoi(msg[loc[2]:loc[3]])
	e.Col, _ = strconv.Atoi(msg[loc[4]:loc[5]])
	e.Msg = msg
	return e
}
