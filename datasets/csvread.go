package datasets

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// csvReader is a small RFC 4180 reader that, unlike encoding/csv, reports
// whether each field was quoted (so that an empty unquoted field can mean
// NULL while "" is the empty string). Records may span lines inside quotes
// (line breaks inside quotes are kept exactly); CRLF line ends are
// accepted. It reuses its buffers: the fields of one
// record are valid until the next call of read.
type csvReader struct {
	br      *bufio.Reader // nil when reading src
	src     []byte        // in-memory input (a chunk of a parallel load)
	pos     int           // read position in src
	line    int           // lines consumed so far
	bytes   int64         // bytes consumed so far
	recLine int           // first line of the last record read
	long    []byte        // assembles lines longer than the bufio buffer
	buf     []byte        // field contents of the current record, unescaped
	ends    []int         // ends[i] is the end of field i in buf
	quoted  []bool        // quoted[i]: field i was quoted
	bom     bool          // a UTF-8 byte order mark was checked for
	cr      bool          // the last line read ended with CRLF
}

// csvBufferSize is the bufio buffer of the CSV reader: large enough that
// nearly every line is returned without copying.
const csvBufferSize = 1 << 20

func newCSVReader(r io.Reader) *csvReader {
	return &csvReader{br: bufio.NewReaderSize(r, csvBufferSize)}
}

// newCSVChunkReader reads records from an in-memory chunk that starts
// after line lines of its document (so no byte order mark is looked for).
func newCSVChunkReader(src []byte, line int) *csvReader {
	return &csvReader{src: src, line: line, bom: true}
}

// errCSV is a syntax error at a line of the input.
type errCSV struct {
	line int
	msg  string
}

func (e *errCSV) Error() string { return e.msg }

// readLine returns the next line without its line end, or io.EOF when the
// input is exhausted. The slice is valid until the next read.
func (r *csvReader) readLine() ([]byte, error) {
	if r.br == nil {
		return r.readSrcLine()
	}
	line, err := r.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		r.long = append(r.long[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = r.br.ReadSlice('\n')
			r.long = append(r.long, line...)
		}
		line = r.long
	}
	if len(line) == 0 && err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, err
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	return r.endLine(line), nil
}

// readSrcLine is readLine for in-memory input.
func (r *csvReader) readSrcLine() ([]byte, error) {
	if r.pos >= len(r.src) {
		return nil, io.EOF
	}
	line := r.src[r.pos:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i+1]
	}
	r.pos += len(line)
	return r.endLine(line), nil
}

// endLine counts a line read and strips its line end (and a leading byte
// order mark of the document).
func (r *csvReader) endLine(line []byte) []byte {
	r.line++
	r.bytes += int64(len(line))
	r.cr = false
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
			r.cr = true
		}
	}
	if !r.bom {
		r.bom = true
		line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
	}
	return line
}

// read reads the next record; it returns io.EOF at the end of the input and
// an *errCSV for malformed quoting.
func (r *csvReader) read() error {
	r.buf, r.ends, r.quoted = r.buf[:0], r.ends[:0], r.quoted[:0]
	line, err := r.readLine()
	if err != nil {
		return err
	}
	r.recLine = r.line
	pos := 0
	for {
		if pos < len(line) && line[pos] == '"' {
			pos++
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i < 0 { // the quoted field goes on in the next line
					r.buf = append(r.buf, line[pos:]...)
					if r.cr { // line breaks inside quotes are kept as they are
						r.buf = append(r.buf, '\r')
					}
					r.buf = append(r.buf, '\n')
					line, err = r.readLine()
					if err == io.EOF {
						return &errCSV{r.recLine, "quoted field not terminated before end of file"}
					}
					if err != nil {
						return err
					}
					pos = 0
					continue
				}
				r.buf = append(r.buf, line[pos:pos+i]...)
				pos += i + 1
				if pos < len(line) && line[pos] == '"' { // "" is an escaped quote
					r.buf = append(r.buf, '"')
					pos++
					continue
				}
				break
			}
			if pos < len(line) && line[pos] != ',' {
				return &errCSV{r.line, fmt.Sprintf("unexpected %q after closing quote in field %d", line[pos], len(r.ends)+1)}
			}
			r.quoted = append(r.quoted, true)
		} else {
			field := line[pos:]
			if i := bytes.IndexByte(field, ','); i >= 0 {
				field = field[:i]
			}
			if bytes.IndexByte(field, '"') >= 0 {
				return &errCSV{r.line, fmt.Sprintf("bare quote in unquoted field %d", len(r.ends)+1)}
			}
			r.buf = append(r.buf, field...)
			pos += len(field)
			r.quoted = append(r.quoted, false)
		}
		r.ends = append(r.ends, len(r.buf))
		if pos < len(line) { // line[pos] == ','
			pos++
			continue
		}
		return nil
	}
}

// nfields returns the number of fields of the current record.
func (r *csvReader) nfields() int { return len(r.ends) }

// field returns field i of the current record and whether it was quoted.
func (r *csvReader) field(i int) ([]byte, bool) {
	start := 0
	if i > 0 {
		start = r.ends[i-1]
	}
	return r.buf[start:r.ends[i]], r.quoted[i]
}
