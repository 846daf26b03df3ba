package sqllex

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// modeArg reads the optional mode=(ansi_quotes,no_backslash_escapes) argument.
func modeArg(t *testing.T, td *datadriven.TestData) Mode {
	var m Mode
	if arg, ok := td.Arg("mode"); ok {
		for _, v := range arg.Vals {
			switch v {
			case "ansi_quotes":
				m |= ANSIQuotes
			case "no_backslash_escapes":
				m |= NoBackslashEscapes
			default:
				t.Fatalf("unknown mode %q", v)
			}
		}
	}
	return m
}

// TestDataDriven runs testdata/*: "lex" prints each token with its kind,
// position and (for quoted tokens) Unquote value; "split" prints each
// statement with its position and the error.
func TestDataDriven(t *testing.T) {
	for _, path := range []string{"testdata/lex", "testdata/split"} {
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			mode := modeArg(t, td)
			var b strings.Builder
			switch td.Cmd {
			case "lex":
				l := New(td.Input, mode)
				idx := NewLineIndex(td.Input)
				for {
					tok, ok := l.Next()
					if !ok {
						break
					}
					line, col := idx.LineCol(tok.Off)
					fmt.Fprintf(&b, "%d:%d %s %q", line, col, tok.Kind, l.Text(tok))
					if tok.Kind == String || tok.Kind == QuotedIdent {
						fmt.Fprintf(&b, " = %q", Unquote(l.Text(tok), mode))
					}
					b.WriteByte('\n')
				}
				if off, ok := l.Unterminated(); ok {
					line, col := idx.LineCol(off)
					fmt.Fprintf(&b, "unterminated at %d:%d\n", line, col)
				}
			case "split":
				stmts, err := Split(td.Input, Options{Mode: mode, LinesWhenUndelimited: td.HasArg("lines")})
				for _, s := range stmts {
					fmt.Fprintf(&b, "%d:%d %q\n", s.Line, s.Col, s.Text)
				}
				if err != nil {
					fmt.Fprintf(&b, "error: %v\n", err)
				}
			default:
				t.Fatalf("unknown command %q", td.Cmd)
			}
			return b.String()
		})
	}
}

func TestLineIndexAgrees(t *testing.T) {
	src := "ab\nçd\n\n  é x\n"
	idx := NewLineIndex(src)
	for off := -1; off <= len(src)+1; off++ {
		l1, c1 := idx.LineCol(off)
		l2, c2 := LineCol(src, off)
		if l1 != l2 || c1 != c2 {
			t.Errorf("offset %d: index %d:%d, scan %d:%d", off, l1, c1, l2, c2)
		}
	}
	if l, c := LineCol(src, 4); l != 2 || c != 2 { // after "ç"
		t.Errorf("LineCol(4) = %d:%d, want 2:2", l, c)
	}
}

func TestSplitErrorIs(t *testing.T) {
	_, err := Split("SELECT 1; SELECT 'x", Options{})
	var e *Error
	if !errors.Is(err, ErrUnterminated) || !errors.As(err, &e) || e.Line != 1 || e.Col != 18 {
		t.Fatalf("got %v", err)
	}
	if _, err := Split("DELIMITER\nSELECT 1", Options{}); !errors.Is(err, ErrDelimiter) {
		t.Fatalf("got %v", err)
	}
}

// FuzzSplit checks that Split never panics, that every statement is the
// text between its offsets and starts and ends with a token, and that
// positions agree with LineCol.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		"SELECT 1; SELECT 'a;b'", "/*!40101 SET a=1; */;", "DELIMITER $$\nSELECT 1$$\nDELIMITER ;\n",
		"SELECT \"a\\\"\" -- c\n; # x", "SELECT `a``b` FROM t /* ; */",
	} {
		f.Add(s, false, uint8(0))
	}
	f.Fuzz(func(t *testing.T, src string, lines bool, mode uint8) {
		stmts, err := Split(src, Options{Mode: Mode(mode) & (ANSIQuotes | NoBackslashEscapes), LinesWhenUndelimited: lines})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !(errors.Is(err, ErrUnterminated) || errors.Is(err, ErrDelimiter)) {
				t.Fatalf("bad error %v", err)
			}
		}
		for _, s := range stmts {
			if s.Off < 0 || s.End > len(src) || s.Off >= s.End || src[s.Off:s.End] != s.Text {
				t.Fatalf("bad statement %+v", s)
			}
			if err == nil && (IsSpace(s.Text[0]) || IsSpace(s.Text[len(s.Text)-1])) {
				t.Fatalf("statement %q not trimmed", s.Text)
			}
			if l, c := LineCol(src, s.Off); l != s.Line || c != s.Col {
				t.Fatalf("statement %+v at %d:%d", s, l, c)
			}
		}
	})
}
