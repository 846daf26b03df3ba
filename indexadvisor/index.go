package indexadvisor

import (
	"strconv"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
)

// Index is an existing or hypothetical secondary index of one table.
type Index struct {
	Table    int   // schema table index
	Columns  []int // schema column indexes, in key order
	Prefixes []int // prefix lengths parallel to Columns (nil: whole values)
	Name     string
	Unique   bool
	Existing bool
	// clustered marks the primary key: its records are the rows.
	clustered bool
}

func (ix *Index) prefix(k int) int {
	if k < len(ix.Prefixes) {
		return ix.Prefixes[k]
	}
	return 0
}

// key identifies an index by table and columns.
func (ix *Index) key() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(ix.Table))
	for k, c := range ix.Columns {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(c))
		if p := ix.prefix(k); p > 0 {
			b.WriteByte('(')
			b.WriteString(strconv.Itoa(p))
			b.WriteByte(')')
		}
	}
	return b.String()
}

// hasPrefix reports whether cols (whole values) are a leading prefix of ix.
func (ix *Index) hasPrefix(cols []int) bool {
	if len(cols) > len(ix.Columns) {
		return false
	}
	for k, c := range cols {
		if ix.Columns[k] != c || ix.prefix(k) > 0 {
			return false
		}
	}
	return true
}

func (ix *Index) contains(c int) bool {
	for k, x := range ix.Columns {
		if x == c && ix.prefix(k) == 0 {
			return true
		}
	}
	return false
}

// existingIndexes lists the primary key and secondary indexes of table ti.
func existingIndexes(s *catalog.Schema, ti int) []*Index {
	t := s.Tables[ti]
	var out []*Index
	for _, k := range t.Keys() {
		ix := &Index{Table: ti, Name: k.Name, Unique: k.Unique, Existing: true, clustered: k.Name == catalog.PrimaryIndexName}
		ok := true
		for _, c := range k.Columns {
			ci := t.ColumnIndex(c.Name)
			if ci < 0 {
				ok = false
				break
			}
			ix.Columns = append(ix.Columns, ci)
			ix.Prefixes = append(ix.Prefixes, c.Prefix)
		}
		if ok && len(ix.Columns) > 0 {
			out = append(out, ix)
		}
	}
	return out
}

// MaxIdentLen is MySQL's limit on an identifier (64 characters).
const MaxIdentLen = 64

// indexName makes a name for a new index: idx_ and its column names joined
// by _, cut to MaxIdentLen characters with a short hash suffix when longer,
// and made unique among taken (case-insensitive).
func indexName(t *catalog.Table, cols []int, taken map[string]bool) string {
	parts := []string{"idx"}
	for _, c := range cols {
		parts = append(parts, t.Columns[c].Name)
	}
	name := strings.Join(parts, "_")
	h := fnv32(name)
	if r := []rune(name); len(r) > MaxIdentLen {
		name = string(r[:MaxIdentLen-9]) + "_" + strconv.FormatUint(uint64(h), 16)
	}
	base := name
	for k := 2; taken[strings.ToLower(name)]; k++ {
		suffix := "_" + strconv.Itoa(k)
		r := []rune(base)
		if len(r)+len(suffix) > MaxIdentLen {
			r = r[:MaxIdentLen-len(suffix)]
		}
		name = string(r) + suffix
	}
	taken[strings.ToLower(name)] = true
	return name
}

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
