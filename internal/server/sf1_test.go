package server

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/internal/testutil"
	"github.com/cardinaldb/cardinal/progress"
)

// TestLoadTPCHSF1 is the loading step of .ci/run: it loads TPCHSF1Data
// into TPCHSF1Database (skipped when the database already holds them) and
// checks every table's row count on the server against the data. It runs
// only when EnvTPCHSF1Load is set (minutes the first time):
//
//	CARDINAL_TPCH_SF1_LOAD=1 go test -run TestLoadTPCHSF1 -v ./internal/server/
func TestLoadTPCHSF1(t *testing.T) {
	if os.Getenv(EnvTPCHSF1Load) == "" {
		t.Skipf("%s is unset: loading TPC-H SF1 takes minutes (.ci/run sets it)", EnvTPCHSF1Load)
	}
	ctx := context.Background()
	start := time.Now()
	logf := func(r progress.Report) { t.Logf("[%5.1fs] %s", time.Since(start).Seconds(), r.Detail) }
	db, s, rep, err := OpenTPCHSF1(ctx, testDSN(t), LoadOptions{Progress: logf})
	testutil.Must(t, err)
	defer s.Close()
	t.Logf("%s: %d rows, skipped %v, load %v, analyze %v, total %v (data in memory after %v)", rep.Database, rep.Rows, rep.Skipped,
		rep.Load.Round(time.Millisecond), rep.Analyze.Round(time.Millisecond), rep.Total.Round(time.Millisecond),
		(time.Since(start) - rep.Total).Round(time.Millisecond))
	for _, tab := range db.Tables {
		var n int64
		testutil.Must(t, s.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+catalog.QuoteIdent(tab.Def.Name)).Scan(&n))
		if n != int64(tab.Rows) {
			t.Errorf("%s.%s: the server counts %d rows, the data hold %d", rep.Database, tab.Def.Name, n, tab.Rows)
		}
	}
}
