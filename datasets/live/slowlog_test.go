package live

import (
	"errors"
	"fmt"
	"github.com/cardinaldb/cardinal/catalog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/internal/golden"
)

// renderStatements is the golden form of parsed statements.
func renderStatements(stmts []Statement) string {
	var b strings.Builder
	for _, s := range stmts {
		fmt.Fprintf(&b, "%s:%d db=%q count=%d latency=%s sent=%d examined=%d\n%s\n----\n",
			filepath.Base(s.File), s.Line, s.Database, s.Count, s.Latency, s.RowsSent, s.RowsExamined, s.SQL)
	}
	return b.String()
}

// checkGolden compares got with the golden file (rewritten under -rewrite).
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	golden.File(t, path, []byte(got))
}

func TestParseSlowLogGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/slowlog/*.log")
	if err != nil || len(files) < 2 {
		t.Fatalf("slow log fixtures: %v %v", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			stmts, err := ParseSlowLog(f, file)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, strings.TrimSuffix(file, ".log")+".golden", renderStatements(stmts))
		})
	}
}

func TestParseSlowLogMySQL8(t *testing.T) {
	f, err := os.Open("testdata/slowlog/mysql-8.0.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stmts, err := ParseSlowLog(f, "mysql-8.0.log")
	if err != nil {
		t.Fatal(err)
	}
	// Quit is an administrator command, not a statement: 3 statements.
	if len(stmts) != 3 {
		t.Fatalf("got %d statements, want 3:\n%s", len(stmts), renderStatements(stmts))
	}
	if s := stmts[0]; s.Database != "shop" || s.RowsSent != 1 || s.RowsExamined != 10 ||
		s.Latency.Microseconds() != 123 || s.SQL != "SELECT COUNT(*) FROM orders WHERE total > 10" {
		t.Errorf("first statement = %+v", s)
	}
	if s := stmts[1]; s.Database != "odd`db" || !strings.Contains(s.SQL, "# a comment line") ||
		!strings.HasSuffix(s.SQL, "BETWEEN 5 AND 50") || s.Line != 20 {
		t.Errorf("multi-line statement = %+v", s)
	}
	merged := Merge(stmts)
	if len(merged) != 2 || merged[0].Count != 2 || merged[0].RowsExamined != 20 {
		t.Errorf("Merge = %+v", merged)
	}
}

func TestParseSlowLogErrors(t *testing.T) {
	for _, tc := range []struct {
		name, log string
		line, col int
	}{
		{"bad query time", "# Time: 2024-05-01T10:00:00Z\n# User@Host: a[a] @ h []\n# Query_time: abc  Lock_time: 0 Rows_sent: 1  Rows_examined: 1\nSELECT 1;\n", 3, 15},
		{"negative rows", "# User@Host: a[a] @ h []\n# Query_time: 0.1  Lock_time: 0 Rows_sent: -4  Rows_examined: 1\nSELECT 1;\n", 2, 44},
		{"entry without statement", "# Time: 240501 10:00:00\n# User@Host: a[a] @ h []\n# Query_time: 0.1  Lock_time: 0 Rows_sent: 1  Rows_examined: 1\n# Time: 240501 10:00:01\n# User@Host: a[a] @ h []\n# Query_time: 0.1  Lock_time: 0 Rows_sent: 1  Rows_examined: 1\nSELECT 1;\n", 1, 0},
		{"text before header", "SELECT 1;\n", 1, 1},
		{"truncated at end", "# User@Host: a[a] @ h []\n# Query_time: 0.1  Lock_time: 0 Rows_sent: 1  Rows_examined: 1\nSET timestamp=1;\n", 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSlowLog(strings.NewReader(tc.log), "x.log")
			if !errors.Is(err, ErrSlowLog) {
				t.Fatalf("err = %v, want ErrSlowLog", err)
			}
			var pe *PosError
			if !errors.As(err, &pe) || pe.Line != tc.line || pe.Col != tc.col || pe.File != "x.log" {
				t.Errorf("position of %v = %d:%d, want %d:%d", err, pe.Line, pe.Col, tc.line, tc.col)
			}
		})
	}
}

func FuzzParseSlowLog(f *testing.F) {
	files, _ := filepath.Glob("testdata/slowlog/*.log")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("# User@Host: a\n# Query_time: 1e308\nSELECT 1")
	f.Add("# Query_time: 1\nSELECT COUNT(*) FROM t WHERE " + strings.Repeat("NOT ", 100000) + "a > 1;\n")
	f.Add("# Query_time: 1\nSELECT COUNT(*) FROM t WHERE " + strings.Repeat("(", 5000) + "a > 1;\n")
	schema, err := catalog.ParseSchema("CREATE TABLE t (a INT, b VARCHAR(20), c DOUBLE)")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, log string) {
		stmts, err := ParseSlowLog(strings.NewReader(log), "f.log")
		if err != nil {
			var pe *PosError
			if !errors.Is(err, ErrSlowLog) || !errors.As(err, &pe) || pe.Line < 1 {
				t.Fatalf("error without sentinel or position: %v", err)
			}
			return
		}
		for _, s := range stmts {
			if s.SQL == "" || s.Count != 1 || s.Latency < 0 || s.RowsSent < 0 || s.Line < 1 {
				t.Fatalf("bad statement %+v", s)
			}
		}
		// What collection does next: every statement parsed (the depth
		// bound keeps a deep one from overflowing the stack).
		Classify(schema, "", stmts)
	})
}

// TestParseSlowLogMariaDBVerbose reads an entry written with
// log_slow_verbosity=query_plan,explain: "# explain:" lines are headers.
func TestParseSlowLogMariaDBVerbose(t *testing.T) {
	log := `# Time: 241126 10:00:00
# User@Host: app[app] @ localhost []
# Thread_id: 5  Schema: shop  QC_hit: No
# Query_time: 0.500000  Lock_time: 0.000100  Rows_sent: 3  Rows_examined: 4000
# Rows_affected: 0  Bytes_sent: 120
# Full_scan: Yes  Full_join: No  Tmp_table: No  Tmp_table_on_disk: No
# Filesort: No  Filesort_on_disk: No  Merge_passes: 0  Priority_queue: No
#
# explain: id	select_type	table	type	possible_keys	key	key_len	ref	rows	r_rows	filtered	r_filtered	Extra
# explain: 1	SIMPLE	orders	ALL	NULL	NULL	NULL	NULL	4000	4000.00	100.00	0.07	Using where
#
SET timestamp=1732615200;
SELECT * FROM orders WHERE total > 990;
`
	stmts, err := ParseSlowLog(strings.NewReader(log), "v.log")
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 1 || stmts[0].SQL != "SELECT * FROM orders WHERE total > 990" || stmts[0].Database != "shop" ||
		stmts[0].RowsExamined != 4000 || stmts[0].Line != 13 {
		t.Fatalf("got %s", renderStatements(stmts))
	}
}
