package live

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/engine"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/querylog"
)

// liveQueries is the number of generated queries checked against the
// server (the issue asks for at least 200).
const liveQueries = 220

// testCountTimeout is the time limit of one COUNT(*) in the tests: far
// above the slowest count of the test workloads (a few seconds), so that a
// busy CI machine does not turn a count into a reported timeout.
const testCountTimeout = 2 * time.Minute

// generated returns liveQueries seeded random queries over the flights
// data with up to one join (two-join counts on flights run to millions of
// rows and seconds each on a loaded 2-core CI machine).
func generated(t *testing.T, data *datasets.DB) []*features.Query {
	t.Helper()
	qs, err := workload.Generate(context.Background(), data, workload.JoinGraphFromSchema(data.Schema),
		workload.Options{Queries: liveQueries, MaxJoins: 1}, rand.New(rand.NewPCG(7, 11)))
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

// asStatements is a captured workload of the queries' SQL.
func asStatements(qs []*features.Query) []Statement {
	out := make([]Statement, len(qs))
	for i, q := range qs {
		out[i] = Statement{SQL: q.SQL(), Count: 1, Source: SourceSQLFile, File: "generated", Line: i + 1}
	}
	return out
}

// exactCounts is the in-memory engine's count of each distinct q.SQL().
func exactCounts(t *testing.T, data *datasets.DB, qs []*features.Query) map[string]int64 {
	t.Helper()
	c := engine.New(data, engine.Options{})
	out := map[string]int64{}
	for _, q := range qs {
		n, err := c.Count(context.Background(), q)
		if err != nil {
			t.Fatalf("engine count of %s: %v", q.SQL(), err)
		}
		out[q.SQL()] = n
	}
	return out
}

func readLabels(t *testing.T, path string) []querylog.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := querylog.ReadAll(f)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return recs
}

func TestLiveLoadSchema(t *testing.T) {
	s := newFlightsServer(t)
	ctx := context.Background()
	ss, err := LoadSchema(ctx, s.db, "")
	if err != nil {
		t.Fatal(err)
	}
	want := datasets.FlightsSchema()
	for _, wt := range want.Tables {
		got := ss.Schema.Table(wt.Name)
		if got == nil {
			t.Fatalf("table %s missing from %v", wt.Name, ss.Schema.Tables)
		}
		if !slices.Equal(got.Columns, wt.Columns) || !slices.Equal(got.PrimaryKey, wt.PrimaryKey) {
			t.Errorf("table %s:\n got  %+v pk %v\n want %+v pk %v", wt.Name, got.Columns, got.PrimaryKey, wt.Columns, wt.PrimaryKey)
		}
	}
	key := func(fk catalog.ForeignKey) string {
		return fmt.Sprint(fk.Table, fk.Columns, fk.RefTable, fk.RefColumns)
	}
	var gotFK, wantFK []string
	for _, fk := range ss.Schema.ForeignKeys {
		gotFK = append(gotFK, key(fk))
	}
	for _, fk := range want.ForeignKeys {
		wantFK = append(wantFK, key(fk))
	}
	sort.Strings(gotFK)
	sort.Strings(wantFK)
	if !slices.Equal(gotFK, wantFK) {
		t.Errorf("foreign keys:\n got  %v\n want %v", gotFK, wantFK)
	}
	var primaries int
	for _, ix := range ss.Indexes {
		if ix.Name == "PRIMARY" {
			primaries++
			if !ix.Unique {
				t.Errorf("PRIMARY of %s not unique", ix.Table)
			}
		}
	}
	if primaries < 3 || len(ss.Indexes) < 5 {
		t.Errorf("indexes: %+v", ss.Indexes)
	}
}

// TestLiveCollectMatchesEngine labels generated queries (and the
// sub-plans of some) on the server and checks every count against the
// in-memory engine.
func TestLiveCollectMatchesEngine(t *testing.T) {
	s := newFlightsServer(t)
	qs := generated(t, s.data)
	exact := exactCounts(t, s.data, qs)
	out := filepath.Join(t.TempDir(), "labels.jsonl")
	ctx := context.Background()
	rep, err := Collect(ctx, s.db, datasets.FlightsSchema(), asStatements(qs), CollectOptions{Out: out, Concurrency: 2, Timeout: testCountTimeout})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Queries != len(exact) || rep.Labelled != len(exact) || rep.TimedOut+rep.Failed != 0 || len(rep.Skipped) != 0 {
		t.Fatalf("report %+v, want %d queries labelled", rep, len(exact))
	}
	recs := readLabels(t, out)
	if len(recs) != len(exact) || len(recs) < 200 {
		t.Fatalf("%d records, want %d (>= 200)", len(recs), len(exact))
	}
	nonZero := 0
	for _, r := range recs {
		want, ok := exact[r.SQL]
		if !ok || r.Rows != want {
			t.Errorf("server count %d, engine %d (known %v): %s", r.Rows, want, ok, r.SQL)
		}
		if r.Rows > 0 {
			nonZero++
		}
	}
	if nonZero < len(recs)/2 {
		t.Errorf("only %d of %d counts are non-zero: a weak test", nonZero, len(recs))
	}
	t.Logf("%d labels in %v", rep.Labelled, rep.Elapsed.Round(time.Millisecond))

	// Sub-plans of the join queries equal the engine's CountSubPlans.
	joins, err := workload.Generate(ctx, s.data, workload.JoinGraphFromSchema(s.data.Schema),
		workload.Options{Queries: 12, MinJoins: 2, MaxJoins: 2, MaxPreds: 3}, rand.New(rand.NewPCG(5, 5)))
	if err != nil {
		t.Fatal(err)
	}
	out2 := filepath.Join(t.TempDir(), "subplans.jsonl")
	if _, err := Collect(ctx, s.db, datasets.FlightsSchema(), asStatements(joins), CollectOptions{Out: out2, SubPlans: true, Timeout: testCountTimeout}); err != nil {
		t.Fatal(err)
	}
	wantRecs, err := workload.Label(ctx, s.data, joins, workload.LabelOptions{SubPlans: true, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]querylog.Record{}
	for _, r := range wantRecs {
		byKey[r.SQL] = r
	}
	got := readLabels(t, out2)
	subs := 0
	for _, r := range got {
		w := byKey[r.SQL]
		if fmt.Sprint(r.SubPlans) != fmt.Sprint(w.SubPlans) || r.Rows != w.Rows {
			t.Errorf("sub-plans of %s:\n got  %v\n want %v", r.SQL, r.SubPlans, w.SubPlans)
		}
		subs += len(r.SubPlans)
	}
	if len(got) != len(byKey) || subs < 2*len(got) {
		t.Errorf("%d records with %d sub-plans for %d join queries", len(got), subs, len(byKey))
	}
}

// TestLiveCollectResumes interrupts a collection twice (a cancelled
// context after the first batch; then every connection killed on the
// server mid-run, which the retries ride out), leaves a torn line, and
// checks that the final log has every label exactly once, all correct.
func TestLiveCollectResumes(t *testing.T) {
	s := newFlightsServer(t)
	qs := generated(t, s.data)[:120]
	exact := exactCounts(t, s.data, qs)
	stmts := asStatements(qs)
	out := filepath.Join(t.TempDir(), "labels.jsonl")

	ctx, cancel := context.WithCancel(context.Background())
	rep, err := Collect(ctx, s.db, datasets.FlightsSchema(), stmts, CollectOptions{
		Out: out, BatchSize: 10, Concurrency: 2, Timeout: testCountTimeout,
		AfterSync: func(n int) {
			if n >= 10 {
				cancel()
			}
		},
	})
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("first run: err = %v, report %+v", err, rep)
	}
	first := len(readLabels(t, out))
	if first < 10 || first >= len(exact) {
		t.Fatalf("first run left %d of %d labels", first, len(exact))
	}

	// A writer that died mid-line.
	f, err := os.OpenFile(out, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	torn := `{"sql":"SELECT COUNT(*) FROM ` + "`flights`" + ` AS`
	if _, err := f.WriteString(torn); err != nil {
		t.Fatal(err)
	}
	f.Close()

	killed := false
	rep, err = Collect(context.Background(), s.db, datasets.FlightsSchema(), stmts, CollectOptions{
		Out: out, BatchSize: 5, Concurrency: 2, Backoff: 50 * time.Millisecond, Timeout: testCountTimeout,
		AfterSync: func(n int) {
			if n >= 20 && !killed {
				killed = true
				killConnections(t, s)
			}
		},
	})
	if err != nil {
		t.Fatalf("resumed run: %v (report %+v)", err, rep)
	}
	if !rep.TornLine || rep.AlreadyLabelled != first || !killed || rep.Labelled != len(exact)-first {
		t.Errorf("resumed run report %+v, want torn line and %d already labelled", rep, first)
	}
	t.Logf("resumed: %+v", rep)
	recs := readLabels(t, out)
	seen := map[string]int{}
	for _, r := range recs {
		seen[r.SQL]++
		if want, ok := exact[r.SQL]; !ok || want != r.Rows {
			t.Errorf("label %d, want %d: %s", r.Rows, want, r.SQL)
		}
	}
	for sqlText := range exact {
		if seen[sqlText] != 1 {
			t.Errorf("%d labels for %s", seen[sqlText], sqlText)
		}
	}
	// A third run has nothing to do.
	rep, err = Collect(context.Background(), s.db, datasets.FlightsSchema(), stmts, CollectOptions{Out: out})
	if err != nil || rep.Labelled != 0 || rep.AlreadyLabelled != len(exact) {
		t.Errorf("third run: %v %+v", err, rep)
	}
}

// killConnections kills every other connection this test process has to
// the server (what a server restart does to a client), through the admin
// path. Connections of other processes (other packages' tests running at
// the same time) are found by the driver's _pid connection attribute and
// left alone.
func killConnections(t *testing.T, s *flightsServer) {
	ctx := context.Background()
	conn, err := s.admin.Conn(ctx)
	if err != nil {
		t.Error(err)
		return
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, "SELECT PROCESSLIST_ID FROM performance_schema.session_connect_attrs "+
		"WHERE ATTR_NAME = '_pid' AND ATTR_VALUE = ? AND PROCESSLIST_ID <> CONNECTION_ID()", strconv.Itoa(os.Getpid()))
	if err != nil {
		t.Error(err)
		return
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err == nil {
			ids = append(ids, id)
		}
	}
	rows.Close()
	for _, id := range ids {
		conn.ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", id))
	}
	t.Logf("killed %d connections", len(ids))
}

func TestLiveExplainEstimates(t *testing.T) {
	s := newFlightsServer(t)
	qs := generated(t, s.data)
	est := NewExplainEstimator(s.db, s.flavour)
	ctx := context.Background()
	exact := exactCounts(t, s.data, qs)
	within10x := 0
	for _, q := range qs {
		got, err := est.EstimateContext(ctx, q)
		if err != nil {
			t.Fatalf("Estimate(%s): %v", q.SQL(), err)
		}
		e := got.Rows
		if got.Low != e || got.High != e || got.Source != est.Name() {
			t.Fatalf("estimate %+v: the band of a server estimate is its point", got)
		}
		if e < 0 {
			t.Fatalf("negative estimate %v for %s", e, q.SQL())
		}
		n := float64(max(exact[q.SQL()], 1))
		if r := max(e, 1) / n; r <= 10 && r >= 0.1 {
			within10x++
		}
	}
	t.Logf("%s: %d of %d estimates within 10x of the true count", est.Name(), within10x, len(qs))
	if within10x == 0 {
		t.Errorf("no estimate within 10x: the plan is being misread")
	}
}

func TestLiveSampleAndLoadAll(t *testing.T) {
	s := newFlightsServer(t)
	ctx := context.Background()
	schema := datasets.FlightsSchema()
	sample, counts, err := LoadSample(ctx, s.db, schema, SampleOptions{Rows: 1000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{datasets.FlightsRows, datasets.AirportsRows, datasets.RoutesRows} {
		if counts[i] != int64(want) {
			t.Errorf("count of %s = %d, want %d", schema.Tables[i].Name, counts[i], want)
		}
		// Bernoulli(p = 1000/N): 1000 +- ~4 sigma (sigma ~ 31), capped by LIMIT.
		if n := sample.Tables[i].Rows; n < 870 || n > 1000 {
			t.Errorf("sample of %s has %d rows, want ~1000", schema.Tables[i].Name, n)
		}
	}
	// Two facts meeting at a shared dimension are read at SharedKeyRows,
	// as catalog.Build samples them: without the foreign key flights ->
	// routes, flights and routes both reference airports and neither
	// reaches the other.
	shared := *schema
	shared.ForeignKeys = slices.DeleteFunc(slices.Clone(schema.ForeignKeys), func(fk catalog.ForeignKey) bool {
		return fk.Table == "flights" && fk.RefTable == "routes"
	})
	if len(shared.ForeignKeys) != len(schema.ForeignKeys)-1 {
		t.Fatalf("flights schema has no foreign key flights -> routes: %+v", schema.ForeignKeys)
	}
	wide, _, err := LoadSample(ctx, s.db, &shared, SampleOptions{Rows: 1000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{3000, 1000, 3000} { // catalog.SharedKeySampleFactor x Rows
		// Bernoulli(p = n/N): n +- ~4 sigma, capped by LIMIT.
		if n := wide.Tables[i].Rows; n < want-4*int(math.Sqrt(float64(want))) || n > want {
			t.Errorf("shared-key sample of %s has %d rows, want ~%d", schema.Tables[i].Name, n, want)
		}
	}
	off, _, err := LoadSample(ctx, s.db, &shared, SampleOptions{Rows: 1000, Seed: 3, NoSharedKeyRows: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := off.Tables[0].Rows; n > 1000 {
		t.Errorf("NoSharedKeyRows: flights sample has %d rows, want ~1000", n)
	}
	again, _, err := LoadSample(ctx, s.db, schema, SampleOptions{Rows: 1000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := sample.Diff(again); err != nil {
		t.Errorf("same seed, different sample: %v", err)
	}
	cat, err := SampleCatalog(ctx, s.db, schema, SampleOptions{Rows: 1000, Seed: 3}, catalog.StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cat.Stats[0].Rows != datasets.FlightsRows {
		t.Errorf("catalog rows of flights = %d, want %d", cat.Stats[0].Rows, datasets.FlightsRows)
	}
	// The join synopses read from the server by key are those of the
	// same sampled rows looked up in the bundled data: flights -> airports
	// twice, flights -> routes (a composite key), routes -> airports twice
	// and the two-hop paths; airports(city, state) is not unique and has
	// none.
	want := &catalog.Catalog{Schema: schema, Stats: slices.Clone(cat.Stats)}
	if err := catalog.AddJoinSynopses(ctx, want, catalog.DefaultJoinDepth, catalog.NewSourceLookup(schema, s.data)); err != nil {
		t.Fatal(err)
	}
	njoins := 0
	for i := range cat.Stats {
		njoins += len(cat.Stats[i].Joins)
		if !reflect.DeepEqual(cat.Stats[i].Joins, want.Stats[i].Joins) {
			t.Errorf("%s: join synopses from the server differ from the bundled data's", schema.Tables[i].Name)
		}
	}
	if njoins < 5 {
		t.Errorf("%d join synopses, want at least 5", njoins)
	}

	all, err := LoadAll(ctx, s.db, schema)
	if err != nil {
		t.Fatal(err)
	}
	for i := range schema.Tables {
		if got, want := sortedRows(all.Tables[i]), sortedRows(s.data.Tables[i]); !slices.Equal(got, want) {
			t.Errorf("LoadAll %s differs from the bundled data", schema.Tables[i].Name)
		}
	}
	viaDSN, err := LoadDB(ctx, s.dsn, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if viaDSN.Table("flights") == nil || viaDSN.Table("flights").Rows != datasets.FlightsRows {
		t.Errorf("LoadDB: %+v", viaDSN.Schema.Tables)
	}
}

// sortedRows renders every row of t and sorts them (row order on the
// server is its own).
func sortedRows(t *datasets.Table) []string {
	out := make([]string, t.Rows)
	var row []catalog.Datum
	for i := range out {
		row = t.Row(i, row)
		out[i] = fmt.Sprint(row)
	}
	sort.Strings(out)
	return out
}

// TestLiveSlowLog runs known statements and finds them, with their row
// counts, in the server's slow log (.ci/run sets long_query_time=0 and
// CARDINAL_TEST_SLOWLOG).
func TestLiveSlowLog(t *testing.T) {
	s := newFlightsServer(t)
	path := testEnv(t, "CARDINAL_TEST_SLOWLOG", "the server's slow log is not known")
	ctx := context.Background()
	marker := fmt.Sprintf("slowlog-%d", time.Now().UnixNano())
	stmts := []struct {
		sql  string
		rows int64
	}{
		{"SELECT `id` FROM `flights` WHERE `delay` > 300 /* " + marker + " */", 0},
		{"SELECT `iata`,\n       `name`\n  FROM `airports`\n WHERE `state` = 'HI' /* " + marker + " */", 0},
	}
	for i := range stmts {
		rows, err := query(ctx, s.db, stmts[i].sql)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			stmts[i].rows++
		}
		rows.Close()
		if stmts[i].rows == 0 {
			t.Fatalf("statement %d returned no rows: a weak test", i)
		}
	}
	var found []Statement
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		all, err := ParseSlowLog(f, path)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		found = found[:0]
		for _, st := range all {
			if strings.Contains(st.SQL, marker) {
				found = append(found, st)
			}
		}
		if len(found) == len(stmts) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(found) != len(stmts) {
		t.Fatalf("found %d of %d statements in %s", len(found), len(stmts), path)
	}
	for i, st := range found {
		if st.SQL != stmts[i].sql || st.RowsSent != stmts[i].rows || st.Database != "cardinal_test" || st.Count != 1 {
			t.Errorf("slow log entry %d = %+v, want %q with %d rows", i, st, stmts[i].sql, stmts[i].rows)
		}
	}
}

func TestLiveCaptureDigests(t *testing.T) {
	s := newFlightsServer(t)
	ctx := context.Background()
	const runs = 3
	for range runs {
		rows, err := query(ctx, s.db, "SELECT COUNT(*) FROM `airports` WHERE `state` = 'CA' AND `latitude` > 35.5")
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	stmts, err := CaptureDigests(ctx, s.db, DigestOptions{Database: "cardinal_test"})
	if err != nil {
		t.Fatal(err)
	}
	var hit *Statement
	for i := range stmts {
		if strings.Contains(stmts[i].SQL, "`latitude` > 35.5") {
			hit = &stmts[i]
		}
	}
	if hit == nil {
		t.Fatalf("digest with a sample of the statement not found among %d digests", len(stmts))
	}
	if hit.Count < runs || hit.Latency <= 0 || hit.RowsSent < runs || len(hit.Digest) < 16 {
		t.Errorf("digest %+v", *hit)
	}
	parsed, skipped := Classify(datasets.FlightsSchema(), "cardinal_test", stmts)
	if len(parsed) == 0 {
		t.Errorf("no digest parsed; skipped %+v", skipped)
	}
	t.Logf("%d digests: %d parsed, skipped %+v", len(stmts), len(parsed), skipped)
}

// TestLiveHostileNames uses a table and columns whose names hold
// backticks, quotes and non-ASCII letters through every statement kind.
func TestLiveHostileNames(t *testing.T) {
	s := newFlightsServer(t)
	ctx := context.Background()
	schema := &catalog.Schema{Tables: []*catalog.Table{{
		Name: "wé`ird \"t'ab✈",
		Columns: []catalog.Column{
			{Name: "i`d", Type: catalog.TypeInt},
			{Name: "ná'me \"q\"", Type: catalog.TypeString, Nullable: true},
			{Name: "when`", Type: catalog.TypeDateTime, Nullable: true},
		},
		PrimaryKey: []string{"i`d"},
	}}}
	data := datasets.NewDB(schema)
	names := []string{"a`b", "it's", `say "hi"`, "ünï", "back\\slash"}
	for i := range 50 {
		row := []catalog.Datum{catalog.Int(int64(i)), catalog.String(names[i%len(names)]), catalog.Int(int64(978307200 + 3600*i))}
		if i%7 == 0 {
			row[1] = catalog.Null
		}
		if err := data.Tables[0].AppendRow(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := loadDB(ctx, s.admin, data); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.admin.Exec("DROP TABLE " + catalog.QuoteIdent(schema.Tables[0].Name)) })

	ss, err := LoadSchema(ctx, s.db, "")
	if err != nil {
		t.Fatal(err)
	}
	got := ss.Schema.Table(schema.Tables[0].Name)
	if got == nil || !slices.Equal(got.Columns, schema.Tables[0].Columns) || !slices.Equal(got.PrimaryKey, schema.Tables[0].PrimaryKey) {
		t.Fatalf("hostile table read back as %+v", got)
	}
	all, err := LoadAll(ctx, s.db, schema)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sortedRows(all.Tables[0]), sortedRows(data.Tables[0])) {
		t.Errorf("LoadAll of the hostile table differs")
	}
	if _, _, err := LoadSample(ctx, s.db, schema, SampleOptions{Rows: 10}); err != nil {
		t.Errorf("LoadSample: %v", err)
	}
	qs, err := workload.Generate(ctx, data, nil, workload.Options{Queries: 30, MaxJoins: -1}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	exact := exactCounts(t, data, qs)
	out := filepath.Join(t.TempDir(), "hostile.jsonl")
	rep, err := Collect(ctx, s.db, schema, asStatements(qs), CollectOptions{Out: out})
	if err != nil || rep.Labelled != len(exact) {
		t.Fatalf("Collect: %v %+v", err, rep)
	}
	for _, r := range readLabels(t, out) {
		if r.Rows != exact[r.SQL] {
			t.Errorf("count %d, want %d: %s", r.Rows, exact[r.SQL], r.SQL)
		}
	}
	est := NewExplainEstimator(s.db, s.flavour)
	for _, q := range qs[:5] {
		if _, err := est.EstimateContext(ctx, q); err != nil {
			t.Errorf("Estimate: %v", err)
		}
	}
}

// TestLiveCollectRetriesAfterKill kills the connections of counts while
// they run on the server (as a server restart or an operator's KILL
// would): Collect retries them on new connections and every label is
// still right.
func TestLiveCollectRetriesAfterKill(t *testing.T) {
	s := newFlightsServer(t)
	ctx := context.Background()
	var qs []*features.Query
	for _, text := range []string{ // ~2*10^6 joined rows: 0.1-1 s each (warm cache to loaded machine)
		"SELECT * FROM flights f1 JOIN flights f2 ON f1.origin = f2.destination WHERE f1.hour BETWEEN 7 AND 10",
		"SELECT * FROM flights f1 JOIN flights f2 ON f1.origin = f2.destination WHERE f1.hour BETWEEN 15 AND 18",
	} {
		q, err := features.Parse(s.data.Schema, text)
		if err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
	}
	exact := exactCounts(t, s.data, qs)
	done := make(chan struct{})
	killed := make(chan int, 1)
	go func() {
		n := 0
		defer func() { killed <- n }()
		for n == 0 {
			select {
			case <-done:
				return
			case <-time.After(killPoll):
			}
			n += killRunningCounts(t, s)
		}
	}()
	out := filepath.Join(t.TempDir(), "labels.jsonl")
	rep, err := Collect(ctx, s.db, s.data.Schema, asStatements(qs), CollectOptions{
		Out: out, Concurrency: 2, Timeout: testCountTimeout, Backoff: 50 * time.Millisecond,
	})
	close(done)
	n := <-killed
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || rep.Retries == 0 || rep.Labelled != len(qs) {
		t.Errorf("killed %d running counts; report %+v", n, rep)
	}
	t.Logf("killed %d running counts, %d retries, %v", n, rep.Retries, rep.Elapsed.Round(time.Millisecond))
	for _, r := range readLabels(t, out) {
		if r.Rows != exact[r.SQL] || r.Rows < 100_000 {
			t.Errorf("count %d, want %d: %s", r.Rows, exact[r.SQL], r.SQL)
		}
	}
}

// killPoll is how often TestLiveCollectRetriesAfterKill looks for running
// counts to kill: well under one count's time (about 100 ms on an idle
// machine from the datadir snapshot's warm cache; 200 ms polling missed
// both counts there).
const killPoll = 10 * time.Millisecond

// killRunningCounts kills this process's connections that are running a
// COUNT(*) now and returns how many it killed.
func killRunningCounts(t *testing.T, s *flightsServer) int {
	ctx := context.Background()
	rows, err := s.admin.QueryContext(ctx, "SELECT p.ID FROM information_schema.PROCESSLIST p "+
		"JOIN performance_schema.session_connect_attrs a ON a.PROCESSLIST_ID = p.ID "+
		"WHERE a.ATTR_NAME = '_pid' AND a.ATTR_VALUE = ? AND p.ID <> CONNECTION_ID() AND p.COMMAND = 'Query' AND p.INFO LIKE 'SET STATEMENT%'",
		strconv.Itoa(os.Getpid()))
	if err != nil {
		t.Error(err)
		return 0
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if rows.Scan(&id) == nil {
			ids = append(ids, id)
		}
	}
	rows.Close()
	n := 0
	for _, id := range ids {
		if _, err := s.admin.ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", id)); err == nil {
			n++
		}
	}
	return n
}
