package live

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/datasets"
)

// TestOptionsRule: a negative option of Collect, LoadSample or
// CaptureDigests is ErrOptions naming the field, before any statement is
// sent (the nil *sql.DB would panic otherwise). Zero is the defaults in
// TestCollectFake and the live tests.
func TestOptionsRule(t *testing.T) {
	ctx := context.Background()
	schema := datasets.FlightsSchema()
	for _, o := range []CollectOptions{{MaxSubPlans: -1}, {Timeout: -time.Second}, {Concurrency: -1},
		{BatchSize: -1}, {Retries: -1}, {Backoff: -1}, {MaxBackoff: -time.Minute}} {
		o.Out = "unused.jsonl"
		if _, err := Collect(ctx, nil, schema, nil, o); !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), "CollectOptions.") {
			t.Errorf("%+v: %v", o, err)
		}
	}
	for _, o := range []SampleOptions{{Rows: -1}, {TableTimeout: -time.Second}} {
		if _, _, err := LoadSample(ctx, nil, schema, o); !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), "SampleOptions.") {
			t.Errorf("%+v: %v", o, err)
		}
	}
	if _, err := CaptureDigests(ctx, nil, DigestOptions{Limit: -5}); !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), "DigestOptions.Limit") {
		t.Errorf("Limit -5: %v", err)
	}
}
