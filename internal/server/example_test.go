package server_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/internal/server"
)

func ExampleDatabaseName() {
	fmt.Println(server.DatabaseName("tpch", 1, server.LoadOptions{ForeignKeyIndexes: true}))
	fmt.Println(server.DatabaseName("ecommerce", 10, server.LoadOptions{}))
	fmt.Println(server.DatabaseName("tpch", 0.01, server.LoadOptions{}))
	// Output:
	// cardinal_tpch_s1_fk
	// cardinal_ecommerce_s10
	// cardinal_tpch_s0p01
}

// Loading a data set and timing a query on it. It needs a server (here the
// test server of CARDINAL_TEST_DSN), so it has no Output to check.
func ExampleServer_Time() {
	ctx := context.Background()
	db, err := datasets.TPCH(ctx, datasets.TPCHOptions{Scale: 0.01})
	if err != nil {
		panic(err)
	}
	lo := server.LoadOptions{ForeignKeyIndexes: true}
	s, err := server.Open(ctx, os.Getenv(server.EnvTestDSN), server.Options{Database: server.DatabaseName("tpch", 0.01, lo)})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	if _, err := s.Load(ctx, db, lo); err != nil { // skipped when already loaded
		panic(err)
	}
	tm, err := s.Time(ctx, "SELECT STRAIGHT_JOIN COUNT(*) FROM nation n JOIN customer c ON c.c_nationkey = n.n_nationkey",
		server.TimeOptions{Runs: 3, Limit: 10 * time.Second})
	if errors.Is(err, server.ErrTimeout) {
		fmt.Println("slower than", tm.Runs[len(tm.Runs)-1])
		return
	}
	if err != nil {
		panic(err)
	}
	fmt.Println(tm.Count, tm.Median)
}
