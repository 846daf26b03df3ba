package features

import (
	"errors"
	"strings"
	"testing"
)

// TestLimits: nesting and size past the bounds are positioned
// ErrTooComplex errors found before the TiDB parser recurses (a million
// NOTs used to kill the process with a fatal stack overflow); long flat
// chains parse, and each nested form just under the bound parses too.
func TestLimits(t *testing.T) {
	s := testSchema()
	const head = "SELECT COUNT(*) FROM title WHERE "
	deep := MaxNesting + 1
	cases := []struct {
		name, sql string
		col       int // column of the error (0: parses)
	}{
		{"million NOT", head + strings.Repeat("NOT ", 1_000_000) + "id > 5", len(head) + 4*(MaxNesting) + 1},
		{"parentheses", head + strings.Repeat("(", deep) + "id > 5" + strings.Repeat(")", deep), len(head) + MaxNesting + 1},
		{"NOT (", head + strings.Repeat("NOT (", deep) + "id > 5" + strings.Repeat(")", deep), len(head) + 5*(MaxNesting/2) + 1},
		{"bang", head + strings.Repeat("!", deep) + "id > 5", len(head) + MaxNesting + 1},
		{"unary minus", head + "id > " + strings.Repeat("- ", deep) + "5", len(head) + 5 + 2*MaxNesting + 1},
		{"CASE", head + strings.Repeat("CASE WHEN ", deep) + "1", len(head) + 10*MaxNesting + 1},
		{"NOT under bound", head + strings.Repeat("NOT ", MaxNesting-1) + "id > 5", 0},
		{"parens under bound", head + strings.Repeat("(", MaxNesting-1) + "id > 5" + strings.Repeat(")", MaxNesting-1), 0},
		{"parens in a string", head + "title = '" + strings.Repeat("(", 10*MaxNesting) + "'", 0},
		{"parens in a comment", head + "/*" + strings.Repeat("(", 10*MaxNesting) + "*/ id > 5", 0},
		{"long OR chain", head + strings.Repeat("id = 5 OR ", 20000) + "id = 6", 0},
		{"long AND chain", head + strings.Repeat("id > 5 AND ", 20000) + "id < 9", 0},
		{"400-digit number", head + "id > 1" + strings.Repeat("0", 400), len(head) + 6},
		{"400-digit fraction", head + "id > 1." + strings.Repeat("0", 400), len(head) + 6},
		{"adjacent strings", head + "title = " + strings.Repeat("'a' ", MaxAdjacentStrings+1), len(head) + 8 + 4*MaxAdjacentStrings + 1},
		{"adjacent strings under bound", head + "title = " + strings.Repeat("'a' ", MaxAdjacentStrings), 0},
		{"strings apart", head + strings.Repeat("title = 'a' OR ", 10*MaxAdjacentStrings) + "id = 1", 0},
		{"too long", head + "id IN (" + strings.Repeat("1,", MaxStatementBytes/2) + "1)", MaxStatementBytes + 1},
	}
	for _, c := range cases {
		q, err := Parse(s, c.sql)
		if c.col == 0 {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			} else if len(q.Tables) != 1 || q.Tables[0].Filter == nil {
				t.Errorf("%s: parsed to %+v", c.name, q.Tables)
			}
			continue
		}
		var pe *Error
		if !errors.Is(err, ErrTooComplex) || !errors.As(err, &pe) {
			t.Errorf("%s: got %v, want ErrTooComplex", c.name, err)
			continue
		}
		if pe.Line != 1 || pe.Col != c.col {
			t.Errorf("%s: at %d:%d, want 1:%d (%v)", c.name, pe.Line, pe.Col, c.col, err)
		}
	}
	// 65 digits pass the bound (and are too large for an INT column).
	if _, err := Parse(s, head+"id > "+strings.Repeat("9", MaxNumberDigits)); !errors.Is(err, ErrType) {
		t.Errorf("65 digits: %v", err)
	}
	// A flat OR chain is one OR node with every disjunct.
	q, err := Parse(s, head+strings.Repeat("id = 5 OR ", 999)+"id = 6")
	if err != nil || q.Tables[0].Filter.Kind != ExprOr || len(q.Tables[0].Filter.Args) != 1000 {
		t.Fatalf("OR chain: %v %+v", err, q)
	}
}

// TestConnectedSubsetsBound: a 40-table star (2^39 sub-plans) is refused
// after counting DefaultMaxSubPlans of them, not listed.
func TestConnectedSubsetsBound(t *testing.T) {
	var star [][2]int
	for i := 1; i < 40; i++ {
		star = append(star, [2]int{0, i})
	}
	q := graphQuery(40, star)
	if n := q.CountConnectedSubsets(DefaultMaxSubPlans); n != DefaultMaxSubPlans+1 {
		t.Errorf("count %d, want the limit + 1", n)
	}
	if _, err := q.ConnectedSubsets(0); !errors.Is(err, ErrTooManySubPlans) {
		t.Errorf("40-table star: %v", err)
	}
	if _, err := q.ConnectedSubsets(1 << 7); !errors.Is(err, ErrTooManySubPlans) {
		t.Errorf("limit 128: %v", err)
	}
	// A star of 12 satellites (2^12 + 12 sub-plans) fits the default
	// after all; one of 7 has 2^7 + 7.
	q = graphQuery(8, star[:7])
	got, err := q.ConnectedSubsets(135)
	if err != nil || len(got) != 135 || q.CountConnectedSubsets(1000) != 135 {
		t.Errorf("star of 7: %d %v", len(got), err)
	}
	if _, err := q.ConnectedSubsets(134); !errors.Is(err, ErrTooManySubPlans) {
		t.Errorf("limit 134: %v", err)
	}
}

// FuzzParseNesting builds statements nested by repeating a prefix and
// suffix: every one parses or fails with an *Error, never overflowing
// the stack, whatever the depth.
func FuzzParseNesting(f *testing.F) {
	f.Add("NOT ", "", "id > 5", uint32(1_000_000))
	f.Add("(", ")", "id > 5", uint32(300))
	f.Add("NOT (", ")", "id > 5", uint32(200))
	f.Add("CASE WHEN ", " THEN 1 END", "id > 5", uint32(400))
	f.Add("id = ", "", "5", uint32(500))
	f.Add("- ", "", "5 < id", uint32(100_000))
	f.Add("id > 5 OR ", "", "id < 2", uint32(50_000))
	f.Add("(id > 5 AND ", ")", "id < 2", uint32(300))
	f.Add("9", "", "id > 1", uint32(400))
	s := testSchema()
	f.Fuzz(func(t *testing.T, pre, post, mid string, n uint32) {
		if len(pre)+len(post) == 0 || len(pre)+len(post) > 64 {
			return
		}
		// At most fuzzBytes of repeated text: statements of several MB
		// (flat chains take seconds to parse) stall the fuzzer at 0
		// execs/s; TestLimits covers the size bound itself.
		const fuzzBytes = 1 << 18
		n %= 1 << 20
		if int(n)*(len(pre)+len(post)) > fuzzBytes {
			n = uint32(fuzzBytes / (len(pre) + len(post)))
		}
		sql := "SELECT COUNT(*) FROM title WHERE " + strings.Repeat(pre, int(n)) + mid + strings.Repeat(post, int(n))
		_, err := Parse(s, sql)
		var pe *Error
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("%T %v", err, err)
		}
	})
}
