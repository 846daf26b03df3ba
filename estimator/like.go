package estimator

import (
	"sync"
	"sync/atomic"

	"github.com/cardinaldb/cardinal/features"
)

// likeCache memoises compiled LIKE patterns; safe for concurrent use.
type likeCache struct {
	m *sync.Map
	n *atomic.Int64 // patterns stored in m
}

func newLikeCache() likeCache { return likeCache{m: new(sync.Map), n: new(atomic.Int64)} }

// likeCacheMax bounds the number of memoised patterns so a long-running
// process estimating ad-hoc patterns does not grow without limit.
const likeCacheMax = 4096

func (c likeCache) get(pattern string) func(string) bool {
	if f, ok := c.m.Load(pattern); ok {
		return f.(func(string) bool)
	}
	f := compileLike(pattern)
	if c.n.Load() < likeCacheMax {
		if _, loaded := c.m.LoadOrStore(pattern, f); !loaded {
			c.n.Add(1)
		}
	}
	return f
}

// compileLike compiles a SQL LIKE pattern with features.CompileLike (MySQL
// semantics under a binary collation, as the counting engine uses).
func compileLike(pattern string) func(string) bool {
	return features.CompileLike(pattern).Match
}
