package indexadvisor

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/internal/server"
)

// ownFlightsDB opens a database of this run's own on the test server
// (flights loads in a second), dropped when the test ends: timings are
// not disturbed by another run building indexes on the same tables.
func ownFlightsDB(t *testing.T, ctx context.Context, dsn string) *server.Server {
	t.Helper()
	srv, err := server.Open(ctx, dsn, server.Options{Database: server.DatabaseName("flights_ixadv_"+runTag()+"_"+strings.ToLower(t.Name()[8:14]), 1, server.LoadOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := srv.DB().ExecContext(context.Background(), "DROP DATABASE `"+srv.Database()+"`"); err != nil {
			t.Errorf("drop database %s: %v", srv.Database(), err)
		}
		srv.Close()
	})
	return srv
}

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
