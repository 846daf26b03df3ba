package estimator

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
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

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// LoadOptions configure Load.
type LoadOptions struct {
	// IgnoreFingerprint accepts a catalog whose fingerprint differs from
	// the model's.
	IgnoreFingerprint bool
}

// Save writes m as a model file.
func Save(w io.Writer, m Model) error {
	var cat *catalog.Catalog
	var payload payloadWriter
	kind := ""
	switch x := m.(type) {
	case *Histogram:
		kind, cat = KindHistogram, x.cat
	case *Sample:
		kind, cat = KindSample, x.s.cat
	case *GBDT:
		kind, cat = KindGBDT, x.cat
		x.savePayload(&payload)
	case *SetNet:
		kind, cat = KindSetNet, x.cat
		if err := x.savePayload(&payload); err != nil {
			return err
		}
	case *Linear:
		kind, cat = KindLinear, x.cat
		if err := x.savePayload(&payload); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: %T", ErrKind, m)
	}
	var cb bytes.Buffer
	if err := cat.Save(&cb); err != nil {
		return err
	}
	f := payloadWriter{b: []byte(modelMagic)}
	f.b = binary.LittleEndian.AppendUint16(f.b, modelVersion)
	f.str(kind)
	f.str(cat.Fingerprint())
	f.section(cb.Bytes())
	f.section(payload.b)
	f.b = binary.LittleEndian.AppendUint32(f.b, crc32.Checksum(f.b, crcTable))
	_, err := w.Write(f.b)
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
	off := len(modelMagic)
	if len(data) < off+2 {
		return nil, info, fmt.Errorf("%w: truncated header", ErrCorrupt)
	}
	version := binary.LittleEndian.Uint16(data[off:])
	if version < minModelVersion || version > modelVersion {
		return nil, info, fmt.Errorf("%w: version %d (this build reads %d to %d)", ErrVersion, version, minModelVersion, modelVersion)
	}
	off += 2
	if len(data) < off+4 {
		return nil, info, fmt.Errorf("%w: truncated", ErrCorrupt)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, crcTable) != sum {
		return nil, info, fmt.Errorf("%w: checksum mismatch (truncated or modified file)", ErrCorrupt)
	}
	rd := &payloadReader{b: body, off: off}
	info.Kind = rd.str("kind", maxKindLen)
	info.Fingerprint = rd.str("fingerprint", maxFPLen)
	if learned := info.Kind == KindGBDT || info.Kind == KindSetNet || info.Kind == KindLinear; learned && version < learnedMinVersion {
		return nil, info, fmt.Errorf("%w: %s model of version %d predates the version %d baselines; retrain it", ErrVersion, info.Kind, version, learnedMinVersion)
	}
	catBytes := rd.section("catalog")
	payload := rd.section("payload")
	if rd.err == nil && rd.off != len(body) {
		rd.fail("%d trailing bytes", len(body)-rd.off)
	}
	if rd.err != nil {
		return nil, info, rd.err
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
	var m Model
	switch info.Kind {
	case KindHistogram:
		m = NewHistogram(stored)
	case KindSample:
		m = NewSample(stored)
	case KindGBDT:
		m, err = loadGBDTPayload(payload, stored)
	case KindSetNet:
		m, err = loadSetNetPayload(bytes.NewReader(payload), stored)
	case KindLinear:
		m, err = loadLinearPayload(bytes.NewReader(payload), stored)
	default:
		return nil, info, fmt.Errorf("%w: %q", ErrKind, info.Kind)
	}
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			err = fmt.Errorf("%w: %s payload: %w", ErrCorrupt, info.Kind, err)
		}
		return nil, info, err
	}
	return m, info, nil
}

// Payload limits.
const (
	maxTreesInFile = 1 << 16
	maxNodesInTree = 1 << 16
	maxFeatures    = 1 << 20
	maxJoinsInFile = features.MaxTables - 1
)

func (g *GBDT) savePayload(w *payloadWriter) {
	e := g.enc
	w.uvarint(len(e.slots))
	for _, n := range e.slots {
		w.uvarint(n)
	}
	for _, cols := range e.seenCols {
		w.uvarint(len(cols))
		for _, s := range cols {
			w.bool(s)
		}
	}
	w.uvarint(len(e.edges))
	for _, k := range e.edges {
		w.uvarint(k.sa)
		w.uvarint(k.ca)
		w.uvarint(k.sb)
		w.uvarint(k.cb)
	}
	w.uvarint(e.maxJoins)
	w.uvarint(e.maxTables)
	w.uvarint(g.ens.nfeat)
	w.f64(g.ens.base)
	w.uvarint(len(g.ens.trees))
	for _, t := range g.ens.trees {
		w.uvarint(len(t))
		for _, n := range t {
			w.varint(int(n.feat))
			if n.feat >= 0 {
				w.uvarint(int(n.left))
				w.uvarint(int(n.right))
				w.f64(n.thr)
			}
			w.f64(n.value)
		}
	}
	w.uvarint(len(g.lowQ))
	for i := range g.lowQ {
		w.f64(g.lowQ[i])
		w.f64(g.highQ[i])
	}
	w.f64(g.base.blendK)
}

func loadGBDTPayload(b []byte, cat *catalog.Catalog) (*GBDT, error) {
	g := newGBDTShell(cat)
	e := g.enc
	r := &payloadReader{b: b}
	nt := len(cat.Schema.Tables)
	if r.uvarint("tables", nt) != nt {
		r.fail("payload is for another number of tables")
	}
	for t := 0; t < nt && r.err == nil; t++ {
		e.slots[t] = r.uvarint("slots", maxSlotsPerTable)
	}
	for t := 0; t < nt && r.err == nil; t++ {
		if r.uvarint("columns", len(e.seenCols[t])) != len(e.seenCols[t]) {
			r.fail("payload is for another number of columns of table %d", t)
		}
		for c := range e.seenCols[t] {
			e.seenCols[t][c] = r.bool("seen column")
		}
	}
	ne := r.uvarint("edges", maxFeatures)
	for i := 0; i < ne && r.err == nil; i++ {
		k := edgeKey{r.uvarint("slot", nt*maxSlotsPerTable-1), r.uvarint("column", math.MaxInt32),
			r.uvarint("slot", nt*maxSlotsPerTable-1), r.uvarint("column", math.MaxInt32)}
		if r.err == nil && (k.ca >= len(cat.Schema.Tables[k.sa/maxSlotsPerTable].Columns) ||
			k.cb >= len(cat.Schema.Tables[k.sb/maxSlotsPerTable].Columns)) {
			r.fail("edge column out of range")
		}
		e.edges = append(e.edges, k)
	}
	e.maxJoins = r.uvarint("max joins", maxJoinsInFile)
	e.maxTables = r.uvarint("max tables", maxJoinsInFile+1)
	if r.err != nil {
		return nil, r.err
	}
	e.finalize(nil)
	ens := &ensemble{nfeat: r.uvarint("features", maxFeatures)}
	if r.err == nil && ens.nfeat != e.nfeat {
		r.fail("%d features, the encoding has %d", ens.nfeat, e.nfeat)
	}
	ens.base = r.f64("base")
	ntrees := r.uvarint("trees", maxTreesInFile)
	for i := 0; i < ntrees && r.err == nil; i++ {
		nn := r.uvarint("nodes", maxNodesInTree)
		if r.err == nil && nn == 0 {
			r.fail("empty tree")
		}
		t := make(tree, 0, nn)
		for j := 0; j < nn && r.err == nil; j++ {
			n := treeNode{feat: int32(r.varint("feature", -1, ens.nfeat-1))}
			if n.feat >= 0 {
				// Children come after their parent: no cycles.
				n.left = int32(r.uvarint("child", nn-1))
				n.right = int32(r.uvarint("child", nn-1))
				if r.err == nil && (int(n.left) <= j || int(n.right) <= j) {
					r.fail("child before parent")
				}
				n.thr = r.f64("threshold")
			}
			n.value = r.f64("value")
			t = append(t, n)
		}
		ens.trees = append(ens.trees, t)
	}
	nb := r.uvarint("band", maxJoinsInFile+1)
	for i := 0; i < nb && r.err == nil; i++ {
		lo, hi := r.f64("band low"), r.f64("band high")
		g.lowQ = append(g.lowQ, lo)
		g.highQ = append(g.highQ, hi)
	}
	g.base.blendK = r.f64("blend k")
	if r.err == nil && !(g.base.blendK >= 0 && g.base.blendK <= maxBlendK) {
		r.fail("blend k %v out of [0, %v]", g.base.blendK, maxBlendK)
	}
	if r.err == nil && r.off != len(b) {
		r.fail("%d trailing bytes", len(b)-r.off)
	}
	if r.err != nil {
		return nil, r.err
	}
	ens.compile()
	g.ens = ens
	return g, nil
}

// CatalogOf returns the catalog a model estimates with (the one stored in
// its model file), or nil for estimators of other packages.
func CatalogOf(m Model) *catalog.Catalog {
	switch x := m.(type) {
	case *Histogram:
		return x.cat
	case *Sample:
		return x.s.cat
	case *GBDT:
		return x.cat
	case *SetNet:
		return x.cat
	case *Linear:
		return x.cat
	}
	return nil
}
