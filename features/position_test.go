package features

import (
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/internal/golden"
	"github.com/cardinaldb/cardinal/internal/sqllex"
)

// TestUnknownTablePositioned replaces each name of each testdata/parse
// statement in turn by one no schema has (a table, an alias, a qualifier,
// a CTE's, in a CTE's body, a derived table, a subquery, either side of
// RIGHT JOIN) and checks that the unknown table it makes is reported at
// that name (or at the start of the qualified name it ends), not nowhere
// (a CTE's body before) nor at another occurrence (RIGHT JOIN's left side
// was found in its ON before).
func TestUnknownTablePositioned(t *testing.T) {
	const unknown = "nosuch"
	files, err := filepath.Glob("testdata/parse/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	s := testSchema()
	name := regexp.MustCompile("`?[A-Za-z_][A-Za-z_0-9]*`?")
	p := NewParser()
	checked := 0
	for _, file := range files {
		for _, c := range golden.Cases(t, file) {
			if strings.Contains(strings.ToLower(c.Input), unknown) {
				continue // its own unknown names
			}
			for _, at := range name.FindAllStringIndex(c.Input, -1) {
				sql := c.Input[:at[0]] + unknown + c.Input[at[1]:]
				_, err := p.Parse(s, sql)
				var pe *Error
				if !errors.Is(err, ErrUnknownTable) || !errors.As(err, &pe) || pe.Construct != unknown {
					continue
				}
				checked++
				line, col := sqllex.LineCol(sql, at[0])
				if pe.Line == line && pe.Col == col {
					continue
				}
				// imdb.nosuch.id is positioned at imdb.
				if off := offsetOf(sql, pe.Line, pe.Col); off < 0 || off > at[0] || strings.Trim(sql[off:at[0]], "`.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") != "" {
					t.Errorf("%s:\n  %v; want line %d:%d", sql, err, line, col)
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d unknown tables checked", checked)
	}
}

// offsetOf returns the byte offset of 1-based line:col (in characters) of
// src, or -1.
func offsetOf(src string, line, col int) int {
	for off := range len(src) + 1 {
		if l, c := sqllex.LineCol(src, off); l == line && c == col {
			return off
		}
	}
	return -1
}
