package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/cardinaldb/cardinal/internal/bincodec"
)

// Binary catalog format, version 6 (all integers little-endian):
//
//	magic    8 bytes  "CARDCAT\x00"
//	version  uint16   formatVersion
//	sections          tag uint16, length uint32, payload; in order
//	                  schema (1), stats (2), joins (3), indexes (4),
//	                  key degrees (5), dependencies (6), sketches (7),
//	                  end (0, empty)
//	checksum uint32   CRC-32C (Castagnoli) of every byte before it
//
// Payloads are varint encoded (see codec.go). The reader takes exactly the
// bytes Save wrote, so a catalog can be embedded in a larger file. Save
// writes the oldest version that holds the catalog: version 2 (no indexes
// section) when no table has a secondary index, version 3 (no key
// degrees section) when no table has key degrees and version 4 (no
// dependencies section) when no table has a dependency and version 5 (no
// sketches section) when no table has a sketch, so that such catalogs keep
// their bytes and older builds still read them. Versions 1 (no joins
// section) to 6 are read.
const (
	magic         = "CARDCAT\x00"
	formatVersion = 6

	sectionEnd     = 0
	sectionSchema  = 1
	sectionStats   = 2
	sectionJoins   = 3
	sectionIndexes = 4
	sectionKeys    = 5
	sectionDeps    = 6
	sectionSketch  = 7
)

// sectionsOf lists the sections of each readable format version.
var sectionsOf = map[uint16][]uint16{
	1: {sectionSchema, sectionStats, sectionEnd},
	2: {sectionSchema, sectionStats, sectionJoins, sectionEnd},
	3: {sectionSchema, sectionStats, sectionJoins, sectionIndexes, sectionEnd},
	4: {sectionSchema, sectionStats, sectionJoins, sectionIndexes, sectionKeys, sectionEnd},
	5: {sectionSchema, sectionStats, sectionJoins, sectionIndexes, sectionKeys, sectionDeps, sectionEnd},
	6: {sectionSchema, sectionStats, sectionJoins, sectionIndexes, sectionKeys, sectionDeps, sectionSketch, sectionEnd},
}

// Limits Load enforces so that a hostile file cannot make it allocate
// more than a small multiple of its own size.
const (
	maxSectionLen = 1 << 30 // bytes in one section
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

// Save writes c in the versioned binary format. It fails with
// ErrInvalidSchema when c is not consistent (see Load).
func (c *Catalog) Save(w io.Writer) error {
	if err := c.check(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidSchema, err)
	}
	version := uint16(2)
	for _, t := range c.Schema.Tables {
		if len(t.Indexes) > 0 {
			version = 3
		}
	}
	for _, ts := range c.Stats {
		if len(ts.KeyDegrees) > 0 && version < 4 {
			version = 4
		}
		if len(ts.Dependencies) > 0 && version < 5 {
			version = 5
		}
		if len(ts.Sketches) > 0 {
			version = formatVersion
		}
	}
	buf := bincodec.Encoder{B: []byte(magic)}
	buf.U16(version)
	var e encoder
	for _, sec := range sectionsOf[version] {
		e.B = e.B[:0]
		switch sec {
		case sectionSchema:
			encodeSchema(&e, c.Schema)
		case sectionStats:
			encodeStats(&e, c.Stats, true)
		case sectionJoins:
			encodeJoins(&e, c.Stats)
		case sectionIndexes:
			encodeIndexes(&e, c.Schema)
		case sectionKeys:
			encodeKeyDegrees(&e, c.Stats)
		case sectionDeps:
			encodeDependencies(&e, c.Stats)
		case sectionSketch:
			encodeSketches(&e, c.Stats)
		}
		if len(e.B) > maxSectionLen {
			return fmt.Errorf("%w: section %d is %d bytes, over the %d limit", ErrInvalidSchema, sec, len(e.B), maxSectionLen)
		}
		buf.U16(sec)
		buf.U32(uint32(len(e.B)))
		buf.B = append(buf.B, e.B...)
	}
	buf.U32(bincodec.Checksum(buf.B))
	_, err := w.Write(buf.B)
	return err
}

// crcReader reads from r, keeping a CRC-32C of everything read.
type crcReader struct {
	r   io.Reader
	crc uint32
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
	var payloads [7][]byte
	for _, want := range sections {
		var sh [6]byte
		if err := cr.read(sh[:], "section header"); err != nil {
			return nil, err
		}
		hd := bincodec.NewDecoder(sh[:], "section header")
		tag, n := hd.U16("tag"), hd.U32("length")
		if tag != want {
			return nil, fmt.Errorf("%w: section %d where %d was expected", ErrCorrupt, tag, want)
		}
		if n > maxSectionLen || (tag == sectionEnd && n != 0) {
			return nil, fmt.Errorf("%w: section %d length %d over limit", ErrCorrupt, tag, n)
		}
		if tag == sectionEnd {
			break
		}
		// Grow with the data actually read, not with the declared length.
		var b bytes.Buffer
		if _, err := io.CopyN(&b, cr.r, int64(n)); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%w: truncated in section %d", ErrCorrupt, tag)
			}
			return nil, fmt.Errorf("reading section %d: %w", tag, err)
		}
		cr.crc = bincodec.UpdateChecksum(cr.crc, b.Bytes())
		payloads[tag-1] = b.Bytes()
	}
	want := cr.crc
	var sum [4]byte
	if err := cr.read(sum[:], "checksum"); err != nil {
		return nil, err
	}
	if got := bincodec.NewDecoder(sum[:], "checksum").U32("checksum"); got != want {
		return nil, fmt.Errorf("%w: checksum %08x, computed %08x", ErrCorrupt, got, want)
	}
	sd := newDecoder(payloads[0], "schema section")
	schema := decodeSchema(sd)
	td := newDecoder(payloads[1], "stats section")
	jd := newDecoder(payloads[2], "joins section")
	xd := newDecoder(payloads[3], "indexes section")
	kd := newDecoder(payloads[4], "key degrees section")
	fd := newDecoder(payloads[5], "dependencies section")
	hd := newDecoder(payloads[6], "sketches section")
	var stats []TableStats
	if sd.Err() == nil {
		stats = decodeStats(td, schema)
	}
	if sd.Err() == nil && td.Err() == nil && payloads[2] != nil {
		decodeJoins(jd, schema, stats)
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
	for _, d := range []*decoder{sd, td, jd, xd, kd, fd, hd} {
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

// encodeStats writes the statistics; the sample only when withSample
// (Fingerprint leaves it out).
func encodeStats(e *encoder, stats []TableStats, withSample bool) {
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
		if !withSample {
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
			for _, v := range col {
				e.datum(v)
			}
		}
	}
}

// encodeJoins writes the join synopses: per table their count, then per
// synopsis its path, its missing rows (count, then ascending indexes as
// deltas) and its columns' sampled values.
func encodeJoins(e *encoder, stats []TableStats) {
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
			for _, col := range j.Sample {
				for _, v := range col {
					e.datum(v)
				}
			}
		}
	}
}

func decodeJoins(d *decoder, s *Schema, stats []TableStats) {
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
			if j.Sample = d.columns(s.Tables[ti].Name+" join synopsis", rows, nc); j.Sample == nil {
				return
			}
			ts.Joins = append(ts.Joins, j)
		}
	}
}

func decodeStats(d *decoder, s *Schema) []TableStats {
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
