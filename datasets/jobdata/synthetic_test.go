package jobdata_test

import (
	"errors"
	"os"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets/jobdata"
)

// jobSchema parses the JOB schema the features tests use (JOB's 21
// tables and one more).
func jobSchema(t testing.TB) *catalog.Schema {
	t.Helper()
	b, err := os.ReadFile("../../features/testdata/job_schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	s, err := catalog.ParseSchema(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSynthetic: sizes as Rows says, the same data for the same seed and
// other data for another, keys inside the referenced ids, bad options and
// a schema without JOB's tables refused with typed errors.
func TestSynthetic(t *testing.T) {
	s := jobSchema(t)
	a, err := jobdata.Synthetic(s, jobdata.Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	b, err := jobdata.Synthetic(s, jobdata.Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	c, err := jobdata.Synthetic(s, jobdata.Options{Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	differs := false
	for ti, def := range s.Tables {
		want := jobdata.Rows(def.Name)
		if got := a.Tables[ti].Rows; got != want {
			t.Errorf("%s: %d rows, want %d", def.Name, got, want)
		}
		for ci := range def.Columns {
			for r := range a.Tables[ti].Rows {
				x, y, z := a.Tables[ti].Cols[ci].Datum(r), b.Tables[ti].Cols[ci].Datum(r), c.Tables[ti].Cols[ci].Datum(r)
				if catalog.Compare(x, y) != 0 || x.IsNull() != y.IsNull() {
					t.Fatalf("%s.%s row %d: %v and %v from the same seed", def.Name, def.Columns[ci].Name, r, x, y)
				}
				differs = differs || catalog.Compare(x, z) != 0 || x.IsNull() != z.IsNull()
			}
		}
	}
	if !differs {
		t.Error("seeds 7 and 8 gave the same data")
	}
	ci := s.Tables[s.TableIndex("cast_info")]
	movie := -1
	for i, col := range ci.Columns {
		if col.Name == "movie_id" {
			movie = i
		}
	}
	col := a.Tables[s.TableIndex("cast_info")].Cols[movie]
	for r := range col.Len() {
		if v := col.Datum(r); v.I < 1 || v.I > int64(jobdata.Rows("title")) {
			t.Fatalf("cast_info.movie_id %v is no title id", v)
		}
	}
	for _, o := range []jobdata.Options{{LiteralShare: 1.5}, {LiteralShare: -1}, {NullShare: 1}} {
		if _, err := jobdata.Synthetic(s, o); !errors.Is(err, jobdata.ErrOptions) {
			t.Errorf("%+v: %v, want ErrOptions", o, err)
		}
	}
	other, err := catalog.ParseSchema("CREATE TABLE title (id INT NOT NULL, PRIMARY KEY (id));")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jobdata.Synthetic(other, jobdata.Options{}); !errors.Is(err, jobdata.ErrSchema) {
		t.Errorf("a schema without JOB's tables: %v, want ErrSchema", err)
	}
}
