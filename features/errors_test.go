package features

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseErrorsTyped(t *testing.T) {
	s := testSchema()
	cases := []struct {
		sql       string
		sentinel  error
		construct string
		line, col int
	}{
		{"SELECT * FRM title", ErrSyntax, "", 1, 10},
		{"SELECT *\nFROM title t\nWHERE t.id = 1 AND\n  t.x ==== 3", ErrSyntax, "", 4, 8},
		{"", ErrSyntax, "", 1, 1},
		{"   ;  ", ErrSyntax, "", 1, 1},
		{"SELECT * FROM title; SELECT * FROM title", ErrUnsupported, "multiple statements", 1, 22},
		{"SELECT * FROM nosuch", ErrUnknownTable, "nosuch", 1, 15},
		{"SELECT * FROM title t WHERE q.id = 1", ErrUnknownTable, "q", 1, 29},
		{"SELECT * FROM title t WHERE t.nosuch = 1", ErrUnknownColumn, "t.nosuch", 1, 29},
		{"SELECT * FROM title t, title u WHERE id = 1", ErrAmbiguousColumn, "id", 1, 38},
		{"SELECT * FROM title t, title T", ErrDuplicateAlias, "T", 1, 30},
		{"SELECT * FROM title t WHERE t.id = 'x'", ErrType, "", 1, 36},
		{"SELECT * FROM title t\n  LEFT JOIN movie_info mi ON t.id = mi.movie_id AND t.kind_id = 1", ErrUnsupported, "ON condition on the preserved side of LEFT JOIN", 2, 3},
		{"SELECT * FROM title t RIGHT JOIN movie_info mi ON t.id = mi.movie_id AND mi.info_type_id = 1", ErrUnsupported, "ON condition on the preserved side of RIGHT JOIN", 1, 23},
		{"SELECT * FROM title t LEFT JOIN movie_info mi ON t.id = mi.movie_id WHERE mi.info IS NULL", ErrUnsupported, "WHERE condition keeping NULL rows of LEFT JOIN", 1, 23},
		{"SELECT * FROM title t WHERE t.id > ANY (SELECT movie_id FROM movie_info)", ErrUnsupported, "ANY/ALL subquery", 1, 29},
		{"SELECT * FROM title t WHERE t.id = 1 OR EXISTS (SELECT * FROM movie_info)", ErrUnsupported, "subquery", 1, 41},
		{"SELECT * FROM title t WHERE EXISTS (SELECT * FROM movie_info mi WHERE mi.movie_id > t.id)", ErrUnsupported, "outer reference t.id", 1, 85},
		{"SELECT * FROM title t NATURAL JOIN movie_info", ErrUnsupported, "NATURAL JOIN", 1, 23},
		{"SELECT * FROM (SELECT 1) x", ErrUnsupported, "derived table with no FROM", 1, 16},
		{"SELECT * FROM (SELECT kind_id FROM title GROUP BY kind_id LIMIT 3) x", ErrUnsupported, "derived table with LIMIT", 1, 16},
		{"SELECT * FROM (SELECT kind_id, COUNT(*) + 1 AS n FROM title GROUP BY kind_id) x", ErrUnsupported, "derived column n", 1, 32},
		{"SELECT * FROM title t WHERE t.id IN (SELECT movie_id, id FROM movie_info)", ErrUnsupported, "IN subquery", 1, 37},
		{"SELECT * FROM title t, title u WHERE t.id <= u.id", ErrUnsupported, "non-equi join", 1, 38},
		{"SELECT * FROM title t, title u WHERE (t.id = u.id AND t.id = 1) OR u.id = 1", ErrUnsupported, "join inside OR/NOT", 1, 39},
		{"SELECT * FROM title t WHERE SOUNDEX(t.title) = 'x'", ErrUnsupported, "function SOUNDEX()", 1, 29},
		{"SELECT * FROM title t WHERE t.id * 2 = 4", ErrUnsupported, "operator *", 1, 29},
		{"SELECT * FROM title t GROUP BY t.id HAVING t.id > 1", ErrUnsupported, "HAVING operand", 1, 44},
		{"SELECT * FROM title UNION ALL SELECT * FROM title", ErrUnsupported, "UNION", 1, 21},
		{"UPDATE title SET id = 1", ErrUnsupported, "non-SELECT statement", 1, 1},
		{"SELECT * FROM title t WHERE t.id = t.title", ErrType, "column comparison", 1, 29},
		{"SELECT * FROM title t JOIN movie_info mi USING (nosuch)", ErrUnknownColumn, "nosuch", 1, 42},
		{"SELECT * FROM title t JOIN title u ON t.id = u.id JOIN movie_info mi USING (id)", ErrAmbiguousColumn, "id", 1, 70},
	}
	for _, c := range cases {
		_, err := Parse(s, c.sql)
		if !errors.Is(err, c.sentinel) {
			t.Errorf("%q: error %v, want %v", c.sql, err, c.sentinel)
			continue
		}
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("%q: %T is not *Error", c.sql, err)
			continue
		}
		if pe.Construct != c.construct || pe.Line != c.line || pe.Col != c.col {
			t.Errorf("%q: got construct %q at %d:%d, want %q at %d:%d (%v)", c.sql, pe.Construct, pe.Line, pe.Col, c.construct, c.line, c.col, err)
		}
		if want := fmt.Sprintf("line %d:%d: ", c.line, c.col); !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: message %q does not start with %q", c.sql, err, want)
		}
	}
}

func TestParseTooManyTables(t *testing.T) {
	s := testSchema()
	var from []string
	for i := 0; i <= MaxTables; i++ {
		from = append(from, fmt.Sprintf("kind_type k%d", i))
	}
	sql := "SELECT * FROM " + strings.Join(from[:MaxTables], ", ")
	q, err := Parse(s, sql)
	if err != nil || len(q.Tables) != MaxTables || q.FullMask() != ^uint64(0) {
		t.Fatalf("%d tables: %v", MaxTables, err)
	}
	_, err = Parse(s, "SELECT * FROM "+strings.Join(from, ", "))
	var pe *Error
	if !errors.Is(err, ErrTooManyTables) || !errors.As(err, &pe) || pe.Col != len("SELECT * FROM ")+1+len(strings.Join(from[:MaxTables], ", "))+2 {
		t.Fatalf("%d tables: %v", MaxTables+1, err)
	}
}

func TestParseNilSchema(t *testing.T) {
	if _, err := Parse(nil, "SELECT * FROM t"); err == nil {
		t.Fatal("nil schema accepted")
	}
}

func TestErrorWithoutPosition(t *testing.T) {
	e := &Error{Err: ErrUnsupported, Construct: "X", Msg: "why"}
	if e.Error() != "unsupported X: why" || !errors.Is(e, ErrUnsupported) {
		t.Fatalf("%q", e.Error())
	}
}

// USING coalesces the join column: later unqualified references resolve to
// the leftmost occurrence instead of being ambiguous.
func TestUsingCoalesces(t *testing.T) {
	q, err := Parse(testSchema(), "SELECT * FROM title t JOIN title u USING (id) JOIN movie_info mi USING (id) WHERE id = 3")
	if err != nil {
		t.Fatal(err)
	}
	d := q.Describe()
	if got := strings.Join(d.Joins, "; "); got != "t.id = u.id; t.id = mi.id" {
		t.Errorf("joins %q", got)
	}
	if len(d.Filters) != 1 || d.Filters[0].Expr != "t.id = 3" {
		t.Errorf("filters %+v", d.Filters)
	}
}
