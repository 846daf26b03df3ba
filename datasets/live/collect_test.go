package live

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/features"
)

func fakeWorkload(t *testing.T, n int) []*features.Query {
	t.Helper()
	data, err := datasets.Flights()
	if err != nil {
		t.Fatal(err)
	}
	qs, err := workload.Generate(context.Background(), data, workload.JoinGraphFromSchema(data.Schema),
		workload.Options{Queries: n, MaxJoins: 2}, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

// TestCollectFake runs Collect against the fake server: lost connections
// are retried, a timeout is reported, captured writes are never sent, every
// statement sent passes the guard inside a READ ONLY transaction, and the
// concurrency limit holds.
func TestCollectFake(t *testing.T) {
	qs := fakeWorkload(t, 40)
	stmts := asStatements(qs)
	stmts = append(stmts,
		Statement{SQL: "DELETE FROM flights WHERE id = 1", Count: 3, File: "w.sql", Line: 41},
		Statement{SQL: "UPDATE airports SET name = 'x'", Count: 1, File: "w.sql", Line: 42},
		Statement{SQL: "SELECT * FROM flights f WHERE f.delay > ANY (SELECT delay FROM flights)", Count: 2, File: "w.sql", Line: 43},
	)
	srv := &fakeServer{failNext: 3, timeoutOn: CountSQL(qs[5])}
	db := srv.open()
	defer db.Close()
	out := filepath.Join(t.TempDir(), "labels.jsonl")
	rep, err := Collect(context.Background(), db, datasets.FlightsSchema(), stmts, CollectOptions{
		Out: out, Concurrency: 3, Backoff: time.Millisecond, BatchSize: 4, SubPlans: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[string]*features.Query{}
	for _, q := range qs {
		distinct[q.SQL()] = q
	}
	if rep.Queries != len(distinct) || rep.Labelled != len(distinct)-1 || rep.TimedOut != 1 || rep.Retries != 3 {
		t.Errorf("report %+v", rep)
	}
	reasons := map[string]int{}
	for _, r := range rep.Skipped {
		reasons[r.Reason] = r.Statements
	}
	if reasons["not a SELECT: DELETE"] != 1 || reasons["not a SELECT: UPDATE"] != 1 ||
		reasons["unsupported ANY/ALL subquery"] != 1 || reasons[ReasonTimeout] != 1 {
		t.Errorf("skip reasons %+v", rep.Skipped)
	}
	for _, s := range srv.sentStatements() {
		if err := CheckReadOnly(s); err != nil || strings.Contains(s, "DELETE") || strings.Contains(s, "UPDATE") {
			t.Errorf("sent %q (%v)", s, err)
		}
	}
	if srv.writableTx != 0 {
		t.Errorf("%d transactions were not READ ONLY", srv.writableTx)
	}
	if srv.maxInFlight > 3 {
		t.Errorf("%d counts at once, limit 3", srv.maxInFlight)
	}
	recs := readLabels(t, out)
	for _, r := range recs {
		q := distinct[r.SQL]
		if q == nil || r.Rows != fakeRows(CountSQL(q)) {
			t.Fatalf("record %+v", r)
		}
		if len(r.SubPlans) != q.CountConnectedSubsets(features.DefaultMaxSubPlans) {
			t.Errorf("%d sub-plans, want %d: %s", len(r.SubPlans), q.CountConnectedSubsets(features.DefaultMaxSubPlans), r.SQL)
		}
		for _, sp := range r.SubPlans {
			if len(sp.Aliases) == len(q.Tables) && sp.Rows != r.Rows {
				t.Errorf("full sub-plan %d != %d", sp.Rows, r.Rows)
			}
		}
	}
}

// TestCollectFakeConcurrency holds every count until Concurrency of them
// are in flight.
func TestCollectFakeConcurrency(t *testing.T) {
	qs := fakeWorkload(t, 12)
	hold := make(chan struct{})
	srv := &fakeServer{hold: hold}
	db := srv.open()
	defer db.Close()
	go func() {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			srv.mu.Lock()
			n := srv.inFlight
			srv.mu.Unlock()
			if n >= 2 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		close(hold)
	}()
	out := filepath.Join(t.TempDir(), "labels.jsonl")
	rep, err := Collect(context.Background(), db, datasets.FlightsSchema(), asStatements(qs), CollectOptions{Out: out, Concurrency: 2, Flavour: FlavourMariaDB})
	if err != nil || rep.Labelled != rep.Queries {
		t.Fatalf("%v %+v", err, rep)
	}
	if srv.maxInFlight != 2 {
		t.Errorf("max in flight %d, want exactly 2", srv.maxInFlight)
	}
}

func TestCollectCancelResumes(t *testing.T) {
	qs := fakeWorkload(t, 30)
	srv := &fakeServer{}
	db := srv.open()
	defer db.Close()
	out := filepath.Join(t.TempDir(), "labels.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Collect(ctx, db, datasets.FlightsSchema(), asStatements(qs), CollectOptions{
		Out: out, BatchSize: 3, Concurrency: 1,
		AfterSync: func(n int) {
			if n >= 6 {
				cancel()
			}
		},
	})
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	first := readLabels(t, out)
	// Tear the last line as a crash mid-write would.
	b, _ := os.ReadFile(out)
	if err := os.WriteFile(out, b[:len(b)-10], 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Collect(context.Background(), db, datasets.FlightsSchema(), asStatements(qs), CollectOptions{Out: out})
	if err != nil || !rep.TornLine || rep.AlreadyLabelled != len(first)-1 {
		t.Fatalf("resume: %v %+v (first run %d)", err, rep, len(first))
	}
	seen := map[string]int{}
	for _, r := range readLabels(t, out) {
		seen[r.SQL]++
	}
	if len(seen) != rep.Queries {
		t.Errorf("%d labelled, want %d", len(seen), rep.Queries)
	}
	for s, n := range seen {
		if n != 1 {
			t.Errorf("%d labels for %s", n, s)
		}
	}
}

func TestWithTimeLimit(t *testing.T) {
	const q = "SELECT COUNT(*) FROM `t` AS `t`"
	mysql, err := WithTimeLimit(FlavourMySQL, q, 1500*time.Millisecond)
	if err != nil || mysql != "SELECT /*+ MAX_EXECUTION_TIME(1500) */ COUNT(*) FROM `t` AS `t`" {
		t.Errorf("MySQL: %q %v", mysql, err)
	}
	mariadb, err := WithTimeLimit(FlavourMariaDB, q, 1500*time.Millisecond)
	if err != nil || mariadb != "SET STATEMENT max_statement_time=2 FOR "+q {
		t.Errorf("MariaDB: %q %v", mariadb, err)
	}
	for _, s := range []string{mysql, mariadb} {
		if err := CheckReadOnly(s); err != nil {
			t.Errorf("guard refuses %q: %v", s, err)
		}
	}
	if _, err := WithTimeLimit(FlavourMariaDB, "DELETE FROM t", time.Second); !errors.Is(err, ErrNotReadOnly) {
		t.Errorf("non-SELECT: %v", err)
	}
	if _, err := WithTimeLimit(FlavourUnknown, q, time.Second); !errors.Is(err, ErrFlavour) {
		t.Errorf("unknown flavour: %v", err)
	}
}
