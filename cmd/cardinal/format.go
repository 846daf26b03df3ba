package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
)

// format is the --format of a command that prints results. JSON field
// names are snake_case everywhere; docs/json.md documents every object.
type format string

const (
	formatText  format = "text"  // for people: tables and aligned columns
	formatJSON  format = "json"  // one indented document (a stream: one array)
	formatJSONL format = "jsonl" // one compact object per line (a stream: per result)
)

// String and Set make *format a flag.Value: a bad --format is a usage
// error at parse time, before any work.
func (f *format) String() string { return string(*f) }

func (f *format) Set(s string) error {
	switch v := format(s); v {
	case formatText, formatJSON, formatJSONL:
		*f = v
		return nil
	}
	return fmt.Errorf("want text, json or jsonl, not %q", s)
}

// formatFlag registers --format (default text) on fs.
func formatFlag(fs *flag.FlagSet) *format {
	f := formatText
	fs.Var(&f, "format", "output format (JSON fields: docs/json.md)")
	return &f
}

// writeDoc writes one result document: v as JSON (indented for json, one
// line for jsonl) or, for text, whatever text writes.
func writeDoc(w io.Writer, f format, v any, text func(io.Writer) error) error {
	switch f {
	case formatJSON, formatJSONL:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		if f == formatJSON {
			enc.SetIndent("", "  ")
		}
		return enc.Encode(v)
	}
	return text(w)
}

// stream writes a stream of results, each flushed as soon as it is
// written (so a pipe sees every result when it is ready): text lines,
// JSON Lines, or one JSON array whose elements are written one by one.
type stream struct {
	w   *bufio.Writer
	f   format
	n   int
	enc *json.Encoder
}

func newStream(w io.Writer, f format) *stream {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &stream{w: bw, f: f, enc: enc}
}

// write writes one result: v in JSON formats, text's output in text.
func (s *stream) write(v any, text func(io.Writer) error) error {
	var err error
	switch s.f {
	case formatJSONL:
		err = s.enc.Encode(v)
	case formatJSON:
		sep := ",\n"
		if s.n == 0 {
			sep = "[\n"
		}
		var b []byte
		if b, err = json.MarshalIndent(v, "  ", "  "); err == nil {
			s.w.WriteString(sep + "  ")
			_, err = s.w.Write(b)
		}
	default:
		err = text(s.w)
	}
	s.n++
	if err != nil {
		return err
	}
	return s.w.Flush()
}

// close ends the stream (closes the JSON array, "[]" when empty).
func (s *stream) close() error {
	if s.f == formatJSON {
		if s.n == 0 {
			s.w.WriteString("[")
		}
		s.w.WriteString("\n]\n")
	}
	return s.w.Flush()
}
