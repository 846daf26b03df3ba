//go:build groupdiag

// TestGroupDiag replays the GROUP BY section of `cardinal bench --dataset
// flights --train 1500 --test 300 --ood -1 --models histogram,gbdt
// --group-queries 6000 --seed 1` with the same seeds and calls (training
// and grouped workloads, the gbdt row model, the group model), caches the
// labelled workloads and the row model under GD_DIR (default
// $TMPDIR/cardinal-groupdiag) so that a change to the group estimators is
// re-measured in minutes instead of the bench's 25, prints the q-errors
// by join count (GD_WORST=n: the n worst queries with their keys' figures)
// and fails above issue 13's targets. GD_DATASET=ecommerce, GD_SEED,
// GD_GROUPS and GD_LEAVES/GD_TREES/GD_MINLEAF/GD_LR/GD_HUBER vary it.
//
//	go test -tags groupdiag ./estimator -run TestGroupDiag -v -timeout 90m
package estimator

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/workload"
	"github.com/cardinaldb/cardinal/querylog"
)

func gdRecs(t *testing.T, path string, gen func() []querylog.Record) []querylog.Record {
	if b, err := os.ReadFile(path); err == nil {
		recs, err := querylog.ReadAll(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	recs := gen()
	var buf bytes.Buffer
	w := querylog.NewWriter(&buf)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestGroupDiag(t *testing.T) {
	ctx := context.Background()
	ds := os.Getenv("GD_DATASET")
	seed, _ := strconv.ParseUint(os.Getenv("GD_SEED"), 10, 64)
	if seed == 0 {
		seed = 1
	}
	ng := 6000
	if s := os.Getenv("GD_GROUPS"); s != "" {
		ng, _ = strconv.Atoi(s)
	}
	var db *datasets.DB
	var err error
	if ds == "ecommerce" {
		db, err = datasets.Ecommerce(ctx, datasets.EcommerceOptions{Scale: 1, Seed: 1})
	} else {
		ds = "flights"
		db, err = datasets.Flights()
	}
	if err != nil {
		t.Fatal(err)
	}
	root := os.Getenv("GD_DIR")
	if root == "" {
		root = filepath.Join(os.TempDir(), "cardinal-groupdiag")
	}
	dir := filepath.Join(root, fmt.Sprintf("%s-%d", ds, seed))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cat, err := db.Catalog(catalog.StatsOptions{}, int64(seed))
	if err != nil {
		t.Fatal(err)
	}
	g := workload.JoinGraphFromSchema(db.Schema)
	gen := func(wo workload.Options, s uint64, sub, grouped bool) []querylog.Record {
		rng := rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
		qs, err := workload.Generate(ctx, db, g, wo, rng)
		if err != nil {
			t.Fatal(err)
		}
		if grouped {
			if err := workload.AddGrouping(db, qs, workload.GroupingOptions{}, rng); err != nil {
				t.Fatal(err)
			}
		}
		recs, err := workload.Label(ctx, db, qs, workload.LabelOptions{SubPlans: sub})
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	train := gdRecs(t, filepath.Join(dir, "train.jsonl"), func() []querylog.Record {
		r := gen(workload.Options{Queries: 1500, MaxJoins: 4, MaxPreds: 4}, seed, true, false)
		return append(r, gen(workload.Options{Queries: 300, MaxJoins: 4, MinJoins: 1, MaxPreds: 4, Shapes: 0.6}, seed+3_000_017, true, false)...)
	})
	gtrain := gdRecs(t, filepath.Join(dir, fmt.Sprintf("gtrain%d.jsonl", ng)), func() []querylog.Record {
		return gen(workload.Options{Queries: ng, MaxJoins: 4, MaxPreds: 4}, seed+3_000_017, false, true)
	})
	gtest := gdRecs(t, filepath.Join(dir, fmt.Sprintf("gtest%d.jsonl", ng/4)), func() []querylog.Record {
		return gen(workload.Options{Queries: ng / 4, MaxJoins: 4, MaxPreds: 4}, seed+4_000_037, false, true)
	})
	var rows Model
	mp := filepath.Join(dir, "gbdt.model")
	if b, err := os.ReadFile(mp); err == nil {
		rows, err = Load(bytes.NewReader(b), cat, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
	} else {
		rows, err = Train(ctx, KindGBDT, cat, examples(t, db.Schema, train), TrainOptions{GBDT: GBDTOptions{Seed: seed}})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Save(&buf, rows); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(mp, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	trEx := GroupExamples(examples(t, db.Schema, gtrain))
	teAll := examples(t, db.Schema, gtest)
	teEx := GroupExamples(teAll)
	trueRows := map[string]float64{}
	for _, e := range teAll {
		trueRows[e.Query.SQL()] = e.Rows
	}
	gopt := GBDTOptions{Seed: seed}
	envInt := func(k string) int { v, _ := strconv.Atoi(os.Getenv(k)); return v }
	gopt.Leaves, gopt.Trees, gopt.MinLeaf = envInt("GD_LEAVES"), envInt("GD_TREES"), envInt("GD_MINLEAF")
	gopt.LearningRate, _ = strconv.ParseFloat(os.Getenv("GD_LR"), 64)
	gopt.HuberDelta, _ = strconv.ParseFloat(os.Getenv("GD_HUBER"), 64)
	m, err := TrainGroupModel(ctx, cat, rows, trEx, gopt)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []GroupEstimator{NewDistinctGroups(cat, NewHistogram(cat)), NewDistinctGroups(cat, rows), m} {
		type item struct {
			qe, est, tru, rows, trueRows float64
			i                            int
		}
		var items []item
		by := map[int][]float64{}
		var all []float64
		for i, ex := range teEx {
			got, err := e.EstimateGroups(ex.Query)
			if err != nil {
				t.Fatal(err)
			}
			qe := QError(got.Groups, ex.Groups)
			all = append(all, qe)
			nj := len(ex.Query.Tables) - 1
			by[nj] = append(by[nj], qe)
			items = append(items, item{qe, got.Groups, ex.Groups, got.Rows, trueRows[ex.Query.SQL()], i})
		}
		s := Quantiles(all)
		if e == GroupEstimator(m) && (s.Median > groupTargetMedian || s.P95 > groupTargetP95) {
			t.Errorf("%s: median %.2f (target %.1f), p95 %.2f (target %.1f)", e.Name(), s.Median, groupTargetMedian, s.P95, groupTargetP95)
		}
		t.Logf("%-16s all n=%d median %.2f p90 %.2f p95 %.2f p99 %.1f", e.Name(), len(all), s.Median, s.P90, s.P95, s.P99)
		for j := 0; j <= 4; j++ {
			s := Quantiles(by[j])
			t.Logf("   joins %d n=%d median %.2f p90 %.2f p95 %.2f p99 %.1f", j, len(by[j]), s.Median, s.P90, s.P95, s.P99)
		}
		if e != GroupEstimator(m) && os.Getenv("GD_ALLWORST") == "" {
			continue
		}
		sort.Slice(items, func(a, b int) bool { return items[a].qe > items[b].qe })
		nw, _ := strconv.Atoi(os.Getenv("GD_WORST"))
		for _, it := range items[:min(nw, len(items))] {
			ex := teEx[it.i]
			q := ex.Query
			f, _ := m.base.figures(q)
			dir := "over"
			if it.est < it.tru {
				dir = "UNDER"
			}
			t.Logf("qe %.1f %s est %.0f true %.0f estrows %.0f truerows %.0f base %.0f raw %.0f units %d | %s", it.qe, dir, it.est, it.tru, it.rows, it.trueRows, f.groups, f.rawGroups, f.units, q.SQL())
			for _, k := range f.keys {
				t.Logf("      key catndv %.0f filt %.0f class %.0f rows %.0f members %d fn %d", math.Expm1(k.logCatalogNDV), math.Expm1(k.logFiltered), math.Expm1(k.logClass), math.Expm1(k.logRows), k.members, k.fn)
			}
		}
	}
}
