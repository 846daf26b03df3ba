package live

import (
	"context"
	"database/sql"
	"errors"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/internal/sqllex"
)

func TestCheckReadOnly(t *testing.T) {
	allowed := []string{
		"SELECT 1",
		"select count(*) from `flights` where `delay` > 10;",
		"  /* hint */ SELECT /*+ MAX_EXECUTION_TIME(1000) */ COUNT(*) FROM t",
		"-- comment\nSELECT a FROM t WHERE b = 'INTO OUTFILE; DROP TABLE t'",
		"SELECT `into`, `update` FROM `for` WHERE x = \"for update\"",
		"SELECT REPLACE(a, 'x', 'y'), INSERT(a, 1, 2, 'z') FROM t",
		"(SELECT 1) UNION (SELECT 2)",
		"WITH x AS (SELECT 1) SELECT * FROM x",
		"with recursive r (n) as (select 1 union select n + 1 from r where n < 3) select * from r",
		"EXPLAIN FORMAT=JSON SELECT 1 FROM t",
		"explain extended select * from t",
		"SHOW TABLES",
		"SHOW CREATE TABLE t",
		"SET STATEMENT max_statement_time=10 FOR SELECT COUNT(*) FROM t",
		"SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?",
		"SELECT DIGEST_TEXT FROM performance_schema.events_statements_summary_by_digest",
	}
	for _, s := range allowed {
		if err := CheckReadOnly(s); err != nil {
			t.Errorf("CheckReadOnly(%q) = %v, want nil", s, err)
		}
	}
	refused := []string{
		// Under NO_BACKSLASH_ESCAPES the string ends at the backslash
		// and the server runs INTO OUTFILE; under ANSI_QUOTES "..." is
		// an identifier. The guard refuses what any sql_mode would run.
		`SELECT '\' INTO OUTFILE 'x.txt' -- '`,
		`SELECT "\" INTO OUTFILE 'x.txt' -- "`,
		`SELECT a FROM t WHERE b = "\" INTO DUMPFILE '/tmp/x' -- "`,
		`SELECT '\' ; DROP TABLE t -- '`,
		"",
		"  ;",
		"DELETE FROM t",
		"UPDATE t SET a = 1",
		"INSERT INTO t VALUES (1)",
		"REPLACE INTO t VALUES (1)",
		"DROP TABLE t",
		"TRUNCATE t",
		"CREATE TABLE x (a INT)",
		"ALTER TABLE t ADD c INT",
		"GRANT ALL ON *.* TO x",
		"SET GLOBAL read_only = 0",
		"SET @a = 1",
		"SET STATEMENT max_statement_time=10 FOR DELETE FROM t",
		"SET STATEMENT sql_mode='' FOR SELECT 1",
		"SET STATEMENT max_statement_time=1e9 FOR SELECT 1",
		"LOAD DATA INFILE '/etc/passwd' INTO TABLE t",
		"CALL p()",
		"DO SLEEP(1)",
		"HANDLER t OPEN",
		"WITH x AS (SELECT 1) DELETE FROM t",
		"WITH x AS (SELECT 1) UPDATE t SET a = 1",
		"WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x",
		"WITH x AS (SELECT 1) SELECT * FROM x INTO OUTFILE '/tmp/y'",
		"WITH x AS (SELECT 1) SELECT * FROM x FOR UPDATE",
		"WITH x AS (SELECT SLEEP(10)) SELECT * FROM x",
		"SELECT 1; DELETE FROM t",
		"SELECT 1;;",
		"SELECT * FROM t INTO OUTFILE '/tmp/x'",
		"SELECT a INTO @v FROM t",
		"SELECT * FROM t FOR UPDATE",
		"SELECT * FROM t FOR SHARE",
		"SELECT * FROM t LOCK IN SHARE MODE",
		"SELECT SLEEP(10)",
		"SELECT get_lock('x', 1)",
		"SELECT NEXTVAL(s)",
		"SELECT NEXT VALUE FOR s",
		"SELECT LOAD_FILE('/etc/passwd')",
		"SELECT 1 /*! ; DROP TABLE t */",
		"/*!40101 DELETE FROM t */",
		"/*M!100000 DELETE FROM t */",
		"SELECT 'unterminated",
		"EXPLAIN ANALYZE SELECT 1",
		"EXPLAIN DELETE FROM t",
		"EXPLAIN FORMAT=JSON UPDATE t SET a = 1",
		"ANALYZE SELECT * FROM t",
		"ANALYZE TABLE t",
		"OPTIMIZE TABLE t",
		"KILL 12",
		"START TRANSACTION",
		"BEGIN",
	}
	for _, s := range refused {
		err := CheckReadOnly(s)
		if !errors.Is(err, ErrNotReadOnly) {
			t.Errorf("CheckReadOnly(%q) = %v, want ErrNotReadOnly", s, err)
		}
	}
}

// recordingQueryer records what reached it: the guard must refuse before.
type recordingQueryer struct{ got []string }

func (q *recordingQueryer) QueryContext(_ context.Context, s string, _ ...any) (*sql.Rows, error) {
	q.got = append(q.got, s)
	return nil, errors.New("recordingQueryer: no server")
}

func TestQueryRefusesBeforeDriver(t *testing.T) {
	var q recordingQueryer
	_, err := query(t.Context(), &q, "DELETE FROM flights")
	if !errors.Is(err, ErrNotReadOnly) {
		t.Fatalf("err = %v", err)
	}
	if len(q.got) != 0 {
		t.Fatalf("statement reached the driver: %q", q.got)
	}
}

// TestOnlyGuardSendsStatements parses every non-test file of the package
// and fails if anything but guard.go calls a method that sends SQL.
func TestOnlyGuardSendsStatements(t *testing.T) {
	senders := map[string]bool{
		"QueryContext": true, "ExecContext": true, "QueryRowContext": true,
		"PrepareContext": true, "Query": true, "Exec": true, "QueryRow": true, "Prepare": true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := gotoken.NewFileSet()
	checked := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") || file == "guard.go" {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, file, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && senders[sel.Sel.Name] {
				t.Errorf("%s: %s sends SQL outside the guard", fset.Position(call.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
	if checked < 5 {
		t.Fatalf("checked only %d files", checked)
	}
}

func FuzzCheckReadOnly(f *testing.F) {
	f.Add("SELECT 1")
	f.Add("SET STATEMENT max_statement_time=1 FOR SELECT 1")
	f.Add("EXPLAIN FORMAT=JSON SELECT `a` FROM `t` WHERE b = 'x;'")
	f.Add("/*!40101 DELETE */ SELECT 1")
	f.Fuzz(func(t *testing.T, stmt string) {
		err := CheckReadOnly(stmt)
		if err != nil {
			if !errors.Is(err, ErrNotReadOnly) {
				t.Fatalf("error without sentinel: %v", err)
			}
			return
		}
		switch kw := firstKeyword(stmt); kw {
		case "SELECT", "EXPLAIN", "DESCRIBE", "DESC", "SHOW", "SET":
		default:
			t.Fatalf("accepted %q starting with %q", stmt, kw)
		}
		for _, bad := range []string{"/*!", "/*M!"} {
			if strings.Contains(stmt, bad) {
				// Only inside a quoted string can it pass.
				l := sqllex.New(stmt, sqllex.Default)
				for {
					tok, ok := l.Next()
					if !ok {
						break
					}
					if tok.Kind == sqllex.ExecOpen {
						t.Fatalf("accepted executable comment in %q", stmt)
					}
				}
			}
		}
	})
}

// TestSessionSQLModePinned: sessions opened by this package run under
// PinnedSQLMode, whatever the DSN asks, so the statements lex as the
// guard read them.
func TestSessionSQLModePinned(t *testing.T) {
	dsn := testDSN(t)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	for _, d := range []string{dsn, dsn + sep + "sql_mode=%27ANSI_QUOTES,NO_BACKSLASH_ESCAPES%27"} {
		db, _, err := Open(context.Background(), d, OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var mode string
		err = queryRow(context.Background(), db, "SELECT @@SESSION.sql_mode", nil, &mode)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if mode != PinnedSQLMode {
			t.Errorf("session sql_mode %q, want %q", mode, PinnedSQLMode)
		}
	}
}
