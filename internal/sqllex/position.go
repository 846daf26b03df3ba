package sqllex

import (
	"sort"
	"unicode/utf8"
)

// LineIndex converts byte offsets of one text into 1-based lines and
// columns. Columns count characters (runes), as editors and MySQL's own
// messages do. Building it is linear in the text; each lookup is a binary
// search over the line starts plus a walk along one line.
type LineIndex struct {
	src    string
	starts []int // byte offset of each line's first byte
}

// NewLineIndex indexes the lines of src.
func NewLineIndex(src string) *LineIndex {
	starts := []int{0}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &LineIndex{src: src, starts: starts}
}

// LineCol returns the line and column of byte offset off; offsets outside
// the text are clamped to it.
func (x *LineIndex) LineCol(off int) (line, col int) {
	off = max(0, min(off, len(x.src)))
	line = x.Line(off)
	return line, 1 + utf8.RuneCountInString(x.src[x.starts[line-1]:off])
}

// Line returns the line of byte offset off (clamped to the text).
func (x *LineIndex) Line(off int) int {
	off = max(0, min(off, len(x.src)))
	return sort.Search(len(x.starts), func(i int) bool { return x.starts[i] > off })
}

// LineCol returns the 1-based line and character column of byte offset off
// of src, for a single lookup (use a LineIndex for many).
func LineCol(src string, off int) (line, col int) {
	off = max(0, min(off, len(src)))
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if src[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, 1 + utf8.RuneCountInString(src[start:off])
}
