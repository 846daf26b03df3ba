package features

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/datasets/jobqueries"
	"github.com/cockroachdb/datadriven"
)

// jobUnsupported lists the JOB queries the query model cannot read, each
// with the reason. It is empty: all 113 parse. A query added here must
// fail to parse (TestJOBParse fails when a listed query starts parsing).
var jobUnsupported = map[string]string{}

// jobReport is what testdata/job/parse.txt records of one JOB query: the
// canonical SQL of the model and the size of its join graph, or the error.
func jobReport(t *testing.T, name string) string {
	q, ok := jobqueries.ByName(name)
	if !ok {
		t.Fatalf("no JOB query %q", name)
	}
	out := parseOutput(t, q.SQL)
	if strings.HasPrefix(out, "error: ") {
		return out
	}
	pq, err := Parse(testSchema(), q.SQL)
	if err != nil {
		t.Fatal(err)
	}
	d := pq.Describe()
	return fmt.Sprintf("tables: %d, joins: %d, filtered tables: %d\n%s",
		len(d.Tables), len(d.Joins), len(d.Filters), strings.SplitN(out, "\n", 2)[0])
}

// TestJOBParse reads all 113 JOB queries (datasets/jobqueries) against
// testdata/job_schema.sql: testdata/job/parse.txt holds one case per
// query, in JOB's order, with the model's canonical SQL (checked to round
// trip). Regenerate with go test ./features -run JOBParse -rewrite.
func TestJOBParse(t *testing.T) {
	var names []string
	datadriven.RunTest(t, "testdata/job/parse.txt", func(t *testing.T, td *datadriven.TestData) string {
		if td.Cmd != "parse" || len(td.CmdArgs) != 1 {
			t.Fatalf("%s: want \"parse <name>\", have %q", td.Pos, td.Cmd)
		}
		name := td.CmdArgs[0].Key
		names = append(names, name)
		out := jobReport(t, name)
		failed := strings.HasPrefix(out, "error: ")
		if why, listed := jobUnsupported[name]; listed && !failed {
			t.Errorf("JOB %s is listed as unsupported (%s) but parses: remove it from jobUnsupported", name, why)
		} else if !listed && failed {
			t.Errorf("JOB %s does not parse: %s", name, out)
		}
		return out
	})
	var want []string
	for _, q := range jobqueries.Queries() {
		want = append(want, q.Name)
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("testdata/job/parse.txt has cases\n%v\nwant one per JOB query in order\n%v", names, want)
	}
}

var jobCaseName = regexp.MustCompile(`^# JOB (\d+[a-f])\b`)

// TestJOBNames checks jobqueries' naming (recovered from the source's
// file-name order) against the JOB queries testdata/parse/job.txt has
// held by name since before the extraction: the same name must be the
// same query (equal canonical SQL, literals included).
func TestJOBNames(t *testing.T) {
	b, err := os.ReadFile("testdata/parse/job.txt")
	if err != nil {
		t.Fatal(err)
	}
	s := testSchema()
	checked := 0
	name := ""
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		if m := jobCaseName.FindStringSubmatch(lines[i]); m != nil {
			name = m[1]
			continue
		}
		if lines[i] != "parse" || name == "" {
			continue
		}
		var input []string
		for i++; i < len(lines) && lines[i] != "----"; i++ {
			input = append(input, lines[i])
		}
		q, ok := jobqueries.ByName(name)
		if !ok {
			t.Fatalf("no JOB query %q", name)
		}
		want, err := Parse(s, strings.Join(input, "\n"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Parse(s, q.SQL)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.SQL() != want.SQL() { // with the literals: Digest would not tell 1a from 1b
			t.Errorf("jobqueries %s is not job.txt's %s:\n%s\n%s", name, name, got.SQL(), want.SQL())
		}
		checked++
		name = ""
	}
	if checked < 9 {
		t.Errorf("checked %d named JOB queries of testdata/parse/job.txt, want at least 9", checked)
	}
}
