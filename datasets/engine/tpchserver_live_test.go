package engine_test

import (
	"context"
	"os"
	"testing"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/internal/server"
	"github.com/cardinaldb/cardinal/internal/testutil"
)

// tpchServer returns the TPC-H test data (testutil.TPCHScale) and a server
// holding the same data with foreign-key indexes, loaded once per server
// (server.Load skips data it already holds). Without CARDINAL_TEST_DSN the
// test skips, or fails under CI=true; the server is closed with the test.
func tpchServer(t *testing.T) (*datasets.DB, *server.Server) {
	t.Helper()
	dsn := os.Getenv(server.EnvTestDSN)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is empty", server.EnvTestDSN)
		}
		t.Skipf("%s is empty: no MySQL/MariaDB server to test against", server.EnvTestDSN)
	}
	ctx := context.Background()
	db := testutil.TPCH(t)
	lo := server.LoadOptions{ForeignKeyIndexes: true}
	srv, err := server.Open(ctx, dsn, server.Options{Database: server.DatabaseName("tpch", testutil.TPCHScale, lo)})
	testutil.Must(t, err)
	t.Cleanup(func() { srv.Close() })
	_, err = srv.Load(ctx, db, lo)
	testutil.Must(t, err)
	return db, srv
}
