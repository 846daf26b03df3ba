package catalog

import (
	"strings"

	"github.com/cardinaldb/cardinal/internal/sqllex"
)

// The TiDB parser records no positions for DDL nodes, so ParseSchema
// re-scans the text with the shared MySQL lexer (internal/sqllex) to find
// where each statement, table element (column or constraint) and key word
// starts. The scan only needs to agree with the parser on comments,
// quoting and parentheses; it never decides validity.

// token is a lexed token as the position finder sees it.
type token struct {
	kind sqllex.Kind // Word, String, QuotedIdent or Punct (a delimiter is Punct ";")
	text string      // identifier value for QuotedIdent, raw text otherwise
	off  int         // byte offset in the source
}

// tokenize lexes src, dropping comments and the brackets of executable
// comments (whose text MySQL runs). An unterminated quote or comment ends
// the token stream (the parser reports the error).
func tokenize(src string) []token {
	var toks []token
	l := sqllex.New(src, sqllex.Default)
	for {
		t, ok := l.Next()
		if !ok {
			return toks
		}
		if off, bad := l.Unterminated(); bad && off <= t.Off {
			return toks
		}
		switch t.Kind {
		case sqllex.Comment, sqllex.ExecOpen, sqllex.ExecClose:
			continue
		case sqllex.Delimiter:
			toks = append(toks, token{kind: sqllex.Punct, text: ";", off: t.Off})
		case sqllex.QuotedIdent:
			toks = append(toks, token{kind: t.Kind, text: sqllex.Unquote(l.Text(t), sqllex.Default), off: t.Off})
		default:
			toks = append(toks, token{kind: t.Kind, text: l.Text(t), off: t.Off})
		}
	}
}

// stmtPos locates one CREATE TABLE statement's parts.
type stmtPos struct {
	start    int       // first token of the statement
	name     int       // the table name
	elements [][]token // top-level elements between the outer parentheses
}

// statementPositions cuts src into statements by Cardinal's one splitting
// rule (sqllex.Split) and finds the table elements of each.
func statementPositions(src string) []stmtPos {
	stmts, _ := sqllex.Split(src, sqllex.Options{})
	out := make([]stmtPos, 0, len(stmts))
	for _, s := range stmts {
		toks := tokenize(s.Text)
		if len(toks) == 0 {
			continue
		}
		for i := range toks {
			toks[i].off += s.Off
		}
		out = append(out, statementParts(toks))
	}
	return out
}

func statementParts(toks []token) stmtPos {
	sp := stmtPos{start: toks[0].off, name: toks[0].off}
	open := -1
	for i, t := range toks {
		if t.kind == sqllex.Punct && t.text == "(" {
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
		if t.kind != sqllex.Punct {
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
	return e[0].kind == sqllex.Word && constraintWords[strings.ToUpper(e[0].text)]
}

// findWord returns the offset of the first bare word w (case-insensitive)
// in toks, or def.
func findWord(toks []token, w string, def int) int {
	for _, t := range toks {
		if t.kind == sqllex.Word && strings.EqualFold(t.text, w) {
			return t.off
		}
	}
	return def
}
