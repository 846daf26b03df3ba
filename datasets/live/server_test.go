package live

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
)

// The integration tests need a server: CARDINAL_TEST_DSN names it (.ci/run
// starts a private MariaDB and sets it). Without it they skip, except under
// CI=true, where a missing server is a failure.

// testDSN returns the test server's DSN or skips/fails.
func testDSN(t *testing.T) string {
	t.Helper()
	return testEnv(t, "CARDINAL_TEST_DSN", "no MySQL/MariaDB server to test against (bash .ci/mariadb.sh start)")
}

// testEnv returns the environment variable name, skipping the test (why
// says what is missing) when it is empty, or failing it under CI=true,
// where .ci/run sets every variable the integration tests read.
func testEnv(t *testing.T, name, why string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is empty: .ci/run must start MariaDB and set it", name)
		}
		t.Skipf("%s is empty: %s", name, why)
	}
	return v
}

// adminDB opens the test server WITHOUT the read-only guard: the test
// loader's own path for CREATE TABLE and INSERT. Production code never has
// such a path.
func adminDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(RedactDSN(dsn), err)
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(2)
	t.Cleanup(func() { db.Close() })
	return db
}

// insertBatch is the number of rows per INSERT of the loader (9 columns x
// 500 rows stays far below the 65,535 placeholders of a prepared statement).
const insertBatch = 500

// createTableSQL renders t for InnoDB: columns, primary key and an index on
// each column list that foreign keys reference or use (InnoDB requires
// both), and the foreign keys of fks whose table is t.
func createTableSQL(t *catalog.Table, fks []catalog.ForeignKey) string {
	var parts []string
	for _, c := range t.Columns {
		typ := map[catalog.Type]string{catalog.TypeInt: "BIGINT", catalog.TypeFloat: "DOUBLE",
			catalog.TypeString: "VARCHAR(255)", catalog.TypeDate: "DATE", catalog.TypeDateTime: "DATETIME"}[c.Type]
		null := " NOT NULL"
		if c.Nullable {
			null = " NULL"
		}
		parts = append(parts, catalog.QuoteIdent(c.Name)+" "+typ+null)
	}
	quote := func(cols []string) string {
		q := make([]string, len(cols))
		for i, c := range cols {
			q[i] = catalog.QuoteIdent(c)
		}
		return strings.Join(q, ", ")
	}
	if len(t.PrimaryKey) > 0 {
		parts = append(parts, "PRIMARY KEY ("+quote(t.PrimaryKey)+")")
	}
	seen := map[string]bool{strings.Join(t.PrimaryKey, "\x00"): true}
	for _, fk := range fks {
		for _, side := range []struct {
			table string
			cols  []string
		}{{fk.Table, fk.Columns}, {fk.RefTable, fk.RefColumns}} {
			k := strings.Join(side.cols, "\x00")
			if strings.EqualFold(side.table, t.Name) && !seen[k] {
				seen[k] = true
				parts = append(parts, "KEY ("+quote(side.cols)+")")
			}
		}
	}
	for _, fk := range fks {
		if strings.EqualFold(fk.Table, t.Name) {
			parts = append(parts, "FOREIGN KEY ("+quote(fk.Columns)+") REFERENCES "+
				catalog.QuoteIdent(fk.RefTable)+" ("+quote(fk.RefColumns)+")")
		}
	}
	return "CREATE TABLE " + catalog.QuoteIdent(t.Name) + " (\n  " + strings.Join(parts, ",\n  ") +
		"\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
}

// loadDB (re)creates the tables of db on the server and inserts every row,
// on one connection with foreign key checks off (tables are created in
// schema order, before the tables they reference may exist).
func loadDB(ctx context.Context, admin *sql.DB, db *datasets.DB) error {
	conn, err := admin.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET SESSION foreign_key_checks = 0"); err != nil {
		return err
	}
	for _, t := range db.Schema.Tables {
		if _, err := conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+catalog.QuoteIdent(t.Name)); err != nil {
			return err
		}
	}
	for i, t := range db.Schema.Tables {
		if _, err := conn.ExecContext(ctx, createTableSQL(t, db.Schema.ForeignKeys)); err != nil {
			return fmt.Errorf("create %s: %w", t.Name, err)
		}
		tab := db.Tables[i]
		row := make([]catalog.Datum, len(t.Columns))
		for lo := 0; lo < tab.Rows; lo += insertBatch {
			hi := min(lo+insertBatch, tab.Rows)
			var b strings.Builder
			b.WriteString("INSERT INTO " + catalog.QuoteIdent(t.Name) + " VALUES ")
			args := make([]any, 0, (hi-lo)*len(t.Columns))
			for r := lo; r < hi; r++ {
				if r > lo {
					b.WriteString(",")
				}
				b.WriteString("(" + strings.TrimSuffix(strings.Repeat("?,", len(t.Columns)), ",") + ")")
				row = tab.Row(r, row)
				for j, d := range row {
					args = append(args, driverValue(d, t.Columns[j].Type))
				}
			}
			if _, err := conn.ExecContext(ctx, b.String(), args...); err != nil {
				return fmt.Errorf("insert into %s: %w", t.Name, err)
			}
		}
		// Fresh statistics now, not when InnoDB's background update gets
		// to it: plans (and so count times and EXPLAIN) depend on them.
		rows, err := conn.QueryContext(ctx, "ANALYZE TABLE "+catalog.QuoteIdent(t.Name))
		if err != nil {
			return fmt.Errorf("analyze %s: %w", t.Name, err)
		}
		rows.Close()
	}
	return nil
}

func driverValue(d catalog.Datum, t catalog.Type) any {
	switch d.Kind {
	case catalog.KindNull:
		return nil
	case catalog.KindFloat:
		return d.F
	case catalog.KindString:
		return d.S
	}
	if t == catalog.TypeDate || t == catalog.TypeDateTime {
		return d.Format(t)
	}
	return d.I
}

// flightsServer is the flights data on the test server: it loads the data
// unless the server already holds the right row counts.
type flightsServer struct {
	db      *sql.DB // guarded use only (Open)
	admin   *sql.DB
	flavour Flavour
	data    *datasets.DB
	dsn     string
}

func newFlightsServer(t *testing.T) *flightsServer {
	t.Helper()
	dsn := testDSN(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	data, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	admin := adminDB(t, dsn)
	want := map[string]int{"flights": datasets.FlightsRows, "airports": datasets.AirportsRows, "routes": datasets.RoutesRows}
	loaded := true
	for name, n := range want {
		var got int
		if err := admin.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+catalog.QuoteIdent(name)).Scan(&got); err != nil || got != n {
			loaded = false
		}
	}
	if !loaded {
		start := time.Now()
		if err := loadDB(ctx, admin, data); err != nil {
			t.Fatalf("load flights: %v", err)
		}
		t.Logf("loaded flights into the server in %v", time.Since(start).Round(time.Millisecond))
	}
	db, flavour, err := Open(ctx, dsn, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &flightsServer{db: db, admin: admin, flavour: flavour, data: data, dsn: dsn}
}
