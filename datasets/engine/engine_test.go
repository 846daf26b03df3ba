package engine_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
	"github.com/cockroachdb/datadriven"
)

// TestGoldenFlights runs the queries of testdata/flights.txt ("count",
// the SQL, "----", the expected counts) on a 300-flight cut of the bundled
// data, checking every count against brute force and the expected output.
func TestGoldenFlights(t *testing.T) {
	db := smallFlights(t, 300)
	c := engine.New(db, engine.Options{})
	datadriven.RunTest(t, filepath.Join("testdata", "flights.txt"), func(t *testing.T, td *datadriven.TestData) string {
		if td.Cmd != "count" {
			t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
		}
		q, err := features.Parse(db.Schema, td.Input)
		if err != nil {
			t.Fatalf("%s: %v", td.Pos, err)
		}
		return checkQuery(t, c, db, q, td.Input)
	})
}

// TestFullFlights checks a few counts on the full bundled data against
// brute force (single tables and two-way joins stay cheap).
func TestFullFlights(t *testing.T) {
	db := testutil.Flights(t)
	c := engine.New(db, engine.Options{})
	for _, sql := range []string{
		"SELECT * FROM flights WHERE delay > 10 AND distance BETWEEN 200 AND 900",
		"SELECT * FROM flights f JOIN airports a ON f.origin = a.iata WHERE a.state = 'CA'",
		"SELECT * FROM flights f JOIN routes r ON f.origin = r.origin AND f.destination = r.destination WHERE r.num_flights > 1000",
	} {
		q, err := features.Parse(db.Schema, sql)
		testutil.Must(t, err)
		got, err := c.Count(context.Background(), q)
		testutil.Must(t, err)
		if want := bruteForce(t, db, q, uint64(1)<<uint(len(q.Tables))-1); got != want {
			t.Errorf("%s: got %d, want %d", sql, got, want)
		}
	}
}

// TestNullsByHand checks three-valued logic on a hand-built table.
func TestNullsByHand(t *testing.T) {
	schema := &catalog.Schema{Tables: []*catalog.Table{{Name: "t", Columns: []catalog.Column{
		{Name: "a", Type: catalog.TypeInt, Nullable: true},
		{Name: "s", Type: catalog.TypeString, Nullable: true},
		{Name: "f", Type: catalog.TypeFloat, Nullable: true},
	}}}}
	db := &datasets.DB{Schema: schema, Tables: []*datasets.Table{{
		Def:  schema.Tables[0],
		Rows: 5,
		Cols: []*datasets.Column{
			{Type: catalog.TypeInt, Ints: []int64{1, 2, 0, 4, 5}, Null: []bool{false, false, true, false, false}},
			{Type: catalog.TypeString, Codes: []uint32{0, 1, 0, 2, 0}, Dict: []string{"x", "yz", "w%"}, Null: []bool{false, false, false, false, true}},
			{Type: catalog.TypeFloat, Floats: []float64{0.5, 1.5, 2.5, 0, 3}, Null: []bool{false, false, false, true, false}},
		},
	}}}
	c := engine.New(db, engine.Options{})
	for _, tc := range []struct {
		where string
		want  int64
	}{
		{"a > 1", 3},
		{"NOT a > 1", 1},          // NULL stays unknown under NOT
		{"a IN (1, NULL)", 1},     // TRUE only on the match
		{"a NOT IN (1, NULL)", 0}, // never TRUE
		{"NOT (a NOT IN (1, 2))", 2},
		{"a IS NULL OR s IS NULL", 2},
		{"NOT (a = 1 OR s = 'x')", 2}, // rows 2 and 4 (a=2,s=yz; a=4,s=w%); row 3 unknown
		{"s LIKE 'w\\%'", 1},
		{"s IN ('x', NULL)", 2},
		{"s NOT IN ('x', NULL)", 0},
		{"NOT s IN ('yz', 'nope')", 3},
		{"s <> 'x'", 2},
		{"s IN ('nope')", 0},
		// Integer lists longer than the linear scan's limit.
		{"a IN (1, 2, 3, 6, 7, 8, 9, 10, 11, 5)", 3},
		{"a NOT IN (1, 6, 7, 8, 9, 10, 11, 12, 13)", 3},
		{"s NOT LIKE '%z'", 3},
		{"f > 1 AND f < 3", 2},
		{"f NOT BETWEEN 1 AND 2", 3},
		{"a BETWEEN 2 AND 4", 2},
		{"a <> 2", 3},
		// Float literals on an int column (the parser rejects them; the
		// engine compares numerically like features.Pred.Eval).
		{"a >= 1.5", 3},
		{"a < 4.5", 3},
		{"a = 2.5", 0},
		{"a <> 2.5", 4},
		{"a BETWEEN 1.5 AND 4.5", 2},
	} {
		where := tc.where
		var lits []catalog.Datum
		if strings.Contains(where, ".5") && strings.HasPrefix(where, "a ") {
			for _, f := range []string{"1.5", "4.5", "2.5"} {
				if strings.Contains(where, f) {
					where = strings.ReplaceAll(where, f, "1")
				}
			}
			for _, tok := range strings.Fields(tc.where) {
				var v float64
				if _, err := fmt.Sscanf(tok, "%g", &v); err == nil {
					lits = append(lits, catalog.Float(v))
				}
			}
		}
		q, err := features.Parse(schema, "SELECT * FROM t WHERE "+where)
		testutil.Must(t, err)
		if lits != nil {
			q.Tables[0].Filter.Pred.Values = lits
		}
		got, err := c.Count(context.Background(), q)
		testutil.Must(t, err)
		if want := bruteForce(t, db, q, 1); want != tc.want {
			t.Errorf("%s: brute force %d, test expects %d", tc.where, want, tc.want)
		}
		if got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.where, got, tc.want)
		}
	}
}

// TestErrors checks typed errors on queries that do not fit the DB.
func TestErrors(t *testing.T) {
	db := smallFlights(t, 50)
	ctx := context.Background()
	q, err := features.Parse(db.Schema, "SELECT * FROM flights f JOIN airports a ON f.origin = a.iata")
	testutil.Must(t, err)
	bad := *q
	bad.Joins = []features.Join{{Left: 0, Right: 5, LeftCol: 7, RightCol: 0}}
	if _, err := engine.Count(ctx, db, &bad); !errors.Is(err, engine.ErrBadQuery) {
		t.Errorf("join out of range: %v, want ErrBadQuery", err)
	}
	bad.Joins = []features.Join{{Left: 0, Right: 1, LeftCol: 2, RightCol: 0}} // hour = iata
	if _, err := engine.Count(ctx, db, &bad); !errors.Is(err, engine.ErrUnsupported) {
		t.Errorf("int = string join: %v, want ErrUnsupported", err)
	}
	other := &catalog.Schema{Tables: []*catalog.Table{{Name: "nope", Columns: []catalog.Column{{Name: "x", Type: catalog.TypeInt}}}}}
	if _, err := engine.Count(ctx, db, &features.Query{Schema: other, Tables: []features.TableRef{{Table: 0, Alias: "nope"}}}); !errors.Is(err, engine.ErrBadQuery) {
		t.Errorf("unknown table: %v, want ErrBadQuery", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := engine.Count(cctx, db, q); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	// A cyclic query past the row budget.
	cyc, err := features.Parse(db.Schema, "SELECT * FROM airports a1 JOIN airports a2 ON a1.state = a2.state JOIN airports a3 ON a2.state = a3.state AND a1.country = a3.country")
	testutil.Must(t, err)
	if _, err := engine.New(db, engine.Options{MaxRows: 10}).Count(ctx, cyc); !errors.Is(err, engine.ErrTooLarge) {
		t.Errorf("cyclic past budget: %v, want ErrTooLarge", err)
	}
}

// TestEmptySelections counts queries whose occurrences select no rows, each
// on a fresh Counter (fresh scratch memory) and on a reused one.
func TestEmptySelections(t *testing.T) {
	db := smallFlights(t, 100)
	reused := engine.New(db, engine.Options{})
	for _, sql := range []string{
		"SELECT * FROM flights f JOIN airports a ON f.origin = a.iata WHERE a.state = 'ZZ'",
		"SELECT * FROM airports a JOIN flights f ON f.origin = a.iata WHERE a.state = 'ZZ'",
		"SELECT * FROM flights f JOIN airports a ON f.origin = a.iata WHERE f.delay > 1000000",
		"SELECT * FROM airports a1 JOIN airports a2 ON a1.city = a2.city AND a1.state = a2.state JOIN flights f ON f.destination = a1.iata WHERE a1.country <> 'USA'",
		"SELECT * FROM flights f1 JOIN flights f2 ON f1.destination = f2.origin JOIN flights f3 ON f2.destination = f3.origin AND f3.destination = f1.origin WHERE f2.delay > 1000000",
	} {
		q, err := features.Parse(db.Schema, sql)
		testutil.Must(t, err)
		for _, c := range []*engine.Counter{engine.New(db, engine.Options{}), reused} {
			checkQuery(t, c, db, q, sql)
		}
	}
}

// TestOverflow: a chain of self joins on a constant key has n^k rows;
// 65536^3 = 2^48 is exact, 65536^4 = 2^64 does not fit int64.
func TestOverflow(t *testing.T) {
	const n = 1 << 16
	schema := &catalog.Schema{Tables: []*catalog.Table{{Name: "t", Columns: []catalog.Column{{Name: "x", Type: catalog.TypeInt}}}}}
	db := &datasets.DB{Schema: schema, Tables: []*datasets.Table{{
		Def: schema.Tables[0], Rows: n,
		Cols: []*datasets.Column{{Type: catalog.TypeInt, Ints: make([]int64, n)}},
	}}}
	c := engine.New(db, engine.Options{})
	q3, err := features.Parse(schema, "SELECT * FROM t a JOIN t b ON a.x = b.x JOIN t c ON b.x = c.x")
	testutil.Must(t, err)
	if got, err := c.Count(context.Background(), q3); err != nil || got != 1<<48 {
		t.Errorf("3-chain: %d, %v; want 2^48", got, err)
	}
	q4, err := features.Parse(schema, "SELECT * FROM t a JOIN t b ON a.x = b.x JOIN t c ON b.x = c.x JOIN t d ON c.x = d.x")
	testutil.Must(t, err)
	if _, err := c.Count(context.Background(), q4); !errors.Is(err, engine.ErrOverflow) {
		t.Errorf("4-chain: %v, want ErrOverflow", err)
	}
	if _, err := c.CountSubPlans(context.Background(), q4); !errors.Is(err, engine.ErrOverflow) {
		t.Errorf("4-chain sub-plans: %v, want ErrOverflow", err)
	}
	// A cross product of two 4-chains' worth of rows overflows too.
	qx, err := features.Parse(schema, "SELECT * FROM t a JOIN t b ON a.x = b.x JOIN t c ON b.x = c.x, t d, t e")
	testutil.Must(t, err)
	if _, err := c.Count(context.Background(), qx); !errors.Is(err, engine.ErrOverflow) {
		t.Errorf("cross product: %v, want ErrOverflow", err)
	}
}
