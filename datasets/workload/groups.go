package workload

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// GroupingOptions tune AddGrouping. The zero value means the documented
// defaults; negative or NaN values are ErrOptions.
type GroupingOptions struct {
	// Fraction is the fraction of queries given a grouping; 0 means
	// DefaultGroupFraction.
	Fraction float64
	// MaxKeys is the largest number of grouping keys; 0 means
	// DefaultMaxGroupKeys.
	MaxKeys int
	// Distinct is the fraction of grouped queries written as SELECT
	// DISTINCT rather than GROUP BY; 0 means DefaultDistinctFraction.
	Distinct float64
	// Having is the fraction of GROUP BY queries with a HAVING condition;
	// 0 means DefaultHavingFraction.
	Having float64
}

// Defaults of GroupingOptions.
const (
	DefaultGroupFraction    = 1.0
	DefaultMaxGroupKeys     = 3
	DefaultDistinctFraction = 0.2
	DefaultHavingFraction   = 0.35
)

// countThresholds are the HAVING COUNT(*) > c thresholds drawn from.
var countThresholds = []float64{1, 2, 3, 5, 10, 20, 50, 100, 1000}

func (o GroupingOptions) withDefaults() (GroupingOptions, error) {
	for _, f := range []struct {
		name string
		v    float64
	}{{"Fraction", o.Fraction}, {"Distinct", o.Distinct}, {"Having", o.Having}} {
		if f.v < 0 || f.v > 1 || math.IsNaN(f.v) {
			return o, fmt.Errorf("%w: GroupingOptions.%s %v not in [0, 1]", ErrOptions, f.name, f.v)
		}
	}
	if o.MaxKeys < 0 {
		return o, fmt.Errorf("%w: GroupingOptions.MaxKeys %d < 0", ErrOptions, o.MaxKeys)
	}
	if o.Fraction == 0 {
		o.Fraction = DefaultGroupFraction
	}
	if o.MaxKeys == 0 {
		o.MaxKeys = DefaultMaxGroupKeys
	}
	if o.Distinct == 0 {
		o.Distinct = DefaultDistinctFraction
	}
	if o.Having == 0 {
		o.Having = DefaultHavingFraction
	}
	return o, nil
}

// AddGrouping gives a seeded random grouping to a fraction of qs, in
// place: 1..MaxKeys keys drawn from the columns of the query's tables (a
// DATE / DATETIME column as itself, YEAR, MONTH or DATE of it; a string
// column sometimes as a 1-3 character prefix), as GROUP BY or SELECT
// DISTINCT; a GROUP BY sometimes with HAVING on COUNT(*) (thresholds
// 1..1000) or on SUM / AVG / MIN / MAX of a numeric column (thresholds
// from the column's values, SUM's scaled by a typical group size). Label
// the queries afterwards: workload.Label then records their groups.
func AddGrouping(db *datasets.DB, qs []*features.Query, opts GroupingOptions, rng *rand.Rand) error {
	opts, err := opts.withDefaults()
	if err != nil {
		return err
	}
	for _, q := range qs {
		if rng.Float64() >= opts.Fraction {
			continue
		}
		if err := addGrouping(db, q, opts, rng); err != nil {
			return err
		}
	}
	return nil
}

func addGrouping(db *datasets.DB, q *features.Query, opts GroupingOptions, rng *rand.Rand) error {
	g := &features.Grouping{Distinct: rng.Float64() < opts.Distinct}
	nk := 1 + rng.IntN(opts.MaxKeys)
	for try := 0; len(g.Keys) < nk && try < 4*nk; try++ {
		occ := rng.IntN(len(q.Tables))
		def := q.Schema.Tables[q.Tables[occ].Table]
		col := rng.IntN(len(def.Columns))
		k := features.GroupKey{ColRef: features.ColRef{Table: occ, Col: col}}
		switch def.Columns[col].Type {
		case catalog.TypeDate, catalog.TypeDateTime:
			k.Func = []features.KeyFunc{features.KeyColumn, features.KeyYear, features.KeyMonth, features.KeyDate}[rng.IntN(4)]
		case catalog.TypeString:
			if rng.IntN(5) == 0 {
				k.Func, k.N = features.KeyPrefix, 1+rng.IntN(3)
			}
		}
		dup := false
		for _, x := range g.Keys {
			dup = dup || x == k
		}
		if !dup {
			g.Keys = append(g.Keys, k)
		}
	}
	if !g.Distinct && rng.Float64() < opts.Having {
		h, err := randomHaving(db, q, g, rng)
		if err != nil {
			return err
		}
		g.Having = h
	}
	q.Group = g
	if !g.Distinct {
		q.GroupBy = nil
		for _, k := range g.Keys {
			if k.Func == features.KeyColumn {
				q.GroupBy = append(q.GroupBy, k.ColRef)
			}
		}
	}
	return nil
}

// randomHaving draws one HAVING comparison.
func randomHaving(db *datasets.DB, q *features.Query, g *features.Grouping, rng *rand.Rand) (*features.Having, error) {
	ops := []features.Op{features.OpGT, features.OpGE, features.OpLT, features.OpLE}
	op := ops[rng.IntN(len(ops))]
	// An aggregate over a numeric column, or COUNT(*).
	type numCol struct{ occ, col int }
	var nums []numCol
	for occ, tr := range q.Tables {
		for c, col := range q.Schema.Tables[tr.Table].Columns {
			if col.Type == catalog.TypeInt || col.Type == catalog.TypeFloat {
				nums = append(nums, numCol{occ, c})
			}
		}
	}
	if len(nums) == 0 || rng.IntN(2) == 0 {
		g.Aggs = append(g.Aggs, features.Agg{Func: features.AggCount, Table: -1})
		v := countThresholds[rng.IntN(len(countThresholds))]
		return &features.Having{Kind: features.ExprPred, Agg: len(g.Aggs) - 1, Op: op, Values: []float64{v}}, nil
	}
	nc := nums[rng.IntN(len(nums))]
	fn := []features.AggFunc{features.AggSum, features.AggAvg, features.AggMin, features.AggMax}[rng.IntN(4)]
	g.Aggs = append(g.Aggs, features.Agg{Func: fn, Table: nc.occ, Arg: &features.Arith{Kind: features.ArithCol, Col: nc.col}})
	t := db.Table(q.Schema.Tables[q.Tables[nc.occ].Table].Name)
	if t == nil {
		return nil, fmt.Errorf("%w: no table %s in the DB", ErrOptions, q.Schema.Tables[q.Tables[nc.occ].Table].Name)
	}
	ci := t.Def.ColumnIndex(q.Schema.Tables[q.Tables[nc.occ].Table].Columns[nc.col].Name)
	v := 0.0
	if t.Rows > 0 && ci >= 0 {
		d := t.Cols[ci].Datum(rng.IntN(t.Rows))
		switch d.Kind {
		case catalog.KindInt:
			v = float64(d.I)
		case catalog.KindFloat:
			v = math.Round(d.F*100) / 100
		}
	}
	if fn == features.AggSum {
		v *= countThresholds[rng.IntN(len(countThresholds))]
	}
	return &features.Having{Kind: features.ExprPred, Agg: len(g.Aggs) - 1, Op: op, Values: []float64{v}}, nil
}
