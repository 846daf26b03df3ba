package estimator

import (
	"sync"

	"github.com/cardinaldb/cardinal/features"
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

// compileLike compiles a SQL LIKE pattern with features.CompileLike (MySQL
// semantics under a binary collation, as the counting engine uses).
func compileLike(pattern string) func(string) bool {
	return features.CompileLike(pattern).Match
}
