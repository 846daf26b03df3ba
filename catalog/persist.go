package catalog

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/cardinaldb/cardinal/internal/bincodec"
)

// Binary catalog format, version 8 (all integers little-endian):
//
//	magic    8 bytes  "CARDCAT\x00"
//	version  uint16   formatVersion
//	size     uint64   bytes of the sections once inflated
//	packed   uint64   bytes of the compressed sections that follow
//	body              the sections, DEFLATE-compressed (RFC 1951,
//	                  compress/flate at packLevel)
//	checksum uint32   CRC-32C (Castagnoli) of every byte before it
//
// The sections are those of version 6 and key maps, one after the other:
// tag uint16, length uint32, payload; in order schema (1), stats (2),
// joins (3), indexes (4), key degrees (5), dependencies (6), sketches
// (7), key maps (8, keymap.go), end (0, empty). Version 7 is version 8
// without key maps. Two payloads are encoded more compactly than in
// version 6: a
// join synopsis holds its distinct joined rows and per sampled row an
// index (encodeDistinctRows), and a sampled integer its difference from
// the previous integer of its column (encodeStats). Versions 1 to 6 store
// the sections uncompressed between the version and the checksum, version
// 1 without joins, 2 without indexes, 3 without key degrees, 4 without
// dependencies and 5 without sketches; Load reads every version from 1 to
// 8, and Save writes version 8 only. The flights catalog of the demo
// (default options, seed 1) takes 4,284,069 bytes as version 6 and
// 362,289 as version 7 (870,259 before compression) and loads about as
// fast (BenchmarkLoadFlights: inflating costs what decoding a join
// synopsis's distinct rows once saves); the catalog of the ecommerce
// bench at scale 10, whose join synopses hold unique orders, 4,135,632
// and 1,360,561 bytes, loading about twice as slow
// (BenchmarkLoadEcommerce10: 3.5 MB to inflate). Save is deterministic
// (same catalog, same bytes) for a given Go release.
//
// Payloads are varint encoded (see codec.go). The reader takes exactly the
// bytes Save wrote, so a catalog can be embedded in a larger file. The
// checksum is verified before inflating, and inflating stops at the
// declared size: a body that inflates to more or fewer bytes, or does not
// end where its packed length says, is ErrCorrupt.
const (
	magic         = "CARDCAT\x00"
	formatVersion = 8
	// packedVersion is the first version with a compressed body.
	packedVersion = 7
	// packLevel trades Save time for size: the flights catalog's 870 KB
	// of sections pack into 430 KB at level 1, 378 KB at 3, 362 KB at 6
	// (flate.DefaultCompression) and 361 KB at 9, each in 0.1-0.2 s.
	packLevel = flate.DefaultCompression

	sectionEnd     = 0
	sectionSchema  = 1
	sectionStats   = 2
	sectionJoins   = 3
	sectionIndexes = 4
	sectionKeys    = 5
	sectionDeps    = 6
	sectionSketch  = 7
	sectionKeyMap  = 8
)

// sectionsOf lists the sections of each readable format version.
var sectionsOf = map[uint16][]uint16{
	1: {sectionSchema, sectionStats, sectionEnd},
	2: {sectionSchema, sectionStats, sectionJoins, sectionEnd},
	3: {sectionSchema, sectionStats, sectionJoins, sectionIndexes, sectionEnd},
	4: {sectionSchema, sectionStats, sectionJoins, sectionIndexes, sectionKeys, sectionEnd},
	5: {sectionSchema, sectionStats, sectionJoins, sectionIndexes, sectionKeys, sectionDeps, sectionEnd},
	6: {sectionSchema, sectionStats, sectionJoins, sectionIndexes, sectionKeys, sectionDeps, sectionSketch, sectionEnd},
	7: {sectionSchema, sectionStats, sectionJoins, sectionIndexes, sectionKeys, sectionDeps, sectionSketch, sectionEnd},
	8: {sectionSchema, sectionStats, sectionJoins, sectionIndexes, sectionKeys, sectionDeps, sectionSketch, sectionKeyMap, sectionEnd},
}

// Limits Load enforces so that a hostile file cannot make it allocate
// more than a small multiple of its own size (for version 7, of its
// inflated size, which is at most the declared size and at most
// DEFLATE's ratio of about 1,032 times the packed bytes).
const (
	maxSectionLen = 1 << 30 // bytes in one section
	maxBodyLen    = 1 << 30 // bytes of a version-7 body, inflated or packed
	// maxPackRatio bounds the buffer Load reserves before inflating, per
	// packed byte (DEFLATE's own limit is about 1,032).
	maxPackRatio  = 16
	maxTables     = 1 << 12
	maxColumns    = 1 << 12 // per table
	maxKeyColumns = 1 << 8  // in one key
	maxForeignKey = 1 << 16
	maxIndexes    = 1 << 10 // per table (MySQL allows 64)
	maxPrefixLen  = 1 << 16 // characters in an index prefix (InnoDB's limit is 3072 bytes)
	maxNameLen    = 1 << 10 // MySQL allows 64 characters
	maxStringLen  = 1 << 24 // one string datum
	maxList       = 1 << 24 // MCVs, histogram bounds, sampled rows
)

// Save writes c in the versioned binary format (version 8). It fails with
// ErrInvalidSchema when c is not consistent (see Load).
func (c *Catalog) Save(w io.Writer) error { return c.save(w, formatVersion) }

// save writes c as format version v. Versions before 8 leave out what
// they have no section for; tests write them to pin that Load still
// reads them.
func (c *Catalog) save(w io.Writer, version uint16) error {
	body, err := c.sections(version)
	if err != nil {
		return err
	}
	buf := bincodec.Encoder{B: []byte(magic)}
	buf.U16(version)
	if version < packedVersion {
		buf.B = append(buf.B, body...)
	} else {
		if len(body) > maxBodyLen {
			return fmt.Errorf("%w: %d bytes of sections, over the %d limit", ErrInvalidSchema, len(body), maxBodyLen)
		}
		buf.U64(uint64(len(body)))
		at := len(buf.B)
		buf.U64(0) // the packed size, once known
		zw, err := flate.NewWriter(&buf, packLevel)
		if err != nil {
			return err
		}
		if _, err := zw.Write(body); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		binary.LittleEndian.PutUint64(buf.B[at:], uint64(len(buf.B)-at-8))
	}
	buf.U32(bincodec.Checksum(buf.B))
	_, err = w.Write(buf.B)
	return err
}

// sections encodes the sections of format version v, end section
// included, after checking c.
func (c *Catalog) sections(version uint16) ([]byte, error) {
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidSchema, err)
	}
	var body bincodec.Encoder
	var e encoder
	for _, sec := range sectionsOf[version] {
		e.B = e.B[:0]
		switch sec {
		case sectionSchema:
			encodeSchema(&e, c.Schema)
		case sectionStats:
			sample := plainSample
			if version >= packedVersion {
				sample = deltaSample
			}
			encodeStats(&e, c.Stats, sample)
		case sectionJoins:
			encodeJoins(&e, c.Stats, version >= packedVersion)
		case sectionIndexes:
			encodeIndexes(&e, c.Schema)
		case sectionKeys:
			encodeKeyDegrees(&e, c.Stats)
		case sectionDeps:
			encodeDependencies(&e, c.Stats)
		case sectionSketch:
			encodeSketches(&e, c.Stats)
		case sectionKeyMap:
			encodeKeyMaps(&e, c.Stats)
		}
		if len(e.B) > maxSectionLen {
			return nil, fmt.Errorf("%w: section %d is %d bytes, over the %d limit", ErrInvalidSchema, sec, len(e.B), maxSectionLen)
		}
		body.U16(sec)
		body.U32(uint32(len(e.B)))
		body.B = append(body.B, e.B...)
	}
	return body.B, nil
}

// crcReader reads from r, keeping a CRC-32C of everything read.
type crcReader struct {
	r   io.Reader
	crc uint32
}

// Read reads from r, checksumming what it returns.
func (cr *crcReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	cr.crc = bincodec.UpdateChecksum(cr.crc, p[:n])
	return n, err
}

// read fills p or fails: a short input is ErrCorrupt (truncated), another
// read error is returned wrapped.
func (cr *crcReader) read(p []byte, what string) error {
	n, err := io.ReadFull(cr.r, p)
	cr.crc = bincodec.UpdateChecksum(cr.crc, p[:n])
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated in %s", ErrCorrupt, what)
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", what, err)
	}
	return nil
}

// Load reads a catalog written by Save, consuming exactly its bytes.
// Errors: ErrBadMagic for foreign data, ErrVersion for another format
// version, ErrCorrupt for truncation, a checksum mismatch, a length over a
// limit or an inconsistent catalog; read errors of r are passed on wrapped.
func Load(r io.Reader) (*Catalog, error) {
	c, err := load(r)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	return c, nil
}

func load(r io.Reader) (*Catalog, error) {
	cr := &crcReader{r: r}
	head := make([]byte, len(magic)+2)
	if err := cr.read(head[:len(magic)], "magic"); err != nil {
		return nil, err
	}
	if string(head[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: starts with %q", ErrBadMagic, head[:len(magic)])
	}
	if err := cr.read(head[len(magic):], "version"); err != nil {
		return nil, err
	}
	v := bincodec.NewDecoder(head[len(magic):], "header").U16("version")
	sections, ok := sectionsOf[v]
	if !ok {
		return nil, fmt.Errorf("%w: %d (this build reads 1 to %d)", ErrVersion, v, formatVersion)
	}
	var (
		payloads [8][]byte
		err      error
	)
	if v < packedVersion {
		// The sections lie between the header and the checksum.
		if payloads, err = readSections(cr, sections); err != nil {
			return nil, err
		}
		if err := cr.checksum(); err != nil {
			return nil, err
		}
	} else {
		body, err := readPacked(cr)
		if err != nil {
			return nil, err
		}
		br := bytes.NewReader(body)
		if payloads, err = readSections(br, sections); err != nil {
			return nil, err
		}
		if br.Len() != 0 {
			return nil, fmt.Errorf("%w: %d bytes after the end section", ErrCorrupt, br.Len())
		}
	}
	sd := newDecoder(payloads[0], "schema section")
	schema := decodeSchema(sd)
	td := newDecoder(payloads[1], "stats section")
	jd := newDecoder(payloads[2], "joins section")
	xd := newDecoder(payloads[3], "indexes section")
	kd := newDecoder(payloads[4], "key degrees section")
	fd := newDecoder(payloads[5], "dependencies section")
	hd := newDecoder(payloads[6], "sketches section")
	md := newDecoder(payloads[7], "key maps section")
	var stats []TableStats
	if sd.Err() == nil {
		sample := plainSample
		if v >= packedVersion {
			sample = deltaSample
		}
		stats = decodeStats(td, schema, sample)
	}
	if sd.Err() == nil && td.Err() == nil && payloads[2] != nil {
		decodeJoins(jd, schema, stats, v >= packedVersion)
	}
	if sd.Err() == nil && payloads[3] != nil {
		decodeIndexes(xd, schema)
	}
	if sd.Err() == nil && td.Err() == nil && payloads[4] != nil {
		decodeKeyDegrees(kd, schema, stats)
	}
	if sd.Err() == nil && td.Err() == nil && payloads[5] != nil {
		decodeDependencies(fd, stats)
	}
	if sd.Err() == nil && td.Err() == nil && payloads[6] != nil {
		decodeSketches(hd, stats)
	}
	if sd.Err() == nil && td.Err() == nil && payloads[7] != nil {
		decodeKeyMaps(md, schema, stats)
	}
	for _, d := range []*decoder{sd, td, jd, xd, kd, fd, hd, md} {
		if d.Err() != nil {
			return nil, d.Err()
		}
		if d.Left() != 0 {
			d.Fail("%d trailing bytes", d.Left())
			return nil, d.Err()
		}
	}
	c := &Catalog{Schema: schema, Stats: stats}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return c, nil
}

// checksum reads the trailing CRC-32C and compares it with what was read.
func (cr *crcReader) checksum() error {
	want := cr.crc
	var sum [4]byte
	if err := cr.read(sum[:], "checksum"); err != nil {
		return err
	}
	if got := bincodec.NewDecoder(sum[:], "checksum").U32("checksum"); got != want {
		return fmt.Errorf("%w: checksum %08x, computed %08x", ErrCorrupt, got, want)
	}
	return nil
}

// readSections reads the sections a version holds, in order, up to the
// end section.
func readSections(r io.Reader, sections []uint16) ([8][]byte, error) {
	var payloads [8][]byte
	for _, want := range sections {
		var sh [6]byte
		if _, err := io.ReadFull(r, sh[:]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return payloads, fmt.Errorf("%w: truncated in section header", ErrCorrupt)
			}
			return payloads, fmt.Errorf("reading section header: %w", err)
		}
		hd := bincodec.NewDecoder(sh[:], "section header")
		tag, n := hd.U16("tag"), hd.U32("length")
		if tag != want {
			return payloads, fmt.Errorf("%w: section %d where %d was expected", ErrCorrupt, tag, want)
		}
		if n > maxSectionLen || (tag == sectionEnd && n != 0) {
			return payloads, fmt.Errorf("%w: section %d length %d over limit", ErrCorrupt, tag, n)
		}
		if tag == sectionEnd {
			break
		}
		// Grow with the data actually read, not with the declared length.
		var b bytes.Buffer
		if _, err := io.CopyN(&b, r, int64(n)); err != nil {
			if errors.Is(err, io.EOF) {
				return payloads, fmt.Errorf("%w: truncated in section %d", ErrCorrupt, tag)
			}
			return payloads, fmt.Errorf("reading section %d: %w", tag, err)
		}
		payloads[tag-1] = b.Bytes()
	}
	return payloads, nil
}

// readPacked reads a version-7 body (sizes, packed bytes, checksum) and
// inflates it. The checksum is checked before inflating; the inflated
// body must be exactly the declared size, reached exactly at the end of
// the packed bytes.
func readPacked(cr *crcReader) ([]byte, error) {
	var sizes [16]byte
	if err := cr.read(sizes[:], "body sizes"); err != nil {
		return nil, err
	}
	d := bincodec.NewDecoder(sizes[:], "body sizes")
	size, packed := d.U64("size"), d.U64("packed size")
	if size > maxBodyLen || packed > maxBodyLen {
		return nil, fmt.Errorf("%w: body of %d bytes packed in %d, over the %d limit", ErrCorrupt, size, packed, maxBodyLen)
	}
	var pb bytes.Buffer // grows with the bytes read, not the declared size
	if _, err := io.CopyN(&pb, cr, int64(packed)); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: truncated in the packed body (%d of %d bytes)", ErrCorrupt, pb.Len(), packed)
		}
		return nil, fmt.Errorf("reading the packed body: %w", err)
	}
	if err := cr.checksum(); err != nil {
		return nil, err
	}
	src := bytes.NewReader(pb.Bytes())
	zr := flate.NewReader(src)
	var body bytes.Buffer
	// Preallocate what the packed bytes can honestly hold; a bomb's
	// declared size buys nothing until it inflates.
	body.Grow(int(min(size, packed*maxPackRatio)))
	n, err := io.CopyN(&body, zr, int64(size))
	switch {
	case err == io.EOF:
		return nil, fmt.Errorf("%w: body inflates to %d bytes, %d declared", ErrCorrupt, n, size)
	case err != nil:
		return nil, fmt.Errorf("%w: packed body: %w", ErrCorrupt, err)
	}
	// The stream must end here, with no packed byte left over.
	var one [1]byte
	switch _, err := io.ReadFull(zr, one[:]); err {
	case io.EOF:
	case nil:
		return nil, fmt.Errorf("%w: body inflates past its declared %d bytes", ErrCorrupt, size)
	default:
		return nil, fmt.Errorf("%w: packed body: %w", ErrCorrupt, err)
	}
	if src.Len() != 0 {
		return nil, fmt.Errorf("%w: %d packed bytes after the end of the compressed stream", ErrCorrupt, src.Len())
	}
	return body.Bytes(), nil
}

func encodeSchema(e *encoder, s *Schema) {
	e.Uvarint(uint64(len(s.Tables)))
	for _, t := range s.Tables {
		e.Str(t.Name)
		e.Uvarint(uint64(len(t.Columns)))
		for _, c := range t.Columns {
			e.Str(c.Name)
			e.U8(uint8(c.Type))
			if c.Nullable {
				e.U8(1)
			} else {
				e.U8(0)
			}
		}
		e.strs(t.PrimaryKey)
	}
	e.Uvarint(uint64(len(s.ForeignKeys)))
	for _, fk := range s.ForeignKeys {
		e.Str(fk.Table)
		e.strs(fk.Columns)
		e.Str(fk.RefTable)
		e.strs(fk.RefColumns)
	}
}

func decodeSchema(d *decoder) *Schema {
	s := &Schema{}
	nt := d.Count("table", maxTables, 1)
	for range nt {
		t := &Table{Name: d.Str("string", maxNameLen)}
		nc := d.Count("column", maxColumns, 3)
		if nc > 0 {
			t.Columns = make([]Column, nc)
		}
		for i := range t.Columns {
			c := &t.Columns[i]
			c.Name = d.Str("string", maxNameLen)
			c.Type = Type(d.U8("byte"))
			switch d.U8("byte") {
			case 0:
			case 1:
				c.Nullable = true
			default:
				d.Fail("nullable flag of column %q", c.Name)
			}
		}
		t.PrimaryKey = d.strs("primary key column", maxKeyColumns)
		s.Tables = append(s.Tables, t)
		if d.Err() != nil {
			return s
		}
	}
	nf := d.Count("foreign key", maxForeignKey, 4)
	if nf > 0 {
		s.ForeignKeys = make([]ForeignKey, nf)
	}
	for i := range s.ForeignKeys {
		fk := &s.ForeignKeys[i]
		fk.Table = d.Str("string", maxNameLen)
		fk.Columns = d.strs("foreign key column", maxKeyColumns)
		fk.RefTable = d.Str("string", maxNameLen)
		fk.RefColumns = d.strs("referenced column", maxKeyColumns)
	}
	return s
}

// encodeIndexes writes each table's secondary indexes: per table their
// count, then per index its name, a flags byte (1: unique) and its columns
// (name, prefix length, 1 when descending).
func encodeIndexes(e *encoder, s *Schema) {
	e.Uvarint(uint64(len(s.Tables)))
	for _, t := range s.Tables {
		e.Uvarint(uint64(len(t.Indexes)))
		for _, ix := range t.Indexes {
			e.Str(ix.Name)
			if ix.Unique {
				e.U8(1)
			} else {
				e.U8(0)
			}
			e.Uvarint(uint64(len(ix.Columns)))
			for _, c := range ix.Columns {
				e.Str(c.Name)
				e.Uvarint(uint64(c.Prefix))
				if c.Desc {
					e.U8(1)
				} else {
					e.U8(0)
				}
			}
		}
	}
}

func decodeIndexes(d *decoder, s *Schema) {
	n := d.Count("index tables", maxTables, 1)
	if d.Err() != nil {
		return
	}
	if n != len(s.Tables) {
		d.Fail("indexes of %d tables for %d", n, len(s.Tables))
		return
	}
	flag := func(what string) bool {
		switch d.U8("byte") {
		case 0:
			return false
		case 1:
			return true
		}
		d.Fail("%s flag", what)
		return false
	}
	for _, t := range s.Tables {
		ni := d.Count("index", maxIndexes, 3)
		for k := 0; k < ni && d.Err() == nil; k++ {
			ix := Index{Name: d.Str("string", maxNameLen)}
			ix.Unique = flag("unique")
			nc := d.Count("index column", maxKeyColumns, 3)
			for j := 0; j < nc && d.Err() == nil; j++ {
				c := IndexColumn{Name: d.Str("string", maxNameLen)}
				p := d.Uvarint("number")
				if p > maxPrefixLen {
					d.Fail("prefix length %d", p)
				}
				c.Prefix = int(p)
				c.Desc = flag("descending")
				ix.Columns = append(ix.Columns, c)
			}
			t.Indexes = append(t.Indexes, ix)
		}
	}
}

// Sample encodings of encodeStats.
const (
	noSample    = iota // Fingerprint: no sample
	plainSample        // versions 1-6: every datum as it is
	deltaSample        // version 7: integers as the difference from the column's previous integer
)

// encodeStats writes the statistics and, unless sample is noSample
// (Fingerprint leaves it out), the sample. With deltaSample an integer
// datum holds its difference from the previous integer of its column
// (wrapping, from 0): samples are in row order, so ids and times that
// grow with the row take a byte or two instead of three to five.
func encodeStats(e *encoder, stats []TableStats, sample int) {
	e.Uvarint(uint64(len(stats)))
	for _, ts := range stats {
		e.Uvarint(uint64(ts.Rows))
		e.Uvarint(uint64(len(ts.Columns)))
		for _, cs := range ts.Columns {
			e.F64(cs.NullFrac)
			e.Uvarint(uint64(cs.Distinct))
			e.datum(cs.Min)
			e.datum(cs.Max)
			e.Uvarint(uint64(len(cs.MCVs)))
			for _, m := range cs.MCVs {
				e.datum(m.Value)
				e.F64(m.Freq)
			}
			e.Uvarint(uint64(len(cs.Histogram)))
			for _, h := range cs.Histogram {
				e.datum(h)
			}
			e.F64(cs.HistFrac)
		}
		if sample == noSample {
			continue
		}
		// 0: no sample (nil); otherwise 1 + sampled rows, then the
		// columns one after the other.
		if ts.Sample == nil {
			e.Uvarint(0)
			continue
		}
		e.Uvarint(uint64(ts.SampleSize()) + 1)
		for _, col := range ts.Sample {
			var prev int64
			for _, v := range col {
				if sample == deltaSample && v.Kind == KindInt {
					v.I, prev = int64(uint64(v.I)-uint64(prev)), v.I
				}
				e.datum(v)
			}
		}
	}
}

// encodeJoins writes the join synopses: per table their count, then per
// synopsis its path, its missing rows (count, then ascending indexes as
// deltas), its column count and its columns' sampled values. With
// distinct (format version 7) the values are the synopsis's distinct
// joined rows, in order of first appearance, and per sampled row the
// index of its joined row: thousands of sampled rows join to a few
// hundred rows of a dimension (the flights catalog's join synopses take
// 3.6 MB as columns, 0.2 MB as distinct rows).
func encodeJoins(e *encoder, stats []TableStats, distinct bool) {
	e.Uvarint(uint64(len(stats)))
	for _, ts := range stats {
		e.Uvarint(uint64(len(ts.Joins)))
		for _, j := range ts.Joins {
			e.Uvarint(uint64(len(j.Path)))
			for _, f := range j.Path {
				e.Uvarint(uint64(f))
			}
			nm := 0
			for _, m := range j.Missing {
				if m {
					nm++
				}
			}
			e.Uvarint(uint64(nm))
			prev := 0
			for i, m := range j.Missing {
				if m {
					e.Uvarint(uint64(i - prev))
					prev = i
				}
			}
			e.Uvarint(uint64(len(j.Sample)))
			if distinct {
				encodeDistinctRows(e, j.Sample)
				continue
			}
			for _, col := range j.Sample {
				for _, v := range col {
					e.datum(v)
				}
			}
		}
	}
}

// encodeDistinctRows writes the rows of cols (columns of equal length) as
// the count of distinct rows, those rows (each column's datum in turn) in
// order of first appearance, and per row the uvarint index of its
// distinct row. Rows are the same when their encodings are.
func encodeDistinctRows(e *encoder, cols [][]Datum) {
	rows := 0
	if len(cols) > 0 {
		rows = len(cols[0])
	}
	var row encoder
	seen := make(map[string]int)
	var distinct encoder
	idx := make([]int, rows)
	for i := range rows {
		row.B = row.B[:0]
		for _, col := range cols {
			row.datum(col[i])
		}
		k, ok := seen[string(row.B)]
		if !ok {
			k = len(seen)
			seen[string(row.B)] = k
			distinct.B = append(distinct.B, row.B...)
		}
		idx[i] = k
	}
	e.Uvarint(uint64(len(seen)))
	e.B = append(e.B, distinct.B...)
	for _, k := range idx {
		e.Uvarint(uint64(k))
	}
}

func decodeJoins(d *decoder, s *Schema, stats []TableStats, distinct bool) {
	n := d.Count("join synopsis tables", maxTables, 1)
	if d.Err() != nil {
		return
	}
	if n != len(stats) {
		d.Fail("join synopses of %d tables for %d", n, len(stats))
		return
	}
	for ti := range stats {
		ts := &stats[ti]
		rows := ts.SampleSize()
		nj := d.Count("join synopses", maxJoinPaths, 3)
		for k := 0; k < nj && d.Err() == nil; k++ {
			var j JoinSample
			np := d.Count("join path", maxForeignKey, 1)
			at := s.Tables[ti].Name
			for range np {
				f := d.Uvarint("number")
				if d.Err() != nil {
					return
				}
				if f >= uint64(len(s.ForeignKeys)) || s.ForeignKeys[f].Table != at {
					d.Fail("table %q: join path is not a chain of foreign keys", s.Tables[ti].Name)
					return
				}
				at = s.ForeignKeys[f].RefTable
				j.Path = append(j.Path, int(f))
			}
			nm := d.Count("missing rows", rows, 1)
			if nm > 0 {
				j.Missing = make([]bool, rows)
			}
			i := 0
			for range nm {
				delta := d.Uvarint("number")
				if d.Err() != nil {
					return
				}
				if delta > uint64(rows) || i+int(delta) >= rows {
					d.Fail("table %q: missing row out of range", s.Tables[ti].Name)
					return
				}
				i += int(delta)
				j.Missing[i] = true
			}
			end := s.TableIndex(at)
			nc := d.Count("join synopsis columns", maxColumns, 0)
			if d.Err() != nil {
				return
			}
			if np == 0 || end < 0 || nc != len(s.Tables[end].Columns) {
				d.Fail("table %q: join synopsis of %d columns ending at %q", s.Tables[ti].Name, nc, at)
				return
			}
			what := s.Tables[ti].Name + " join synopsis"
			if distinct {
				j.Sample = d.distinctRows(what, rows, nc)
			} else {
				j.Sample = d.columns(what, rows, nc)
			}
			if j.Sample == nil {
				return
			}
			ts.Joins = append(ts.Joins, j)
		}
	}
}

// decodeStats reads what encodeStats wrote, with the sample encoded as
// plainSample or deltaSample.
func decodeStats(d *decoder, s *Schema, sample int) []TableStats {
	n := d.Count("table stats", maxTables, 1)
	if d.Err() != nil {
		return nil
	}
	if n != len(s.Tables) {
		d.Fail("%d table stats for %d tables", n, len(s.Tables))
		return nil
	}
	stats := make([]TableStats, n)
	for ti := range stats {
		ts := &stats[ti]
		rows := d.Uvarint("number")
		if rows > math.MaxInt64 {
			d.Fail("row count %d", rows)
		}
		ts.Rows = int64(rows)
		nc := d.Count("column stats", maxColumns, 21)
		if d.Err() != nil {
			return nil
		}
		if nc != len(s.Tables[ti].Columns) {
			d.Fail("table %q: %d column stats for %d columns", s.Tables[ti].Name, nc, len(s.Tables[ti].Columns))
			return nil
		}
		ts.Columns = make([]ColumnStats, nc)
		for ci := range ts.Columns {
			cs := &ts.Columns[ci]
			cs.NullFrac = d.F64("number")
			distinct := d.Uvarint("number")
			if distinct > math.MaxInt64 {
				d.Fail("distinct count %d", distinct)
			}
			cs.Distinct = int64(distinct)
			cs.Min, cs.Max = d.datum(), d.datum()
			nm := d.Count("MCV", maxList, 9)
			if nm > 0 {
				cs.MCVs = make([]MCV, nm)
			}
			for i := range cs.MCVs {
				cs.MCVs[i] = MCV{Value: d.datum(), Freq: d.F64("number")}
			}
			cs.Histogram = d.datums("histogram bound", maxList)
			cs.HistFrac = d.F64("number")
		}
		sn := d.Count("sampled row", maxList, 0)
		if d.Err() != nil {
			return nil
		}
		if sn == 0 {
			continue
		}
		if ts.Sample = d.columns(s.Tables[ti].Name+" sample", sn-1, nc); ts.Sample == nil {
			return nil
		}
		if sample == deltaSample {
			for _, col := range ts.Sample {
				var prev int64
				for i := range col {
					if col[i].Kind == KindInt {
						col[i].I = int64(uint64(prev) + uint64(col[i].I))
						prev = col[i].I
					}
				}
			}
		}
	}
	return stats
}

// columns reads nc columns of rows datums each; nil after an error (rows
// x nc over the bytes left is one: every datum takes a byte).
func (d *decoder) columns(what string, rows, nc int) [][]Datum {
	if d.Err() != nil {
		return nil
	}
	if uint64(rows)*uint64(nc) > uint64(d.Left()) {
		d.Fail("%s: %d rows x %d columns exceed the %d bytes left", what, rows, nc, d.Left())
		return nil
	}
	cols := make([][]Datum, nc)
	for ci := range cols {
		col := make([]Datum, rows)
		for i := range col {
			col[i] = d.datum()
		}
		cols[ci] = col
	}
	return cols
}

// distinctRows reads what encodeDistinctRows wrote: nc columns of rows
// datums each; nil after an error. Every distinct row takes nc bytes and
// every index one, checked before allocating.
func (d *decoder) distinctRows(what string, rows, nc int) [][]Datum {
	nd := d.Count(what+" distinct rows", rows, max(nc, 1))
	if d.Err() != nil {
		return nil
	}
	if nd == 0 && rows > 0 {
		d.Fail("%s: %d rows and no distinct row", what, rows)
		return nil
	}
	if uint64(nd)*uint64(nc)+uint64(rows) > uint64(d.Left()) {
		d.Fail("%s: %d distinct rows x %d columns and %d indexes exceed the %d bytes left", what, nd, nc, rows, d.Left())
		return nil
	}
	dict := make([]Datum, nd*nc)
	for i := range dict {
		dict[i] = d.datum()
	}
	cols := make([][]Datum, nc)
	for ci := range cols {
		cols[ci] = make([]Datum, rows)
	}
	for i := range rows {
		k := d.Uvarint("distinct row index")
		if d.Err() != nil {
			return nil
		}
		if k >= uint64(nd) {
			d.Fail("%s: row %d joins distinct row %d of %d", what, i, k, nd)
			return nil
		}
		for ci, col := range cols {
			col[i] = dict[int(k)*nc+ci]
		}
	}
	if d.Err() != nil {
		return nil
	}
	return cols
}

// check verifies that c is internally consistent: a valid schema, one
// TableStats per table and one ColumnStats (and sample column) per column,
// fractions in [0, 1], datums of the kind of their column's type (floats
// not NaN) and non-NULL MCVs and histogram bounds.
func (c *Catalog) check() error {
	if c == nil || c.Schema == nil {
		return errors.New("nil catalog or schema")
	}
	if err := c.Schema.Validate(); err != nil {
		return err
	}
	if len(c.Stats) != len(c.Schema.Tables) {
		return fmt.Errorf("%d table stats for %d tables", len(c.Stats), len(c.Schema.Tables))
	}
	for ti, t := range c.Schema.Tables {
		ts := &c.Stats[ti]
		if ts.Rows < 0 {
			return fmt.Errorf("table %q: %d rows", t.Name, ts.Rows)
		}
		if len(ts.Columns) != len(t.Columns) {
			return fmt.Errorf("table %q: %d column stats for %d columns", t.Name, len(ts.Columns), len(t.Columns))
		}
		if ts.Sample != nil && len(ts.Sample) != len(t.Columns) {
			return fmt.Errorf("table %q: %d sample columns for %d columns", t.Name, len(ts.Sample), len(t.Columns))
		}
		for ci, col := range t.Columns {
			cs := &ts.Columns[ci]
			where := fmt.Sprintf("column %q.%q", t.Name, col.Name)
			kind := kindOf(col.Type)
			okKind := func(d Datum, nullOK bool) bool { return datumFits(d, kind, nullOK) }
			if !fraction(cs.NullFrac) || !fraction(cs.HistFrac) || cs.Distinct < 0 {
				return fmt.Errorf("%s: NullFrac %v, HistFrac %v, Distinct %d", where, cs.NullFrac, cs.HistFrac, cs.Distinct)
			}
			if !okKind(cs.Min, true) || !okKind(cs.Max, true) {
				return fmt.Errorf("%s: min/max of the wrong kind for %v", where, col.Type)
			}
			for _, m := range cs.MCVs {
				if !okKind(m.Value, false) || !fraction(m.Freq) {
					return fmt.Errorf("%s: bad MCV %v (%v)", where, m.Value, m.Freq)
				}
			}
			for _, h := range cs.Histogram {
				if !okKind(h, false) {
					return fmt.Errorf("%s: histogram bound %v of the wrong kind for %v", where, h, col.Type)
				}
			}
			if ts.Sample == nil {
				continue
			}
			if len(ts.Sample[ci]) != ts.SampleSize() {
				return fmt.Errorf("%s: %d sampled values, %d in column 0", where, len(ts.Sample[ci]), ts.SampleSize())
			}
			for _, v := range ts.Sample[ci] {
				if !okKind(v, true) {
					return fmt.Errorf("%s: sampled value %v of the wrong kind for %v", where, v, col.Type)
				}
			}
		}
		if err := c.checkJoins(ti); err != nil {
			return err
		}
		if err := c.checkKeyMap(ti); err != nil {
			return err
		}
		if err := c.checkKeyDegrees(ti); err != nil {
			return err
		}
		if err := c.checkDependencies(ti); err != nil {
			return err
		}
		if err := checkSketches(ts, len(t.Columns)); err != nil {
			return fmt.Errorf("table %q: %w", t.Name, err)
		}
	}
	return nil
}

func fraction(f float64) bool { return f >= 0 && f <= 1 }

// datumFits reports whether d is a datum of kind (or NULL, when nullOK)
// that a catalog may hold: never a NaN (Build rejects NaN; NaN breaks
// ordering).
func datumFits(d Datum, kind Kind, nullOK bool) bool {
	if d.Kind == KindFloat && math.IsNaN(d.F) {
		return false
	}
	return d.Kind == kind || (nullOK && d.Kind == KindNull)
}

// kindOf is the Datum kind holding values of type t.
func kindOf(t Type) Kind {
	switch t {
	case TypeFloat:
		return KindFloat
	case TypeString:
		return KindString
	}
	return KindInt
}
