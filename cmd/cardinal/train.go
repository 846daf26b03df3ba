package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/estimator"
)

// runTrain trains an estimator on a labelled query log and writes a model
// file:
//
//	cardinal train --dataset flights --log train.jsonl --model gbdt --out m.model
func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("train", stdout)
	var src sourceFlags
	src.register(fs.FlagSet)
	defer func() { err = src.hint(err) }()
	logPath := fs.String("log", "", "labelled query log (JSON Lines from 'cardinal gen')")
	kind := fs.String("model", estimator.KindGBDT, "estimator: "+strings.Join(estimator.Kinds(), ", "))
	out := fs.String("out", "", "model file to write")
	force := fs.Bool("force", false, "overwrite an existing --out file")
	seed := fs.Uint64("seed", 1, "seed of training (and of the catalog sample)")
	sampleSize := fs.Int("sample-size", 0, fmt.Sprintf("rows sampled per table for the catalog (0: catalog default); fact tables meeting at a shared dimension get %gx as many (catalog.SharedKeySampleFactor)", catalog.SharedKeySampleFactor))
	trees := fs.Int("trees", 0, "gbdt: boosting rounds (0: default)")
	leaves := fs.Int("leaves", 0, "gbdt: leaves per tree (0: default)")
	lr := fs.Float64("learning-rate", 0, "gbdt: shrinkage (0: default)")
	subplans := fs.Bool("subplans", true, "also train on the sub-plan labels of the log")
	calibFolds := fs.Int("calib-folds", estimator.DefaultCalibFolds, "gbdt, setnet: models whose held-out residuals calibrate the band (1: the held-out split alone; each more is one more training)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	if *logPath == "" || *out == "" {
		return usagef("give --log FILE and --out FILE")
	}
	if !slices.Contains(estimator.Kinds(), *kind) {
		return usagef("--model: %w %q (want one of %s)", estimator.ErrKind, *kind, strings.Join(estimator.Kinds(), ", "))
	}
	if err := src.check(fs.FlagSet); err != nil {
		return err
	}
	if err := checkCalibFolds(*calibFolds); err != nil {
		return err
	}
	if err := checkKindFlags(fs.FlagSet, *kind); err != nil {
		return err
	}
	if err := checkOut(*out, *force); err != nil {
		return err
	}
	recs, err := readLog(*logPath, *subplans)
	if err != nil {
		return err
	}
	db, err := src.open(ctx, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	cat, err := db.CatalogContext(ctx, catalog.StatsOptions{SampleSize: *sampleSize}, int64(*seed))
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "catalog built in %v (fingerprint %s)\n", time.Since(start).Round(time.Millisecond), cat.Fingerprint())
	examples, err := estimator.Examples(db.Schema, recs)
	if err != nil {
		return fmt.Errorf("%s: %w", *logPath, err)
	}
	fmt.Fprintf(stderr, "%d queries, %d training examples with sub-plans\n", len(recs), len(examples))
	start = time.Now()
	m, err := trainModel(ctx, *kind, cat, examples, *seed, estimator.GBDTOptions{Trees: *trees, Leaves: *leaves, LearningRate: *lr, CalibFolds: *calibFolds}, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "trained %s in %v\n", m.Name(), time.Since(start).Round(time.Millisecond))
	if err := writeFile(*out, func(w io.Writer) error { return estimator.Save(w, m) }); err != nil {
		return err
	}
	if st, err := os.Stat(*out); err == nil {
		fmt.Fprintf(stdout, "wrote %s (%s model, %d bytes)\n", *out, m.Name(), st.Size())
	}
	return nil
}

// checkCalibFolds refuses a --calib-folds outside 1..10 before any work.
func checkCalibFolds(k int) error {
	if k < 1 || k > estimator.MaxCalibFolds {
		return usagef("--calib-folds %d: %w: want 1..%d", k, estimator.ErrOptions, estimator.MaxCalibFolds)
	}
	return nil
}

// kindFlags names the train flags that act on some estimator kinds only.
var kindFlags = map[string][]string{
	"trees":         {estimator.KindGBDT},
	"leaves":        {estimator.KindGBDT},
	"learning-rate": {estimator.KindGBDT},
	"calib-folds":   {estimator.KindGBDT, estimator.KindSetNet},
}

// checkKindFlags refuses a flag given on the command line that does nothing
// for kind (--trees with --model setnet), rather than ignore it silently.
func checkKindFlags(fs *flag.FlagSet, kind string) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		if kinds, ok := kindFlags[f.Name]; ok && err == nil && !slices.Contains(kinds, kind) {
			err = usagef("--%s acts on --model %s only, not %s", f.Name, strings.Join(kinds, " or "), kind)
		}
	})
	return err
}

// trainModel trains the estimator kind, reporting progress on stderr.
func trainModel(ctx context.Context, kind string, cat *catalog.Catalog, ex []estimator.Example, seed uint64, gopts estimator.GBDTOptions, stderr io.Writer) (estimator.Model, error) {
	gopts.Seed = seed
	ui := newProgress(stderr)
	gopts.Progress = ui.report
	opts := estimator.TrainOptions{GBDT: gopts, SetNet: estimator.SetNetOptions{Seed: seed, Progress: ui.report, CalibFolds: gopts.CalibFolds}}
	m, err := estimator.Train(ctx, kind, cat, ex, opts)
	ui.finish()
	if errors.Is(err, estimator.ErrKind) {
		return nil, usagef("--model: %w", err)
	}
	if g, ok := m.(*estimator.GBDT); ok && err == nil {
		fmt.Fprintf(stderr, "%d trees kept (early stopping on validation)\n", g.NumTrees())
	}
	return m, err
}
