package features

import (
	"strings"
	"unicode/utf8"
)

// LIKE semantics (MySQL): % matches any run of characters, _ exactly one
// character (a UTF-8 rune), a backslash makes the next character literal,
// and a trailing backslash matches itself. Matching is case-sensitive, as
// under a binary collation.

// LikeMatcher is a compiled LIKE pattern. Patterns of the shapes 'abc',
// 'abc%', '%abc', '%abc%' and, generally, %-separated literals without _
// reduce to strings.HasPrefix / HasSuffix / Index; the rest run the
// allocation-free wildcard matcher with single-star backtracking
// (Kirk J. Krauss, "Matching Wildcards", Dr. Dobb's 2008), which is linear
// for typical patterns and O(len(pattern)*len(s)) in the worst case.
type LikeMatcher struct {
	pattern  string
	general  bool     // pattern has _: use matchLike
	segs     []string // literal segments between %s (unescaped)
	anchorL  bool     // first segment must be a prefix
	anchorR  bool     // last segment must be a suffix
	minBytes int      // total length of the segments
}

// CompileLike compiles a LIKE pattern (backslash escapes).
func CompileLike(pattern string) *LikeMatcher {
	m := &LikeMatcher{pattern: pattern}
	var cur strings.Builder
	m.anchorL = true
	pendingPct := false
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '%':
			if !pendingPct {
				if i == 0 {
					m.anchorL = false
				} else {
					m.segs = append(m.segs, cur.String())
					cur.Reset()
				}
			}
			pendingPct = true
			continue
		case c == '_':
			m.general = true
		case c == '\\' && i+1 < len(pattern):
			i++
			cur.WriteByte(pattern[i])
		default:
			cur.WriteByte(c)
		}
		pendingPct = false
	}
	m.anchorR = !pendingPct
	if m.anchorR || len(m.segs) == 0 && m.anchorL {
		m.segs = append(m.segs, cur.String())
	}
	for _, s := range m.segs {
		m.minBytes += len(s)
	}
	return m
}

// Pattern returns the pattern the matcher was compiled from.
func (m *LikeMatcher) Pattern() string { return m.pattern }

// Match reports whether s matches the pattern.
func (m *LikeMatcher) Match(s string) bool {
	if m.general {
		return matchLike(m.pattern, s)
	}
	if len(s) < m.minBytes {
		return false
	}
	segs := m.segs
	if m.anchorL && m.anchorR && len(segs) == 1 {
		return s == segs[0]
	}
	if m.anchorL {
		if !strings.HasPrefix(s, segs[0]) {
			return false
		}
		s = s[len(segs[0]):]
		segs = segs[1:]
	}
	if m.anchorR {
		last := segs[len(segs)-1]
		if !strings.HasSuffix(s, last) {
			return false
		}
		s = s[:len(s)-len(last)]
		segs = segs[:len(segs)-1]
	}
	for _, g := range segs {
		i := strings.Index(s, g)
		if i < 0 {
			return false
		}
		s = s[i+len(g):]
	}
	return true
}

// matchLike matches s against a LIKE pattern without allocating.
func matchLike(p, s string) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; {
			case c == '%':
				for pi < len(p) && p[pi] == '%' {
					pi++
				}
				if pi == len(p) {
					return true
				}
				starP, starS = pi, si
				if starS = skipTo(p, pi, s, si); starS < 0 {
					return false
				}
				si = starS
				continue
			case c == '_':
				_, n := utf8.DecodeRuneInString(s[si:])
				si += n
				pi++
				continue
			default:
				lit, adv := p[pi:pi+1], 1
				if c == '\\' && pi+1 < len(p) {
					_, n := utf8.DecodeRuneInString(p[pi+1:])
					lit, adv = p[pi+1:pi+1+n], 1+n
				} else if c >= utf8.RuneSelf {
					_, n := utf8.DecodeRuneInString(p[pi:])
					lit, adv = p[pi:pi+n], n
				}
				if strings.HasPrefix(s[si:], lit) {
					si += len(lit)
					pi += adv
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		if starS = skipTo(p, starP, s, starS+n); starS < 0 {
			return false
		}
		si, pi = starS, starP
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}

// skipTo returns the first offset >= si of s where the pattern at pi can
// start: when p[pi] is a plain ASCII literal, the next occurrence of that
// byte (an ASCII byte is always a whole character in UTF-8), else si
// itself. It returns -1 when the byte does not occur.
func skipTo(p string, pi int, s string, si int) int {
	c := p[pi]
	if c == '%' || c == '_' || c == '\\' || c >= utf8.RuneSelf || si > len(s) {
		return si
	}
	i := strings.IndexByte(s[si:], c)
	if i < 0 {
		return -1
	}
	return si + i
}
