package joinorder

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestOptionsRule: negative, NaN and infinite options of the planners and
// TrainAgent are ErrOptions naming the field, before any work; zero means
// the defaults (a real plan and a real agent on a small synthetic catalog).
func TestOptionsRule(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	cat := synthCatalog(4, rng)
	cards := synthCards(t, cat, synthQuery(cat, chain, 4, rng), rng)
	if _, err := DPccp(cards, Cout{}, Options{MaxPairs: -1}); !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), "Options.MaxPairs") {
		t.Errorf("MaxPairs -1: %v", err)
	}
	for _, o := range []AgentOptions{{Epochs: -1}, {Beam: -1}, {Epsilon: -0.1}, {Epsilon: math.NaN()}, {Epsilon: math.Inf(1)},
		{Ridge: -1}, {Ridge: math.NaN()}, {Ridge: math.Inf(1)}, {Ridge: math.Inf(-1)}} {
		// nil data: only the options check can name the field.
		_, err := TrainAgent(t.Context(), cat, nil, Cout{}, o)
		if !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), "AgentOptions.") {
			t.Errorf("%+v: %v", o, err)
		}
	}
	p, err := DPccp(cards, Cout{}, Options{})
	if err != nil || Validate(p) != nil {
		t.Fatalf("zero Options: %v", err)
	}
	a, err := TrainAgent(t.Context(), cat, synthTraining(t, cat, 3, 1), Cout{}, AgentOptions{})
	if err != nil {
		t.Fatalf("zero AgentOptions: %v", err)
	}
	if a.Beam != DefaultBeam {
		t.Errorf("zero AgentOptions: beam %d, want DefaultBeam %d", a.Beam, DefaultBeam)
	}
}
