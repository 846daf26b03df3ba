package estimator

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/bincodec"
	"github.com/cardinaldb/cardinal/internal/golden"
	"github.com/cockroachdb/datadriven"
)

// smallModel trains a small gbdt on flights with a 500-row sample.
func smallModel(t testing.TB) (*datasets.DB, *catalog.Catalog, *GBDT) {
	t.Helper()
	db := flightsDB(t)
	cat, err := db.Catalog(catalog.StatsOptions{SampleSize: 500, Buckets: 20, MCVs: 20}, 1)
	if err != nil {
		t.Fatal(err)
	}
	train := examples(t, db.Schema, labelled(t, db, 300, 2, 11, true))
	m, err := TrainGBDT(context.Background(), cat, train, GBDTOptions{Seed: 3, Trees: 40, Leaves: 15})
	if err != nil {
		t.Fatal(err)
	}
	return db, cat, m
}

func saveBytes(t testing.TB, m Model) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Save(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Round trips: every kind loads back and estimates identically; training
// is deterministic (same seed and data, same bytes).
func TestModelFileRoundTrip(t *testing.T) {
	db, cat, g := smallModel(t)
	_, _, g2 := smallModel(t)
	if !bytes.Equal(saveBytes(t, g), saveBytes(t, g2)) {
		t.Fatal("two trainings with the same seed gave different model bytes")
	}
	test := examples(t, db.Schema, labelled(t, db, 100, 3, 12, false))
	for _, m := range []Model{NewHistogram(cat), NewSample(cat), g} {
		data := saveBytes(t, m)
		if len(data) > 20<<20 {
			t.Errorf("%s model is %d bytes", m.Name(), len(data))
		}
		back, err := Load(bytes.NewReader(data), cat, LoadOptions{})
		if err != nil {
			t.Fatalf("%s: %v", m.Name(), err)
		}
		if back.Name() != m.Name() {
			t.Fatalf("kind %s came back as %s", m.Name(), back.Name())
		}
		for _, ex := range test {
			a, err1 := m.Estimate(ex.Query)
			b, err2 := back.Estimate(ex.Query)
			if err1 != nil || err2 != nil || a != b {
				t.Fatalf("%s: estimate %+v (%v) after load, %+v (%v) before", m.Name(), b, err2, a, err1)
			}
		}
		if again := saveBytes(t, back); !bytes.Equal(again, data) {
			t.Fatalf("%s: re-saving a loaded model changed its bytes", m.Name())
		}
	}
}

func TestModelFileErrors(t *testing.T) {
	db := flightsDB(t)
	data, err := os.ReadFile(goldenModel)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := db.Catalog(catalog.StatsOptions{SampleSize: 500, Buckets: 20, MCVs: 20}, 1)
	if err != nil {
		t.Fatal(err)
	}
	load := func(b []byte, c *catalog.Catalog, o LoadOptions) error {
		_, err := Load(bytes.NewReader(b), c, o)
		return err
	}
	if err := load([]byte("GIF89a..."), nil, LoadOptions{}); !errors.Is(err, ErrBadMagic) {
		t.Errorf("foreign file: %v", err)
	}
	// A version-2 gbdt (before join synopses) must be retrained.
	old, err := os.ReadFile("testdata/flights-small-v2.model")
	if err != nil {
		t.Fatal(err)
	}
	if err := load(old, nil, LoadOptions{}); !errors.Is(err, ErrVersion) || !strings.Contains(err.Error(), "retrain") {
		t.Errorf("version-2 gbdt: %v", err)
	}
	// So must a version-3 gbdt (bands before split conformal calibration).
	old, err = os.ReadFile("testdata/flights-small-v3.model")
	if err != nil {
		t.Fatal(err)
	}
	if err := load(old, nil, LoadOptions{}); !errors.Is(err, ErrVersion) || !strings.Contains(err.Error(), "retrain") {
		t.Errorf("version-3 gbdt: %v", err)
	}
	v := bytes.Clone(data)
	v[8] = 99
	if err := load(v, nil, LoadOptions{}); !errors.Is(err, ErrVersion) {
		t.Errorf("version 99: %v", err)
	}
	for _, n := range []int{10, 20, len(data) / 2, len(data) - 1} {
		if err := load(data[:n], nil, LoadOptions{}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("truncated to %d: %v", n, err)
		}
	}
	flip := bytes.Clone(data)
	flip[len(flip)/2] ^= 0x40
	if err := load(flip, nil, LoadOptions{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("flipped bit: %v", err)
	}
	other, err := db.Catalog(catalog.StatsOptions{SampleSize: 500, Buckets: 10}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := load(data, other, LoadOptions{}); !errors.Is(err, ErrFingerprint) {
		t.Errorf("other catalog: %v", err)
	}
	if err := load(data, other, LoadOptions{IgnoreFingerprint: true}); err != nil {
		t.Errorf("IgnoreFingerprint: %v", err)
	}
	if err := load(data, cat, LoadOptions{}); err != nil {
		t.Errorf("own catalog: %v", err)
	}
	if _, err := TrainGBDT(context.Background(), cat, nil, GBDTOptions{}); !errors.Is(err, ErrNoExamples) {
		t.Errorf("no examples: %v", err)
	}
	bad := []Example{{Query: examples(t, db.Schema, labelled(t, db, 1, 0, 1, false))[0].Query, Rows: -1}}
	if _, err := TrainGBDT(context.Background(), cat, bad, GBDTOptions{}); !errors.Is(err, ErrQuery) || !errors.Is(err, ErrBadLabel) {
		t.Errorf("negative label: %v", err)
	}
	if err := Save(&bytes.Buffer{}, nil); !errors.Is(err, ErrKind) {
		t.Errorf("saving nil: %v", err)
	}
}

const goldenModel = "testdata/flights-small.model"

// The golden model file loads, estimates as recorded, and re-saves to the
// same bytes (the format is stable); training it again gives the same
// bytes (the file is not stale: a training change that moves it needs
// -rewrite, which retrains it, and new recorded estimates).
func TestGoldenModel(t *testing.T) {
	estPath := "testdata/golden-estimates.txt"
	trained := goldenModelBytes(t)
	if golden.Rewrite() {
		if err := os.MkdirAll(filepath.Dir(goldenModel), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenModel, trained, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(goldenModel)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(trained, data) {
		t.Errorf("%s is stale: training it now gives other bytes (regenerate with -rewrite)", goldenModel)
	}
	m, err := Load(bytes.NewReader(data), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(saveBytes(t, m), data) {
		t.Error("re-saving the golden model changed its bytes")
	}
	if g := Groups(m); !strings.HasSuffix(g.Name(), "+groups") {
		t.Errorf("the golden model estimates groups with %s, want its saved group model", g.Name())
	}
	goldenEstimates(t, m, estPath)
}

// goldenModelBytes trains the golden model (smallModel with a learned
// group model: the file's groups section) and returns its saved bytes.
func goldenModelBytes(t *testing.T) []byte {
	t.Helper()
	db, _, m := smallModel(t)
	grouped := examples(t, db.Schema, groupedLabelled(t, db, 200, 2, 7))
	if err := TrainGroups(context.Background(), m, grouped, GBDTOptions{Seed: 1, Trees: 30}); err != nil {
		t.Fatal(err)
	}
	return saveBytes(t, m)
}

// goldenModelV13 is the golden model as model format 13 wrote it, before
// the GBDT payload carried its shrink constant (shrink.go).
const goldenModelV13 = "testdata/flights-small-v13.model"

// A version-13 GBDT loads without a shrink constant and estimates as it
// did (its recorded estimates), before and after re-saving as the current
// version.
func TestGoldenModelV13(t *testing.T) {
	data, err := os.ReadFile(goldenModelV13)
	if err != nil {
		t.Fatal(err)
	}
	if v := binary.LittleEndian.Uint16(data[len(modelMagic):]); v != 13 {
		t.Fatalf("%s is version %d, want 13", goldenModelV13, v)
	}
	m, err := Load(bytes.NewReader(data), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tau := m.(*GBDT).shrinkTau; tau != 0 {
		t.Fatalf("version-13 gbdt loaded with shrink constant %v, want 0", tau)
	}
	goldenEstimates(t, m, "testdata/golden-estimates-v13.txt")
	back, err := Load(bytes.NewReader(saveBytes(t, m)), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	goldenEstimates(t, back, "testdata/golden-estimates-v13.txt")
}

// goldenEstimates checks m's estimates against the datadriven file path.
func goldenEstimates(t *testing.T, m Model, path string) {
	t.Helper()
	datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
		if td.Cmd == "estimate-groups" {
			q, err := features.Parse(CatalogOf(m).Schema, td.Input)
			if err != nil {
				t.Fatalf("%s: %v", td.Pos, err)
			}
			g, err := Groups(m).EstimateGroups(q)
			if err != nil {
				t.Fatalf("%s: %v", td.Pos, err)
			}
			return fmt.Sprintf("groups %.6g low %.6g high %.6g rows %.6g source %s", g.Groups, g.Low, g.High, g.Rows, g.Source)
		}
		if td.Cmd != "estimate" {
			t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
		}
		e, err := EstimateSQL(m, td.Input)
		if err != nil {
			t.Fatalf("%s: %v", td.Pos, err)
		}
		return fmt.Sprintf("rows %.6g low %.6g high %.6g", e.Rows, e.Low, e.High)
	})
}

// goldenModelV10 is the golden model as model format 10 wrote it (catalog
// format 6, uncompressed).
const goldenModelV10 = "testdata/flights-small-v10.model"

// goldenModelV11 is the golden model as model format 11 wrote it (catalog
// format 7, before key maps).
const goldenModelV11 = "testdata/flights-small-v11.model"

// Learned models of versions 10-12 loaded until version 13 changed the
// baseline they correct (poststrat.go): they are refused with ErrVersion
// and the advice to retrain, not estimated from a baseline they were not
// trained on. (Catalog formats 6 and 7 still load: catalog's golden
// round trips.)
func TestLearnedBeforeVersion13(t *testing.T) {
	for _, c := range []struct {
		path    string
		version uint16
	}{{goldenModelV10, 10}, {goldenModelV11, 11}} {
		old, err := os.ReadFile(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if v := binary.LittleEndian.Uint16(old[len(modelMagic):]); v != c.version {
			t.Fatalf("%s is version %d, want %d", c.path, v, c.version)
		}
		_, err = Load(bytes.NewReader(old), nil, LoadOptions{})
		if !errors.Is(err, ErrVersion) || !strings.Contains(err.Error(), "retrain") {
			t.Errorf("version-%d gbdt: %v", c.version, err)
		}
	}
}

// BenchmarkLoadModel loads the golden model (a gbdt with a group model
// over a 500-row flights sample); the flights catalog of the demo alone:
// catalog's BenchmarkLoadFlights.
func BenchmarkLoadModel(b *testing.B) {
	data, err := os.ReadFile(goldenModel)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Load(bytes.NewReader(data), nil, LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "file-bytes")
}

func FuzzLoad(f *testing.F) {
	data, err := os.ReadFile(goldenModel)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(modelMagic))
	f.Add([]byte("CARDMODL\x01\x00\x04gbdt"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Load(bytes.NewReader(b), nil, LoadOptions{})
		if err == nil && m == nil {
			t.Fatal("nil model without error")
		}
		if err != nil && !errors.Is(err, ErrBadMagic) && !errors.Is(err, ErrVersion) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrKind) {
			t.Fatalf("untyped error %v", err)
		}
	})
}

// FuzzLoadPayload fuzzes the gbdt payload past the checksum.
func FuzzLoadPayload(f *testing.F) {
	data, err := os.ReadFile(goldenModel)
	if err != nil {
		f.Fatal(err)
	}
	m, err := Load(bytes.NewReader(data), nil, LoadOptions{})
	if err != nil {
		f.Fatal(err)
	}
	g := m.(*GBDT)
	var w bincodec.Encoder
	g.savePayload(&w)
	f.Add(w.B)
	f.Fuzz(func(t *testing.T, b []byte) {
		g2, err := loadGBDTPayload(b, g.cat, modelVersion)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		g2.ens.predict(make([]float64, g2.enc.nfeat)) // must not panic
	})
}

// A version-1 gbdt file (trained against the unblended join baseline) is
// refused with ErrVersion; other kinds of version 1 still load.
func TestLoadVersion1(t *testing.T) {
	data, err := os.ReadFile(goldenModel)
	if err != nil {
		t.Fatal(err)
	}
	v1 := bytes.Clone(data[:len(data)-4])
	binary.LittleEndian.PutUint16(v1[len(modelMagic):], 1)
	v1 = binary.LittleEndian.AppendUint32(v1, bincodec.Checksum(v1))
	if _, err := Load(bytes.NewReader(v1), nil, LoadOptions{}); !errors.Is(err, ErrVersion) {
		t.Errorf("version-1 gbdt: %v, want ErrVersion", err)
	}
	m, err := Load(bytes.NewReader(data), nil, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Save(&buf, NewHistogram(CatalogOf(m))); err != nil {
		t.Fatal(err)
	}
	// Without the checksum and the (empty) groups section of version 6.
	h := bytes.Clone(buf.Bytes()[:buf.Len()-4-8])
	binary.LittleEndian.PutUint16(h[len(modelMagic):], 1)
	h = binary.LittleEndian.AppendUint32(h, bincodec.Checksum(h))
	if _, err := Load(bytes.NewReader(h), nil, LoadOptions{}); err != nil {
		t.Errorf("version-1 histogram: %v", err)
	}
}
