package querylog_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/internal/testutil"
	"github.com/cardinaldb/cardinal/querylog"
)

// TestLogRoundTrip writes records and reads them back.
func TestLogRoundTrip(t *testing.T) {
	recs := []querylog.Record{
		{SQL: "SELECT COUNT(*) FROM `flights` WHERE `flights`.`delay` > 10", Rows: 5962},
		{SQL: "SELECT COUNT(*) FROM `flights` AS `f` JOIN `airports` AS `a` ON `f`.`origin` = `a`.`iata`", Rows: 20000,
			SubPlans: []querylog.SubPlan{{Aliases: []string{"f"}, Rows: 20000}, {Aliases: []string{"a"}, Rows: 3376}, {Aliases: []string{"f", "a"}, Rows: 20000}}},
		{SQL: "SELECT 1 -- \"quoted\" and unicode: München\n", Rows: 0},
		{SQL: "SELECT big", Rows: querylog.MaxLabel},
	}
	var buf bytes.Buffer
	w := querylog.NewWriter(&buf)
	for _, r := range recs {
		testutil.Must(t, w.Write(r))
	}
	testutil.Must(t, w.Flush())
	if n := strings.Count(buf.String(), "\n"); n != len(recs) {
		t.Fatalf("%d lines for %d records", n, len(recs))
	}
	got, err := querylog.ReadAll(&buf)
	testutil.Must(t, err)
	if len(got) != len(recs) {
		t.Fatalf("read %d records, want %d", len(got), len(recs))
	}
	for i := range recs {
		if got[i].SQL != recs[i].SQL || got[i].Rows != recs[i].Rows || len(got[i].SubPlans) != len(recs[i].SubPlans) {
			t.Errorf("record %d: got %+v, want %+v", i, got[i], recs[i])
		}
		for j := range recs[i].SubPlans {
			g, w := got[i].SubPlans[j], recs[i].SubPlans[j]
			if g.Rows != w.Rows || strings.Join(g.Aliases, ",") != strings.Join(w.Aliases, ",") {
				t.Errorf("record %d sub-plan %d: got %+v, want %+v", i, j, g, w)
			}
		}
	}
}

// TestLogErrors checks typed errors and line numbers on bad input.
func TestLogErrors(t *testing.T) {
	ok := `{"sql":"SELECT 1","rows":1}`
	for _, tc := range []struct {
		name, line string
		want       error
	}{
		{"not json", `{"sql": "x", "rows": `, querylog.ErrMalformedLog},
		{"trailing", ok + ` {}`, querylog.ErrMalformedLog},
		{"unknown field", `{"sql":"x","rows":1,"cost":3}`, querylog.ErrMalformedLog},
		{"missing sql", `{"rows":1}`, querylog.ErrMalformedLog},
		{"empty sql", `{"sql":" ","rows":1}`, querylog.ErrMalformedLog},
		{"missing rows", `{"sql":"x"}`, querylog.ErrMalformedLog},
		{"array", `[1,2]`, querylog.ErrMalformedLog},
		{"negative", `{"sql":"x","rows":-1}`, querylog.ErrBadLabel},
		{"fraction", `{"sql":"x","rows":1.5}`, querylog.ErrBadLabel},
		{"huge", `{"sql":"x","rows":1e30}`, querylog.ErrBadLabel},
		{"past int64", `{"sql":"x","rows":9223372036854775808}`, querylog.ErrBadLabel},
		{"bare NaN", `{"sql":"x","rows":NaN}`, querylog.ErrBadLabel},
		{"bare Infinity", `{"sql":"x","rows":-Infinity}`, querylog.ErrBadLabel},
		{"string NaN", `{"sql":"x","rows":"NaN"}`, querylog.ErrBadLabel},
		{"null", `{"sql":"x","rows":null}`, querylog.ErrBadLabel},
		{"sub-plan negative", `{"sql":"x","rows":1,"subplans":[{"tables":["a"],"rows":-3}]}`, querylog.ErrBadLabel},
		{"sub-plan no tables", `{"sql":"x","rows":1,"subplans":[{"tables":[],"rows":3}]}`, querylog.ErrMalformedLog},
		{"sub-plan unknown", `{"sql":"x","rows":1,"subplans":[{"aliases":["a"],"rows":3}]}`, querylog.ErrMalformedLog},
	} {
		// The bad line is line 3, after a good line and a blank one.
		in := ok + "\n\n" + tc.line + "\n" + ok + "\n"
		recs, err := querylog.ReadAll(strings.NewReader(in))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
			continue
		}
		var le *querylog.LogError
		if !errors.As(err, &le) || le.Line != 3 {
			t.Errorf("%s: error %v not at line 3", tc.name, err)
		}
		if len(recs) != 1 {
			t.Errorf("%s: %d records before the error, want 1", tc.name, len(recs))
		}
	}
	// Accepted label spellings.
	for _, s := range []string{"0", "42", "1e3", "1.0", "9223372036854775807"} {
		if _, err := querylog.ReadAll(strings.NewReader(`{"sql":"x","rows":` + s + `}`)); err != nil {
			t.Errorf("rows %s: %v", s, err)
		}
	}
	// The Writer refuses bad records, numbering them.
	w := querylog.NewWriter(io.Discard)
	testutil.Must(t, w.Write(querylog.Record{SQL: "x", Rows: 1}))
	if err := w.Write(querylog.Record{SQL: "y", Rows: -2}); !errors.Is(err, querylog.ErrBadLabel) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("writer negative label: %v", err)
	}
	if err := w.Write(querylog.Record{Rows: 2}); !errors.Is(err, querylog.ErrMalformedLog) {
		t.Errorf("writer empty SQL: %v", err)
	}
}

// FuzzReader: the reader never panics, and whatever it accepts writes back
// and reads again to the same records.
func FuzzReader(f *testing.F) {
	f.Add(`{"sql":"SELECT 1","rows":1}`)
	f.Add(`{"sql":"x","rows":2,"subplans":[{"tables":["a","b"],"rows":2}]}` + "\n\n" + `{"sql":"y","rows":NaN}`)
	f.Add(`{"sql":"x","rows":1e400}`)
	f.Add(`{"sql":"\u00e9\\\"","rows":"Infinity"}`)
	f.Fuzz(func(t *testing.T, in string) {
		recs, err := querylog.ReadAll(strings.NewReader(in))
		if err != nil {
			var le *querylog.LogError
			if !errors.As(err, &le) {
				t.Fatalf("untyped error %v", err)
			}
			if !errors.Is(err, querylog.ErrMalformedLog) && !errors.Is(err, querylog.ErrBadLabel) {
				t.Fatalf("error %v is neither sentinel", err)
			}
			return
		}
		var buf bytes.Buffer
		w := querylog.NewWriter(&buf)
		for _, r := range recs {
			if err := w.Write(r); err != nil {
				t.Fatalf("accepted record %+v does not write: %v", r, err)
			}
		}
		testutil.Must(t, w.Flush())
		again, err := querylog.ReadAll(&buf)
		if err != nil || len(again) != len(recs) {
			t.Fatalf("round trip: %d -> %d records, %v", len(recs), len(again), err)
		}
		for i := range recs {
			if again[i].SQL != recs[i].SQL || again[i].Rows != recs[i].Rows {
				t.Fatalf("round trip record %d: %+v -> %+v", i, recs[i], again[i])
			}
		}
	})
}

// TestGroupsLabel checks the optional "groups" label: it round-trips, a
// log without it reads as before, and a bad one is querylog.ErrBadLabel.
func TestGroupsLabel(t *testing.T) {
	g := int64(7)
	var b bytes.Buffer
	w := querylog.NewWriter(&b)
	for _, r := range []querylog.Record{{SQL: "SELECT COUNT(*) FROM t GROUP BY t.a", Rows: 42, Groups: &g}, {SQL: "SELECT COUNT(*) FROM t", Rows: 42}} {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := `{"sql":"SELECT COUNT(*) FROM t GROUP BY t.a","rows":42,"groups":7}` + "\n" + `{"sql":"SELECT COUNT(*) FROM t","rows":42}` + "\n"; b.String() != want {
		t.Errorf("written:\n%s\nwant:\n%s", b.String(), want)
	}
	recs, err := querylog.ReadAll(&b)
	if err != nil || len(recs) != 2 || recs[0].Groups == nil || *recs[0].Groups != 7 || recs[1].Groups != nil {
		t.Fatalf("read back %+v, %v", recs, err)
	}
	for _, line := range []string{`{"sql":"x","rows":1,"groups":-1}`, `{"sql":"x","rows":1,"groups":1.5}`, `{"sql":"x","rows":1,"groups":null}`} {
		if _, err := querylog.ReadAll(strings.NewReader(line)); !errors.Is(err, querylog.ErrBadLabel) {
			t.Errorf("%s: %v, want querylog.ErrBadLabel", line, err)
		}
	}
	neg := int64(-1)
	if err := querylog.NewWriter(io.Discard).Write(querylog.Record{SQL: "x", Groups: &neg}); !errors.Is(err, querylog.ErrBadLabel) {
		t.Errorf("writing negative groups: %v", err)
	}
}
