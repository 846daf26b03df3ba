package indexadvisor

import (
	"math"

	"github.com/cardinaldb/cardinal/catalog"
)

// InnoDB-like storage constants for index sizes. Sources: MySQL 8.0
// Reference Manual, 17.6.2.2 "The Physical Structure of an InnoDB Index"
// (16 KiB pages, leaves filled to 15/16 on sorted inserts, which is how
// ALTER TABLE ... ADD INDEX bulk-builds them), 17.10 "InnoDB Row Formats"
// (COMPACT/DYNAMIC: a 5-byte record header, a NULL bitmap, 1-2 length
// bytes per variable-length column, a 6-byte transaction id and 7-byte
// roll pointer in clustered records) and 11.7 "Data Type Storage
// Requirements".
const (
	pageBytes       = 16384
	pageOverhead    = 38 + 56 + 8 + 26 // FIL header, page header, FIL trailer, infimum+supremum
	leafFill        = 15.0 / 16.0
	recordHeader    = 5
	clusteredExtra  = 6 + 7 // DB_TRX_ID, DB_ROLL_PTR
	dirSlotBytes    = 0.5   // one 2-byte page directory slot per 4-8 records
	intBytes        = 8     // BIGINT
	floatBytes      = 8     // DOUBLE
	dateBytes       = 3     // DATE
	dateTimeBytes   = 5     // DATETIME (MySQL >= 5.6.4)
	varLenBytes     = 1     // length byte of a VARCHAR value up to 255 bytes
	defaultStrBytes = 16    // average string length when the catalog has no sample
	// nodePtrBytes is a non-leaf node pointer (child page number).
	nodePtrBytes = 4
)

// tableInfo is what costing needs of one table.
type tableInfo struct {
	rows     float64
	colBytes []float64 // average stored bytes per column
	rowBytes float64   // clustered record
	pkBytes  float64   // primary key (or the 6-byte DB_ROW_ID)
	pages    float64   // clustered index leaf pages
	height   float64   // clustered index levels
	// keyBytes is each column's part of MariaDB's key_length, and
	// refBytes the primary key's (ref_length): what the server's ref
	// cost counts per index entry (serverKeyBytes, bnl.go).
	keyBytes []float64
	refBytes float64
	// keyNull is each column's NULL byte in keyBytes (1 when nullable),
	// which a prefix key part keeps (serverKeyBytes).
	keyNull []float64
}

func newTableInfo(t *catalog.Table, ts *catalog.TableStats) tableInfo {
	ti := tableInfo{rows: float64(max(ts.Rows, 1)), colBytes: make([]float64, len(t.Columns)), keyBytes: make([]float64, len(t.Columns)), keyNull: make([]float64, len(t.Columns))}
	for ci, c := range t.Columns {
		ti.colBytes[ci] = columnBytes(c, ts, ci)
		ti.keyBytes[ci] = columnKeyBytes(c, ts, ci)
		if c.Nullable {
			ti.keyNull[ci] = 1
		}
	}
	ti.pkBytes = 6 // DB_ROW_ID when there is no primary key
	ti.refBytes = 6
	if len(t.PrimaryKey) > 0 {
		ti.pkBytes, ti.refBytes = 0, 0
		for _, k := range t.PrimaryKey {
			ti.pkBytes += ti.colBytes[t.ColumnIndex(k)]
			ti.refBytes += ti.keyBytes[t.ColumnIndex(k)]
		}
	}
	ti.rowBytes = recordHeader + clusteredExtra + float64(len(t.Columns)+7)/8 + dirSlotBytes
	for _, b := range ti.colBytes {
		ti.rowBytes += b
	}
	ti.pages = leafPages(ti.rows, ti.rowBytes)
	ti.height = btreeHeight(ti.pages, ti.pkBytes)
	return ti
}

// scanCostPerPage is the cost of scanning one leaf page of the clustered
// index: its share of the full scan (fullScan).
func (ti *tableInfo) scanCostPerPage() float64 {
	return costPage + ti.rows*costRow/math.Max(ti.pages, 1)
}

// secondaryScanRatio is what a row read by scanning a secondary index of
// entry bytes a row costs, relative to a row of the clustered scan: rows
// cost the same, pages scanPageRows rows each (cost.go).
func (ti *tableInfo) secondaryScanRatio(entry float64) float64 {
	perLeaf := (pageBytes - pageOverhead) * leafFill / math.Max(entry, 1)
	cluPerLeaf := ti.rows / math.Max(ti.pages, 1)
	return (1 + scanPageRows/math.Max(perLeaf, 1)) / (1 + scanPageRows/math.Max(cluPerLeaf, 1))
}

// columnBytes is the average stored size of a column: fixed for numbers
// and dates, the sampled average byte length plus its length byte for
// strings.
func columnBytes(c catalog.Column, ts *catalog.TableStats, ci int) float64 {
	switch c.Type {
	case catalog.TypeInt:
		return intBytes
	case catalog.TypeFloat:
		return floatBytes
	case catalog.TypeDate:
		return dateBytes
	case catalog.TypeDateTime:
		return dateTimeBytes
	}
	if ci < len(ts.Sample) && len(ts.Sample[ci]) > 0 {
		var sum, n float64
		for _, d := range ts.Sample[ci] {
			if d.Kind == catalog.KindString {
				sum += float64(len(d.S))
				n++
			}
		}
		if n > 0 {
			return sum/n + varLenBytes
		}
	}
	return defaultStrBytes + varLenBytes
}

// leafPages is the number of leaf pages holding n records of recBytes.
func leafPages(n, recBytes float64) float64 {
	per := math.Max(1, math.Floor((pageBytes-pageOverhead)*leafFill/recBytes))
	return math.Max(1, math.Ceil(n/per))
}

// btreeHeight is the number of levels of a B-tree over leaves pages with
// keyBytes keys in its node pointers.
func btreeHeight(leaves, keyBytes float64) float64 {
	fan := math.Max(2, math.Floor((pageBytes-pageOverhead)*leafFill/(recordHeader+keyBytes+nodePtrBytes)))
	h := 1.0
	for n := leaves; n > 1; n = math.Ceil(n / fan) {
		h++
	}
	return h
}

// entryBytes is the size of one secondary index record: its key columns
// (prefixes cut), the primary key (InnoDB secondary records carry it), the
// record header and a NULL bitmap.
func (ti *tableInfo) entryBytes(ix *Index) float64 {
	b := recordHeader + ti.pkBytes + float64(len(ix.Columns)+7)/8 + dirSlotBytes
	for k, c := range ix.Columns {
		cb := ti.colBytes[c]
		if p := ix.prefix(k); p > 0 {
			cb = math.Min(cb, float64(p)+varLenBytes)
		}
		b += cb
	}
	return b
}

// indexBytes is the on-disk size of a secondary index: its leaf pages
// plus the non-leaf levels above them.
func (ti *tableInfo) indexBytes(ix *Index) float64 {
	eb := ti.entryBytes(ix)
	leaves := leafPages(ti.rows, eb)
	total := leaves
	fan := math.Max(2, math.Floor((pageBytes-pageOverhead)*leafFill/(eb+nodePtrBytes)))
	for n := leaves; n > 1; {
		n = math.Ceil(n / fan)
		total += n
	}
	return total * pageBytes
}
