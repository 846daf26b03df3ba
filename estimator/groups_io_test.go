package estimator

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/internal/bincodec"
)

// The learned group model is saved with the row model, loads back and
// estimates identically; Train attaches one when the examples carry
// group labels; a bad groups section is a typed error.
func TestGroupModelRoundTrip(t *testing.T) {
	db, cat, m := smallModel(t)
	if g := Groups(m); g.Name() != m.Name()+"+ndv" {
		t.Fatalf("untrained: Groups is %s, want the baseline", g.Name())
	}
	// A file of the version before the groups section loads without one
	// (a histogram: learned kinds of that version predate their
	// baselines and are refused).
	v5 := saveBytes(t, NewHistogram(cat))
	v5 = bytes.Clone(v5[:len(v5)-4-8])
	binary.LittleEndian.PutUint16(v5[len(modelMagic):], groupsMinVersion-1)
	v5 = binary.LittleEndian.AppendUint32(v5, bincodec.Checksum(v5))
	if old, err := Load(bytes.NewReader(v5), cat, LoadOptions{}); err != nil {
		t.Fatalf("version %d: %v", groupsMinVersion-1, err)
	} else if g := Groups(old); g.Name() != old.Name()+"+ndv" {
		t.Errorf("version %d: Groups is %s, want the baseline", groupsMinVersion-1, g.Name())
	}
	ex := examples(t, db.Schema, groupedLabelled(t, db, 200, 2, 7))
	if err := TrainGroups(context.Background(), m, ex, GBDTOptions{Seed: 1, Trees: 30}); err != nil {
		t.Fatal(err)
	}
	data := saveBytes(t, m)
	lm, err := Load(bytes.NewReader(data), cat, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(saveBytes(t, lm), data) {
		t.Error("re-saving the loaded model changed its bytes")
	}
	g1, g2 := Groups(m), Groups(lm)
	if !strings.HasSuffix(g2.Name(), "+groups") {
		t.Fatalf("loaded: Groups is %s, want the learned group model", g2.Name())
	}
	n := 0
	for _, e := range GroupExamples(ex) {
		a, err := g1.EstimateGroups(e.Query)
		if err != nil {
			t.Fatal(err)
		}
		b, err := g2.EstimateGroups(e.Query)
		if err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Fatalf("%s: saved %+v, loaded %+v", e.Query.SQL(), a, b)
		}
		n++
	}
	if n < minGroupExamples {
		t.Fatalf("only %d grouped examples", n)
	}

	// Train attaches a group model to a learned kind, not to a baseline.
	tm, err := Train(context.Background(), KindGBDT, cat, ex, TrainOptions{GBDT: GBDTOptions{Seed: 1, Trees: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if g := Groups(tm); !strings.HasSuffix(g.Name(), "+groups") {
		t.Errorf("Train: Groups is %s, want the learned group model", g.Name())
	}
	if err := TrainGroups(context.Background(), NewHistogram(cat), ex, GBDTOptions{}); !errors.Is(err, ErrKind) {
		t.Errorf("TrainGroups on the histogram: %v, want ErrKind", err)
	}

	// Bad groups sections.
	sec := groupsSection(m)
	for name, c := range map[string]struct {
		b    []byte
		m    Model
		want error
	}{
		"version":   {append([]byte{9}, sec[1:]...), newGBDTShell(cat), ErrVersion},
		"version 1": {append([]byte{1}, sec[1:]...), newGBDTShell(cat), ErrVersion},
		"features":  {append([]byte{groupPayloadVersion, 3}, sec[2:]...), newGBDTShell(cat), ErrCorrupt},
		"truncated": {sec[:len(sec)-3], newGBDTShell(cat), ErrCorrupt},
		"trailing":  {append(append([]byte{}, sec...), 0), newGBDTShell(cat), ErrCorrupt},
		"baseline":  {sec, NewHistogram(cat), ErrCorrupt},
	} {
		if err := loadGroupsSection(c.b, c.m, cat); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}
