package estimator

import (
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
