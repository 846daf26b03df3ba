package features

import (
	"strings"

	"github.com/cardinaldb/cardinal/internal/sqllex"
)

// The TiDB AST records byte offsets for expressions only. Table names,
// join keywords and set operators carry none, so errors about them are
// positioned with the shared MySQL lexer (internal/sqllex) over the
// original text: it skips string literals and comments, so a keyword
// inside 'LEFT JOIN' or /* LEFT */ is never taken for the construct.
// Constructs resolved out of text order move the cursor explicitly: a
// CTE's body is searched from its own text, B of A RIGHT JOIN B from the
// keyword (then A from where it starts), and the names after a derived
// table past its closing parenthesis (skipDerived).

type token struct {
	off  int
	kind sqllex.Kind
	text string // unquoted text for QuotedIdent; raw text otherwise
}

// scanTokens lexes src, dropping comments and the brackets of executable
// comments (whose text MySQL runs). It never fails: unterminated quotes
// and comments extend to the end of the text.
func scanTokens(src string) []token {
	var toks []token
	l := sqllex.New(src, sqllex.Default)
	for {
		t, ok := l.Next()
		if !ok {
			return toks
		}
		switch t.Kind {
		case sqllex.Comment, sqllex.ExecOpen, sqllex.ExecClose:
			continue
		case sqllex.Delimiter:
			t.Kind = sqllex.Punct
		}
		text := l.Text(t)
		if t.Kind == sqllex.QuotedIdent {
			text = sqllex.Unquote(text, sqllex.Default)
		}
		toks = append(toks, token{off: t.Off, kind: t.Kind, text: text})
	}
}

// locator finds constructs in source order: each find starts at the
// cursor, so walking the AST in source order yields the right occurrence.
// It is lazy: the happy path only records cursor moves (ident, skipPast),
// and the text is tokenised when an error needs a position.
type locator struct {
	src     string
	toks    []token
	scanned bool
	cursor  int     // index into toks
	ops     []locOp // recorded cursor moves not yet replayed
	last    int     // offset found by the last replayed ident, or -1
}

type locOp struct {
	skip bool // skipPast(text) rather than ident(text)
	text string
	past bool // skipDerived(off)
	off  int
	cond bool // skipJoinCond()
}

func newLocator(src string) *locator { return &locator{src: src, last: -1} }

// sync tokenises the text (once) and replays the recorded moves.
func (l *locator) sync() {
	if !l.scanned {
		l.toks, l.scanned = scanTokens(l.src), true
	}
	for _, op := range l.ops {
		if op.cond {
			l.doSkipJoinCond()
			continue
		}
		if op.past {
			l.doSkipDerived(op.off)
			continue
		}
		if op.skip {
			l.doSkipPast(op.text)
		} else {
			l.last = l.doIdent(op.text)
		}
	}
	l.ops = l.ops[:0]
}

// word finds the next unquoted keyword among words (case-insensitive) and
// returns its byte offset, or -1. notCall skips words followed by "(".
func (l *locator) word(notCall bool, words ...string) int {
	l.sync()
	for i := l.cursor; i < len(l.toks); i++ {
		t := l.toks[i]
		if t.kind != sqllex.Word {
			continue
		}
		for _, w := range words {
			if strings.EqualFold(t.text, w) {
				if notCall && i+1 < len(l.toks) && l.toks[i+1].text == "(" {
					break
				}
				return t.off
			}
		}
	}
	return -1
}

// ident records a move past the next identifier equal to name.
func (l *locator) ident(name string) { l.ops = append(l.ops, locOp{text: name}) }

// lastIdent returns the offset of the identifier of the last ident call,
// or -1 when it was not found.
func (l *locator) lastIdent() int {
	l.sync()
	return l.last
}

func (l *locator) doIdent(name string) int {
	for i := l.cursor; i < len(l.toks); i++ {
		t := l.toks[i]
		if (t.kind == sqllex.Word || t.kind == sqllex.QuotedIdent) && strings.EqualFold(t.text, name) {
			l.cursor = i + 1
			return t.off
		}
	}
	return -1
}

// first returns the offset of the first token (0 for empty text).
func (l *locator) first() int {
	l.sync()
	if len(l.toks) == 0 {
		return 0
	}
	return l.toks[0].off
}

// skipPast records a move past the first keyword w outside parentheses
// (e.g. the FROM of the statement, not of a subquery in the select list).
func (l *locator) skipPast(w string) { l.ops = append(l.ops, locOp{skip: true, text: w}) }

func (l *locator) doSkipPast(w string) {
	depth := 0
	for i := l.cursor; i < len(l.toks); i++ {
		t := l.toks[i]
		switch {
		case t.kind == sqllex.Punct && t.text == "(":
			depth++
		case t.kind == sqllex.Punct && t.text == ")":
			depth--
		case depth == 0 && t.kind == sqllex.Word && strings.EqualFold(t.text, w):
			l.cursor = i + 1
			return
		}
	}
}

// next returns the offset of the token at the cursor (the first token
// when none is left).
func (l *locator) next() int {
	l.sync()
	if l.cursor < len(l.toks) {
		return l.toks[l.cursor].off
	}
	return l.first()
}

// pos returns the cursor (a token index), for seek.
func (l *locator) pos() int {
	l.sync()
	return l.cursor
}

// seek moves the cursor to token index i (from pos).
func (l *locator) seek(i int) {
	l.sync()
	l.cursor = i
}

// seekOff moves the cursor to the first token at or after byte offset
// off (nothing for off < 0) and returns the previous cursor: a construct
// resolved out of text order (B of A RIGHT JOIN B) is searched from there.
func (l *locator) seekOff(off int) int {
	l.sync()
	prev := l.cursor
	if off < 0 {
		return prev
	}
	i := 0
	for i < len(l.toks) && l.toks[i].off < off {
		i++
	}
	l.cursor = i
	return prev
}

// skipDerived records a move past the parenthesised derived table whose
// SELECT is at byte offset off: to the token after the parenthesis that
// closes it, so that names inside it are not taken for later ones.
func (l *locator) skipDerived(off int) { l.ops = append(l.ops, locOp{past: true, off: off}) }

func (l *locator) doSkipDerived(off int) {
	i := 0
	for i < len(l.toks) && l.toks[i].off < off {
		i++
	}
	if j, _ := l.topLevel(i, func(int) bool { return false }); j < len(l.toks) {
		l.cursor = max(l.cursor, j+1) // past its ")"
	}
}

// topLevel returns the index of the first token from index i outside
// the parentheses opened from there for which at is true (found), else
// that of the ")" closing one opened before i, or len(toks): the one
// walk of the locator's searches by parenthesis depth.
func (l *locator) topLevel(i int, at func(j int) bool) (j int, found bool) {
	depth := 0
	for j = i; j < len(l.toks); j++ {
		t := l.toks[j]
		switch {
		case t.kind == sqllex.Punct && t.text == "(":
			depth++
		case t.kind == sqllex.Punct && t.text == ")":
			if depth--; depth < 0 {
				return j, false
			}
		case depth == 0 && at(j):
			return j, true
		}
	}
	return j, false
}

// innerStart returns the offset of a parenthesised query's first token
// past its opening parentheses and blanks (a subquery's or CTE's recorded
// offset is its "("), where its locator starts.
func innerStart(src string, off int) int {
	for off >= 0 && off < len(src) && strings.IndexByte("( \t\r\n", src[off]) >= 0 {
		off++
	}
	return off
}

// afterWord returns the offset of the first token text after the next
// keyword kw outside parentheses (from the cursor), or -1: the position
// of GROUP BY 5, which the AST does not record.
func (l *locator) afterWord(kw, text string) int {
	l.sync()
	i, ok := l.topLevel(l.cursor, func(j int) bool {
		return l.toks[j].kind == sqllex.Word && strings.EqualFold(l.toks[j].text, kw)
	})
	if !ok {
		return -1 // not before the end of the query the cursor is in
	}
	return l.itemAt(i+1, text)
}

// itemAt returns the offset of the first token text from token index i
// that starts an item of the clause there: outside parentheses, after
// its BY or a comma (ORDER BY id + 2, 2: the second 2), or -1.
func (l *locator) itemAt(i int, text string) int {
	j, ok := l.topLevel(i, func(j int) bool {
		p := l.toks[max(j-1, 0)]
		return j > i && l.toks[j].text == text && (p.text == "," || strings.EqualFold(p.text, "BY"))
	})
	if !ok {
		return -1
	}
	return l.toks[j].off
}

// skipJoinCond records a move past the ON condition or USING list of the
// join whose right side the cursor is past, so that a name in it (ON
// x.name = y.name) is not taken for a later table's (JOIN name).
func (l *locator) skipJoinCond() { l.ops = append(l.ops, locOp{cond: true}) }

// joinCondEnd are the words that end an ON condition outside parentheses.
var joinCondEnd = map[string]bool{
	"JOIN": true, "INNER": true, "LEFT": true, "RIGHT": true, "CROSS": true, "STRAIGHT_JOIN": true,
	"NATURAL": true, "FULL": true, "WHERE": true, "GROUP": true, "HAVING": true, "ORDER": true,
	"LIMIT": true, "UNION": true, "EXCEPT": true, "INTERSECT": true, "WINDOW": true, "FOR": true,
	"LOCK": true, "INTO": true,
}

func (l *locator) doSkipJoinCond() {
	i := l.cursor
	// The ON or USING keyword, before anything that ends the join.
	for ; i < len(l.toks); i++ {
		t := l.toks[i]
		if t.kind == sqllex.Word && (strings.EqualFold(t.text, "ON") || strings.EqualFold(t.text, "USING")) {
			break
		}
		if t.kind == sqllex.Punct && t.text != ")" || t.kind == sqllex.Word && joinCondEnd[strings.ToUpper(t.text)] {
			return // no condition (a comma or CROSS join)
		}
	}
	// Its end: what ends the join outside parentheses, the ")" closing
	// one opened before it, or the text's end.
	l.cursor, _ = l.topLevel(i+1, func(j int) bool {
		t := l.toks[j]
		switch {
		case t.kind == sqllex.Punct:
			return t.text == "," || t.text == ";"
		case t.kind != sqllex.Word || !joinCondEnd[strings.ToUpper(t.text)]:
			return false
		}
		u := strings.ToUpper(t.text)
		return !((u == "LEFT" || u == "RIGHT") && j+1 < len(l.toks) && l.toks[j+1].text == "(") // LEFT(: the function
	})
}
