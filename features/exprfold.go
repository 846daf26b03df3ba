package features

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// Options configure a Parser. The zero value is the default.
type Options struct {
	// Now is the instant NOW(), CURRENT_TIMESTAMP, LOCALTIME, SYSDATE(),
	// UTC_TIMESTAMP() and (its date) CURDATE(), CURRENT_DATE and
	// UTC_DATE() evaluate to, in UTC and truncated to the second. The zero
	// time means DefaultNow, so that a query's parse (and count) is
	// reproducible; set it to time.Now() to read a live slow log as the
	// server did.
	Now time.Time

	// noRewrite keeps functions of columns as ExprFunc instead of their
	// exact ranges (tests compare the two).
	noRewrite bool
}

// DefaultNowUnix is the "now" of the zero Options: 2025-01-01 00:00:00
// UTC, a fixed instant so that NOW() - INTERVAL 1 DAY means the same rows
// on every run.
const DefaultNowUnix = 1735689600

// now returns the instant the options evaluate NOW() to.
func (o Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Unix(DefaultNowUnix, 0).UTC()
	}
	return o.Now.UTC().Truncate(time.Second)
}

// NewParserOptions returns a Parser with the given options.
func NewParserOptions(o Options) *Parser { return &Parser{p: parser.New(), opts: o} }

// ParseOptions is Parse with options (a settable NOW()).
func ParseOptions(schema *catalog.Schema, sql string, o Options) (*Query, error) {
	return NewParserOptions(o).Parse(schema, sql)
}

// divPrecisionIncrement is the number of decimal digits MySQL adds to the
// scale of the dividend for "/" (the div_precision_increment default).
const divPrecisionIncrement = 4

// maxFoldDepth bounds the nesting of constant expressions folded.
const maxFoldDepth = 64

// fold evaluates a constant expression to a literal: literals, arithmetic
// (+ - * / DIV %) of numbers, DATE_ADD / DATE_SUB / ADDDATE / SUBDATE and
// "d ± INTERVAL n unit", CAST / CONVERT, DATE(), the NOW() family and
// CURDATE() family (against the parser's Now). ok is false when e is not
// constant (it reads a column, or is a construct fold does not know); err
// is set when e is a constant fold rejects (an invalid date, an interval
// unit outside the model, division by zero).
func (r *resolver) fold(e ast.ExprNode) (l lit, ok bool, err error) {
	return r.foldDepth(e, 0)
}

func (r *resolver) foldDepth(e ast.ExprNode, depth int) (lit, bool, error) {
	e = stripParens(e)
	if l, ok := literal(e); ok {
		return l, true, nil
	}
	if depth > maxFoldDepth {
		return lit{}, false, nil
	}
	off := e.OriginTextPosition()
	switch n := e.(type) {
	case *ast.BinaryOperationExpr:
		switch n.Op {
		case opcode.Plus, opcode.Minus, opcode.Mul, opcode.Div, opcode.IntDiv, opcode.Mod:
		default:
			return lit{}, false, nil
		}
		a, aok, err := r.foldDepth(n.L, depth+1)
		if err != nil || !aok {
			return lit{}, false, err
		}
		b, bok, err := r.foldDepth(n.R, depth+1)
		if err != nil || !bok {
			return lit{}, false, err
		}
		out, msg := arith(n.Op, a, b)
		if msg != "" {
			return lit{}, false, r.errAt(off, ErrUnsupported, "constant arithmetic", "%s", msg)
		}
		out.off = off
		return out, true, nil
	case *ast.UnaryOperationExpr:
		if n.Op != opcode.Minus && n.Op != opcode.Plus {
			return lit{}, false, nil
		}
		a, aok, err := r.foldDepth(n.V, depth+1)
		if err != nil || !aok {
			return lit{}, false, err
		}
		if n.Op == opcode.Minus {
			neg, ok := negate(a)
			if !ok {
				return lit{}, false, r.errAt(off, ErrUnsupported, "constant arithmetic", "cannot negate %s", a.describe())
			}
			a = neg
		}
		a.off = off
		return a, true, nil
	case *ast.FuncCastExpr:
		a, aok, err := r.foldDepth(n.Expr, depth+1)
		if err != nil || !aok {
			return lit{}, false, err
		}
		out, msg := castLit(a, n.Tp.GetType(), n.Tp.GetDecimal())
		if msg != "" {
			return lit{}, false, r.errAt(off, ErrUnsupported, "CAST", "%s", msg)
		}
		out.off = off
		return out, true, nil
	case *ast.FuncCallExpr:
		return r.foldCall(n, depth)
	}
	return lit{}, false, nil
}

// foldCall folds the date functions of constants.
func (r *resolver) foldCall(n *ast.FuncCallExpr, depth int) (lit, bool, error) {
	off := n.OriginTextPosition()
	now := r.opts.now()
	name := strings.ToUpper(n.FnName.O)
	switch n.FnName.L {
	case ast.Now, ast.CurrentTimestamp, ast.LocalTime, ast.LocalTimestamp, ast.Sysdate, ast.UTCTimestamp:
		if len(n.Args) > 1 {
			return lit{}, false, nil
		}
		return lit{kind: litDate, s: now.Format(catalog.DateTimeLayout), off: off}, true, nil
	case ast.Curdate, ast.CurrentDate, ast.UTCDate:
		if len(n.Args) != 0 {
			return lit{}, false, nil
		}
		return lit{kind: litDate, s: now.Format(catalog.DateLayout), off: off}, true, nil
	case ast.Date:
		if len(n.Args) != 1 {
			return lit{}, false, nil
		}
		a, aok, err := r.foldDepth(n.Args[0], depth+1)
		if err != nil || !aok {
			return lit{}, false, err
		}
		t, _, ok := litTime(a)
		if !ok {
			return lit{}, false, r.errAt(off, ErrType, "DATE()", "%s is not a date", a.describe())
		}
		return lit{kind: litDate, s: t.Format(catalog.DateLayout), off: off}, true, nil
	case ast.DateAdd, ast.DateSub, ast.AddDate, ast.SubDate:
		if len(n.Args) != 3 {
			return lit{}, false, nil
		}
		a, aok, err := r.foldDepth(n.Args[0], depth+1)
		if err != nil || !aok {
			return lit{}, false, err
		}
		t, hasTime, ok := litTime(a)
		if !ok {
			return lit{}, false, r.errAt(off, ErrType, name+"()", "%s is not a date", a.describe())
		}
		amount, unit, err := r.interval(n.Args[1], n.Args[2], depth)
		if err != nil {
			return lit{}, false, err
		}
		if n.FnName.L == ast.DateSub || n.FnName.L == ast.SubDate {
			amount = -amount
		}
		res, timeUnit, msg := addInterval(t, amount, unit)
		if msg != "" {
			return lit{}, false, r.errAt(off, ErrUnsupported, "INTERVAL", "%s", msg)
		}
		layout := catalog.DateLayout
		if hasTime || timeUnit {
			layout = catalog.DateTimeLayout
		}
		if res.Year() < 1 || res.Year() > 9999 {
			return lit{}, false, r.errAt(off, ErrType, name+"()", "the result is outside years 1-9999")
		}
		return lit{kind: litDate, s: res.Format(layout), off: off}, true, nil
	}
	return lit{}, false, nil
}

// interval reads the amount (an integer constant) and unit of an INTERVAL.
func (r *resolver) interval(v, u ast.ExprNode, depth int) (int64, ast.TimeUnitType, error) {
	tu, ok := u.(*ast.TimeUnitExpr)
	if !ok {
		return 0, 0, r.errAt(v.OriginTextPosition(), ErrUnsupported, "INTERVAL", "expected a unit")
	}
	if _, _, msg := addInterval(time.Unix(0, 0).UTC(), 0, tu.Unit); msg != "" {
		return 0, 0, r.errAt(v.OriginTextPosition(), ErrUnsupported, "INTERVAL", "%s", msg)
	}
	a, aok, err := r.foldDepth(v, depth+1)
	if err != nil {
		return 0, 0, err
	}
	if !aok {
		return 0, 0, r.errAt(v.OriginTextPosition(), ErrUnsupported, "INTERVAL", "the amount must be a constant")
	}
	var n int64
	switch a.kind {
	case litInt:
		n = a.i
	case litString, litDecimal:
		i, ok := integralText(a.s)
		if !ok {
			return 0, 0, r.errAt(a.off, ErrUnsupported, "INTERVAL", "the amount %s is not an integer", a.describe())
		}
		n = i
	default:
		return 0, 0, r.errAt(a.off, ErrUnsupported, "INTERVAL", "the amount %s is not an integer", a.describe())
	}
	return n, tu.Unit, nil
}

// maxIntervalSeconds bounds an interval so that date arithmetic cannot
// overflow (10,000 years of seconds).
const maxIntervalSeconds = 10000 * 366 * 86400

// addInterval adds amount units to t with MySQL's rules: MONTH, QUARTER
// and YEAR keep the day of month, clamped to the last day of the target
// month ('1995-01-31' + INTERVAL 1 MONTH is '1995-02-28'); the fixed units
// add seconds. timeUnit reports units below a day (the result is then a
// datetime).
func addInterval(t time.Time, amount int64, unit ast.TimeUnitType) (time.Time, bool, string) {
	var secs int64
	switch unit {
	case ast.TimeUnitSecond:
		secs = 1
	case ast.TimeUnitMinute:
		secs = 60
	case ast.TimeUnitHour:
		secs = 3600
	case ast.TimeUnitDay:
		secs = secondsPerDay
	case ast.TimeUnitWeek:
		secs = 7 * secondsPerDay
	case ast.TimeUnitMonth, ast.TimeUnitQuarter, ast.TimeUnitYear:
		months := amount
		switch unit {
		case ast.TimeUnitQuarter:
			months *= 3
		case ast.TimeUnitYear:
			months *= 12
		}
		if months > 12*10000 || months < -12*10000 {
			return t, false, "interval out of range"
		}
		return addMonths(t, int(months)), false, ""
	default:
		return t, false, "unit " + unit.String() + " is not modelled (use SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER or YEAR)"
	}
	if amount > maxIntervalSeconds/secs || amount < -maxIntervalSeconds/secs {
		return t, false, "interval out of range"
	}
	return t.Add(time.Duration(amount*secs) * time.Second), secs < secondsPerDay, ""
}

// addMonths adds months to t, clamping the day to the target month's
// length.
func addMonths(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	total := y*12 + int(m) - 1 + months
	ny, nm := total/12, time.Month(total%12+1)
	if total < 0 {
		ny, nm = (total-11)/12, time.Month((total%12+12)%12+1)
	}
	if last := daysIn(ny, nm); d > last {
		d = last
	}
	hh, mm, ss := t.Clock()
	return time.Date(ny, nm, d, hh, mm, ss, 0, time.UTC)
}

// daysIn returns the number of days of month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// litTime reads a date literal or a date string; hasTime reports a time
// of day in the text.
func litTime(l lit) (t time.Time, hasTime, ok bool) {
	if l.kind != litDate && l.kind != litString {
		return time.Time{}, false, false
	}
	v, ok := parseDateTime(l.s)
	if !ok {
		return time.Time{}, false, false
	}
	return time.Unix(v, 0).UTC(), len(l.s) > len(catalog.DateLayout), true
}

// ratOf reads a numeric literal exactly; scale is its number of decimal
// digits. ok is false for non-numbers and floats.
func ratOf(l lit) (r *big.Rat, scale int, ok bool) {
	switch l.kind {
	case litInt:
		return new(big.Rat).SetInt64(l.i), 0, true
	case litUint:
		return new(big.Rat).SetInt(new(big.Int).SetUint64(l.u)), 0, true
	case litDecimal, litString:
		s := strings.TrimSpace(l.s)
		if s == "" || !isNumericText(s) || strings.ContainsAny(s, "eE") {
			return nil, 0, false
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			return nil, 0, false
		}
		if _, frac, has := strings.Cut(s, "."); has {
			scale = len(frac)
		}
		return r, scale, true
	}
	return nil, 0, false
}

// floatOf reads any numeric literal as a float.
func floatOf(l lit) (float64, bool) {
	switch l.kind {
	case litFloat:
		return l.f, true
	case litInt:
		return float64(l.i), true
	case litUint:
		return float64(l.u), true
	case litDecimal, litString:
		s := strings.TrimSpace(l.s)
		if !isNumericText(s) {
			return 0, false
		}
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	return 0, false
}

// ratLit renders an exact number with scale decimal digits (rounded half
// away from zero) as an integer or decimal literal.
func ratLit(r *big.Rat, scale int) lit {
	if scale == 0 && r.IsInt() && r.Num().IsInt64() {
		return lit{kind: litInt, i: r.Num().Int64()}
	}
	s := r.FloatString(scale)
	if scale == 0 {
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return lit{kind: litInt, i: v}
		}
	}
	return lit{kind: litDecimal, s: s}
}

// arith folds a op b. Integers and decimals are exact (MySQL's scale
// rules: + - keep the larger scale, * adds them, / adds
// divPrecisionIncrement digits); a float operand makes a float.
func arith(op opcode.Op, a, b lit) (lit, string) {
	if a.kind == litNull || b.kind == litNull {
		return lit{kind: litNull}, ""
	}
	ra, sa, aok := ratOf(a)
	rb, sb, bok := ratOf(b)
	if a.kind == litFloat || b.kind == litFloat || !aok || !bok {
		x, xok := floatOf(a)
		y, yok := floatOf(b)
		if !xok || !yok {
			return lit{}, "arithmetic on " + a.describe() + " and " + b.describe() + " is not modelled"
		}
		var z float64
		switch op {
		case opcode.Plus:
			z = x + y
		case opcode.Minus:
			z = x - y
		case opcode.Mul:
			z = x * y
		case opcode.Div:
			if y == 0 {
				return lit{kind: litNull}, ""
			}
			z = x / y
		case opcode.IntDiv:
			if y == 0 {
				return lit{kind: litNull}, ""
			}
			z = math.Trunc(x / y)
		case opcode.Mod:
			if y == 0 {
				return lit{kind: litNull}, ""
			}
			z = math.Mod(x, y)
		}
		if math.IsInf(z, 0) || math.IsNaN(z) {
			return lit{}, "the result is out of range"
		}
		return lit{kind: litFloat, f: z}, ""
	}
	z := new(big.Rat)
	scale := max(sa, sb)
	switch op {
	case opcode.Plus:
		z.Add(ra, rb)
	case opcode.Minus:
		z.Sub(ra, rb)
	case opcode.Mul:
		z.Mul(ra, rb)
		scale = sa + sb
	case opcode.Div:
		if rb.Sign() == 0 {
			return lit{kind: litNull}, "" // MySQL: x / 0 is NULL
		}
		z.Quo(ra, rb)
		scale = sa + divPrecisionIncrement
	case opcode.IntDiv, opcode.Mod:
		if rb.Sign() == 0 {
			return lit{kind: litNull}, ""
		}
		q := new(big.Rat).Quo(ra, rb)
		t := new(big.Int).Quo(q.Num(), q.Denom()) // truncates toward zero
		if op == opcode.IntDiv {
			z.SetInt(t)
			scale = 0
		} else {
			z.Sub(ra, new(big.Rat).Mul(new(big.Rat).SetInt(t), rb))
		}
	}
	if scale > 30 {
		scale = 30 // MySQL's maximum decimal scale
	}
	if z.Num().BitLen() > 256 {
		return lit{}, "the result is out of range"
	}
	return ratLit(z, scale), ""
}

// castLit folds CAST(a AS type).
func castLit(a lit, tp byte, decimals int) (lit, string) {
	if a.kind == litNull {
		return a, ""
	}
	switch tp {
	case mysql.TypeDate, mysql.TypeDatetime, mysql.TypeTimestamp:
		t, _, ok := litTime(a)
		if !ok {
			return lit{kind: litNull}, "" // MySQL: an invalid date casts to NULL
		}
		if tp == mysql.TypeDate {
			return lit{kind: litDate, s: t.Format(catalog.DateLayout)}, ""
		}
		return lit{kind: litDate, s: t.Format(catalog.DateTimeLayout)}, ""
	case mysql.TypeLonglong:
		switch a.kind {
		case litInt, litUint:
			return a, ""
		}
		f, ok := floatOf(a)
		if !ok {
			return lit{}, "CAST of " + a.describe() + " to an integer is not modelled"
		}
		if f >= 1<<63 || f < -(1<<63) {
			return lit{}, "the result is out of range"
		}
		return lit{kind: litInt, i: int64(math.Round(f))}, ""
	case mysql.TypeNewDecimal:
		r, _, ok := ratOf(a)
		if !ok {
			f, fok := floatOf(a)
			if !fok {
				return lit{}, "CAST of " + a.describe() + " to DECIMAL is not modelled"
			}
			r = new(big.Rat)
			if r.SetFloat64(f) == nil {
				return lit{}, "the result is out of range"
			}
		}
		return ratLit(r, max(decimals, 0)), ""
	case mysql.TypeDouble, mysql.TypeFloat:
		f, ok := floatOf(a)
		if !ok {
			return lit{}, "CAST of " + a.describe() + " to a float is not modelled"
		}
		return lit{kind: litFloat, f: f}, ""
	case mysql.TypeVarString, mysql.TypeString, mysql.TypeVarchar:
		switch a.kind {
		case litString, litDate:
			return lit{kind: litString, s: a.s}, ""
		case litInt:
			return lit{kind: litString, s: strconv.FormatInt(a.i, 10)}, ""
		case litUint:
			return lit{kind: litString, s: strconv.FormatUint(a.u, 10)}, ""
		case litDecimal:
			return lit{kind: litString, s: a.s}, ""
		}
		return lit{}, "CAST of " + a.describe() + " to a string is not modelled"
	}
	return lit{}, "the target type is not modelled (use DATE, DATETIME, SIGNED, DECIMAL, DOUBLE or CHAR)"
}
