package estimator

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/cardinaldb/cardinal/datasets"
)

func TestTrainKinds(t *testing.T) {
	db, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	cat := flightsCatalog(t, db)
	for _, kind := range []string{KindHistogram, KindSample} {
		m, err := Train(context.Background(), kind, cat, nil, TrainOptions{})
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if m.Name() != kind {
			t.Errorf("Train(%q) built %q", kind, m.Name())
		}
	}
	// Learned kinds need examples: no examples is a typed error, not a
	// model that silently falls back.
	for _, kind := range []string{KindGBDT, KindSetNet, KindLinear} {
		if _, err := Train(context.Background(), kind, cat, nil, TrainOptions{}); !errors.Is(err, ErrNoExamples) {
			t.Errorf("%s without examples: got %v, want ErrNoExamples", kind, err)
		}
	}
	if _, err := Train(context.Background(), "oracle", cat, nil, TrainOptions{}); !errors.Is(err, ErrKind) {
		t.Errorf("unknown kind: got %v, want ErrKind", err)
	}
	// Online wraps a trained model: it is a model-file kind, not one
	// Train builds.
	if _, err := Train(context.Background(), KindOnline, cat, nil, TrainOptions{}); !errors.Is(err, ErrKind) {
		t.Errorf("Train(online): got %v, want ErrKind", err)
	}
}

// TestKindRegistry: the kinds register themselves; Kinds lists the
// trainable ones baselines first, in the order the CLI and the README
// show; every registered kind loads what it saves (the payload-less
// baselines here, the others in their own round-trip tests).
func TestKindRegistry(t *testing.T) {
	want := []string{KindHistogram, KindSample, KindLinear, KindSetNet, KindGBDT}
	if got := Kinds(); !slices.Equal(got, want) {
		t.Fatalf("Kinds() = %v, want %v", got, want)
	}
	var names []string
	for name := range kindRegistry {
		names = append(names, name)
	}
	slices.Sort(names)
	if all := []string{KindGBDT, KindHistogram, KindLinear, KindOnline, KindSample, KindSetNet}; !slices.Equal(names, all) {
		t.Fatalf("registered %v, want %v", names, all)
	}
	db := flightsDB(t)
	cat := flightsCatalog(t, db)
	for _, m := range []Model{NewHistogram(cat), NewSample(cat)} {
		sm := m.(savedModel)
		if sm.kind() != m.Name() || sm.modelCatalog() != cat || CatalogOf(m) != cat {
			t.Errorf("%s: kind %q, catalog %p, want %p", m.Name(), sm.kind(), sm.modelCatalog(), cat)
		}
		back, err := kindRegistry[sm.kind()].load(nil, cat, modelVersion)
		if err != nil || back.Name() != m.Name() {
			t.Errorf("%s: loaded %v, %v", m.Name(), back, err)
		}
	}
	if CatalogOf(fbFixed{}) != nil {
		t.Error("CatalogOf a foreign estimator is not nil")
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a kind twice did not panic")
		}
	}()
	registerKind(kindRegistry[KindGBDT])
}

// Training is deterministic: the same examples give the same model bytes,
// for every learned kind.
func TestLearnedTrainingDeterministic(t *testing.T) {
	db := flightsDB(t)
	cat := flightsCatalog(t, db)
	train := examples(t, db.Schema, labelled(t, db, 400, 2, 23, true))
	for _, kind := range []string{KindLinear, KindSetNet, KindGBDT} {
		var first []byte
		for run := range 4 {
			m, err := Train(context.Background(), kind, cat, train, TrainOptions{GBDT: GBDTOptions{Seed: 5}, SetNet: SetNetOptions{Seed: 5, Epochs: 3}})
			if err != nil {
				t.Fatal(err)
			}
			b := saveBytes(t, m)
			if run == 0 {
				first = b
			} else if !bytes.Equal(b, first) {
				t.Fatalf("%s: run %d saved different bytes", kind, run)
			}
		}
	}
}
