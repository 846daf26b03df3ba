package indexadvisor

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets/live"
)

// liquibaseEnv names the node-liquibase 4.3.3 "dist" directory (liquibase/
// and drivers/); .ci/run installs the npm package into its cache and sets
// it.
const liquibaseEnv = "CARDINAL_LIQUIBASE"

// TestLiveLiquibase applies the generated changelog to the test server
// with the real Liquibase (update), checks that the indexes exist with
// their columns in order, and rolls back to a tag taken before (rollback),
// checking they are gone. Liquibase validates the changelog against its
// dbchangelog-4.3 XSD on parsing.
func TestLiveLiquibase(t *testing.T) {
	dsn, dist := os.Getenv("CARDINAL_TEST_DSN"), os.Getenv(liquibaseEnv)
	if dsn == "" || dist == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but CARDINAL_TEST_DSN or %s is empty: .ci/run must start MariaDB and install node-liquibase", liquibaseEnv)
		}
		t.Skipf("CARDINAL_TEST_DSN or %s is empty (npm install node-liquibase@4.3.3; point it at node_modules/node-liquibase/dist)", liquibaseEnv)
	}
	if _, err := exec.LookPath("java"); err != nil {
		t.Fatal("java not found: Liquibase needs Java (17 is installed on the CI machine)")
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

	// The table, the changeSet ids and the tag carry the run's tag: runs
	// sharing the server (and its DATABASECHANGELOG) do not collide.
	table := "ixadv_lb_tåble_" + runTag()
	schema := "CREATE TABLE `" + table + "` (`id` INT PRIMARY KEY, `order` INT, `ná'me` VARCHAR(40), `when` DATE)"
	s, err := catalog.ParseSchema(schema)
	if err != nil {
		t.Fatal(err)
	}
	name := catalog.QuoteIdent(s.Tables[0].Name)
	drop := "DROP TABLE IF EXISTS " + name
	for _, stmt := range []string{drop, schema} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	defer db.ExecContext(context.Background(), drop)
	n := 3000
	cols := []catalog.ColumnData{{Ints: make([]int64, n)}, {Ints: make([]int64, n)}, {Codes: make([]uint32, n), Dict: []string{"a", "b'c", "d"}}, {Ints: make([]int64, n)}}
	for i := range n {
		cols[0].Ints[i], cols[1].Ints[i], cols[2].Codes[i], cols[3].Ints[i] = int64(i), int64(i%300), uint32(i%3), 1_600_000_000+86400*int64(i%50)
	}
	cat, err := catalog.Build(s, memSource{rows: n, cols: cols}, catalog.StatsOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := live.ParseSQLFile(strings.NewReader(
		"SELECT * FROM `"+table+"` WHERE `order` = 7 AND `ná'me` = 'b''c';\n"+
			"SELECT `id` FROM `"+table+"` WHERE `when` = '2020-09-14' ORDER BY `order` LIMIT 3;\n"), "lb.sql")
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWorkload(s, stmts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := RecommendIndex(ctx, w, Options{Catalog: cat, Author: "cardinal-test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Indexes) == 0 {
		t.Fatal("nothing recommended")
	}
	dir := t.TempDir()
	var xmlb bytes.Buffer
	if err := r.Liquibase(&xmlb, "ixadv-"+runTag()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "changelog.xml"), xmlb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) {
		t.Helper()
		cp := strings.Join([]string{filepath.Join(dist, "liquibase", "liquibase.jar"), filepath.Join(dist, "liquibase", "lib", "*"),
			filepath.Join(dist, "drivers", "mariadb-java-client-2.5.3.jar")}, string(os.PathListSeparator))
		base := []string{"-cp", cp, "liquibase.integration.commandline.Main", "--changeLogFile=changelog.xml",
			"--url=jdbc:mariadb://" + cfg.Addr + "/" + cfg.DBName, "--username=" + cfg.User, "--password=" + cfg.Passwd, "--logLevel=warning"}
		cmd := exec.CommandContext(ctx, "java", append(base, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("liquibase %v: %v\n%s\nchangelog:\n%s", args, err, out, xmlb.String())
		}
	}
	indexes := func() map[string][]string {
		ss, err := live.LoadSchema(ctx, db, "")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		for _, ix := range ss.Schema.Table(s.Tables[0].Name).Indexes {
			out[ix.Name] = ix.ColumnNames()
		}
		return out
	}
	run("tag", "ixadv-before-"+runTag())
	run("update")
	got := indexes()
	for _, rec := range r.Indexes {
		if !slices.Equal(got[rec.Name], rec.Columns) {
			t.Errorf("after update: index %q has columns %v, want %v (server: %v)", rec.Name, got[rec.Name], rec.Columns, got)
		}
	}
	run("rollback", "ixadv-before-"+runTag())
	if got := indexes(); len(got) != 0 {
		t.Errorf("after rollback: indexes %v remain", got)
	}
}
