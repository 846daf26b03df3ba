package live

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// resumeOutput opens (creating it if needed) the labelled query log at
// path for appending and returns the SQL texts already labelled in it. A
// torn last line (no newline, or not a JSON record: the writer died
// mid-line) is truncated away so that its statement is redone; torn
// reports whether that happened. A bad line anywhere else is an error
// wrapping ErrCorruptOutput: the file is not ours to repair.
func resumeOutput(path string) (f *os.File, done map[string]bool, torn bool, err error) {
	f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, false, fmt.Errorf("live: open output: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	done = map[string]bool{}
	br := bufio.NewReaderSize(f, 1<<20)
	var off, goodEnd int64
	line := 0
	type pending struct {
		line int
		msg  string
	}
	var bad *pending // a bad line that is fine only if it is the last
	for {
		b, rerr := br.ReadBytes('\n')
		if len(b) > 0 {
			line++
			if bad != nil {
				return nil, nil, false, &PosError{File: path, Line: bad.line, Err: ErrCorruptOutput, Msg: bad.msg}
			}
			complete := b[len(b)-1] == '\n'
			trimmed := bytes.TrimSpace(b)
			var rec struct {
				SQL *string `json:"sql"`
			}
			switch {
			case len(trimmed) == 0 && complete:
				goodEnd = off + int64(len(b))
			case !complete:
				bad = &pending{line, "torn line"}
			case json.Unmarshal(trimmed, &rec) != nil || rec.SQL == nil:
				bad = &pending{line, "not a labelled record"}
			default:
				done[*rec.SQL] = true
				goodEnd = off + int64(len(b))
			}
			off += int64(len(b))
		}
		if rerr != nil {
			if errors.Is(rerr, io.EOF) {
				break
			}
			return nil, nil, false, fmt.Errorf("live: read output: %w", rerr)
		}
	}
	if bad != nil {
		torn = true
		if err := f.Truncate(goodEnd); err != nil {
			return nil, nil, false, fmt.Errorf("live: truncate torn line: %w", err)
		}
	}
	if _, err := f.Seek(goodEnd, io.SeekStart); err != nil {
		return nil, nil, false, fmt.Errorf("live: seek output: %w", err)
	}
	return f, done, torn, nil
}
