package catalog_test

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
)

// TestFlightsCatalog builds the catalog of the bundled flights data set
// through datasets.DB (the catalog.Source of the in-memory engine) and
// checks every statistic against counts taken directly from the data.
func TestFlightsCatalog(t *testing.T) {
	db, cat := flightsData(t)
	for ti, tb := range db.Tables {
		ts := cat.Stats[ti]
		if ts.Rows != int64(tb.Rows) {
			t.Fatalf("%s: %d rows, want %d", tb.Def.Name, ts.Rows, tb.Rows)
		}
		wantSample := min(tb.Rows, catalog.DefaultSampleSize)
		if ts.SampleSize() != wantSample {
			t.Errorf("%s: sample of %d rows, want %d", tb.Def.Name, ts.SampleSize(), wantSample)
		}
		for ci, col := range tb.Cols {
			cs := ts.Columns[ci]
			name := tb.Def.Name + "." + tb.Def.Columns[ci].Name
			count := map[catalog.Datum]int{}
			nulls := 0
			for r := range tb.Rows {
				if v := col.Datum(r); v.IsNull() {
					nulls++
				} else {
					count[v]++
				}
			}
			if cs.Distinct != int64(len(count)) || cs.NullFrac != float64(nulls)/float64(tb.Rows) {
				t.Errorf("%s: distinct %d null %v, want %d %v", name, cs.Distinct, cs.NullFrac, len(count), float64(nulls)/float64(tb.Rows))
			}
			total := cs.NullFrac + cs.HistFrac
			for _, m := range cs.MCVs {
				if want := float64(count[m.Value]) / float64(tb.Rows); m.Freq != want {
					t.Errorf("%s: MCV %v freq %v, want %v", name, m.Value, m.Freq, want)
				}
				total += m.Freq
			}
			if math.Abs(total-1) > 1e-9 {
				t.Errorf("%s: fractions sum to %v", name, total)
			}
			for i := 1; i < len(cs.Histogram); i++ {
				if catalog.Compare(cs.Histogram[i-1], cs.Histogram[i]) > 0 {
					t.Fatalf("%s: histogram not sorted at %d", name, i)
				}
			}
			if ts.Rows <= catalog.DefaultSampleSize {
				for r, v := range ts.Sample[ci] {
					if v != col.Datum(r) {
						t.Fatalf("%s: sample row %d = %v, want %v (whole table in order)", name, r, v, col.Datum(r))
					}
				}
			}
		}
	}
	// Flights are January to March 2001; every airport has an IATA code.
	month := cat.TableStats("flights").Columns[3]
	if month.Distinct != 3 || month.Min != catalog.Int(1) || month.Max != catalog.Int(3) {
		t.Errorf("flights.month: %+v", month)
	}
	if iata := cat.TableStats("airports").Columns[0]; iata.NullFrac != 0 || iata.Distinct != cat.TableStats("airports").Rows {
		t.Errorf("airports.iata: %+v", iata)
	}

	// Deterministic per seed; the seed moves only the sample.
	again, _ := db.Catalog(catalog.StatsOptions{}, 1)
	other, _ := db.Catalog(catalog.StatsOptions{}, 2)
	if !reflect.DeepEqual(again, cat) || other.Fingerprint() != cat.Fingerprint() ||
		reflect.DeepEqual(other.Stats[0].Sample, cat.Stats[0].Sample) {
		t.Error("catalog not a deterministic function of data and seed")
	}
	var buf bytes.Buffer
	if err := cat.Save(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := catalog.Load(&buf)
	if err != nil || !reflect.DeepEqual(back, cat) {
		t.Fatalf("flights catalog round trip: %v", err)
	}
	// The flights schema survives SQL rendering, foreign keys regrouped
	// by table.
	s, err := catalog.ParseSchema(db.Schema.SQL())
	want := *db.Schema
	want.ForeignKeys = slices.Clone(want.ForeignKeys)
	slices.SortStableFunc(want.ForeignKeys, func(a, b catalog.ForeignKey) int {
		return cmp.Compare(want.TableIndex(a.Table), want.TableIndex(b.Table))
	})
	if err != nil || !reflect.DeepEqual(s, &want) {
		t.Errorf("flights schema round trip: %v\n%s", err, db.Schema.SQL())
	}
}

// flightsCatalog is the flights catalog of the demo and the bench
// (default statistics options, seed 1).
func flightsCatalog(tb testing.TB) *catalog.Catalog {
	_, cat := flightsData(tb)
	return cat
}

// flightsData is the bundled flights data and its catalog of the demo and
// the bench (default statistics options, seed 1).
func flightsData(tb testing.TB) (*datasets.DB, *catalog.Catalog) {
	tb.Helper()
	db, err := datasets.Flights()
	if err != nil {
		tb.Fatal(err)
	}
	cat, err := db.Catalog(catalog.StatsOptions{}, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return db, cat
}

// BenchmarkLoadFlights loads the flights catalog saved as format version
// 6 (uncompressed sections) and 7 (compressed): the ratio of the two is
// what the format costs a model file's Load.
func BenchmarkLoadFlights(b *testing.B) { benchmarkLoad(b, flightsCatalog(b)) }

// BenchmarkLoadEcommerce10 does the same for the catalog of 'cardinal
// bench --dataset ecommerce --scale 10' (data seed 1, statistics seed 1;
// building it takes about a minute).
func BenchmarkLoadEcommerce10(b *testing.B) {
	db, err := datasets.Ecommerce(context.Background(), datasets.EcommerceOptions{Scale: 10, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	cat, err := db.CatalogContext(context.Background(), catalog.StatsOptions{}, 1)
	if err != nil {
		b.Fatal(err)
	}
	benchmarkLoad(b, cat)
}

func benchmarkLoad(b *testing.B, cat *catalog.Catalog) {
	for _, v := range []uint16{6, 7} {
		var buf bytes.Buffer
		if err := catalog.SaveVersion(cat, &buf, v); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("v%d", v), func(b *testing.B) {
			for b.Loop() {
				if _, err := catalog.Load(bytes.NewReader(buf.Bytes())); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "file-bytes")
		})
	}
}

// BenchmarkSaveFlights saves the flights catalog as format versions 6
// and 7.
func BenchmarkSaveFlights(b *testing.B) {
	cat := flightsCatalog(b)
	for _, v := range []uint16{6, 7} {
		b.Run(fmt.Sprintf("v%d", v), func(b *testing.B) {
			for b.Loop() {
				if err := catalog.SaveVersion(cat, io.Discard, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
