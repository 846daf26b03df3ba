package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/indexadvisor"
)

// demoAdviceQueries is the size of the demo's generated workload.
const demoAdviceQueries = 40

// demoIndexAdvice ends the demo: index advice (DDL and estimated benefit)
// for a small generated workload on the bundled flights data, in text
// output only (JSON output stays one document).
func demoIndexAdvice(ctx context.Context, f format, stdout, stderr io.Writer) error {
	if f != formatText {
		return nil
	}
	start := time.Now()
	db, err := datasets.Flights()
	if err != nil {
		return err
	}
	cat, err := db.CatalogContext(ctx, catalog.StatsOptions{}, 1)
	if err != nil {
		return err
	}
	w, err := indexadvisor.NewWorkload(cat.Schema, indexadvisor.GenerateWorkload(cat, demoAdviceQueries, rand.New(rand.NewPCG(11, 12))))
	if err != nil {
		return err
	}
	r, err := indexadvisor.RecommendIndex(ctx, w, indexadvisor.Options{Catalog: cat, Budget: 2 << 20})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nIndex advice for %d generated statements on flights (budget 2 MiB; cardinal recommend):\n\n", len(w.Statements))
	if err := r.DDL(stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nEstimated workload cost %.0f -> %.0f (-%.1f%%) with %d indexes, %s.\n",
		r.CostBefore, r.CostAfter, 100*(1-r.CostAfter/max(r.CostBefore, 1e-9)), len(r.Indexes), fmtBytes(r.Bytes))
	fmt.Fprintf(stderr, "index advice in %v\n", time.Since(start).Round(time.Millisecond))
	return nil
}
