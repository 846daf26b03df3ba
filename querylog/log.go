package querylog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Record is one labelled query: a line of the JSON Lines query log, the
// training-data interchange format:
//
//	{"sql":"SELECT COUNT(*) FROM ...","rows":42,"subplans":[{"tables":["f","a"],"rows":42}, ...]}
//	{"sql":"SELECT COUNT(*) FROM ... GROUP BY ...","rows":42,"groups":7}
type Record struct {
	SQL      string    `json:"sql"`
	Rows     int64     `json:"rows"`
	SubPlans []SubPlan `json:"subplans,omitempty"`
	// Groups is the true number of output groups of a query that groups
	// (GROUP BY, DISTINCT, HAVING); nil for one that does not. Rows stays
	// the count of its FROM + WHERE.
	Groups *int64 `json:"groups,omitempty"`
}

// SubPlan is the true row count of the join of some of a query's table
// occurrences (named by alias, in FROM order).
type SubPlan struct {
	Aliases []string `json:"tables"`
	Rows    int64    `json:"rows"`
}

// MaxLabel is the largest row-count label accepted (the int64 range).
const MaxLabel = math.MaxInt64

// maxLineBytes bounds one log line (a query with large IN lists and many
// sub-plans fits easily).
const maxLineBytes = 64 << 20

// utf8BOM is the byte order mark a log may start with.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Writer writes records as JSON Lines. It buffers: call Flush at the end.
type Writer struct {
	w   *bufio.Writer
	n   int
	buf bytes.Buffer
	enc *json.Encoder
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer {
	wr := &Writer{w: bufio.NewWriter(w)}
	wr.enc = json.NewEncoder(&wr.buf)
	wr.enc.SetEscapeHTML(false) // keep SQL's < > & readable
	return wr
}

// Write validates r and appends it as one line. An invalid record (empty
// SQL, negative label, a sub-plan without tables) is an error wrapping
// ErrMalformedLog or ErrBadLabel with the record's line number; nothing is
// written for it.
func (w *Writer) Write(r Record) error {
	w.n++
	if err := validate(r, w.n); err != nil {
		return err
	}
	w.buf.Reset()
	if err := w.enc.Encode(r); err != nil { // one line, newline-terminated
		return &LogError{Line: w.n, Err: ErrMalformedLog, Msg: err.Error(), json: err}
	}
	if w.buf.Len() > maxLineBytes { // what Reader would refuse
		return &LogError{Line: w.n, Err: ErrMalformedLog, Msg: fmt.Sprintf("line longer than %d bytes", maxLineBytes)}
	}
	_, err := w.w.Write(w.buf.Bytes())
	return err
}

// Flush writes buffered lines to the underlying writer.
func (w *Writer) Flush() error { return w.w.Flush() }

// validate checks the labels and required fields of a record.
func validate(r Record, line int) error {
	if strings.TrimSpace(r.SQL) == "" {
		return &LogError{Line: line, Err: ErrMalformedLog, Msg: `missing "sql"`}
	}
	if r.Rows < 0 {
		return &LogError{Line: line, Err: ErrBadLabel, Msg: fmt.Sprintf(`"rows" %d is negative`, r.Rows)}
	}
	if r.Groups != nil && *r.Groups < 0 {
		return &LogError{Line: line, Err: ErrBadLabel, Msg: fmt.Sprintf(`"groups" %d is negative`, *r.Groups)}
	}
	seen := make(map[string]int, len(r.SubPlans))
	for i, s := range r.SubPlans {
		if len(s.Aliases) == 0 {
			return &LogError{Line: line, Err: ErrMalformedLog, Msg: fmt.Sprintf(`sub-plan %d has no "tables"`, i)}
		}
		for _, a := range s.Aliases {
			if a == "" {
				return &LogError{Line: line, Err: ErrMalformedLog, Msg: fmt.Sprintf("sub-plan %d has an empty alias", i)}
			}
		}
		if s.Rows < 0 {
			return &LogError{Line: line, Err: ErrBadLabel, Msg: fmt.Sprintf(`sub-plan %d "rows" %d is negative`, i, s.Rows)}
		}
		key := aliasKey(s.Aliases)
		if j, dup := seen[key]; dup {
			if r.SubPlans[j].Rows != s.Rows {
				return &LogError{Line: line, Err: ErrBadLabel, Msg: fmt.Sprintf("sub-plans %d and %d label the same tables %v with %d and %d rows", j, i, s.Aliases, r.SubPlans[j].Rows, s.Rows)}
			}
			return &LogError{Line: line, Err: ErrMalformedLog, Msg: fmt.Sprintf("sub-plans %d and %d both label the tables %v", j, i, s.Aliases)}
		}
		seen[key] = i
	}
	return nil
}

// aliasKey identifies a set of aliases whatever their order and case
// (aliases are case-insensitive in MySQL).
func aliasKey(aliases []string) string {
	k := make([]string, len(aliases))
	for i, a := range aliases {
		k[i] = strings.ToLower(a)
	}
	slices.Sort(k)
	return strings.Join(k, "\x00")
}

// Reader reads records from JSON Lines. Blank lines are skipped.
type Reader struct {
	s    *bufio.Scanner
	line int
}

// NewReader returns a Reader of r.
func NewReader(r io.Reader) *Reader {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 64<<10), maxLineBytes)
	return &Reader{s: s}
}

// wireRecord is a Record as read, with labels kept as raw JSON so that bad
// ones are reported as ErrBadLabel rather than as a decoding error.
type wireRecord struct {
	SQL      *string           `json:"sql"`
	Rows     json.RawMessage   `json:"rows"`
	SubPlans []json.RawMessage `json:"subplans"`
	Groups   json.RawMessage   `json:"groups"`
}

type wireSubPlan struct {
	Aliases []string        `json:"tables"`
	Rows    json.RawMessage `json:"rows"`
}

// Next returns the next record, io.EOF at the end, or an error wrapping
// ErrMalformedLog or ErrBadLabel with its line number.
func (r *Reader) Next() (Record, error) {
	for r.s.Scan() {
		r.line++
		b := r.s.Bytes()
		if r.line == 1 {
			b = bytes.TrimPrefix(b, utf8BOM) // written by some Windows editors
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			continue
		}
		return decodeLine(b, r.line)
	}
	if err := r.s.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return Record{}, &LogError{Line: r.line + 1, Err: ErrMalformedLog, Msg: fmt.Sprintf("line longer than %d bytes", maxLineBytes)}
		}
		return Record{}, err
	}
	return Record{}, io.EOF
}

// ReadAll reads every record of r.
func ReadAll(r io.Reader) ([]Record, error) {
	rd := NewReader(r)
	var out []Record
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}

func decodeLine(b []byte, line int) (Record, error) {
	var w wireRecord
	if err := strictUnmarshal(b, &w); err != nil {
		if fixed, ok := nonFinite(b); ok && strictUnmarshal(fixed, &w) == nil {
			return Record{}, &LogError{Line: line, Err: ErrBadLabel, Msg: "label is NaN or infinite"}
		}
		return Record{}, &LogError{Line: line, Err: ErrMalformedLog, Msg: err.Error(), json: err}
	}
	if w.SQL == nil {
		return Record{}, &LogError{Line: line, Err: ErrMalformedLog, Msg: `missing "sql"`}
	}
	rec := Record{SQL: *w.SQL}
	var err error
	if rec.Rows, err = label(w.Rows, `"rows"`, line); err != nil {
		return Record{}, err
	}
	if w.Groups != nil {
		g, err := label(w.Groups, `"groups"`, line)
		if err != nil {
			return Record{}, err
		}
		rec.Groups = &g
	}
	for i, raw := range w.SubPlans {
		var s wireSubPlan
		if err := strictUnmarshal(raw, &s); err != nil {
			return Record{}, &LogError{Line: line, Err: ErrMalformedLog, Msg: fmt.Sprintf("sub-plan %d: %v", i, err), json: err}
		}
		sp := SubPlan{Aliases: s.Aliases}
		if sp.Rows, err = label(s.Rows, fmt.Sprintf(`sub-plan %d "rows"`, i), line); err != nil {
			return Record{}, err
		}
		rec.SubPlans = append(rec.SubPlans, sp)
	}
	if err := validate(rec, line); err != nil {
		return Record{}, err
	}
	return rec, nil
}

// strictUnmarshal decodes one JSON value, refusing unknown fields and
// trailing data.
func strictUnmarshal(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// label parses a row-count label: a non-negative integer up to MaxLabel
// (an integral float such as 1e3 is accepted).
func label(raw json.RawMessage, what string, line int) (int64, error) {
	s := string(bytes.TrimSpace(raw))
	bad := func(msg string) (int64, error) {
		return 0, &LogError{Line: line, Err: ErrBadLabel, Msg: what + " " + msg}
	}
	if s == "" {
		return 0, &LogError{Line: line, Err: ErrMalformedLog, Msg: "missing " + what}
	}
	if s == "null" || s[0] == '"' || s[0] == '{' || s[0] == '[' || s == "true" || s == "false" {
		return bad(s + " is not a number")
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return bad(s + " is negative")
		}
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return bad(s + " is not a number")
	case math.IsNaN(f) || math.IsInf(f, 0) || f >= math.MaxInt64:
		return bad(s + " is too large")
	case f < 0:
		return bad(s + " is negative")
	case f != math.Trunc(f):
		return bad(s + " is not an integer")
	}
	return int64(f), nil
}

// nonFinite replaces the bare NaN / Infinity / -Infinity tokens some
// writers (Python's json) emit outside strings by 0, reporting whether
// there were any.
func nonFinite(b []byte) ([]byte, bool) {
	var out []byte
	found := false
	inStr := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inStr {
			out = append(out, c)
			switch c {
			case '\\':
				if i+1 < len(b) {
					i++
					out = append(out, b[i])
				}
			case '"':
				inStr = false
			}
			continue
		}
		if c == '"' {
			inStr = true
			out = append(out, c)
			continue
		}
		matched := false
		for _, tok := range []string{"-Infinity", "Infinity", "NaN"} {
			if bytes.HasPrefix(b[i:], []byte(tok)) {
				out = append(out, '0')
				i += len(tok) - 1
				found, matched = true, true
				break
			}
		}
		if !matched {
			out = append(out, c)
		}
	}
	return out, found
}
