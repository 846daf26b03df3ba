package live

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
)

func TestClassify(t *testing.T) {
	f, err := openTestdata("workload.sql")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stmts, err := ParseSQLFile(f, "workload.sql")
	if err != nil {
		t.Fatal(err)
	}
	stmts = append(stmts,
		Statement{SQL: "SET STATEMENT max_statement_time=5 FOR SELECT COUNT(*) FROM flights WHERE hour = 7", Count: 2, Database: "cardinal_test"},
		Statement{SQL: "SELECT COUNT(*) FROM flights WHERE hour = ?", Count: 9, Normalized: true},
		Statement{SQL: "SELECT 1 FROM flights", Count: 1, Database: "other"},
		Statement{SQL: "SELECT * FROM nowhere", Count: 4},
	)
	parsed, skipped := Classify(datasets.FlightsSchema(), "cardinal_test", stmts)
	if len(parsed) != 4 {
		t.Errorf("%d parsed, want 4 (3 SELECTs of the file + the SET STATEMENT one)", len(parsed))
	}
	got := map[string]SkipReason{}
	total := 0
	for _, r := range skipped {
		got[r.Reason] = r
		total += r.Statements
	}
	if total+len(parsed) != len(stmts) {
		t.Errorf("%d parsed + %d skipped != %d statements: something was dropped", len(parsed), total, len(stmts))
	}
	for reason, execs := range map[string]int64{
		"not a SELECT: UPDATE":          1,
		ReasonNormalized:                9,
		ReasonOtherDatabase + ": other": 1,
		"unknown table nowhere":         4,
	} {
		if r, ok := got[reason]; !ok || r.Executions != execs {
			t.Errorf("reason %q: %+v (all: %+v)", reason, r, skipped)
		}
	}
	if ex := got["not a SELECT: UPDATE"].Example; !strings.HasPrefix(ex, "workload.sql:11: UPDATE") {
		t.Errorf("example %q lacks its position", ex)
	}
}

func TestCutSetStatement(t *testing.T) {
	for in, want := range map[string]string{
		"SET STATEMENT max_statement_time=5 FOR SELECT 1":                   "SELECT 1",
		"set statement a=1, b='for' FOR select x from t":                    "select x from t",
		"/* c */ SET STATEMENT sql_mode = 'x' FOR  SELECT `for` FROM `for`": "SELECT `for` FROM `for`",
		"SET @a = 1":                     "",
		"SELECT 'SET STATEMENT x=1 FOR'": "",
	} {
		got, ok := cutSetStatement(in)
		if got != want || ok != (want != "") {
			t.Errorf("cutSetStatement(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestToDatum(t *testing.T) {
	ts := time.Date(2001, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		v    any
		typ  catalog.Type
		want catalog.Datum
	}{
		{nil, catalog.TypeInt, catalog.Null},
		{[]byte("42"), catalog.TypeInt, catalog.Int(42)},
		{[]byte("-1.5"), catalog.TypeFloat, catalog.Float(-1.5)},
		{[]byte("12.50"), catalog.TypeFloat, catalog.Float(12.5)}, // DECIMAL
		{[]byte("ünï`"), catalog.TypeString, catalog.String("ünï`")},
		{[]byte("2001-01-02"), catalog.TypeDate, catalog.Int(978393600)},
		{[]byte("2001-01-02 03:04:05"), catalog.TypeDateTime, catalog.Int(ts.Unix())},
		{[]byte("2001-01-02 03:04:05.250000"), catalog.TypeDateTime, catalog.Int(ts.Unix())},
		{ts, catalog.TypeDateTime, catalog.Int(ts.Unix())},
		{int64(7), catalog.TypeInt, catalog.Int(7)},
		{int64(7), catalog.TypeFloat, catalog.Float(7)},
		{float64(2.5), catalog.TypeFloat, catalog.Float(2.5)},
	} {
		got, err := toDatum(tc.v, tc.typ)
		if err != nil || got != tc.want {
			t.Errorf("toDatum(%v, %v) = %v, %v; want %v", tc.v, tc.typ, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		v   any
		typ catalog.Type
	}{
		{[]byte("0000-00-00 00:00:00"), catalog.TypeDateTime},
		{[]byte("18446744073709551615"), catalog.TypeInt}, // BIGINT UNSIGNED max
		{[]byte("abc"), catalog.TypeFloat},
		{struct{}{}, catalog.TypeInt},
	} {
		if _, err := toDatum(tc.v, tc.typ); err == nil {
			t.Errorf("toDatum(%v, %v) succeeded", tc.v, tc.typ)
		} else if !errors.Is(err, datasets.ErrType) && !errors.Is(err, ErrServer) {
			t.Errorf("toDatum(%v) error %v has no sentinel", tc.v, err)
		}
	}
}

func TestCatalogType(t *testing.T) {
	for dt, want := range map[string]catalog.Type{
		"int": catalog.TypeInt, "BIGINT": catalog.TypeInt, "year": catalog.TypeInt,
		"decimal": catalog.TypeFloat, "double": catalog.TypeFloat,
		"varchar": catalog.TypeString, "enum": catalog.TypeString, "longtext": catalog.TypeString,
		"date": catalog.TypeDate, "timestamp": catalog.TypeDateTime, "datetime": catalog.TypeDateTime,
	} {
		if got, ok := catalogType(dt); !ok || got != want {
			t.Errorf("catalogType(%q) = %v, %v", dt, got, ok)
		}
	}
	for _, dt := range []string{"time", "blob", "varbinary", "bit", "geometry"} {
		if _, ok := catalogType(dt); ok {
			t.Errorf("catalogType(%q) accepted", dt)
		}
	}
}
