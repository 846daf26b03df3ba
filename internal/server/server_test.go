package server

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/live"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/testutil"
	"github.com/go-sql-driver/mysql"
)

// testDSN returns the private test server's DSN. Without one the
// integration tests skip, except under CI=true, where they fail.
func testDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(EnvTestDSN)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is empty: .ci/run must start MariaDB and set it", EnvTestDSN)
		}
		t.Skipf("%s is empty: no MySQL/MariaDB server to test against (bash .ci/mariadb.sh start)", EnvTestDSN)
	}
	return dsn
}

func open(t *testing.T, database string) *Server {
	t.Helper()
	s, err := Open(context.Background(), testDSN(t), Options{Database: database})
	testutil.Must(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// TestLoadTPCH loads the TPC-H test sub-scale, checks the server's counts
// against the engine's (plain and STRAIGHT_JOIN), that a second Load
// skips, and that a time limit stops a long statement.
func TestLoadTPCH(t *testing.T) {
	ctx := context.Background()
	db := testutil.TPCH(t)
	s := open(t, "cardinal_test_server_tpch")
	rep, err := s.Load(ctx, db, LoadOptions{ForeignKeyIndexes: true})
	testutil.Must(t, err)
	t.Logf("load: %+v", rep)
	again, err := s.Load(ctx, db, LoadOptions{ForeignKeyIndexes: true})
	testutil.Must(t, err)
	if !again.Skipped || again.Fingerprint != rep.Fingerprint {
		t.Fatalf("second load of the same data: %+v, want Skipped", again)
	}
	for _, tab := range db.Tables {
		tm, err := s.Time(ctx, "SELECT COUNT(*) FROM "+tab.Def.Name, TimeOptions{Runs: 1, Warmups: -1})
		testutil.Must(t, err)
		if !tm.HasCount || tm.Count != int64(tab.Rows) {
			t.Fatalf("%s: server counts %d (HasCount %v), want %d", tab.Def.Name, tm.Count, tm.HasCount, tab.Rows)
		}
	}
	ix, err := s.SecondaryIndexes(ctx)
	testutil.Must(t, err)
	// Ten foreign keys, three of them prefixes of a primary key
	// (l_orderkey, ps_partkey) or of a longer foreign key (l_partkey of
	// (l_partkey, l_suppkey)).
	if len(ix) != 7 {
		t.Errorf("secondary indexes after a ForeignKeyIndexes load: %d %+v, want 7", len(ix), ix)
	}

	q7 := `SELECT COUNT(*) FROM supplier s JOIN lineitem l ON s.s_suppkey = l.l_suppkey
		JOIN orders o ON o.o_orderkey = l.l_orderkey JOIN customer c ON c.c_custkey = o.o_custkey
		JOIN nation n1 ON s.s_nationkey = n1.n_nationkey JOIN nation n2 ON c.c_nationkey = n2.n_nationkey
		WHERE n1.n_name = 'FRANCE' AND n2.n_name = 'GERMANY' AND l.l_shipdate BETWEEN '1995-01-01' AND '1996-12-31'`
	q, err := features.Parse(db.Schema, q7)
	testutil.Must(t, err)
	want, err := engine.New(db, engine.Options{}).Count(ctx, q)
	testutil.Must(t, err)
	straight := `SELECT STRAIGHT_JOIN COUNT(*) FROM nation n1 JOIN supplier s ON s.s_nationkey = n1.n_nationkey
		JOIN lineitem l ON s.s_suppkey = l.l_suppkey JOIN orders o ON o.o_orderkey = l.l_orderkey
		JOIN customer c ON c.c_custkey = o.o_custkey JOIN nation n2 ON c.c_nationkey = n2.n_nationkey
		WHERE n1.n_name = 'FRANCE' AND n2.n_name = 'GERMANY' AND l.l_shipdate BETWEEN '1995-01-01' AND '1996-12-31'`
	for _, sql := range []string{q7, straight} {
		tm, err := s.Time(ctx, sql, TimeOptions{Runs: 3})
		testutil.Must(t, err)
		if tm.Count != want || want == 0 {
			t.Errorf("server counts %d, engine %d (want equal, non-zero): %s", tm.Count, want, sql)
		}
		if len(tm.Runs) != 3 || tm.Min <= 0 || tm.Median < tm.Min {
			t.Errorf("timing %+v", tm)
		}
		t.Logf("%v median, %d rows: %.60s", tm.Median, tm.Count, sql)
	}

	slow := "SELECT COUNT(*) FROM lineitem a JOIN lineitem b ON a.l_quantity < b.l_quantity"
	tm, err := s.Time(ctx, slow, TimeOptions{Runs: 1, Warmups: -1, Limit: 200 * time.Millisecond})
	if !errors.Is(err, ErrTimeout) || !tm.TimedOut || len(tm.Runs) != 1 || tm.Runs[0] < 200*time.Millisecond {
		t.Fatalf("statement past its limit: %+v, %v; want ErrTimeout and a censored run", tm, err)
	}
	if _, err := s.Time(ctx, "DELETE FROM lineitem", TimeOptions{}); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("DELETE through Time: %v, want ErrNotAllowed", err)
	}
}

// TestLoadRoundTrip loads data with NULLs, dates, datetimes, floats and
// strings needing escapes, reads it back with live.LoadDB and compares.
func TestLoadRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, err := datasets.Ecommerce(ctx, datasets.EcommerceOptions{Scale: 0.02, Seed: 5})
	testutil.Must(t, err)
	// Strings the LOAD DATA format must escape.
	names := db.Table("customers").Cols[1]
	for i, s := range []string{"tab\there", "new\nline", `back\slash`, "nul\x00byte", "carriage\rreturn", `\N`, "ünïcödé ✓", ""} {
		names.Codes[i] = names.Intern(s)
	}
	s := open(t, "cardinal_test_server_rt")
	// Chunks of 700 rows: every table but the smallest is loaded in
	// several LOAD DATA statements, some of them side by side.
	_, err = s.Load(ctx, db, LoadOptions{Force: true, SkipAnalyze: true, Workers: 3, chunkRows: 700})
	testutil.Must(t, err)
	cfg, err := mysql.ParseDSN(testDSN(t))
	testutil.Must(t, err)
	cfg.DBName = s.Database()
	back, err := live.LoadDB(ctx, cfg.FormatDSN(), live.LoadOptions{})
	testutil.Must(t, err)
	same := &datasets.DB{Schema: db.Schema}
	for _, tab := range db.Tables {
		b := back.Table(tab.Def.Name)
		if b == nil {
			t.Fatalf("table %s not on the server", tab.Def.Name)
		}
		same.Tables = append(same.Tables, b)
	}
	if err := db.Diff(same); err != nil {
		t.Fatal(err)
	}
}

// TestExecDDL builds and drops an index through the guarded DDL path.
func TestExecDDL(t *testing.T) {
	ctx := context.Background()
	db := testutil.TPCH(t)
	s := open(t, "cardinal_test_server_tpch")
	_, err := s.Load(ctx, db, LoadOptions{ForeignKeyIndexes: true})
	testutil.Must(t, err)
	has := func(name string) bool {
		ix, err := s.SecondaryIndexes(ctx)
		testutil.Must(t, err)
		for _, i := range ix {
			if i.Name == name {
				return true
			}
		}
		return false
	}
	testutil.Must(t, s.ExecDDL(ctx, "ALTER TABLE `orders` ADD INDEX `ix_test_date` (`o_orderdate`, `o_totalprice`), ALGORITHM=INPLACE, LOCK=NONE"))
	if !has("ix_test_date") {
		t.Fatal("index not created")
	}
	testutil.Must(t, s.ExecDDL(ctx, "ALTER TABLE `orders` DROP INDEX `ix_test_date`"))
	if has("ix_test_date") {
		t.Fatal("index not dropped")
	}
}

func TestCheckDDL(t *testing.T) {
	ok := []string{
		"CREATE INDEX ix ON t (a, b(10))",
		"CREATE UNIQUE INDEX ix ON db1.t (a)",
		"DROP INDEX ix ON t",
		"ALTER TABLE t ADD INDEX ix (a), ADD KEY iy (b DESC), ALGORITHM=INPLACE, LOCK=NONE",
		"ALTER TABLE t DROP INDEX ix",
		"ANALYZE TABLE t, u",
	}
	for _, s := range ok {
		if err := checkDDL(s, "db1"); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	bad := []string{
		"DROP TABLE t",
		"ALTER TABLE t ADD COLUMN c INT",
		"ALTER TABLE t ADD INDEX ix (a), DROP COLUMN b",
		"ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u (b)",
		"CREATE INDEX ix ON other.t (a)",
		"ANALYZE TABLE other.t",
		"DELETE FROM t",
		"CREATE INDEX ix ON t (a); DROP TABLE t",
		"CREATE INDEX",
	}
	for _, s := range bad {
		if err := checkDDL(s, "db1"); !errors.Is(err, ErrNotAllowed) {
			t.Errorf("%s: got %v, want ErrNotAllowed", s, err)
		}
	}
}

func TestWithLimit(t *testing.T) {
	cases := []struct {
		f    live.Flavour
		in   string
		want string
	}{
		{live.FlavourMariaDB, "SELECT COUNT(*) FROM t;", "SET STATEMENT max_statement_time=1.5 FOR SELECT COUNT(*) FROM t"},
		{live.FlavourMySQL, "SELECT COUNT(*) FROM t", "SELECT /*+ MAX_EXECUTION_TIME(1500) */ COUNT(*) FROM t"},
		{live.FlavourMySQL, "SELECT /*+ JOIN_ORDER(a, b) */ COUNT(*) FROM a JOIN b", "SELECT /*+ MAX_EXECUTION_TIME(1500) JOIN_ORDER(a, b) */ COUNT(*) FROM a JOIN b"},
	}
	for _, c := range cases {
		got, err := withLimit(c.f, c.in, 1500*time.Millisecond)
		testutil.Must(t, err)
		if got != c.want {
			t.Errorf("%v %q:\n got %q\nwant %q", c.f, c.in, got, c.want)
		}
	}
	if _, err := withLimit(live.FlavourUnknown, "SELECT 1", time.Second); !errors.Is(err, live.ErrFlavour) {
		t.Errorf("unknown flavour: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, name := range []string{"x;drop", "a-b", strings.Repeat("a", 65)} {
		if _, err := Open(context.Background(), "u:p@tcp(127.0.0.1:1)/db", Options{Database: name}); !errors.Is(err, ErrName) {
			t.Errorf("database %q: %v, want ErrName", name, err)
		}
	}
	_, err := Open(context.Background(), "u:s3cret@tcp(127.0.0.1:1)/db", Options{})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("unreachable server: %v (want an error without the password)", err)
	}
}
