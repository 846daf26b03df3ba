package features

import (
	"os"

	"github.com/cardinaldb/cardinal/catalog"
)

// testSchema parses testdata/job_schema.sql: a JOB/IMDB-like snowflake
// schema plus a table with every column type and awkward identifiers.
func testSchema() *catalog.Schema {
	b, err := os.ReadFile("testdata/job_schema.sql")
	if err != nil {
		panic(err)
	}
	s, err := catalog.ParseSchema(string(b))
	if err != nil {
		panic(err)
	}
	return s
}
