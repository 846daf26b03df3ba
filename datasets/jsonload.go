package datasets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/cardinaldb/cardinal/catalog"
)

// jsonCheckEvery is how many array elements LoadJSON reads between checks
// of its context.
const jsonCheckEvery = 4096

// LoadJSON appends to the named table of db the rows of a JSON array of
// objects read from r. Object keys are column names (case-insensitive);
// a missing key or JSON null is NULL, an unknown or repeated key is an
// error. Values: numbers for INT (integral only) and DOUBLE columns,
// strings for VARCHAR, strings ("YYYY-MM-DD", datetimes as in LoadCSV) or
// integral numbers (Unix seconds) for DATE and DATETIME. Errors are
// *LoadError values with the line, the array element Index and the key
// (Column); their File is the table name. On error the table is left
// unchanged.
func LoadJSON(ctx context.Context, db *DB, table string, r io.Reader) error {
	t := db.Table(table)
	if t == nil {
		return &LoadError{File: table, Index: -1, Err: fmt.Errorf("%w: no table %q in the database", ErrMissingTable, table)}
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return &LoadError{File: table, Index: -1, Err: err}
	}
	l := jsonLoader{t: t, data: data, dec: json.NewDecoder(bytes.NewReader(data)), file: table}
	l.dec.UseNumber()
	m := t.mark()
	if err := l.load(ctx); err != nil {
		t.rollback(m)
		return err
	}
	return nil
}

type jsonLoader struct {
	t    *Table
	data []byte
	dec  *json.Decoder
	file string
}

// fail builds a *LoadError at the decoder's current position.
func (l *jsonLoader) fail(index int, col string, err error) error {
	off := l.dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	switch {
	case errors.As(err, &se):
		err = fmt.Errorf("%w: %w", ErrMalformed, err)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		err = fmt.Errorf("%w: unexpected end of input", ErrMalformed)
	}
	line := 1 + bytes.Count(l.data[:min(max(off, 0), int64(len(l.data)))], []byte{'\n'})
	return &LoadError{File: l.file, Line: line, Column: col, Index: index, Err: err}
}

func (l *jsonLoader) load(ctx context.Context) error {
	tok, err := l.dec.Token()
	if err != nil {
		return l.fail(-1, "", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return l.fail(-1, "", fmt.Errorf("%w: input is not a JSON array", ErrMalformed))
	}
	t := l.t
	seen := make([]bool, len(t.Cols))
	for index := 0; l.dec.More(); index++ {
		if index%jsonCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		tok, err := l.dec.Token()
		if err != nil {
			return l.fail(index, "", err)
		}
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return l.fail(index, "", fmt.Errorf("%w: array element is not an object", ErrMalformed))
		}
		clear(seen)
		appended := 0
		for l.dec.More() {
			tok, err := l.dec.Token()
			if err != nil {
				return l.fail(index, "", err)
			}
			key, _ := tok.(string) // object keys are always strings
			c := t.Def.ColumnIndex(key)
			if c < 0 {
				return l.fail(index, key, fmt.Errorf("%w in table %s", ErrUnknownColumn, t.Def.Name))
			}
			if seen[c] {
				return l.fail(index, key, ErrDuplicateColumn)
			}
			seen[c] = true
			val, err := l.dec.Token()
			if err != nil {
				return l.fail(index, key, err)
			}
			if err := appendJSON(t.Cols[c], &t.Def.Columns[c], val); err != nil {
				return l.fail(index, key, err)
			}
			appended++
		}
		if _, err := l.dec.Token(); err != nil { // '}'
			return l.fail(index, "", err)
		}
		if appended < len(t.Cols) {
			for c, ok := range seen {
				if ok {
					continue
				}
				if !t.Def.Columns[c].Nullable {
					return l.fail(index, t.Def.Columns[c].Name, fmt.Errorf("%w: key missing", ErrNullViolation))
				}
				t.Cols[c].appendNull()
			}
		}
		t.Rows++
	}
	if _, err := l.dec.Token(); err != nil { // ']'
		return l.fail(-1, "", err)
	}
	if _, err := l.dec.Token(); err != io.EOF {
		if err == nil {
			err = fmt.Errorf("%w: data after the JSON array", ErrMalformed)
		}
		return l.fail(-1, "", err)
	}
	return nil
}

// appendJSON appends one JSON value (a json.Decoder token) to column c.
func appendJSON(c *Column, def *catalog.Column, val json.Token) error {
	switch v := val.(type) {
	case nil:
		if !def.Nullable {
			return ErrNullViolation
		}
		c.appendNull()
		return nil
	case string:
		switch c.Type {
		case catalog.TypeString:
			c.appendCode(c.Intern(v))
			return nil
		case catalog.TypeDate:
			if d, ok := parseDate([]byte(v)); ok {
				c.appendInt(d)
				return nil
			}
		case catalog.TypeDateTime:
			if d, ok := parseDateTime([]byte(v)); ok {
				c.appendInt(d)
				return nil
			}
		}
		return fmt.Errorf("%w: string %q for %s column", ErrType, truncateText([]byte(v)), c.Type)
	case json.Number:
		switch c.Type {
		case catalog.TypeInt, catalog.TypeDate, catalog.TypeDateTime:
			if i, ok := parseInt([]byte(v)); ok {
				c.appendInt(i)
				return nil
			}
		case catalog.TypeFloat:
			if f, ok := parseFloat([]byte(v)); ok {
				c.appendFloat(f)
				return nil
			}
		}
		return fmt.Errorf("%w: number %s for %s column", ErrType, v, c.Type)
	case json.Delim:
		return fmt.Errorf("%w: nested %s for %s column", ErrType, v, c.Type)
	}
	return fmt.Errorf("%w: %T value %v for %s column", ErrType, val, val, c.Type)
}
