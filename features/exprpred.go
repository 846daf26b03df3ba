package features

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cardinaldb/cardinal/catalog"
)

// Predicate kinds beyond "column op literal". Their values are far from
// the four basic kinds so that other additions to ExprKind cannot collide.
const (
	// ExprFunc is a predicate on a function of one column: Pred.Fn
	// applied to column Pred.Col (with its parameter Pred.Arg), compared
	// with Pred.Values by Pred.Op, as an ExprPred compares the column
	// itself: MONTH(d) = 5, DATE_FORMAT(d, '%m-%d') = '12-25',
	// LOWER(name) LIKE 'a%'. The values are typed against the function's
	// result type (Func.ResultType). Parse produces it only where no
	// exact range on the raw column exists (YEAR(d) = 1995 becomes
	// d BETWEEN '1995-01-01' AND '1995-12-31 23:59:59').
	ExprFunc ExprKind = 16
	// ExprCols compares two columns of one table occurrence: Pred.Col
	// Pred.Op Pred.Col2, with Op among = <> < <= > >= (l_commitdate <
	// l_receiptdate), plus Pred.Arg when it is an integer (a shift of the
	// second column: hour < month + 10, shipped > ordered + INTERVAL 3
	// DAY, in seconds on dates). Unknown when either is NULL.
	ExprCols ExprKind = 17
)

// Func is a scalar function of one column (ExprFunc).
type Func uint8

// Functions of a column. Date parts read DATE and DATETIME columns (Unix
// seconds, UTC) and return integers, as MySQL's functions of the same
// names do.
const (
	FuncYear       Func = iota + 1 // YEAR(d)
	FuncQuarter                    // QUARTER(d): 1-4
	FuncMonth                      // MONTH(d): 1-12
	FuncDay                        // DAYOFMONTH(d), DAY(d): 1-31
	FuncDayOfWeek                  // DAYOFWEEK(d): 1 = Sunday ... 7 = Saturday
	FuncWeekday                    // WEEKDAY(d): 0 = Monday ... 6 = Sunday
	FuncDayOfYear                  // DAYOFYEAR(d): 1-366
	FuncHour                       // HOUR(d): 0-23
	FuncMinute                     // MINUTE(d): 0-59
	FuncSecond                     // SECOND(d): 0-59
	FuncDate                       // DATE(d): the day of a datetime (a DATE)
	FuncDateFormat                 // DATE_FORMAT(d, Arg): a string
	FuncLeft                       // LEFT(s, Arg), SUBSTRING(s, 1, Arg): the first Arg characters
	FuncCharLength                 // CHAR_LENGTH(s): characters
	FuncLower                      // LOWER(s)
	FuncUpper                      // UPPER(s)
	FuncAdd                        // x + Arg on a number column
	numFuncs
)

// funcInfo describes a Func: its SQL name, the column types it reads,
// its result type, and for date parts the range of its values (the
// histogram baseline assumes them uniform, see estimator).
type funcInfo struct {
	name     string
	arg      argClass
	result   catalog.Type // TypeInvalid: the column's type
	lo, hi   int64        // value range of a date part; lo > hi when not bounded
	hasParam bool
}

type argClass uint8

const (
	argDate argClass = iota + 1
	argString
	argNumber
)

var funcs = [numFuncs]funcInfo{
	FuncYear:       {name: "YEAR", arg: argDate, result: catalog.TypeInt, lo: 1, hi: 0},
	FuncQuarter:    {name: "QUARTER", arg: argDate, result: catalog.TypeInt, lo: 1, hi: 4},
	FuncMonth:      {name: "MONTH", arg: argDate, result: catalog.TypeInt, lo: 1, hi: 12},
	FuncDay:        {name: "DAYOFMONTH", arg: argDate, result: catalog.TypeInt, lo: 1, hi: 31},
	FuncDayOfWeek:  {name: "DAYOFWEEK", arg: argDate, result: catalog.TypeInt, lo: 1, hi: 7},
	FuncWeekday:    {name: "WEEKDAY", arg: argDate, result: catalog.TypeInt, lo: 0, hi: 6},
	FuncDayOfYear:  {name: "DAYOFYEAR", arg: argDate, result: catalog.TypeInt, lo: 1, hi: 366},
	FuncHour:       {name: "HOUR", arg: argDate, result: catalog.TypeInt, lo: 0, hi: 23},
	FuncMinute:     {name: "MINUTE", arg: argDate, result: catalog.TypeInt, lo: 0, hi: 59},
	FuncSecond:     {name: "SECOND", arg: argDate, result: catalog.TypeInt, lo: 0, hi: 59},
	FuncDate:       {name: "DATE", arg: argDate, result: catalog.TypeDate, lo: 1, hi: 0},
	FuncDateFormat: {name: "DATE_FORMAT", arg: argDate, result: catalog.TypeString, lo: 1, hi: 0, hasParam: true},
	FuncLeft:       {name: "LEFT", arg: argString, result: catalog.TypeString, lo: 1, hi: 0, hasParam: true},
	FuncCharLength: {name: "CHAR_LENGTH", arg: argString, result: catalog.TypeInt, lo: 1, hi: 0},
	FuncLower:      {name: "LOWER", arg: argString, result: catalog.TypeString, lo: 1, hi: 0},
	FuncUpper:      {name: "UPPER", arg: argString, result: catalog.TypeString, lo: 1, hi: 0},
	FuncAdd:        {name: "+", arg: argNumber, result: catalog.Type(0), lo: 1, hi: 0, hasParam: true},
}

// Valid reports whether f is one of the Func constants.
func (f Func) Valid() bool { return f > 0 && f < numFuncs }

// String returns the SQL name of the function ("+" for FuncAdd).
func (f Func) String() string {
	if !f.Valid() {
		return "Func(" + strconv.Itoa(int(f)) + ")"
	}
	return funcs[f].name
}

// Accepts reports whether f applies to a column of type t.
func (f Func) Accepts(t catalog.Type) bool {
	if !f.Valid() {
		return false
	}
	switch funcs[f].arg {
	case argDate:
		return t == catalog.TypeDate || t == catalog.TypeDateTime
	case argString:
		return t == catalog.TypeString
	case argNumber:
		return t == catalog.TypeInt || t == catalog.TypeFloat
	}
	return false
}

// ResultType returns the type of f applied to a column of type col with
// parameter arg (FuncAdd on an INT column is INT unless arg is a float).
func (f Func) ResultType(col catalog.Type, arg catalog.Datum) catalog.Type {
	if !f.Valid() {
		return catalog.Type(0)
	}
	if f == FuncAdd {
		if col == catalog.TypeFloat || arg.Kind == catalog.KindFloat {
			return catalog.TypeFloat
		}
		return col
	}
	return funcs[f].result
}

// Domain returns the range [lo, hi] of an integer-valued date part
// (MONTH: 1-12); ok is false for the other functions.
func (f Func) Domain() (lo, hi int64, ok bool) {
	if !f.Valid() || funcs[f].lo > funcs[f].hi {
		return 0, 0, false
	}
	return funcs[f].lo, funcs[f].hi, true
}

// Apply evaluates f on a column value d with parameter arg. NULL gives
// NULL; so does a value of the wrong kind.
func (f Func) Apply(d, arg catalog.Datum) catalog.Datum {
	if d.Kind == catalog.KindNull {
		return catalog.Null
	}
	switch funcs[f.validOr0()].arg {
	case argDate:
		if d.Kind != catalog.KindInt {
			return catalog.Null
		}
		t := time.Unix(d.I, 0).UTC()
		switch f {
		case FuncYear:
			return catalog.Int(int64(t.Year()))
		case FuncQuarter:
			return catalog.Int(int64(t.Month()-1)/3 + 1)
		case FuncMonth:
			return catalog.Int(int64(t.Month()))
		case FuncDay:
			return catalog.Int(int64(t.Day()))
		case FuncDayOfWeek:
			return catalog.Int(int64(t.Weekday()) + 1)
		case FuncWeekday:
			return catalog.Int((int64(t.Weekday()) + 6) % 7)
		case FuncDayOfYear:
			return catalog.Int(int64(t.YearDay()))
		case FuncHour:
			return catalog.Int(int64(t.Hour()))
		case FuncMinute:
			return catalog.Int(int64(t.Minute()))
		case FuncSecond:
			return catalog.Int(int64(t.Second()))
		case FuncDate:
			return catalog.Int(floorDiv(d.I, secondsPerDay) * secondsPerDay)
		case FuncDateFormat:
			if arg.Kind != catalog.KindString {
				return catalog.Null
			}
			return catalog.String(formatDate(t, arg.S))
		}
	case argString:
		if d.Kind != catalog.KindString {
			return catalog.Null
		}
		switch f {
		case FuncLeft:
			if arg.Kind != catalog.KindInt {
				return catalog.Null
			}
			return catalog.String(leftChars(d.S, arg.I))
		case FuncCharLength:
			return catalog.Int(int64(utf8.RuneCountInString(d.S)))
		case FuncLower:
			return catalog.String(strings.ToLower(d.S))
		case FuncUpper:
			return catalog.String(strings.ToUpper(d.S))
		}
	case argNumber:
		switch {
		case arg.Kind == catalog.KindNull:
			return catalog.Null
		case d.Kind == catalog.KindInt && arg.Kind == catalog.KindInt:
			s := d.I + arg.I
			if (s > d.I) != (arg.I > 0) {
				return catalog.Null // out of the BIGINT range
			}
			return catalog.Int(s)
		}
		x, xok := numOf(d)
		y, yok := numOf(arg)
		if !xok || !yok {
			return catalog.Null
		}
		return catalog.Float(x + y)
	}
	return catalog.Null
}

func (f Func) validOr0() Func {
	if f.Valid() {
		return f
	}
	return 0
}

func numOf(d catalog.Datum) (float64, bool) {
	switch d.Kind {
	case catalog.KindInt:
		return float64(d.I), true
	case catalog.KindFloat:
		return d.F, true
	}
	return 0, false
}

// floorDiv is a / b rounded toward minus infinity (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// leftChars returns the first n characters (runes) of s.
func leftChars(s string, n int64) string {
	if n <= 0 {
		return ""
	}
	i := 0
	for k := int64(0); k < n && i < len(s); k++ {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return s[:i]
}

// dateFormatSpecs are the DATE_FORMAT specifiers modelled, with their
// MySQL meaning.
const dateFormatSpecs = "YymcdeHkhIilsSpjMbWaT%"

// validDateFormat reports whether every % specifier of f is modelled.
func validDateFormat(f string) bool {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		if i+1 >= len(f) || !strings.ContainsRune(dateFormatSpecs, rune(f[i+1])) {
			return false
		}
		i++
	}
	return true
}

// formatDate is MySQL's DATE_FORMAT for the specifiers validDateFormat
// accepts (English names).
func formatDate(t time.Time, f string) string {
	var b strings.Builder
	two := func(v int) { b.WriteByte(byte('0' + v/10%10)); b.WriteByte(byte('0' + v%10)) }
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' || i+1 >= len(f) {
			b.WriteByte(c)
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			b.WriteString(pad4(t.Year()))
		case 'y':
			two(t.Year() % 100)
		case 'm':
			two(int(t.Month()))
		case 'c':
			b.WriteString(strconv.Itoa(int(t.Month())))
		case 'd':
			two(t.Day())
		case 'e':
			b.WriteString(strconv.Itoa(t.Day()))
		case 'H':
			two(t.Hour())
		case 'k':
			b.WriteString(strconv.Itoa(t.Hour()))
		case 'h', 'I':
			two((t.Hour()+11)%12 + 1)
		case 'l':
			b.WriteString(strconv.Itoa((t.Hour()+11)%12 + 1))
		case 'i':
			two(t.Minute())
		case 's', 'S':
			two(t.Second())
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'j':
			d := t.YearDay()
			b.WriteByte(byte('0' + d/100))
			two(d % 100)
		case 'M':
			b.WriteString(t.Month().String())
		case 'b':
			b.WriteString(t.Month().String()[:3])
		case 'W':
			b.WriteString(t.Weekday().String())
		case 'a':
			b.WriteString(t.Weekday().String()[:3])
		case 'T':
			two(t.Hour())
			b.WriteByte(':')
			two(t.Minute())
			b.WriteByte(':')
			two(t.Second())
		default:
			b.WriteByte(f[i])
		}
	}
	return b.String()
}

func pad4(y int) string {
	s := strconv.Itoa(y)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

// evalCols is the three-valued comparison of two column values.
func evalCols(op Op, a, b catalog.Datum) Tri {
	if a.Kind == catalog.KindNull || b.Kind == catalog.KindNull {
		return Unknown
	}
	var c int
	if a.Kind != b.Kind {
		x, xok := numOf(a)
		y, yok := numOf(b)
		if !xok || !yok {
			return Unknown
		}
		c = compareFloat(x, y)
	} else {
		c = catalog.Compare(a, b)
	}
	switch op {
	case OpEQ:
		return triOf(c == 0)
	case OpNE:
		return triOf(c != 0)
	case OpLT:
		return triOf(c < 0)
	case OpLE:
		return triOf(c <= 0)
	case OpGT:
		return triOf(c > 0)
	case OpGE:
		return triOf(c >= 0)
	}
	return Unknown
}

func compareFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	case x == y:
		return 0
	}
	return int(math.Copysign(1, x-y))
}

// EvalCols evaluates an ExprCols predicate on the values of its two
// columns (a of Col, b of Col2), b shifted by an integer Arg.
func (p *Pred) EvalCols(a, b catalog.Datum) Tri {
	if p.Arg.Kind == catalog.KindInt && b.Kind != catalog.KindNull {
		switch b.Kind {
		case catalog.KindInt:
			b = catalog.Int(b.I + p.Arg.I)
		case catalog.KindFloat:
			b = catalog.Float(b.F + float64(p.Arg.I))
		}
	}
	return evalCols(p.Op, a, b)
}

// comparableTypes reports whether columns of types a and b may be
// compared: strings with strings, numbers with numbers, dates and
// datetimes with each other.
func comparableTypes(a, b catalog.Type) bool {
	class := func(t catalog.Type) int {
		switch t {
		case catalog.TypeString:
			return 1
		case catalog.TypeInt, catalog.TypeFloat:
			return 2
		case catalog.TypeDate, catalog.TypeDateTime:
			return 3
		}
		return 0
	}
	return class(a) != 0 && class(a) == class(b)
}

// renderFunc writes the function applied to a column.
func (w *renderer) funcCol(occ int, p *Pred) {
	if p.Fn == FuncAdd {
		w.b.WriteByte('(')
		w.col(occ, p.Col)
		w.b.WriteString(" + ")
		if w.mode == modeShape {
			w.b.WriteByte('?')
		} else {
			w.b.WriteString(formatLit(w.q.column(occ, p.Col).Type, p.Arg))
		}
		w.b.WriteByte(')')
		return
	}
	w.b.WriteString(p.Fn.String())
	w.b.WriteByte('(')
	w.col(occ, p.Col)
	switch p.Fn {
	case FuncDateFormat:
		w.b.WriteString(", ")
		w.b.WriteString(formatLit(catalog.TypeString, p.Arg)) // the format is part of the shape
	case FuncLeft:
		w.b.WriteString(", ")
		w.b.WriteString(formatLit(catalog.TypeInt, p.Arg))
	}
	w.b.WriteByte(')')
}

// funcPred renders an ExprFunc predicate.
func (w *renderer) funcPred(occ int, p *Pred) {
	t := p.Fn.ResultType(w.q.column(occ, p.Col).Type, p.Arg)
	w.funcCol(occ, p)
	w.predRest(t, p)
}

// colsPred renders an ExprCols predicate.
func (w *renderer) colsPred(occ int, p *Pred) {
	w.col(occ, p.Col)
	w.b.WriteString(" " + p.Op.String() + " ")
	if p.Arg.Kind != catalog.KindInt {
		w.col(occ, p.Col2)
		return
	}
	k := "?"
	if w.mode != modeShape {
		k = strconv.FormatInt(p.Arg.I, 10)
	}
	switch w.q.column(occ, p.Col2).Type {
	case catalog.TypeDate, catalog.TypeDateTime:
		w.b.WriteString("DATE_ADD(")
		w.col(occ, p.Col2)
		w.b.WriteString(", INTERVAL " + k + " SECOND)")
	default:
		w.b.WriteByte('(')
		w.col(occ, p.Col2)
		w.b.WriteString(" + " + k + ")")
	}
}
