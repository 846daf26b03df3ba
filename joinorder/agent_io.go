package joinorder

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/internal/bincodec"
)

// Agent model file format:
//
//	magic "CRDJOIN\x00" | version uint16 LE | payload length uint32 LE |
//	payload (JSON, agentFile) | CRC-32C of the payload uint32 LE
//
// The checksum is internal/bincodec's, the one CRC table of every Cardinal
// file format. Version 1 files (CRC-32 IEEE) get ErrVersion: retrain.
//
// Floats are JSON numbers in Go's shortest round-trip form, so Load
// restores the agent bit for bit and Save of a loaded agent reproduces the
// file.
const (
	agentMagic   = "CRDJOIN\x00"
	agentVersion = 2
	// maxAgentPayload bounds the payload Load accepts.
	maxAgentPayload = 1 << 20
)

type agentFile struct {
	Features    []string  `json:"features"`
	Weights     []float64 `json:"weights"`
	Mean        []float64 `json:"mean"`
	Std         []float64 `json:"std"`
	Min         []float64 `json:"min"`
	Max         []float64 `json:"max"`
	MaxTables   int       `json:"max_tables"`
	Fingerprint string    `json:"catalog_fingerprint"`
	CostModel   string    `json:"cost_model"`
	Cards       string    `json:"cards"`
	Beam        int       `json:"beam"`
	GuardRatio  float64   `json:"guard_ratio"`
	OODSlack    float64   `json:"ood_slack"`
}

// Save writes the agent's model file.
func (a *Agent) Save(w io.Writer) error {
	f := agentFile{Features: featureNames[:], Weights: a.w[:], Mean: a.mean[:], Std: a.std[:], Min: a.fmin[:], Max: a.fmax[:],
		MaxTables: a.maxTables, Fingerprint: a.Fingerprint, CostModel: a.CostModel, Cards: a.Cards, Beam: a.Beam,
		GuardRatio: a.GuardRatio, OODSlack: a.OODSlack}
	payload, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrModel, err)
	}
	e := bincodec.Encoder{B: make([]byte, 0, len(agentMagic)+10+len(payload))}
	e.B = append(e.B, agentMagic...)
	e.U16(agentVersion)
	e.U32(uint32(len(payload)))
	e.B = append(e.B, payload...)
	e.U32(bincodec.Checksum(payload))
	_, err = w.Write(e.B)
	return err
}

// LoadAgent reads an agent model file and checks it was trained on a
// catalog with cat's fingerprint (nil cat: no check).
func LoadAgent(r io.Reader, cat *catalog.Catalog) (*Agent, error) {
	var head [len(agentMagic) + 6]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, fmt.Errorf("%w: %w: short header: %w", ErrModel, catalog.ErrCorrupt, err)
	}
	if string(head[:len(agentMagic)]) != agentMagic {
		return nil, fmt.Errorf("%w: %w: not a join-order agent file", ErrModel, catalog.ErrBadMagic)
	}
	if v := binary.LittleEndian.Uint16(head[len(agentMagic):]); v != agentVersion {
		return nil, fmt.Errorf("%w: %w: %d, want %d", ErrModel, catalog.ErrVersion, v, agentVersion)
	}
	n := binary.LittleEndian.Uint32(head[len(agentMagic)+2:])
	if n > maxAgentPayload {
		return nil, fmt.Errorf("%w: %w: payload of %d bytes exceeds %d", ErrModel, catalog.ErrCorrupt, n, maxAgentPayload)
	}
	payload := make([]byte, n+4)
	if _, err := io.ReadFull(r, payload); err != nil {
		return nil, fmt.Errorf("%w: %w: truncated payload: %w", ErrModel, catalog.ErrCorrupt, err)
	}
	sum := binary.LittleEndian.Uint32(payload[n:])
	payload = payload[:n]
	if bincodec.Checksum(payload) != sum {
		return nil, fmt.Errorf("%w: %w: checksum mismatch", ErrModel, catalog.ErrCorrupt)
	}
	var f agentFile
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrModel, err)
	}
	a := &Agent{maxTables: f.MaxTables, Fingerprint: f.Fingerprint, CostModel: f.CostModel, Cards: f.Cards, Beam: f.Beam,
		GuardRatio: f.GuardRatio, OODSlack: f.OODSlack}
	if len(f.Features) != numFeatures {
		return nil, fmt.Errorf("%w: %d features, want %d", ErrModel, len(f.Features), numFeatures)
	}
	for i, name := range f.Features {
		if name != featureNames[i] {
			return nil, fmt.Errorf("%w: feature %d is %q, want %q", ErrModel, i, name, featureNames[i])
		}
	}
	for _, v := range []struct {
		dst *[numFeatures]float64
		src []float64
		nm  string
	}{{&a.w, f.Weights, "weights"}, {&a.mean, f.Mean, "mean"}, {&a.std, f.Std, "std"}, {&a.fmin, f.Min, "min"}, {&a.fmax, f.Max, "max"}} {
		if len(v.src) != numFeatures {
			return nil, fmt.Errorf("%w: %d %s, want %d", ErrModel, len(v.src), v.nm, numFeatures)
		}
		for i, x := range v.src {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("%w: non-finite %s[%d]", ErrModel, v.nm, i)
			}
			v.dst[i] = x
		}
	}
	if f.MaxTables < 0 || f.Beam < 0 || f.GuardRatio < 0 || f.OODSlack < 0 || math.IsNaN(f.GuardRatio) || math.IsNaN(f.OODSlack) {
		return nil, fmt.Errorf("%w: negative size or ratio", ErrModel)
	}
	if cat != nil && f.Fingerprint != "" && cat.Fingerprint() != f.Fingerprint {
		return nil, fmt.Errorf("%w: trained on catalog %s, not this one (%s)", ErrModel, f.Fingerprint, cat.Fingerprint())
	}
	return a, nil
}
