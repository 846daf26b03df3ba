package engine_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/server"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// truthSchema is a grid table for truth tests: every combination of NULL
// and the values around the boundaries the conditions below compare
// with, and a child table with a nullable column for tests of
// conditions across tables.
const truthSchema = `
CREATE TABLE t (id INT NOT NULL, x INT, y DOUBLE, s VARCHAR(8), d DATE, k INT NOT NULL, PRIMARY KEY (id));
CREATE TABLE u (id INT NOT NULL, t_id INT NOT NULL, z INT, PRIMARY KEY (id),
  FOREIGN KEY (t_id) REFERENCES t (id));`

// truthDB builds the grid: x in {NULL, 59, 60, 61}, y in {NULL, 9.5, 10,
// 10.5}, s in {NULL, 'a', 'abc', 'z'}, d in {NULL, 2001-06-01,
// 2002-06-01}, k = id mod 3; u holds id mod 3 rows per t row with z in
// {NULL, 1, 2}.
func truthDB(t *testing.T) *datasets.DB {
	schema, err := catalog.ParseSchema(truthSchema)
	testutil.Must(t, err)
	db := datasets.NewDB(schema)
	date := func(y int) catalog.Datum { return catalog.Int(time.Date(y, 6, 1, 0, 0, 0, 0, time.UTC).Unix()) }
	xs := []catalog.Datum{catalog.Null, catalog.Int(59), catalog.Int(60), catalog.Int(61)}
	ys := []catalog.Datum{catalog.Null, catalog.Float(9.5), catalog.Float(10), catalog.Float(10.5)}
	ss := []catalog.Datum{catalog.Null, catalog.String("a"), catalog.String("abc"), catalog.String("z")}
	ds := []catalog.Datum{catalog.Null, date(2001), date(2002)}
	zs := []catalog.Datum{catalog.Null, catalog.Int(1), catalog.Int(2)}
	id, uid := int64(0), int64(0)
	for _, x := range xs {
		for _, y := range ys {
			for _, s := range ss {
				for _, d := range ds {
					id++
					testutil.Must(t, db.Tables[0].AppendRow([]catalog.Datum{catalog.Int(id), x, y, s, d, catalog.Int(id % 3)}))
					for j := range id % 3 {
						uid++
						testutil.Must(t, db.Tables[1].AppendRow([]catalog.Datum{catalog.Int(uid), catalog.Int(id), zs[(id+j)%3]}))
					}
				}
			}
		}
	}
	return db
}

// truthConds are the conditions under test: comparisons at their
// boundaries, AND / OR / NOT, functions, two columns, nested tests.
var truthConds = []string{
	"x > 60",
	"x >= 60",
	"x <> 60",
	"y = 10",
	"y BETWEEN 9.5 AND 10",
	"s LIKE 'a%'",
	"s IN ('a', 'z')",
	"x = 60 AND y > 9.5",
	"x < 60 OR s = 'z'",
	"NOT (x > 59 OR y < 10)",
	"YEAR(d) = 2001 OR s IS NULL",
	"y < x",
	"(x > 60) IS NOT TRUE OR y IS NOT FALSE",
	"k = 1 AND (x = 61 OR s <> 'abc')",
}

// truthCrossConds mix t and u (residual filters).
var truthCrossConds = []string{
	"t.x > 60 OR u.z = 1",
	"t.x = 60 AND u.z > 1",
	"NOT (t.s = 'a' OR u.z IS NULL) OR t.y > 10",
}

// TestTruthTestsAgainstServer counts (p) IS [NOT] TRUE / FALSE, alone and
// under NOT, with the engine and with the server (MariaDB's own answer),
// on a grid of NULLs and boundary values: the statement as written and
// the model's rendering. Without CARDINAL_TEST_DSN the test skips, or
// fails under CI=true.
func TestTruthTestsAgainstServer(t *testing.T) {
	dsn := os.Getenv(server.EnvTestDSN)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is empty", server.EnvTestDSN)
		}
		t.Skipf("%s is empty: no MySQL/MariaDB server to test against", server.EnvTestDSN)
	}
	ctx := context.Background()
	db := truthDB(t)
	srv, err := server.Open(ctx, dsn, server.Options{Database: "cardinal_truth_tests"})
	testutil.Must(t, err)
	t.Cleanup(func() { srv.Close() })
	_, err = srv.Load(ctx, db, server.LoadOptions{})
	testutil.Must(t, err)
	c := engine.New(db, engine.Options{})
	var stmts []string
	for _, test := range []string{"IS TRUE", "IS NOT TRUE", "IS FALSE", "IS NOT FALSE"} {
		for _, p := range truthConds {
			stmts = append(stmts,
				fmt.Sprintf("SELECT COUNT(*) FROM t WHERE (%s) %s", p, test),
				fmt.Sprintf("SELECT COUNT(*) FROM t WHERE NOT ((%s) %s)", p, test))
		}
		for _, p := range truthCrossConds {
			stmts = append(stmts,
				fmt.Sprintf("SELECT COUNT(*) FROM t, u WHERE t.id = u.t_id AND (%s) %s", p, test),
				fmt.Sprintf("SELECT COUNT(*) FROM t, u WHERE t.id = u.t_id AND NOT ((%s) %s)", p, test))
		}
	}
	distinct := map[int64]bool{}
	for _, sql := range stmts {
		q, err := features.Parse(db.Schema, sql)
		if err != nil {
			t.Errorf("%s: %v", sql, err)
			continue
		}
		got, err := c.Count(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		for _, text := range []string{sql, q.SQL()} {
			var want int64
			if err := srv.DB().QueryRowContext(ctx, text).Scan(&want); err != nil {
				t.Fatalf("%s on the server: %v", text, err)
			}
			if got != want {
				t.Errorf("engine %d, server %d\n%s", got, want, text)
			}
		}
		distinct[got] = true
	}
	// The grid must separate the tests: many different counts.
	if len(distinct) < len(stmts)/8 {
		t.Errorf("%d statements gave only %d distinct counts", len(stmts), len(distinct))
	}
	t.Logf("%d statements, engine = server on each (%d distinct counts)", len(stmts), len(distinct))
}
