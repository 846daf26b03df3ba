package estimator

import (
	"sync"
)

// likeCache memoises compiled LIKE patterns; safe for concurrent use.
type likeCache struct{ m *sync.Map }

func newLikeCache() likeCache { return likeCache{m: new(sync.Map)} }

// likeCacheMax bounds the number of memoised patterns so a long-running
// process estimating ad-hoc patterns does not grow without limit.
const likeCacheMax = 4096

func (c likeCache) get(pattern string) func(string) bool {
	if f, ok := c.m.Load(pattern); ok {
		return f.(func(string) bool)
	}
	f := compileLike(pattern)
	n := 0
	c.m.Range(func(any, any) bool { n++; return n < likeCacheMax })
	if n < likeCacheMax {
		c.m.Store(pattern, f)
	}
	return f
}

// compileLike compiles a SQL LIKE pattern ('%' any run, '_' one character,
// '\' escapes the next character) into a matcher over whole strings.
func compileLike(pattern string) func(string) bool {
	type tok struct {
		any bool // '%'
		one bool // '_'
		lit rune
	}
	var toks []tok
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\\' && i+1 < len(rs):
			i++
			toks = append(toks, tok{lit: rs[i]})
		case r == '%':
			if len(toks) == 0 || !toks[len(toks)-1].any {
				toks = append(toks, tok{any: true})
			}
		case r == '_':
			toks = append(toks, tok{one: true})
		default:
			toks = append(toks, tok{lit: r})
		}
	}
	return func(s string) bool {
		str := []rune(s)
		// Iterative wildcard matching with one backtrack point (the last
		// '%'), linear in practice.
		ti, si := 0, 0
		star, mark := -1, 0
		for si < len(str) {
			switch {
			case ti < len(toks) && toks[ti].any:
				star, mark = ti, si
				ti++
			case ti < len(toks) && (toks[ti].one || toks[ti].lit == str[si]):
				ti++
				si++
			case star >= 0:
				mark++
				si = mark
				ti = star + 1
			default:
				return false
			}
		}
		for ti < len(toks) && toks[ti].any {
			ti++
		}
		return ti == len(toks)
	}
}
