package estimator

import (
	"bufio"
	"bytes"
	"encoding/binary"
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
//	catalog               uint64 length + catalog.Save bytes (with sample;
//	                      from version 11 catalog format 7, compressed;
//	                      from version 12 format 8, with key maps)
//	payload               uint64 length + model bytes (kind-specific)
//	groups                uint64 length + group model bytes, empty when none
//	                      (groups_io.go; from version 6)
//	checksum              uint32 CRC-32C of everything before it
//
// A model file is self-contained: estimating needs no data.

const (
	modelMagic = "CARDMODL"
	// modelVersion 5: histogram and sample payloads may carry a conformal
	// band calibrated on a training workload (baseband.go; empty before).
	// modelVersion 6: the groups section (groups_io.go; none before).
	// 7: the baseline learned models correct changed for joins through
	// shared keys (keytransfer.go, zerohit.go, factorjoin.go).
	// 8: conformal bands carry a class for queries with outer joins or
	// subqueries (conformal.go; version 7 bands load without it).
	// 9: the baseline learned models correct changed for sub-plans with
	// two sampled roots (tworoot.go).
	// 10: it changed again for unfiltered dimensions joined on their
	// primary key (fkelim.go) and two roots with a few joint rows.
	// 11: the catalog section holds catalog format 7 (compressed, join
	// synopses as distinct rows: the flights demo's files 4.28-4.40 MB
	// -> 0.36-0.48 MB); older files still load, as catalog.Load reads
	// every catalog format, and a build before version 11 refuses these
	// with ErrVersion instead of failing inside the catalog.
	// 12: the catalog section holds catalog format 8, with key maps
	// (catalog.KeyMap), which change the baseline of a point filter on
	// a unique key the sample misses (zerohit.go, keyPointOf). A model
	// whose catalog has none keeps the baseline it was trained on, so
	// learned models of version 10 and 11 still load.
	// 13: the baseline learned models correct changed for a single
	// table with a point filter (post-stratified on the point's count,
	// poststrat.go) and for the histogram figures of a point on a key
	// with an exact degree table (encode.go); learned models before it
	// are refused.
	// 14: the GBDT payload ends with its shrink constant (shrink.go);
	// version 13 GBDTs load with none, which is how they estimated. A
	// Linear payload may name the sample baseline with the synopsis cap
	// (baseCodeSampleCapped, chosen in training).
	// 15: the Linear payload ends with its shrink constant (shrink.go);
	// older Linear files load with none, which is how they estimated.
	modelVersion = 15
	// minModelVersion is the oldest version Load reads: versions 1 and 2
	// differ only in the meaning of learned payloads.
	minModelVersion = 1
	// learnedMinVersion is the oldest version of learned models (gbdt,
	// setnet, linear): version 2 changed the baseline gbdt corrects for
	// joins (join-sample shrunk toward the histogram, see GBDT.blendK);
	// version 3 the baselines every learned model corrects (join
	// synopses, unsatisfiable filters, merged conjuncts on one column);
	// version 4 their bands (split conformal per join count and out of
	// distribution, conformal.go: version-3 bands missed their 90%);
	// version 7 the baseline of joins through shared keys
	// (contradictions across join keys, relaxed zero-hit tables, few-hit
	// filters spread by the histogram's count); version 9 that of
	// sub-plans with two sampled roots (one root's synopses and the
	// others' messages, tworoot.go); version 10 that of sub-plans with
	// unfiltered dimensions on their primary key (fkelim.go); version 13
	// that of single tables with a point filter (poststrat.go) and of
	// points on keys with degree tables.
	learnedMinVersion = 13
	// shrinkMinVersion is the first version whose GBDT payload carries
	// the shrink constant.
	shrinkMinVersion = 14
	// linearShrinkMinVersion is the first version whose Linear payload
	// carries the shrink constant.
	linearShrinkMinVersion = 15
	// groupsMinVersion is the first version with the groups section.
	groupsMinVersion = 6
	// maxModelBytes bounds what Load reads (a model is a few MB).
	maxModelBytes = 1 << 30
	maxKindLen    = 64
	maxFPLen      = 256
)

// FormatVersion is the model file format version Save writes; Load reads
// every version from MinFormatVersion on, learned models (gbdt, setnet,
// linear) only from LearnedMinFormatVersion on, as the baseline they
// correct changed under older ones ('cardinal version' prints all three).
const (
	FormatVersion           = modelVersion
	MinFormatVersion        = minModelVersion
	LearnedMinFormatVersion = learnedMinVersion
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
	f.Section(groupsSection(m))
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
	// The file is read as it is checked: the magic and version first,
	// then each length before its bytes, so a stream that is not a model
	// (or declares more than it holds) costs at most what it sent.
	mr := &modelReader{r: bufio.NewReader(r)}
	var head [len(modelMagic) + 2]byte
	if err := mr.full(head[:len(modelMagic)]); err != nil || string(head[:len(modelMagic)]) != modelMagic {
		info.Bytes = mr.n
		if err != nil && !errors.Is(err, ErrCorrupt) {
			return nil, info, err
		}
		return nil, info, ErrBadMagic
	}
	if err := mr.full(head[len(modelMagic):]); err != nil {
		return nil, info, fmt.Errorf("%w: truncated header", ErrCorrupt)
	}
	version := binary.LittleEndian.Uint16(head[len(modelMagic):])
	if version < minModelVersion || version > modelVersion {
		return nil, info, fmt.Errorf("%w: version %d (this build reads %d to %d)", ErrVersion, version, minModelVersion, modelVersion)
	}
	info.Kind = string(mr.str("kind", maxKindLen))
	info.Fingerprint = string(mr.str("fingerprint", maxFPLen))
	spec, known := kindRegistry[info.Kind]
	if mr.err == nil && known && spec.learned && version < learnedMinVersion {
		return nil, info, fmt.Errorf("%w: %s model of version %d predates the version %d baselines and bands; retrain it", ErrVersion, info.Kind, version, learnedMinVersion)
	}
	catBytes := mr.section("catalog")
	payload := mr.section("payload")
	var groups []byte
	if version >= groupsMinVersion {
		groups = mr.section("groups")
	}
	if mr.err == nil {
		sum := mr.crc
		var tail [4]byte
		if err := mr.full(tail[:]); err != nil {
			mr.err = fmt.Errorf("%w: truncated checksum", ErrCorrupt)
		} else if binary.LittleEndian.Uint32(tail[:]) != sum {
			mr.err = fmt.Errorf("%w: checksum mismatch (truncated or modified file)", ErrCorrupt)
		} else if _, err := mr.r.ReadByte(); err != io.EOF {
			mr.err = fmt.Errorf("%w: trailing bytes after the checksum", ErrCorrupt)
		}
	}
	info.Bytes = mr.n
	if mr.err != nil {
		return nil, info, mr.err
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
	m, err := spec.load(payload, stored, int(version))
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			err = fmt.Errorf("%w: %s payload: %w", ErrCorrupt, info.Kind, err)
		}
		return nil, info, err
	}
	if len(groups) > 0 {
		if err := loadGroupsSection(groups, m, stored); err != nil {
			return nil, info, err
		}
	}
	return m, info, nil
}

// modelReader reads a model file front to back, keeping the CRC-32C of
// what it read and failing on the first bad or missing piece.
type modelReader struct {
	r   *bufio.Reader
	n   int // bytes read
	crc uint32
	err error
}

// full reads exactly len(b) bytes: a short file is ErrCorrupt, another
// read error is returned as it is.
func (m *modelReader) full(b []byte) error {
	if m.err != nil {
		return m.err
	}
	k, err := io.ReadFull(m.r, b)
	m.n += k
	m.crc = bincodec.UpdateChecksum(m.crc, b[:k])
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		m.err = fmt.Errorf("%w: truncated at byte %d", ErrCorrupt, m.n)
	case err != nil:
		m.err = fmt.Errorf("estimator: reading model: %w", err)
	}
	return m.err
}

// str reads a uvarint length, at most limit, and as many bytes.
func (m *modelReader) str(what string, limit int) []byte {
	if m.err != nil {
		return nil
	}
	var buf [binary.MaxVarintLen64]byte
	k := 0
	for ; k < len(buf); k++ {
		if m.full(buf[k:k+1]) != nil {
			return nil
		}
		if buf[k] < 0x80 {
			break
		}
	}
	if k == len(buf) { // ten bytes with the continuation bit: no uvarint
		m.err = fmt.Errorf("%w: %s length is not a uvarint", ErrCorrupt, what)
		return nil
	}
	v, n := binary.Uvarint(buf[:k+1])
	if n <= 0 || v > uint64(limit) {
		m.err = fmt.Errorf("%w: %s length exceeds %d", ErrCorrupt, what, limit)
		return nil
	}
	b := make([]byte, v)
	m.full(b)
	return b
}

// section reads a uint64 length, checked against what is left of
// maxModelBytes, and as many bytes, growing the buffer only as bytes
// arrive.
func (m *modelReader) section(what string) []byte {
	var l [8]byte
	if m.full(l[:]) != nil {
		return nil
	}
	n := binary.LittleEndian.Uint64(l[:])
	if n > uint64(maxModelBytes-m.n) {
		m.err = fmt.Errorf("%w: %s length %d exceeds the %d-byte limit of a model file", ErrCorrupt, what, n, maxModelBytes)
		return nil
	}
	var buf bytes.Buffer
	k, err := io.CopyN(&buf, m.r, int64(n))
	m.n += int(k)
	m.crc = bincodec.UpdateChecksum(m.crc, buf.Bytes())
	switch {
	case err == io.EOF:
		m.err = fmt.Errorf("%w: %s length %d exceeds the file", ErrCorrupt, what, n)
	case err != nil:
		m.err = fmt.Errorf("estimator: reading model: %w", err)
	}
	return buf.Bytes()
}
