package datasets

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/cardinaldb/cardinal/catalog"
)

// WriteCSV writes t as CSV in the format LoadCSV reads: a header row of
// column names, then one record per row. NULL is an empty unquoted field;
// strings are quoted when they are empty, equal \N or contain a comma,
// quote or line break; dates and datetimes are written as
// catalog.DateLayout and catalog.DateTimeLayout; floats in the shortest
// form that parses back to the same value.
func (t *Table) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var rec []byte
	for i, c := range t.Def.Columns {
		if i > 0 {
			rec = append(rec, ',')
		}
		rec = appendCSVString(rec, c.Name)
	}
	rec = append(rec, '\n')
	if _, err := bw.Write(rec); err != nil {
		return err
	}
	for r := 0; r < t.Rows; r++ {
		rec = rec[:0]
		for i, c := range t.Cols {
			if i > 0 {
				rec = append(rec, ',')
			}
			if c.IsNull(r) {
				continue
			}
			switch c.Type {
			case catalog.TypeString:
				rec = appendCSVString(rec, c.Dict[c.Codes[r]])
			case catalog.TypeFloat:
				rec = strconv.AppendFloat(rec, c.Floats[r], 'g', -1, 64)
			case catalog.TypeDate:
				rec = AppendDate(rec, c.Ints[r], false)
			case catalog.TypeDateTime:
				rec = AppendDate(rec, c.Ints[r], true)
			default:
				rec = strconv.AppendInt(rec, c.Ints[r], 10)
			}
		}
		rec = append(rec, '\n')
		if _, err := bw.Write(rec); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// appendCSVString appends s, quoted when needed to read back as s.
func appendCSVString(dst []byte, s string) []byte {
	needQuote := s == "" || s == `\N`
	for i := 0; i < len(s) && !needQuote; i++ {
		switch s[i] {
		case ',', '"', '\n', '\r':
			needQuote = true
		}
	}
	if !needQuote {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// AppendDate appends Unix seconds (UTC) as "YYYY-MM-DD" or, withTime,
// "YYYY-MM-DD HH:MM:SS": what LoadCSV and MySQL read back.
// Years outside 0..9999 are written as package time would, which LoadCSV
// rejects.
func AppendDate(dst []byte, sec int64, withTime bool) []byte {
	day := floorDiv(sec, secondsPerDay)
	y, m, d := civilFromDays(day)
	if y < 0 || y > 9999 {
		return append(dst, catalog.Int(sec).Format(dateType(withTime))...)
	}
	dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
	if withTime {
		s := sec - day*secondsPerDay
		h, mi, ss := s/3600, s/60%60, s%60
		dst = append(dst, ' ', byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':',
			byte('0'+ss/10), byte('0'+ss%10))
	}
	return dst
}

func dateType(withTime bool) catalog.Type {
	if withTime {
		return catalog.TypeDateTime
	}
	return catalog.TypeDate
}

// writeFile writes a file with the output of write, reporting the first
// error of writing or closing.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("datasets: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("datasets: writing %s: %w", path, err)
	}
	return nil
}

// writeCSVTables writes <table>.csv for every table of db into dir.
func (db *DB) writeCSVTables(dir string) error {
	for _, t := range db.Tables {
		if err := writeFile(filepath.Join(dir, t.Def.Name+".csv"), t.WriteCSV); err != nil {
			return err
		}
	}
	return nil
}
