package catalog

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind says which field of a Datum holds its value.
type Kind uint8

// Datum kinds. TypeInt, TypeDate and TypeDateTime columns hold KindInt
// datums; TypeFloat holds KindFloat; TypeString holds KindString.
const (
	KindNull Kind = iota
	KindInt
	KindFloat
	KindString
)

// Datum is one typed value: a literal of a query or a value of a row. It is a
// small value type; the zero Datum is NULL.
type Datum struct {
	Kind Kind
	I    int64
	F    float64
	S    string
}

// Null is the NULL datum.
var Null = Datum{}

// Int returns an integer datum (also used for dates and datetimes).
func Int(v int64) Datum { return Datum{Kind: KindInt, I: v} }

// Float returns a float datum.
func Float(v float64) Datum { return Datum{Kind: KindFloat, F: v} }

// String returns a string datum.
func String(v string) Datum { return Datum{Kind: KindString, S: v} }

// IsNull reports whether d is NULL.
func (d Datum) IsNull() bool { return d.Kind == KindNull }

// Float64 returns d as a float64 (ints converted; NaN for strings and NULL).
func (d Datum) Float64() float64 {
	switch d.Kind {
	case KindInt:
		return float64(d.I)
	case KindFloat:
		return d.F
	}
	return math.NaN()
}

// Compare orders two non-NULL datums: numbers numerically (ints and floats
// mixed), strings bytewise. A NULL sorts before everything. Comparing a
// string with a number orders numbers first.
func Compare(a, b Datum) int {
	if a.Kind == KindNull || b.Kind == KindNull {
		switch {
		case a.Kind == b.Kind:
			return 0
		case a.Kind == KindNull:
			return -1
		default:
			return 1
		}
	}
	if a.Kind == KindString || b.Kind == KindString {
		if a.Kind != b.Kind {
			if a.Kind == KindString {
				return 1
			}
			return -1
		}
		return strings.Compare(a.S, b.S)
	}
	if a.Kind == KindInt && b.Kind == KindInt {
		switch {
		case a.I < b.I:
			return -1
		case a.I > b.I:
			return 1
		}
		return 0
	}
	x, y := a.Float64(), b.Float64()
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// DateTimeLayout is how datetimes are rendered in SQL and CSV.
const DateTimeLayout = "2006-01-02 15:04:05"

// DateLayout is how dates are rendered in SQL and CSV.
const DateLayout = "2006-01-02"

// Format renders d for a column of type t as it would appear in a SQL
// literal without quotes (dates and datetimes as text).
func (d Datum) Format(t Type) string {
	switch d.Kind {
	case KindNull:
		return "NULL"
	case KindString:
		return d.S
	case KindFloat:
		return strconv.FormatFloat(d.F, 'g', -1, 64)
	}
	switch t {
	case TypeDate:
		return time.Unix(d.I, 0).UTC().Format(DateLayout)
	case TypeDateTime:
		return time.Unix(d.I, 0).UTC().Format(DateTimeLayout)
	}
	return strconv.FormatInt(d.I, 10)
}

// String implements fmt.Stringer for debugging.
func (d Datum) String() string {
	if d.Kind == KindString {
		return strconv.Quote(d.S)
	}
	return d.Format(TypeInt)
}

var _ fmt.Stringer = Datum{}
