package jobdata_test

import (
	"context"
	"fmt"
	"os"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/jobdata"
	"github.com/cardinaldb/cardinal/datasets/jobqueries"
	"github.com/cardinaldb/cardinal/features"
)

// Count JOB 1a on the synthetic IMDB.
func ExampleSynthetic() {
	b, err := os.ReadFile("../../features/testdata/job_schema.sql")
	if err != nil {
		panic(err)
	}
	schema, err := catalog.ParseSchema(string(b))
	if err != nil {
		panic(err)
	}
	db, err := jobdata.Synthetic(schema, jobdata.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	jq, _ := jobqueries.ByName("1a")
	q, err := features.Parse(schema, jq.SQL)
	if err != nil {
		panic(err)
	}
	n, err := engine.Count(context.Background(), db, q)
	if err != nil {
		panic(err)
	}
	fmt.Println(db.Tables[schema.TableIndex("title")].Rows, "titles;", "JOB 1a:", n, "rows")
	// Output:
	// 1500 titles; JOB 1a: 27 rows
}
