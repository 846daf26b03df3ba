package live_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/live"
	"github.com/cardinaldb/cardinal/features"
)

func ExampleRedactDSN() {
	fmt.Println(live.RedactDSN("app:s3cr3t@tcp(db.internal:3306)/shop?charset=utf8mb4"))
	fmt.Println(live.RedactDSN("mysql://app:s3cr3t@db.internal/shop"))
	fmt.Println(live.RedactDSN("app@unix(/run/mysqld/mysqld.sock)/shop"))
	// Output:
	// app:xxxxx@tcp(db.internal:3306)/shop?charset=utf8mb4
	// mysql://app:xxxxx@db.internal/shop
	// app@unix(/run/mysqld/mysqld.sock)/shop
}

func ExampleParseSlowLog() {
	log := `# Time: 2024-05-01T10:00:00.123456Z
# User@Host: app[app] @ localhost []  Id:     8
# Query_time: 0.250000  Lock_time: 0.000002 Rows_sent: 1  Rows_examined: 20000
use shop;
SET timestamp=1714557600;
SELECT COUNT(*)
  FROM flights
 WHERE delay > 60;
`
	stmts, err := live.ParseSlowLog(strings.NewReader(log), "slow.log")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range stmts {
		fmt.Printf("line %d db=%s time=%v examined=%d\n%s\n", s.Line, s.Database, s.Latency, s.RowsExamined, s.SQL)
	}
	// Output:
	// line 6 db=shop time=250ms examined=20000
	// SELECT COUNT(*)
	//   FROM flights
	//  WHERE delay > 60
}

func ExampleParseSQLFile() {
	stmts, err := live.ParseSQLFile(strings.NewReader("SELECT 1 FROM t; -- done\nSELECT 'a;b' FROM u"), "w.sql")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range stmts {
		fmt.Printf("%d: %s\n", s.Line, s.SQL)
	}
	// Output:
	// 1: SELECT 1 FROM t
	// 2: SELECT 'a;b' FROM u
}

func ExampleCheckReadOnly() {
	fmt.Println(live.CheckReadOnly("SELECT COUNT(*) FROM `flights` WHERE `delay` > 60"))
	fmt.Println(live.CheckReadOnly("DELETE FROM flights"))
	// Output:
	// <nil>
	// statement refused by the read-only guard: DELETE statement: "DELETE FROM flights"
}

func ExampleWithTimeLimit() {
	q := "SELECT COUNT(*) FROM `flights` AS `flights`"
	my, _ := live.WithTimeLimit(live.FlavourMySQL, q, 10*time.Second)
	maria, _ := live.WithTimeLimit(live.FlavourMariaDB, q, 10*time.Second)
	fmt.Println(my)
	fmt.Println(maria)
	// Output:
	// SELECT /*+ MAX_EXECUTION_TIME(10000) */ COUNT(*) FROM `flights` AS `flights`
	// SET STATEMENT max_statement_time=10 FOR SELECT COUNT(*) FROM `flights` AS `flights`
}

func ExamplePlanRows() {
	plan := `{"query_block": {"select_id": 1, "nested_loop": [
	  {"table": {"table_name": "routes", "rows": 5366, "filtered": 100}},
	  {"table": {"table_name": "flights", "rows": 4, "filtered": 10}}]}}`
	rows, err := live.PlanRows(live.FlavourMariaDB, []byte(plan))
	fmt.Println(rows, err)
	// Output:
	// 2146.4 <nil>
}

// ExampleCollect labels a captured workload with true counts from a server
// (it needs one: CARDINAL_DSN).
func ExampleCollect() {
	dsn := os.Getenv(live.EnvDSN)
	if dsn == "" {
		return
	}
	ctx := context.Background()
	db, flavour, err := live.Open(ctx, dsn, live.OpenOptions{})
	if err != nil {
		fmt.Println(err) // never shows the password
		return
	}
	defer db.Close()
	ss, err := live.LoadSchema(ctx, db, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := os.Open("slow.log")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	stmts, err := live.ParseSlowLog(f, "slow.log")
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := live.Collect(ctx, db, ss.Schema, live.Merge(stmts), live.CollectOptions{
		Out: "labels.jsonl", Flavour: flavour, Database: ss.Database, Timeout: 10 * time.Second,
	})
	fmt.Println(rep.Labelled, rep.Skipped, err)
}

// ExampleSampleCatalog builds catalog statistics of a server's tables from
// a 10,000-row sample per table.
func ExampleSampleCatalog() {
	dsn := os.Getenv(live.EnvDSN)
	if dsn == "" {
		return
	}
	ctx := context.Background()
	db, _, err := live.Open(ctx, dsn, live.OpenOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	ss, err := live.LoadSchema(ctx, db, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	cat, err := live.SampleCatalog(ctx, db, ss.Schema, live.SampleOptions{Rows: 10000, Seed: 1}, catalog.StatsOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, t := range cat.Schema.Tables {
		fmt.Println(t.Name, cat.Stats[i].Rows)
	}
}

// ExampleExplainEstimator compares the server optimizer's estimate with
// the true count.
func ExampleExplainEstimator() {
	dsn := os.Getenv(live.EnvDSN)
	if dsn == "" {
		return
	}
	ctx := context.Background()
	db, flavour, err := live.Open(ctx, dsn, live.OpenOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	ss, err := live.LoadSchema(ctx, db, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	parsed, _ := live.Classify(ss.Schema, "", []live.Statement{{SQL: "SELECT * FROM flights WHERE delay > 60", Count: 1}})
	if len(parsed) == 0 {
		return
	}
	est, err := live.NewExplainEstimator(db, flavour).EstimateContext(ctx, parsed[0].Query)
	fmt.Println(est.Rows, err)
}

func ExampleMerge() {
	stmts := []live.Statement{
		{SQL: "SELECT 1 FROM t", Count: 1, Latency: 2 * time.Millisecond, RowsExamined: 10},
		{SQL: "SELECT 2 FROM t", Count: 1},
		{SQL: "SELECT 1 FROM t", Count: 1, Latency: 4 * time.Millisecond, RowsExamined: 10},
	}
	for _, s := range live.Merge(stmts) {
		fmt.Println(s.SQL, s.Count, s.Latency, s.RowsExamined)
	}
	// Output:
	// SELECT 1 FROM t 2 6ms 20
	// SELECT 2 FROM t 1 0s 0
}

func ExampleClassify() {
	stmts := []live.Statement{
		{SQL: "SELECT * FROM flights WHERE delay > 60", Count: 5},
		{SQL: "SELECT * FROM flights f WHERE f.delay > ANY (SELECT delay FROM flights)", Count: 2},
		{SQL: "DELETE FROM flights WHERE id = 1", Count: 1},
	}
	parsed, skipped := live.Classify(datasets.FlightsSchema(), "", stmts)
	for _, p := range parsed {
		fmt.Println("countable:", live.CountSQL(p.Query))
	}
	for _, s := range skipped {
		fmt.Printf("skipped %d (%d executions): %s\n", s.Statements, s.Executions, s.Reason)
	}
	// Output:
	// countable: SELECT COUNT(*) FROM `flights` AS `flights` WHERE `flights`.`delay` > 60
	// skipped 1 (2 executions): unsupported ANY/ALL subquery
	// skipped 1 (1 executions): not a SELECT: DELETE
}

// ExampleLoadDB copies a server's tables into memory (needs CARDINAL_DSN).
func ExampleLoadDB() {
	dsn := os.Getenv(live.EnvDSN)
	if dsn == "" {
		return
	}
	db, err := live.LoadDB(context.Background(), dsn, live.LoadOptions{})
	if err != nil {
		fmt.Println(err) // never shows the password
		return
	}
	for _, t := range db.Tables {
		fmt.Println(t.Def.Name, t.Rows)
	}
}

// ExampleCaptureDigests reads the server's statement digests (needs
// CARDINAL_DSN and SELECT on performance_schema).
func ExampleCaptureDigests() {
	dsn := os.Getenv(live.EnvDSN)
	if dsn == "" {
		return
	}
	ctx := context.Background()
	db, _, err := live.Open(ctx, dsn, live.OpenOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	stmts, err := live.CaptureDigests(ctx, db, live.DigestOptions{Limit: 100})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range stmts {
		fmt.Println(s.Count, s.Latency, s.SQL)
	}
}

func ExampleGroupsSQL() {
	q, err := features.Parse(datasets.FlightsSchema(), "SELECT origin, COUNT(*) FROM flights WHERE delay > 15 GROUP BY origin ORDER BY 2 DESC LIMIT 10")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(live.CountSQL(q))  // labels the rows of FROM + WHERE
	fmt.Println(live.GroupsSQL(q)) // labels the groups
	// Output:
	// SELECT COUNT(*) FROM `flights` AS `flights` WHERE `flights`.`delay` > 15
	// SELECT COUNT(*) FROM (SELECT COUNT(*) FROM `flights` AS `flights` WHERE `flights`.`delay` > 15 GROUP BY `flights`.`origin`) AS cardinal_groups
}
