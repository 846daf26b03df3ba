package indexadvisor

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets/live"
)

// hostileSchema has names with backticks, quotes, unicode and a 60-rune
// column name (index names must be cut to 64).
const hostileSchema = "CREATE TABLE `ixadv_wé``ird \"t'ab✈` (`i``d` INT PRIMARY KEY, `ná'me \"q\"` VARCHAR(40), " +
	"`aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa` INT, `ü` INT)"

func hostileRecommendation(t *testing.T) (*Recommendation, *catalog.Schema) {
	t.Helper()
	s, err := catalog.ParseSchema(hostileSchema)
	if err != nil {
		t.Fatal(err)
	}
	tb := s.Tables[0]
	n := 5000
	ints := make([]int64, n)
	codes := make([]uint32, n)
	long := make([]int64, n)
	u := make([]int64, n)
	for i := range n {
		ints[i], codes[i], long[i], u[i] = int64(i), uint32(i%500), int64(i%1000), int64(i%7)
	}
	dict := make([]string, 500)
	for i := range dict {
		dict[i] = "n`a'm\"e ✈ " + strings.Repeat("x", i%9)
	}
	src := memSource{rows: n, cols: []catalog.ColumnData{{Ints: ints}, {Codes: codes, Dict: dict}, {Ints: long}, {Ints: u}}}
	cat, err := catalog.Build(s, src, catalog.StatsOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := catalog.QuoteIdent
	wl := "SELECT * FROM " + q(tb.Name) + " WHERE " + q(tb.Columns[1].Name) + " = 'n`a''m\"e ✈ x' AND " + q(tb.Columns[2].Name) + " = 3;\n" +
		"SELECT " + q(tb.Columns[3].Name) + " FROM " + q(tb.Name) + " WHERE " + q(tb.Columns[2].Name) + " = 17 ORDER BY " + q(tb.Columns[3].Name) + " LIMIT 5;\n"
	stmts, err := live.ParseSQLFile(strings.NewReader(wl), "hostile.sql")
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWorkload(s, stmts)
	if err != nil {
		t.Fatalf("%v (skipped %+v)", err, w)
	}
	r, err := RecommendIndex(context.Background(), w, Options{Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Indexes) == 0 {
		t.Fatal("no index recommended for the hostile workload")
	}
	return r, s
}

type memSource struct {
	rows int
	cols []catalog.ColumnData
}

func (m memSource) NumRows(int) int                        { return m.rows }
func (m memSource) ColumnData(_, c int) catalog.ColumnData { return m.cols[c] }

// TestDDLParsesAndQuotes: every generated statement parses with the TiDB
// parser as ALTER TABLE ... ADD INDEX naming the hostile table and
// columns exactly, and index names stay within 64 characters.
func TestDDLParsesAndQuotes(t *testing.T) {
	r, s := hostileRecommendation(t)
	var b bytes.Buffer
	if err := r.DDL(&b); err != nil {
		t.Fatal(err)
	}
	stmts, _, err := parser.New().ParseSQL(b.String())
	if err != nil {
		t.Fatalf("DDL does not parse: %v\n%s", err, b.String())
	}
	if len(stmts) != len(r.Indexes) {
		t.Fatalf("%d statements for %d indexes", len(stmts), len(r.Indexes))
	}
	for i, st := range stmts {
		at, ok := st.(*ast.AlterTableStmt)
		if !ok || at.Table.Name.O != s.Tables[0].Name {
			t.Fatalf("statement %d: %T on %v", i, st, at)
		}
		c := at.Specs[0].Constraint
		if c == nil || c.Name != r.Indexes[i].Name || len([]rune(c.Name)) > MaxIdentLen {
			t.Fatalf("statement %d: index %+v, want name %q", i, c, r.Indexes[i].Name)
		}
		for k, key := range c.Keys {
			if key.Column.Name.O != r.Indexes[i].Columns[k] {
				t.Errorf("statement %d column %d: %q, want %q", i, k, key.Column.Name.O, r.Indexes[i].Columns[k])
			}
		}
	}
	var lb bytes.Buffer
	if err := r.Liquibase(&lb, ""); err != nil {
		t.Fatal(err)
	}
	var back lbChangeLog
	if err := xml.Unmarshal(lb.Bytes(), &back); err != nil || len(back.ChangeSets) != len(r.Indexes) {
		t.Fatalf("Liquibase XML does not round-trip: %v\n%s", err, lb.String())
	}
	if back.ChangeSets[0].CreateIndex.TableName != s.Tables[0].Name {
		t.Errorf("Liquibase table %q", back.ChangeSets[0].CreateIndex.TableName)
	}
}

// TestLiveDDLRunsOnServer creates the hostile table on the test server,
// applies the generated DDL, checks the indexes exist with their columns
// in order (information_schema.STATISTICS via live.LoadSchema), and drops
// them again.
func TestLiveDDLRunsOnServer(t *testing.T) {
	dsn := liveDSN(t, "run the DDL on")
	r, s := hostileRecommendation(t)
	// A table of its own per run: runs sharing the server do not collide.
	s.Tables[0].Name += "_" + runTag()
	for i := range r.Indexes {
		r.Indexes[i].Table = s.Tables[0].Name
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	ctx := context.Background()
	name := catalog.QuoteIdent(s.Tables[0].Name)
	drop := "DROP TABLE IF EXISTS " + name
	if _, err := db.ExecContext(ctx, drop); err != nil {
		t.Fatal(err)
	}
	defer db.ExecContext(context.Background(), drop)
	if _, err := db.ExecContext(ctx, strings.Replace(s.SQL(), "VARCHAR(255)", "VARCHAR(40)", -1)); err != nil {
		t.Fatal(err)
	}
	for _, rec := range r.Indexes {
		if _, err := db.ExecContext(ctx, AddIndexSQL(rec)); err != nil {
			t.Fatalf("%s: %v", AddIndexSQL(rec), err)
		}
	}
	ss, err := live.LoadSchema(ctx, db, "")
	if err != nil {
		t.Fatal(err)
	}
	got := ss.Schema.Table(s.Tables[0].Name)
	if got == nil {
		t.Fatal("table not found on the server")
	}
	for _, rec := range r.Indexes {
		i := -1
		for k, ix := range got.Indexes {
			if ix.Name == rec.Name {
				i = k
			}
		}
		if i < 0 || strings.Join(got.Indexes[i].ColumnNames(), "\x00") != strings.Join(rec.Columns, "\x00") {
			t.Errorf("index %q not on the server as %v: %+v", rec.Name, rec.Columns, got.Indexes)
		}
		if _, err := db.ExecContext(ctx, DropIndexSQL(rec.Table, rec.Name)); err != nil {
			t.Errorf("%s: %v", DropIndexSQL(rec.Table, rec.Name), err)
		}
	}
}
