package main

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// TestStatementReader checks that statements come out as they complete,
// with the lines they start on, and by the project's splitting rule.
func TestStatementReader(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []stmtAt
	}{
		{"one per line without ';'", "SELECT 1\n# c\nSELECT 2\n",
			[]stmtAt{{sql: "SELECT 1", line: 1}, {sql: "SELECT 2", line: 3}}},
		{"';' across lines", "SELECT *\nFROM t\nWHERE x = 1;\nSELECT 2; SELECT\n3;\n",
			[]stmtAt{{sql: "SELECT *\nFROM t\nWHERE x = 1", line: 1}, {sql: "SELECT 2", line: 4}, {sql: "SELECT\n3", line: 4}}},
		{"';' in a string and a comment", "SELECT 'a;\nb' -- x;\nFROM t /* ; */;\n",
			[]stmtAt{{sql: "SELECT 'a;\nb' -- x;\nFROM t", line: 1}}}, // a trailing comment is not kept
		{"';' only in a string: one per line", "SELECT 'a;b'\nSELECT 2\n",
			[]stmtAt{{sql: "SELECT 'a;b'", line: 1}, {sql: "SELECT 2", line: 2}}},
		{"unterminated last statement", "SELECT 1;\nSELECT 2\n",
			[]stmtAt{{sql: "SELECT 1", line: 1}, {sql: "SELECT 2", line: 2}}},
		{"records", "{\"sql\": \"SELECT 1\"}\nSELECT 2\n  {\"sql\": \"x\"}\n",
			[]stmtAt{{sql: "{\"sql\": \"SELECT 1\"}", line: 1, json: true}, {sql: "SELECT 2", line: 2}, {sql: "{\"sql\": \"x\"}", line: 3, json: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := readAll(t, newStatementReader(strings.NewReader(tc.in)))
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("statement %d: got %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func readAll(t *testing.T, r *statementReader) []stmtAt {
	t.Helper()
	var out []stmtAt
	for {
		st, err := r.next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, st)
	}
}

// TestStatementReaderStreams checks that a ';'-terminated statement is
// returned before the input ends: the writer blocks until it is read.
func TestStatementReaderStreams(t *testing.T) {
	pr, pw := io.Pipe()
	r := newStatementReader(pr)
	go pw.Write([]byte("SELECT\n1;\nSELECT 2;\n"))
	for _, want := range []string{"SELECT\n1", "SELECT 2"} {
		st, err := r.next()
		if err != nil || st.sql != want {
			t.Fatalf("got %q, %v; want %q", st.sql, err, want)
		}
	}
	pw.Close()
	if _, err := r.next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after close: %v", err)
	}
}
