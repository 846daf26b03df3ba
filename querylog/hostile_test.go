package querylog

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestHostileLogs: a UTF-8 BOM is skipped; duplicate or conflicting
// sub-plan labels of one query are refused by Reader and Writer alike;
// Writer refuses a line Reader would refuse as too long.
func TestHostileLogs(t *testing.T) {
	bom := "\xEF\xBB\xBF" + `{"sql":"SELECT COUNT(*) FROM t","rows":3}` + "\n"
	recs, err := ReadAll(strings.NewReader(bom))
	if err != nil || len(recs) != 1 || recs[0].Rows != 3 {
		t.Fatalf("BOM: %v %v", recs, err)
	}
	bad := []struct {
		line string
		err  error
	}{
		{`{"sql":"S","rows":3,"subplans":[{"tables":["a"],"rows":1},{"tables":["a"],"rows":1}]}`, ErrMalformedLog},
		{`{"sql":"S","rows":3,"subplans":[{"tables":["a","b"],"rows":1},{"tables":["B","a"],"rows":2}]}`, ErrBadLabel},
		{"\xEF\xBB\xBF" + `{"sql":"S","rows":3}`, ErrMalformedLog}, // a BOM is only skipped on line 1
	}
	for _, c := range bad {
		_, err := ReadAll(strings.NewReader(`{"sql":"S","rows":1}` + "\n" + c.line + "\n"))
		var le *LogError
		if !errors.Is(err, c.err) || !errors.As(err, &le) || le.Line != 2 {
			t.Errorf("%q: %v", c.line, err)
		}
	}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	dup := Record{SQL: "S", Rows: 3, SubPlans: []SubPlan{{Aliases: []string{"a"}, Rows: 1}, {Aliases: []string{"a"}, Rows: 2}}}
	if err := w.Write(dup); !errors.Is(err, ErrBadLabel) {
		t.Errorf("writer, conflicting sub-plans: %v", err)
	}
	long := Record{SQL: "SELECT COUNT(*) FROM t WHERE a IN (" + strings.Repeat("1,", maxLineBytes/2) + "1)", Rows: 1}
	if err := w.Write(long); !errors.Is(err, ErrMalformedLog) {
		t.Errorf("writer, line over %d bytes: %v", maxLineBytes, err)
	}
	if err := w.Flush(); err != nil || buf.Len() != 0 {
		t.Errorf("refused records were written: %d bytes, %v", buf.Len(), err)
	}
}

// FuzzReaderRoundTrip: the query-log reader never panics, reports every error
// as a *LogError, and the writer accepts and round-trips what it read.
func FuzzReaderRoundTrip(f *testing.F) {
	f.Add([]byte(`{"sql":"SELECT COUNT(*) FROM t","rows":3,"subplans":[{"tables":["t"],"rows":3}]}` + "\n"))
	f.Add([]byte("\xEF\xBB\xBF{\"sql\":\"S\",\"rows\":NaN}\n"))
	f.Add([]byte(`{"sql":"S","rows":1e400}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := ReadAll(bytes.NewReader(b))
		var le *LogError
		if err != nil && !errors.As(err, &le) {
			t.Fatalf("%T %v", err, err)
		}
		var buf bytes.Buffer
		w := NewWriter(&buf)
		for _, r := range recs {
			if err := w.Write(r); err != nil {
				t.Fatalf("a record read is refused by the writer: %v", err)
			}
		}
		w.Flush()
		back, err := ReadAll(&buf)
		if err != nil || len(back) != len(recs) {
			t.Fatalf("round trip: %d of %d, %v", len(back), len(recs), err)
		}
	})
}
