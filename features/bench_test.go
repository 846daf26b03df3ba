package features

import (
	"strings"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
)

const bench3 = "SELECT MIN(t.title) FROM title t, movie_info mi, kind_type kt WHERE t.id = mi.movie_id AND kt.id = t.kind_id AND t.production_year BETWEEN 2000 AND 2010 AND kt.kind IN ('movie', 'episode') AND mi.info LIKE '%Drama%'"

// BenchmarkParse: target well under 100 us for a 3-table query.
func BenchmarkParse(b *testing.B) {
	s := testSchema()
	b.Run("reused-parser", func(b *testing.B) {
		p := NewParser()
		start := processCPU()
		for b.Loop() {
			if _, err := p.Parse(s, bench3); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, start)
	})
	b.Run("tidb-only", func(b *testing.B) { // the TiDB share of reused-parser
		p := NewParser()
		start := processCPU()
		for b.Loop() {
			if _, _, err := p.p.ParseSQL(bench3); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, start)
	})
	b.Run("package-Parse", func(b *testing.B) {
		start := processCPU()
		for b.Loop() {
			if _, err := Parse(s, bench3); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, start)
	})
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkSQL(b *testing.B) {
	q, err := Parse(testSchema(), bench3)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_ = q.SQL()
	}
}

func BenchmarkExprEval(b *testing.B) {
	s := testSchema()
	q, err := Parse(s, "SELECT * FROM title t WHERE t.production_year BETWEEN 2000 AND 2010 AND (t.kind_id IN (1, 2, 7) OR t.title LIKE '%Drama%') AND t.imdb_index IS NOT NULL")
	if err != nil {
		b.Fatal(err)
	}
	f := q.Tables[0].Filter
	tt := s.Table("title")
	vals := make([]catalog.Datum, len(tt.Columns))
	vals[tt.ColumnIndex("production_year")] = catalog.Int(2005)
	vals[tt.ColumnIndex("kind_id")] = catalog.Int(3)
	vals[tt.ColumnIndex("title")] = catalog.String("A Family Drama in Three Acts")
	vals[tt.ColumnIndex("imdb_index")] = catalog.String("I")
	row := func(c int) catalog.Datum { return vals[c] }
	for b.Loop() {
		if f.Eval(row) != True {
			b.Fatal("row rejected")
		}
	}
}

// BenchmarkSplitStatements: a workload file of one query per line; the
// split must stay linear in the text (it was quadratic, 7 s for 20,000
// lines).
func BenchmarkSplitStatements(b *testing.B) {
	text := strings.Repeat(bench3+"\n", 2000)
	for b.Loop() {
		if n := len(SplitStatements(text)); n != 2000 {
			b.Fatalf("%d statements, want 2000", n)
		}
	}
}

// BenchmarkUnsatisfiable checks filters with disjunctions, which
// Unsatisfiable splits arm by arm: one it proves empty and one it cannot
// (every arm is tried), beside a plain conjunction (no split) as the
// baseline.
func BenchmarkUnsatisfiable(b *testing.B) {
	s, err := catalog.ParseSchema("CREATE TABLE t (q INT NOT NULL, a INT, s VARCHAR(10));")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, where string }{
		{"plain", "q > 3 AND q < 9 AND s <> 'x'"},
		{"or-empty", "(q BETWEEN 3 AND 7 OR q = 7) AND NOT (q BETWEEN 2 AND 7)"},
		{"or-satisfiable", "(q < 3 OR q > 7 OR s = 'x') AND (a = 1 OR a = 2) AND NOT (q = 1 AND a = 2)"},
	} {
		q, err := Parse(s, "SELECT COUNT(*) FROM t WHERE "+c.where)
		if err != nil {
			b.Fatal(err)
		}
		f := q.Tables[0].Filter
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Unsatisfiable(s.Tables[0], f)
			}
		})
	}
}
