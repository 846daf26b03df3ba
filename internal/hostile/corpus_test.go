package hostile

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/live"
	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/querylog"
)

// TestCorpusAPI runs every case through the public API.
func TestCorpusAPI(t *testing.T) {
	cases, err := Cases()
	if err != nil {
		t.Fatal(err)
	}
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	models := []estimator.Estimator{estimator.NewHistogram(cat), estimator.NewSample(cat)}
	golden, err := estimator.Load(bytes.NewReader(mustRead(t, "../../estimator/testdata/flights-small.model")), nil, estimator.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	models = append(models, golden, estimator.NewOnline(golden, estimator.OnlineOptions{}))
	counter := engine.New(db, engine.Options{})
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			switch c.Kind {
			case "sql":
				q, err := features.Parse(db.Schema, string(c.Input))
				if w, ok := c.Want["parse"]; ok {
					if e := Expect(w, err, 0); e != nil {
						t.Fatalf("parse: %v", e)
					}
				}
				if w, ok := c.Want["estimate"]; ok {
					for _, m := range models {
						e, err := estimator.EstimateSQL(m, string(c.Input))
						if ee := Expect(w, err, e.Rows); ee != nil {
							t.Errorf("%s: %v", m.Name(), ee)
						}
						if err == nil && (math.IsNaN(e.Rows) || e.Rows < 0 || math.IsInf(e.Rows, 0)) {
							t.Errorf("%s: %+v", m.Name(), e)
						}
					}
				}
				if w, ok := c.Want["subplans"]; ok && q != nil {
					_, err := counter.CountSubPlans(context.Background(), q)
					if e := Expect(w, err, 0); e != nil {
						t.Errorf("subplans: %v", e)
					}
				}
			case "log":
				_, err := querylog.ReadAll(bytes.NewReader(c.Input))
				if e := Expect(c.Want["read"], err, 0); e != nil {
					t.Error(e)
				}
			case "model":
				_, err := estimator.Load(bytes.NewReader(c.Input), nil, estimator.LoadOptions{})
				if e := Expect(c.Want["load"], err, 0); e != nil {
					t.Error(e)
				}
			case "dsn":
				if r := live.RedactDSN(string(c.Input)); strings.Contains(r, c.Want["secret"]) {
					t.Errorf("RedactDSN = %q leaks %q", r, c.Want["secret"])
				}
				_, err := live.ParseDSN(string(c.Input), live.OpenOptions{})
				if err != nil && strings.Contains(err.Error(), c.Want["secret"]) {
					t.Errorf("ParseDSN error leaks the secret: %v", err)
				}
			case "csv":
				dir := t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, "t.csv"), c.Input, 0o644); err != nil {
					t.Fatal(err)
				}
				_, err := datasets.LoadCSV(context.Background(), csvSchema, dir)
				if e := Expect(c.Want["load"], err, 0); e != nil {
					t.Error(e)
				}
				if err != nil && !strings.Contains(err.Error(), "t.csv:") {
					t.Errorf("error without the file's position: %v", err)
				}
			case "schema":
				_, err := catalog.ParseSchema(string(c.Input))
				if e := Expect(c.Want["parse"], err, 0); e != nil {
					t.Error(e)
				}
			default:
				t.Fatalf("unknown kind %q", c.Kind)
			}
		})
	}
}

// csvSchema is the table the csv cases are loaded into.
var csvSchema = func() *catalog.Schema {
	s, err := catalog.ParseSchema("CREATE TABLE t (id INT NOT NULL, x DOUBLE)")
	if err != nil {
		panic(err)
	}
	return s
}()

// TestStar40API: sub-plans of the star are refused, before any listing,
// by the engine and by every estimator; the whole query is estimated.
func TestStar40API(t *testing.T) {
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	q, err := features.Parse(db.Schema, Star40())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := engine.New(db, engine.Options{}).CountSubPlans(context.Background(), q); !errors.Is(err, features.ErrTooManySubPlans) {
		t.Errorf("engine: %v", err)
	}
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	h := estimator.NewHistogram(cat)
	if _, err := estimator.EstimateSubPlans(h, q); !errors.Is(err, features.ErrTooManySubPlans) {
		t.Errorf("estimator: %v", err)
	}
	if e, err := h.Estimate(q); err != nil || e.Rows > math.Pow(3376, 40) {
		t.Errorf("whole query: %+v %v", e, err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
