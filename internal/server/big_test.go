package server

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/internal/testutil"
	"github.com/cardinaldb/cardinal/progress"
)

// EnvBigLoad enables TestLoadBig: loading TPC-H SF1 and ecommerce scale 10
// (6M and 3M rows) takes minutes, so it runs only when asked for:
//
//	CARDINAL_SERVER_BIG=1 go test -run LoadBig -v ./internal/server/
const EnvBigLoad = "CARDINAL_SERVER_BIG"

// TestLoadBig loads the data sets of the join-order and index experiments
// and logs how long each step took (the numbers in doc.go). A second run
// finds them loaded and skips.
func TestLoadBig(t *testing.T) {
	if os.Getenv(EnvBigLoad) == "" {
		t.Skipf("%s is unset: the big loads take minutes", EnvBigLoad)
	}
	ctx := context.Background()
	dsn := testDSN(t)
	for _, fk := range []bool{true, false} {
		opts := LoadOptions{ForeignKeyIndexes: fk, Progress: func(r progress.Report) { t.Log(r.Detail) }}
		start := time.Now()
		tpch, err := datasets.TPCH(ctx, datasets.TPCHOptions{Scale: 1})
		testutil.Must(t, err)
		t.Logf("TPC-H SF1 in memory (cache read) in %v", time.Since(start))
		start = time.Now()
		eco, err := datasets.Ecommerce(ctx, datasets.EcommerceOptions{Scale: 10, Seed: 1})
		testutil.Must(t, err)
		t.Logf("ecommerce scale 10 generated in %v", time.Since(start))
		for _, d := range []struct {
			name  string
			scale float64
			db    *datasets.DB
		}{{"tpch", 1, tpch}, {"ecommerce", 10, eco}} {
			s, err := Open(ctx, dsn, Options{Database: DatabaseName(d.name, d.scale, opts)})
			testutil.Must(t, err)
			rep, err := s.Load(ctx, d.db, opts)
			s.Close()
			testutil.Must(t, err)
			t.Logf("%s: %d rows, skipped %v, load %v, analyze %v, total %v", s.Database(), rep.Rows, rep.Skipped,
				rep.Load.Round(time.Millisecond), rep.Analyze.Round(time.Millisecond), rep.Total.Round(time.Millisecond))
		}
	}
}
