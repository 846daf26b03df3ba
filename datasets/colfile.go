package datasets

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
)

// The column file is the cache's binary table format: the typed columns
// written as they are held in memory, so reading one back is a copy
// instead of a parse. Little-endian:
//
//	magic "CARDCOL1", rows uint64, columns uint32
//	per column: type uint8, has-NULLs uint8, then
//	  int, date, datetime: rows x int64
//	  float:               rows x float64 bits
//	  string:              dictionary entries uint32, each (length uint32,
//	                       bytes), then rows x uint32 codes
//	  with NULLs:          rows x uint8 (1 = NULL)
const colFileMagic = "CARDCOL1"

// errColFile: a column file that does not match its table.
var errColFile = errors.New("bad column file")

// writeColumns writes t as a column file.
func (t *Table) writeColumns(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var buf [8]byte
	u32 := func(v uint32) { binary.LittleEndian.PutUint32(buf[:4], v); bw.Write(buf[:4]) }
	u64 := func(v uint64) { binary.LittleEndian.PutUint64(buf[:], v); bw.Write(buf[:]) }
	bw.WriteString(colFileMagic)
	u64(uint64(t.Rows))
	u32(uint32(len(t.Cols)))
	for _, c := range t.Cols {
		hasNull := byte(0)
		if c.Null != nil {
			hasNull = 1
		}
		bw.Write([]byte{byte(c.Type), hasNull})
		switch c.Type {
		case catalog.TypeFloat:
			for _, v := range c.Floats[:t.Rows] {
				u64(math.Float64bits(v))
			}
		case catalog.TypeString:
			u32(uint32(len(c.Dict)))
			for _, s := range c.Dict {
				u32(uint32(len(s)))
				bw.WriteString(s)
			}
			for _, v := range c.Codes[:t.Rows] {
				u32(v)
			}
		default:
			for _, v := range c.Ints[:t.Rows] {
				u64(uint64(v))
			}
		}
		if c.Null != nil {
			for _, n := range c.Null[:t.Rows] {
				if n {
					bw.WriteByte(1)
				} else {
					bw.WriteByte(0)
				}
			}
		}
	}
	return bw.Flush()
}

// readColumns fills t, which must be empty, from a column file written
// for a table of the same definition. maxRows bounds the row count the
// header may claim (a corrupt header must not allocate without limit).
func (t *Table) readColumns(r io.Reader, maxRows int) error {
	br := bufio.NewReaderSize(r, 1<<20)
	head := make([]byte, len(colFileMagic)+12)
	if _, err := io.ReadFull(br, head); err != nil {
		return fmt.Errorf("%w: header: %w", errColFile, err)
	}
	if string(head[:len(colFileMagic)]) != colFileMagic {
		return fmt.Errorf("%w: not a column file", errColFile)
	}
	rows64 := binary.LittleEndian.Uint64(head[len(colFileMagic):])
	ncols := binary.LittleEndian.Uint32(head[len(colFileMagic)+8:])
	if rows64 > uint64(maxRows) || int(ncols) != len(t.Cols) {
		return fmt.Errorf("%w: %d rows, %d columns for table %s of %d columns", errColFile, rows64, ncols, t.Def.Name, len(t.Cols))
	}
	rows := int(rows64)
	chunk := make([]byte, 1<<16)
	// fixed reads rows values of size bytes, calling put for each.
	fixed := func(size int, put func(b []byte)) error {
		per := len(chunk) / size
		for done := 0; done < rows; {
			n := min(per, rows-done)
			b := chunk[:n*size]
			if _, err := io.ReadFull(br, b); err != nil {
				return err
			}
			for i := 0; i < n; i++ {
				put(b[i*size : (i+1)*size])
			}
			done += n
		}
		return nil
	}
	for ci, c := range t.Cols {
		var tb [2]byte
		if _, err := io.ReadFull(br, tb[:]); err != nil {
			return fmt.Errorf("%w: column %d: %w", errColFile, ci, err)
		}
		if catalog.Type(tb[0]) != c.Type || tb[1] > 1 {
			return fmt.Errorf("%w: column %s: type %d, want %v", errColFile, t.Def.Columns[ci].Name, tb[0], c.Type)
		}
		var err error
		switch c.Type {
		case catalog.TypeFloat:
			c.Floats = make([]float64, 0, rows)
			err = fixed(8, func(b []byte) { c.Floats = append(c.Floats, math.Float64frombits(binary.LittleEndian.Uint64(b))) })
		case catalog.TypeString:
			var nb [4]byte
			if _, err := io.ReadFull(br, nb[:]); err != nil {
				return fmt.Errorf("%w: column %d: %w", errColFile, ci, err)
			}
			nd := binary.LittleEndian.Uint32(nb[:])
			if uint64(nd) > rows64 {
				return fmt.Errorf("%w: column %s: %d dictionary entries for %d rows", errColFile, t.Def.Columns[ci].Name, nd, rows)
			}
			c.Dict = make([]string, 0, nd)
			for range nd {
				if _, err := io.ReadFull(br, nb[:]); err != nil {
					return fmt.Errorf("%w: column %d: %w", errColFile, ci, err)
				}
				l := binary.LittleEndian.Uint32(nb[:])
				if l > 1<<24 {
					return fmt.Errorf("%w: column %s: string of %d bytes", errColFile, t.Def.Columns[ci].Name, l)
				}
				s := make([]byte, l)
				if _, err := io.ReadFull(br, s); err != nil {
					return fmt.Errorf("%w: column %d: %w", errColFile, ci, err)
				}
				c.Dict = append(c.Dict, string(s))
			}
			c.Codes = make([]uint32, 0, rows)
			bad := false
			err = fixed(4, func(b []byte) {
				v := binary.LittleEndian.Uint32(b)
				bad = bad || v >= nd
				c.Codes = append(c.Codes, v)
			})
			if bad {
				return fmt.Errorf("%w: column %s: code past the dictionary", errColFile, t.Def.Columns[ci].Name)
			}
		default:
			c.Ints = make([]int64, 0, rows)
			err = fixed(8, func(b []byte) { c.Ints = append(c.Ints, int64(binary.LittleEndian.Uint64(b))) })
		}
		if err != nil {
			return fmt.Errorf("%w: column %d: %w", errColFile, ci, err)
		}
		if tb[1] == 1 {
			c.Null = make([]bool, 0, rows)
			bad := false
			err = fixed(1, func(b []byte) {
				bad = bad || b[0] > 1
				c.Null = append(c.Null, b[0] == 1)
			})
			if err != nil {
				return fmt.Errorf("%w: column %d: %w", errColFile, ci, err)
			}
			if bad {
				return fmt.Errorf("%w: column %s: NULL flag not 0 or 1", errColFile, t.Def.Columns[ci].Name)
			}
			if !t.Def.Columns[ci].Nullable {
				for _, n := range c.Null {
					if n {
						return fmt.Errorf("%w: column %s: %w", errColFile, t.Def.Columns[ci].Name, ErrNullViolation)
					}
				}
			}
		}
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return fmt.Errorf("%w: data after the last column", errColFile)
	}
	t.Rows = rows
	return nil
}
