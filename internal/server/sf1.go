package server

import (
	"context"
	"fmt"
	"os"

	"github.com/cardinaldb/cardinal/datasets"
)

// TPC-H scale 1 as CI loads it once per run (.ci/run) for every test that
// compares the engine or a plan with the server at SF1:
//
//	.ci/run ── start_private_mariadb ── CARDINAL_TPCH_SF1_LOAD=1 go test -run TestLoadTPCHSF1 ./internal/server
//	        └─ export CARDINAL_TPCH_SF1=cardinal_tpch_s1_fk_comments ── go test ./...
//	                      each test: OpenTPCHSF1 ─► same data in memory, Load skips (fingerprint)
//
// The data are TPCHSF1Data (comment columns included: TPC-H Q13 and Q16
// filter o_comment and s_comment) loaded with TPCHSF1Load (foreign-key
// indexes, as the TPC-H queries expect an index on every join key).
const (
	// EnvTPCHSF1 names the environment variable holding the database of
	// the loaded SF1 data on CARDINAL_TEST_DSN's server; .ci/run sets it
	// after loading. Tests that need SF1 run when it is set, and must fail
	// (not skip) without it when CI=true.
	EnvTPCHSF1 = "CARDINAL_TPCH_SF1"
	// EnvTPCHSF1Load enables TestLoadTPCHSF1, the loading step of .ci/run.
	EnvTPCHSF1Load = "CARDINAL_TPCH_SF1_LOAD"
)

// TPCHSF1Data returns the options of the SF1 data CI loads: scale 1 with
// the comment columns, from the on-disk cache (datasets.TPCH).
func TPCHSF1Data() datasets.TPCHOptions { return datasets.TPCHOptions{Scale: 1, Comments: true} }

// TPCHSF1Load returns the options CI loads the SF1 data with: primary
// keys and foreign-key indexes, ANALYZE TABLE.
func TPCHSF1Load() LoadOptions { return LoadOptions{ForeignKeyIndexes: true} }

// TPCHSF1Database is the database CI loads TPCHSF1Data into: the
// conventional DatabaseName plus "_comments" (the data differ from
// TPCH's default, comment-less SF1, so the two never reload each other).
func TPCHSF1Database() string { return DatabaseName("tpch", 1, TPCHSF1Load()) + "_comments" }

// OpenTPCHSF1 returns the SF1 data in memory and a Server on dsn working
// in TPCHSF1Database, loading the data there unless the database already
// holds them (Load's fingerprint check: a few seconds). The caller closes
// the Server.
func OpenTPCHSF1(ctx context.Context, dsn string, opts LoadOptions) (*datasets.DB, *Server, LoadReport, error) {
	db, err := datasets.TPCH(ctx, TPCHSF1Data())
	if err != nil {
		return nil, nil, LoadReport{}, err
	}
	name := TPCHSF1Database()
	if env := os.Getenv(EnvTPCHSF1); env != "" && env != name {
		return nil, nil, LoadReport{}, fmt.Errorf("server: %w: %s=%q, but the SF1 data live in %q", ErrOptions, EnvTPCHSF1, env, name)
	}
	s, err := Open(ctx, dsn, Options{Database: name})
	if err != nil {
		return nil, nil, LoadReport{}, err
	}
	lo := TPCHSF1Load()
	lo.Progress, lo.Force, lo.Workers = opts.Progress, opts.Force, opts.Workers
	rep, err := s.Load(ctx, db, lo)
	if err != nil {
		s.Close()
		return nil, nil, rep, err
	}
	return db, s, rep, nil
}
