package joinorder

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/internal/golden"
)

// noisy returns estimated cardinalities: the true ones times a log-normal
// error that grows with the sub-plan's size, like real estimators'.
func noisy(t testing.TB, c *Cards, rng *rand.Rand) *Cards {
	t.Helper()
	est, err := NewCards(c.q, "noisy")
	if err != nil {
		t.Fatal(err)
	}
	masks, err := c.q.ConnectedSubsets(1 << 22)
	if err != nil {
		panic(err)
	}
	for _, m := range masks {
		r, _ := c.Rows(m)
		if err := est.Set(m, math.Round(r*math.Exp(rng.NormFloat64()*0.5*float64(popcount(m)-1)))); err != nil {
			t.Fatal(err)
		}
	}
	return est
}

// synthTraining returns n training queries of 3-8 tables of every shape.
func synthTraining(t testing.TB, cat *catalog.Catalog, n int, seed uint64) []TrainQuery {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	shapes := []shape{chain, star, cycle, tree, clique}
	var out []TrainQuery
	for i := 0; i < n; i++ {
		q := synthQuery(cat, shapes[i%len(shapes)], 3+rng.IntN(6), rng)
		tc := synthCards(t, cat, q, rng)
		out = append(out, TrainQuery{Est: noisy(t, tc, rng), True: tc})
	}
	return out
}

func trainSynth(t testing.TB, seed uint64) (*Agent, *catalog.Catalog) {
	t.Helper()
	cat := synthCatalog(8, rand.New(rand.NewPCG(9, 9)))
	a, err := TrainAgent(t.Context(), cat, synthTraining(t, cat, 60, 5), Cout{}, AgentOptions{Seed: seed, Epochs: 3})
	if err != nil {
		t.Fatal(err)
	}
	return a, cat
}

// TestAgentGolden: training is deterministic for a seed, the model file
// matches testdata/agent.golden (go test -run AgentGolden -rewrite), and
// Load restores an agent that saves the same bytes and plans the same.
func TestAgentGolden(t *testing.T) {
	a, cat := trainSynth(t, 7)
	var b1 bytes.Buffer
	if err := a.Save(&b1); err != nil {
		t.Fatal(err)
	}
	a2, _ := trainSynth(t, 7)
	var b2 bytes.Buffer
	if err := a2.Save(&b2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
		t.Fatal("same seed, different agents")
	}
	const goldenPath = "testdata/agent.golden"
	if golden.Rewrite() {
		if err := os.WriteFile(goldenPath, b1.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1.Bytes(), want) {
		t.Fatalf("agent file differs from %s (rerun with -rewrite if the change is intended)", goldenPath)
	}
	l, err := LoadAgent(bytes.NewReader(want), cat)
	if err != nil {
		t.Fatal(err)
	}
	var b3 bytes.Buffer
	if err := l.Save(&b3); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b3.Bytes(), want) {
		t.Fatal("Save(Load(file)) differs from the file")
	}
	for _, d := range synthTraining(t, cat, 10, 77) {
		p1, err := a.Plan(d.Est, Cout{})
		if err != nil {
			t.Fatal(err)
		}
		p2, err := l.Plan(d.Est, Cout{})
		if err != nil {
			t.Fatal(err)
		}
		if p1.String() != p2.String() {
			t.Fatalf("loaded agent plans differently:\n%s\n%s", p1, p2)
		}
	}
}

// TestAgentLoadErrors: every malformed file is ErrModel, and the shared
// file-format error (catalog.ErrBadMagic, ErrVersion, ErrCorrupt) too.
func TestAgentLoadErrors(t *testing.T) {
	good, err := os.ReadFile("testdata/agent.golden")
	if err != nil {
		t.Fatal(err)
	}
	v1, err := os.ReadFile("testdata/agent-v1.golden")
	if err != nil {
		t.Fatal(err)
	}
	other := synthCatalog(3, rand.New(rand.NewPCG(1, 1)))
	flip := func(i int) []byte { b := bytes.Clone(good); b[i] ^= 1; return b }
	cases := map[string]struct {
		b    []byte
		also error // the shared file-format error it wraps too
	}{
		"empty":     {nil, catalog.ErrCorrupt},
		"magic":     {flip(0), catalog.ErrBadMagic},
		"version":   {flip(8), catalog.ErrVersion},
		"length":    {flip(10), catalog.ErrCorrupt},
		"payload":   {flip(20), catalog.ErrCorrupt},
		"checksum":  {flip(len(good) - 1), catalog.ErrCorrupt},
		"truncated": {good[:len(good)-5], catalog.ErrCorrupt},
		"v1 file":   {v1, catalog.ErrVersion}, // CRC-32 IEEE before the shared codec
	}
	for name, c := range cases {
		if _, err := LoadAgent(bytes.NewReader(c.b), nil); !errors.Is(err, ErrModel) || !errors.Is(err, c.also) {
			t.Errorf("%s: error %v, want ErrModel and %v", name, err, c.also)
		}
	}
	if _, err := LoadAgent(bytes.NewReader(good), other); !errors.Is(err, ErrModel) || !strings.Contains(err.Error(), "catalog") {
		t.Errorf("other catalog: error %v, want ErrModel naming the catalog", err)
	}
}

// FuzzLoadAgent: arbitrary bytes load or fail with ErrModel, never panic.
func FuzzLoadAgent(f *testing.F) {
	if good, err := os.ReadFile("testdata/agent.golden"); err == nil {
		f.Add(good)
	}
	f.Add([]byte("CRDJOIN\x00\x01\x00\x02\x00\x00\x00{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := LoadAgent(bytes.NewReader(b), nil); err != nil && !errors.Is(err, ErrModel) {
			t.Fatalf("untyped error %v", err)
		}
	})
}

// TestAgentPlans: the agent's plans, alone and guarded, join every table
// once along join edges on every shape from 2 to 25 tables (more than it
// was trained on), disconnected queries included; the guard falls back to
// DPccp and says why.
func TestAgentPlans(t *testing.T) {
	a, _ := trainSynth(t, 7)
	rng := rand.New(rand.NewPCG(11, 12))
	cat := synthCatalog(25, rng)
	for _, sh := range []shape{chain, star, cycle, clique, tree, split} {
		for _, n := range []int{2, 5, 9, 16, 25} {
			if sh == clique && n > 9 || sh == star && n > 16 || sh == split && n < 4 {
				continue
			}
			q := synthQuery(cat, sh, n, rng)
			cards := synthCards(t, cat, q, rng)
			for _, m := range []CostModel{Cout{}, NewMySQL(cat)} {
				p, err := a.Plan(cards, m)
				if err != nil {
					t.Fatal(err)
				}
				if err := Validate(p); err != nil {
					t.Fatalf("%s%d: %v\n%s", sh, n, err, p)
				}
				g, err := a.PlanGuarded(cards, m, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if err := Validate(g); err != nil {
					t.Fatalf("%s%d guarded: %v", sh, n, err)
				}
				if g.Source != MethodAgent && !strings.Contains(g.Source, "fallback") {
					t.Errorf("%s%d: source %q", sh, n, g.Source)
				}
				if n >= 25 && g.Source == MethodAgent {
					t.Errorf("%s%d: 3x the training size not flagged out of distribution", sh, n)
				}
			}
		}
	}
	// A guard ratio no plan meets forces the fallback.
	strict := *a
	strict.GuardRatio = 1e-12
	q := synthQuery(cat, chain, 6, rng)
	cards := synthCards(t, cat, q, rng)
	g, err := strict.PlanGuarded(cards, Cout{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(g.Source, "costlier") || g.Method != MethodDPccp {
		t.Errorf("strict guard: method %q source %q", g.Method, g.Source)
	}
}

// TestAgentOptions: invalid options are ErrOptions.
func TestAgentOptions(t *testing.T) {
	cat := synthCatalog(4, rand.New(rand.NewPCG(1, 1)))
	data := synthTraining(t, cat, 3, 1)
	for _, o := range []AgentOptions{{Epochs: -1}, {Epsilon: 2}, {Epsilon: math.NaN()}, {Ridge: -1}, {Beam: -2}} {
		if _, err := TrainAgent(t.Context(), cat, data, Cout{}, o); !errors.Is(err, ErrOptions) {
			t.Errorf("%+v: %v", o, err)
		}
	}
	if _, err := TrainAgent(t.Context(), cat, nil, Cout{}, AgentOptions{}); !errors.Is(err, ErrOptions) {
		t.Errorf("no data: %v", err)
	}
}
