package estimator

import (
	"bytes"
	"context"
	"errors"
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
