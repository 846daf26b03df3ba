package indexadvisor

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cardinaldb/cardinal/internal/server"
)

// runTag is a short token unique to this test process: the live tests put
// it into the names of the indexes, tables and Liquibase changeSets they
// create in the shared test database, so two runs on one server (two
// helpers, a CI retry) never collide.
var runTag = sync.OnceValue(func() string {
	return strconv.FormatInt(int64(os.Getpid()), 36) + strconv.FormatInt(time.Now().UnixNano()%(36*36*36*36), 36)
})

// ownIndexes keeps the indexes whose names carry this run's tag.
func ownIndexes(ixs []server.Index) []server.Index {
	var out []server.Index
	for _, ix := range ixs {
		if strings.Contains(ix.Name, runTag()) {
			out = append(out, ix)
		}
	}
	return out
}
