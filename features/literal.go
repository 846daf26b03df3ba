package features

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// litKind classifies a SQL literal before it is typed against a column.
type litKind uint8

const (
	litNull    litKind = iota + 1
	litInt             // fits int64 (booleans too)
	litUint            // positive integer beyond int64
	litFloat           // 1e3
	litDecimal         // 1.50, kept as text so integral values stay exact
	litString
	litDate // DATE '...', TIMESTAMP '...', TIME '...' (text in s)
)

// lit is an untyped literal with its source offset.
type lit struct {
	kind litKind
	i    int64
	u    uint64
	f    float64
	s    string
	off  int
}

// literal recognises a literal operand: a value, a signed value, a
// parenthesised literal or a DATE/TIMESTAMP literal. ok is false for
// anything else (columns, functions, arithmetic).
func literal(e ast.ExprNode) (l lit, ok bool) {
	e = stripParens(e)
	off := e.OriginTextPosition()
	switch n := e.(type) {
	case *test_driver.ValueExpr:
		l, ok = valueLit(n)
	case *ast.UnaryOperationExpr:
		if n.Op != opcode.Minus && n.Op != opcode.Plus {
			return lit{}, false
		}
		l, ok = literal(n.V)
		if !ok {
			return lit{}, false
		}
		if n.Op == opcode.Minus {
			l, ok = negate(l)
		}
	case *ast.FuncCallExpr:
		switch n.FnName.L {
		case ast.DateLiteral, ast.TimestampLiteral:
			if len(n.Args) != 1 {
				return lit{}, false
			}
			v, isVal := n.Args[0].(*test_driver.ValueExpr)
			if !isVal || v.Kind() != test_driver.KindString {
				return lit{}, false
			}
			l, ok = lit{kind: litDate, s: v.GetString()}, true
		}
	}
	l.off = off
	return l, ok
}

func valueLit(v *test_driver.ValueExpr) (lit, bool) {
	switch v.Kind() {
	case test_driver.KindNull:
		return lit{kind: litNull}, true
	case test_driver.KindInt64:
		return lit{kind: litInt, i: v.GetInt64()}, true
	case test_driver.KindUint64:
		u := v.GetUint64()
		if u <= math.MaxInt64 {
			return lit{kind: litInt, i: int64(u)}, true
		}
		return lit{kind: litUint, u: u}, true
	case test_driver.KindFloat32, test_driver.KindFloat64:
		return lit{kind: litFloat, f: v.GetFloat64()}, true
	case test_driver.KindMysqlDecimal:
		return lit{kind: litDecimal, s: v.GetMysqlDecimal().String()}, true
	case test_driver.KindString, test_driver.KindBytes:
		return lit{kind: litString, s: v.GetString()}, true
	}
	return lit{}, false
}

// negate applies unary minus to a numeric literal.
func negate(l lit) (lit, bool) {
	switch l.kind {
	case litInt:
		if l.i == math.MinInt64 {
			return lit{kind: litDecimal, s: "9223372036854775808"}, true
		}
		l.i = -l.i
	case litUint:
		if l.u == 1<<63 {
			return lit{kind: litInt, i: math.MinInt64}, true
		}
		l = lit{kind: litDecimal, s: "-" + strconv.FormatUint(l.u, 10)}
	case litFloat:
		l.f = -l.f
	case litDecimal:
		if strings.HasPrefix(l.s, "-") {
			l.s = l.s[1:]
		} else {
			l.s = "-" + l.s
		}
	default:
		return lit{}, false
	}
	return l, true
}

// describe names the literal's kind for error messages.
func (l lit) describe() string {
	switch l.kind {
	case litNull:
		return "NULL"
	case litInt:
		return "integer " + strconv.FormatInt(l.i, 10)
	case litUint:
		return "integer " + strconv.FormatUint(l.u, 10)
	case litFloat:
		return "number " + strconv.FormatFloat(l.f, 'g', -1, 64)
	case litDecimal:
		return "number " + l.s
	case litString:
		return "string " + quoteString(l.s)
	case litDate:
		return "date literal " + quoteString(l.s)
	}
	return "literal"
}

// typeLit converts l to a datum for column c, or returns a message
// explaining the mismatch.
func typeLit(c catalog.Column, l lit) (catalog.Datum, string) {
	if l.kind == litNull {
		return catalog.Null, ""
	}
	bad := func(why string) (catalog.Datum, string) {
		return catalog.Null, l.describe() + " for " + c.Type.String() + " column " + c.Name + why
	}
	switch c.Type {
	case catalog.TypeInt:
		switch l.kind {
		case litInt:
			return catalog.Int(l.i), ""
		case litUint:
			return bad(" (out of the int64 range)")
		case litFloat:
			if l.f == math.Trunc(l.f) && l.f >= -(1<<63) && l.f < 1<<63 {
				return catalog.Int(int64(l.f)), ""
			}
			return bad(" (not an integer)")
		case litDecimal, litString:
			if v, ok := integralText(l.s); ok {
				return catalog.Int(v), ""
			}
			return bad(" (not an integer)")
		}
	case catalog.TypeFloat:
		switch l.kind {
		case litInt:
			return catalog.Float(float64(l.i)), ""
		case litUint:
			return catalog.Float(float64(l.u)), ""
		case litFloat:
			return catalog.Float(l.f), ""
		case litDecimal, litString:
			f, err := strconv.ParseFloat(strings.TrimSpace(l.s), 64)
			if err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && isNumericText(strings.TrimSpace(l.s)) {
				return catalog.Float(f), ""
			}
			return bad(" (not a number)")
		}
	case catalog.TypeString:
		if l.kind == litString {
			return catalog.String(l.s), ""
		}
		return bad(" (quote string literals)")
	case catalog.TypeDate, catalog.TypeDateTime:
		if l.kind == litString || l.kind == litDate {
			if v, ok := parseDateTime(l.s); ok {
				return catalog.Int(v), ""
			}
		}
		return bad(" (want 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS')")
	}
	return bad("")
}

// integralText parses "12", "-3", "12.000" as an int64.
func integralText(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, true
	}
	ip, frac, ok := strings.Cut(s, ".")
	if !ok || strings.Trim(frac, "0") != "" || ip == "" || ip == "-" || ip == "+" {
		return 0, false
	}
	v, err := strconv.ParseInt(ip, 10, 64)
	return v, err == nil
}

// isNumericText rejects the spellings strconv.ParseFloat accepts but SQL
// does not ("inf", "0x1p3", "1_000").
func isNumericText(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}

// parseDateTime accepts 'YYYY-MM-DD' and 'YYYY-MM-DD HH:MM:SS' (UTC) and
// returns Unix seconds (catalog/datum.go).
func parseDateTime(s string) (int64, bool) {
	layout := catalog.DateLayout
	if len(s) > len(catalog.DateLayout) {
		layout = catalog.DateTimeLayout
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return 0, false
	}
	return t.Unix(), true
}

// secondsPerDay tells midnight datetimes (rendered as dates) apart.
const secondsPerDay = 86400

// formatLit renders d as a SQL literal for a column of type t: strings and
// dates quoted, numbers bare.
func formatLit(t catalog.Type, d catalog.Datum) string {
	switch d.Kind {
	case catalog.KindNull:
		return "NULL"
	case catalog.KindString:
		return quoteString(d.S)
	case catalog.KindFloat:
		return strconv.FormatFloat(d.F, 'g', -1, 64)
	}
	switch t {
	case catalog.TypeDate:
		if d.I%secondsPerDay == 0 {
			return "'" + time.Unix(d.I, 0).UTC().Format(catalog.DateLayout) + "'"
		}
		return "'" + time.Unix(d.I, 0).UTC().Format(catalog.DateTimeLayout) + "'"
	case catalog.TypeDateTime:
		return "'" + time.Unix(d.I, 0).UTC().Format(catalog.DateTimeLayout) + "'"
	}
	return strconv.FormatInt(d.I, 10)
}

// quoteString renders s as a MySQL single-quoted string literal.
func quoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString("''")
		case 0:
			b.WriteString(`\0`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case 0x1a:
			b.WriteString(`\Z`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}
