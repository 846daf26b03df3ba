package datasets

import (
	"bytes"
	"context"
	"io"

	"github.com/cardinaldb/cardinal/catalog"
)

// Parallel CSV parsing. The document after its header is cut into chunks
// of whole records; workers parse chunks into private tables, keeping the
// strings' bytes (not interned), and the caller appends the parts in
// document order, interning the strings into the table's dictionaries.
// Interning stays sequential (one map lookup per string, as in a
// sequential parse, instead of re-interning per-chunk dictionaries, which
// costs as much again for high-cardinality columns); tokenizing and
// number and date parsing run in the workers. The result, dictionary codes
// and errors included, is the same as parsing sequentially:
//
//	reader -> splitter --chunks--> worker 1 ..n --parts--> merge (in order) -> t
//
// A newline ends a record exactly when an even number of quotes precede it
// since the record began (RFC 4180 escapes a quote by doubling it), so the
// splitter cuts a block at its last newline with even quote parity. A bare
// quote (malformed) can misplace later cuts, but the chunk holding it
// starts at a true record boundary and fails at the same record as a
// sequential parse would, and the merge reports the first failing chunk.

// csvParallelMin is the input size from which loadCSVTable parses in
// parallel: below it the goroutine overhead is not worth it.
const csvParallelMin = 8 << 20

// csvChunkSize is the target size of a chunk handed to a worker.
const csvChunkSize = 2 << 20

// csvParallel configures loadCSVParallel (tests use tiny chunks).
type csvParallel struct {
	chunk   int   // bytes per chunk (more for a record longer than this)
	workers int   // parsing goroutines
	size    int64 // input size for preallocation; 0 if unknown
}

type csvChunk struct {
	seq  int
	data []byte
	line int // lines of the document before the chunk
}

type csvPart struct {
	seq  int
	t    *Table
	strs *chunkStrings
	n    int // bytes of the chunk
	err  error
}

// chunkStrings holds the non-NULL strings of a chunk's string columns, in
// row order: the bytes of all of them in arena, and for each column the
// start and end offsets of each of its strings (spans[col][2k],
// spans[col][2k+1] for its k-th string).
type chunkStrings struct {
	arena []byte
	spans [][]int
}

func (s *chunkStrings) add(col int, b []byte) {
	start := len(s.arena)
	s.arena = append(s.arena, b...)
	s.spans[col] = append(s.spans[col], start, len(s.arena))
}

// loadCSVParallel appends the records remaining in cr (after its header)
// to t. On error t may hold a prefix of the input (the caller rolls back).
func loadCSVParallel(ctx context.Context, cr *csvReader, t *Table, perm []int, file string, p csvParallel) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan csvChunk, p.workers)
	parts := make(chan csvPart, p.workers)
	splitErr := make(chan error, 1)
	go func() {
		defer close(chunks)
		splitErr <- splitCSV(ctx, cr.br, cr.line, p.chunk, chunks)
	}()
	done := make(chan struct{})
	for range p.workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for c := range chunks {
				local := NewTable(t.Def)
				strs := &chunkStrings{arena: make([]byte, 0, len(c.data)), spans: make([][]int, len(t.Cols))}
				err := ctx.Err()
				if err == nil {
					err = loadCSVRecords(ctx, newCSVChunkReader(c.data, c.line), local, perm, file, 0, strs)
				}
				select {
				case parts <- csvPart{seq: c.seq, t: local, strs: strs, n: len(c.data), err: err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		for range p.workers {
			<-done
		}
		close(parts)
	}()

	pending := map[int]csvPart{}
	next := 0
	var firstErr error
	for part := range parts {
		if firstErr != nil {
			continue // drain
		}
		pending[part.seq] = part
		for {
			q, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if q.err != nil {
				firstErr = q.err
				cancel()
				break
			}
			if next == 1 && p.size > 0 && q.n > 0 {
				reserve(t, clampRows(float64(q.t.Rows)*float64(p.size)/float64(q.n)*1.05))
			}
			appendPart(t, q.t, q.strs)
		}
	}
	if err := <-splitErr; firstErr == nil && err != nil {
		if err == context.Canceled || err == context.DeadlineExceeded {
			return err
		}
		return &LoadError{File: file, Index: -1, Err: err}
	}
	if firstErr == nil {
		firstErr = ctx.Err() // the caller's context (ours is not canceled yet)
	}
	return firstErr
}

// splitCSV reads r and sends chunks of whole records of about chunk bytes.
// line is the number of lines before the first chunk.
func splitCSV(ctx context.Context, r io.Reader, line, chunk int, out chan<- csvChunk) error {
	var carry []byte
	for seq := 0; ; {
		block := make([]byte, len(carry)+chunk)
		copy(block, carry)
		n, err := io.ReadFull(r, block[len(carry):])
		block = block[:len(carry)+n]
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return err
		}
		cut := len(block)
		if !eof {
			cut = recordBoundary(block)
			if cut < 0 { // one record longer than the block: read on
				carry = block
				continue
			}
		}
		carry = block[cut:]
		if cut > 0 {
			select {
			case out <- csvChunk{seq: seq, data: block[:cut], line: line}:
			case <-ctx.Done():
				return ctx.Err()
			}
			seq++
			line += bytes.Count(block[:cut], []byte{'\n'})
		}
		if eof {
			return nil
		}
	}
}

// recordBoundary returns the end (just after the newline) of the last
// complete record in block, which starts at a record boundary, or -1.
func recordBoundary(block []byte) int {
	if bytes.IndexByte(block, '"') < 0 {
		if i := bytes.LastIndexByte(block, '\n'); i >= 0 {
			return i + 1
		}
		return -1
	}
	last, inQuote := -1, false
	for i, c := range block {
		switch c {
		case '"':
			inQuote = !inQuote
		case '\n':
			if !inQuote {
				last = i + 1
			}
		}
	}
	return last
}

// appendPart appends the rows of src (same definition, strings held in
// strs) to dst, interning the strings in row order.
func appendPart(dst, src *Table, strs *chunkStrings) {
	for i, s := range src.Cols {
		d := dst.Cols[i]
		n := d.Len()
		switch s.Type {
		case catalog.TypeFloat:
			d.Floats = append(d.Floats, s.Floats...)
		case catalog.TypeString:
			spans := strs.spans[i]
			for r := range s.Codes {
				if s.IsNull(r) {
					d.Codes = append(d.Codes, 0)
					continue
				}
				d.Codes = append(d.Codes, d.internBytes(strs.arena[spans[0]:spans[1]]))
				spans = spans[2:]
			}
		default:
			d.Ints = append(d.Ints, s.Ints...)
		}
		switch {
		case s.Null != nil && d.Null == nil:
			d.Null = make([]bool, n, n+len(s.Null))
			d.Null = append(d.Null, s.Null...)
		case s.Null != nil:
			d.Null = append(d.Null, s.Null...)
		case d.Null != nil:
			d.Null = append(d.Null, make([]bool, src.Rows)...)
		}
	}
	dst.Rows += src.Rows
}
