package estimator

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/internal/bincodec"
)

// Model file layout (little-endian):
//
//	"CARDMODL"            8-byte magic
//	version               uint16 (modelVersion)
//	kind                  uvarint length + bytes ("gbdt", "histogram", ...)
//	fingerprint           uvarint length + bytes (catalog.Fingerprint)
//	catalog               uint64 length + catalog.Save bytes (with sample)
//	payload               uint64 length + model bytes (kind-specific)
//	checksum              uint32 CRC-32C of everything before it
//
// A model file is self-contained: estimating needs no data.

const (
	modelMagic   = "CARDMODL"
	modelVersion = 3
	// minModelVersion is the oldest version Load reads: versions 1 and 2
	// differ only in the meaning of learned payloads.
	minModelVersion = 1
	// learnedMinVersion is the oldest version of learned models (gbdt,
	// setnet, linear): version 2 changed the baseline gbdt corrects for
	// joins (join-sample shrunk toward the histogram, see GBDT.blendK);
	// version 3 the baselines every learned model corrects (join
	// synopses, unsatisfiable filters, merged conjuncts on one column).
	learnedMinVersion = 3
	// maxModelBytes bounds what Load reads (a model is a few MB).
	maxModelBytes = 1 << 30
	maxKindLen    = 64
	maxFPLen      = 256
)

// FormatVersion is the model file format version Save writes; Load reads
// every version from MinFormatVersion on ('cardinal version' prints both).
const (
	FormatVersion    = modelVersion
	MinFormatVersion = minModelVersion
)

// Errors of model files. Match with errors.Is.
var (
	// ErrBadMagic, ErrVersion and ErrCorrupt are the values of
	// catalog.ErrBadMagic, catalog.ErrVersion and catalog.ErrCorrupt: one
	// vocabulary for every Cardinal file.
	ErrBadMagic = catalog.ErrBadMagic
	ErrVersion  = catalog.ErrVersion
	ErrCorrupt  = catalog.ErrCorrupt
	// ErrFingerprint: the model was trained on statistics other than the
	// catalog given to Load (the data changed: retrain, or set
	// LoadOptions.IgnoreFingerprint).
	ErrFingerprint = errors.New("estimator: model was trained on another catalog")
	// ErrKind: a model kind this build cannot save or load.
	ErrKind = errors.New("estimator: unknown model kind")
)

// LoadOptions configure Load.
type LoadOptions struct {
	// IgnoreFingerprint accepts a catalog whose fingerprint differs from
	// the model's.
	IgnoreFingerprint bool
}

// Save writes m as a model file.
func Save(w io.Writer, m Model) error {
	sm, ok := m.(savedModel)
	if !ok {
		return fmt.Errorf("%w: %T", ErrKind, m)
	}
	kind, cat := sm.kind(), sm.modelCatalog()
	var payload bincodec.Encoder
	if err := sm.savePayload(&payload); err != nil {
		return err
	}
	var cb bytes.Buffer
	if err := cat.Save(&cb); err != nil {
		return err
	}
	f := bincodec.Encoder{B: []byte(modelMagic)}
	f.U16(modelVersion)
	f.Str(kind)
	f.Str(cat.Fingerprint())
	f.Section(cb.Bytes())
	f.Section(payload.B)
	f.U32(bincodec.Checksum(f.B))
	_, err := w.Write(f.B)
	return err
}

// ModelInfo describes a model file's header.
type ModelInfo struct {
	Kind        string
	Fingerprint string
	Bytes       int
}

// Load reads a model file. The model estimates with the catalog stored in
// the file; cat, when not nil, must have the same fingerprint
// (ErrFingerprint otherwise, unless opts.IgnoreFingerprint). Foreign data
// is ErrBadMagic, another format version ErrVersion, truncation, a checksum
// mismatch or an inconsistent payload ErrCorrupt.
func Load(r io.Reader, cat *catalog.Catalog, opts LoadOptions) (Model, error) {
	m, _, err := LoadInfo(r, cat, opts)
	return m, err
}

// LoadInfo is Load that also returns the file's header.
func LoadInfo(r io.Reader, cat *catalog.Catalog, opts LoadOptions) (Model, ModelInfo, error) {
	var info ModelInfo
	data, err := io.ReadAll(io.LimitReader(r, maxModelBytes+1))
	if err != nil {
		return nil, info, fmt.Errorf("estimator: reading model: %w", err)
	}
	info.Bytes = len(data)
	if len(data) > maxModelBytes {
		return nil, info, fmt.Errorf("%w: larger than %d bytes", ErrCorrupt, maxModelBytes)
	}
	if len(data) < len(modelMagic) || string(data[:len(modelMagic)]) != modelMagic {
		return nil, info, ErrBadMagic
	}
	hd := bincodec.NewDecoder(data[len(modelMagic):], "header")
	version := hd.U16("version")
	if hd.Err() != nil {
		return nil, info, hd.Err()
	}
	if version < minModelVersion || version > modelVersion {
		return nil, info, fmt.Errorf("%w: version %d (this build reads %d to %d)", ErrVersion, version, minModelVersion, modelVersion)
	}
	off := len(modelMagic) + 2
	if len(data) < off+4 {
		return nil, info, fmt.Errorf("%w: truncated", ErrCorrupt)
	}
	body := data[:len(data)-4]
	if sum := bincodec.NewDecoder(data[len(body):], "checksum").U32("checksum"); bincodec.Checksum(body) != sum {
		return nil, info, fmt.Errorf("%w: checksum mismatch (truncated or modified file)", ErrCorrupt)
	}
	rd := bincodec.NewDecoder(body[off:], "model file")
	info.Kind = rd.Str("kind", maxKindLen)
	info.Fingerprint = rd.Str("fingerprint", maxFPLen)
	spec, known := kindRegistry[info.Kind]
	if known && spec.learned && version < learnedMinVersion {
		return nil, info, fmt.Errorf("%w: %s model of version %d predates the version %d baselines; retrain it", ErrVersion, info.Kind, version, learnedMinVersion)
	}
	catBytes := rd.Section("catalog")
	payload := rd.Section("payload")
	if rd.Err() == nil && rd.Left() != 0 {
		rd.Fail("%d trailing bytes", rd.Left())
	}
	if rd.Err() != nil {
		return nil, info, rd.Err()
	}
	stored, err := catalog.Load(bytes.NewReader(catBytes))
	if err != nil {
		return nil, info, fmt.Errorf("%w: catalog: %w", ErrCorrupt, err)
	}
	if stored.Fingerprint() != info.Fingerprint {
		return nil, info, fmt.Errorf("%w: stored catalog does not match the recorded fingerprint", ErrCorrupt)
	}
	if cat != nil && !opts.IgnoreFingerprint {
		if fp := cat.Fingerprint(); fp != info.Fingerprint {
			return nil, info, fmt.Errorf("%w: model %s, catalog %s", ErrFingerprint, info.Fingerprint, fp)
		}
	}
	if !known {
		return nil, info, fmt.Errorf("%w: %q", ErrKind, info.Kind)
	}
	m, err := spec.load(payload, stored)
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			err = fmt.Errorf("%w: %s payload: %w", ErrCorrupt, info.Kind, err)
		}
		return nil, info, err
	}
	return m, info, nil
}
