package indexadvisor

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/internal/server"
)

// TestLiveStrayIndexes: an index named with the evaluation's prefix
// already on the server (an ALTER TABLE of an interrupted run finishes
// after its client has gone) stops the evaluation before it times the
// base, with ErrStrayIndexes naming the DROP to run; once it is dropped
// the evaluation runs.
func TestLiveStrayIndexes(t *testing.T) {
	dsn := liveDSN(t, "measure on")
	ctx := context.Background()
	cat, srv := ecommerceServer(ctx, t, dsn)
	w, err := NewWorkload(cat.Schema, flightsStatements(t, "SELECT * FROM products WHERE price = 10;\n"))
	if err != nil {
		t.Fatal(err)
	}
	prefix := "cs" + runTag() + "_"
	stray := Recommended{Table: "products", Name: prefix + "left", Columns: []string{"price"}}
	if err := srv.ExecDDL(ctx, AddIndexSQL(stray)); err != nil {
		t.Fatal(err)
	}
	dropped := false
	defer func() {
		if !dropped {
			if err := srv.ExecDDL(ctx, DropIndexSQL(stray.Table, stray.Name)); err != nil {
				t.Error(err)
			}
		}
	}()
	eo := EvalOptions{Server: srv, IndexPrefix: prefix, Strategies: []string{StrategyCardinal},
		Time: server.TimeOptions{Runs: 1, Warmups: -1, Limit: 10 * time.Second}}
	_, err = EvaluateStrategies(ctx, w, Options{Catalog: cat}, eo)
	if !errors.Is(err, ErrStrayIndexes) || !strings.Contains(err.Error(), "DROP INDEX `"+stray.Name+"`") {
		t.Fatalf("EvaluateStrategies with %s.%s on the server: %v, want ErrStrayIndexes naming its DROP", stray.Table, stray.Name, err)
	}
	t.Log(err)
	if err := srv.ExecDDL(ctx, DropIndexSQL(stray.Table, stray.Name)); err != nil {
		t.Fatal(err)
	}
	dropped = true
	if _, err := EvaluateStrategies(ctx, w, Options{Catalog: cat}, eo); err != nil {
		t.Fatalf("after the drop: %v", err)
	}
}
