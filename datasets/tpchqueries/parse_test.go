package tpchqueries

import (
	"errors"
	"fmt"
	"testing"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cockroachdb/datadriven"
)

// parseReport is what testdata/parse.txt records of one query: the
// model's canonical SQL, or the typed error with the construct and its
// position.
func parseReport(t *testing.T, q Query) string {
	schema := datasets.TPCHSchema(true)
	pq, err := features.Parse(schema, q.SQL)
	if err != nil {
		var pe *features.Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v is not a *features.Error", q.Name, err)
			return "untyped error: " + err.Error()
		}
		if pe.Line == 0 || pe.Construct == "" {
			t.Errorf("%s: error %v names no construct or position", q.Name, err)
		}
		return fmt.Sprintf("error: %s at line %d:%d\n%v", pe.Construct, pe.Line, pe.Col, err)
	}
	return "sql: " + pq.SQL()
}

// TestParseReport runs testdata/parse.txt: for each TPC-H query, what the
// query model understood of it or the typed error naming the construct it
// stopped at. Regenerate with go test ./datasets/tpchqueries -rewrite.
func TestParseReport(t *testing.T) {
	seen := map[string]bool{}
	datadriven.RunTest(t, "testdata/parse.txt", func(t *testing.T, td *datadriven.TestData) string {
		if td.Cmd != "parse" || len(td.CmdArgs) != 1 {
			t.Fatalf("%s: want \"parse qN\", have %q", td.Pos, td.Cmd)
		}
		name := td.CmdArgs[0].Key
		q, ok := ByName(name)
		if !ok {
			t.Fatalf("%s: no query %q", td.Pos, name)
		}
		seen[name] = true
		return parseReport(t, q)
	})
	for _, q := range Queries() {
		if !seen[q.Name] {
			t.Errorf("testdata/parse.txt has no case for %s", q.Name)
		}
	}
}
