package estimator

import (
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/internal/bincodec"
)

// benchQueries returns flights queries with 1, 3 and 5 tables, each table
// filtered by two or three predicates.
func benchQueries(tb testing.TB) (cat *catalog.Catalog, q1, q3, q5 *features.Query) {
	db := flightsDB(tb)
	cat, err := db.Catalog(catalog.StatsOptions{}, 1) // as ANALYZE builds it: join synopses included
	if err != nil {
		tb.Fatal(err)
	}
	s := db.Schema
	fl, ap, rt := s.TableIndex("flights"), s.TableIndex("airports"), s.TableIndex("routes")
	fd, ad, rd := s.Tables[fl], s.Tables[ap], s.Tables[rt]
	c := func(t *catalog.Table, name string) int { return t.ColumnIndex(name) }
	pred := func(col int, op features.Op, v ...catalog.Datum) *features.Expr {
		return &features.Expr{Kind: features.ExprPred, Pred: features.Pred{Col: col, Op: op, Values: v}}
	}
	and := func(a ...*features.Expr) *features.Expr { return &features.Expr{Kind: features.ExprAnd, Args: a} }
	flF := and(pred(c(fd, "delay"), features.OpGT, catalog.Int(15)),
		pred(c(fd, "distance"), features.OpBetween, catalog.Int(300), catalog.Int(1200)),
		pred(c(fd, "hour"), features.OpLT, catalog.Int(12)))
	apF := and(pred(c(ad, "state"), features.OpIn, catalog.String("CA"), catalog.String("TX"), catalog.String("NY")),
		pred(c(ad, "latitude"), features.OpGT, catalog.Float(30)))
	rtF := pred(c(rd, "num_flights"), features.OpGE, catalog.Int(100))
	q1 = &features.Query{Schema: s, Tables: []features.TableRef{{Table: fl, Alias: "f", Filter: flF}}}
	q3 = &features.Query{Schema: s,
		Tables: []features.TableRef{{Table: fl, Alias: "f", Filter: flF}, {Table: ap, Alias: "a", Filter: apF}, {Table: ap, Alias: "b"}},
		Joins: []features.Join{{Left: 0, Right: 1, LeftCol: c(fd, "origin"), RightCol: c(ad, "iata")},
			{Left: 0, Right: 2, LeftCol: c(fd, "destination"), RightCol: c(ad, "iata")}}}
	q5 = &features.Query{Schema: s,
		Tables: []features.TableRef{{Table: fl, Alias: "f", Filter: flF}, {Table: ap, Alias: "a", Filter: apF},
			{Table: ap, Alias: "b"}, {Table: rt, Alias: "r", Filter: rtF}, {Table: ap, Alias: "c"}},
		Joins: []features.Join{{Left: 0, Right: 1, LeftCol: c(fd, "origin"), RightCol: c(ad, "iata")},
			{Left: 0, Right: 2, LeftCol: c(fd, "destination"), RightCol: c(ad, "iata")},
			{Left: 0, Right: 3, LeftCol: c(fd, "origin"), RightCol: c(rd, "origin")},
			{Left: 0, Right: 3, LeftCol: c(fd, "destination"), RightCol: c(rd, "destination")},
			{Left: 3, Right: 4, LeftCol: c(rd, "destination"), RightCol: c(ad, "iata")}}}
	return cat, q1, q3, q5
}

func benchEstimators(b *testing.B, cat *catalog.Catalog) []Estimator {
	b.Helper()
	m, err := Load(bytesReader(b, goldenModel), nil, LoadOptions{IgnoreFingerprint: true})
	if err != nil {
		b.Fatal(err)
	}
	// The golden model was trained on a 500-row sample; rebind its trees to
	// this catalog's 10,000-row sample to time the learned path.
	g := m.(*GBDT)
	var w bincodec.Encoder
	g.savePayload(&w)
	g2, err := loadGBDTPayload(w.B, cat, modelVersion)
	if err != nil {
		b.Fatal(err)
	}
	return []Estimator{NewHistogram(cat), NewSample(cat), g2}
}

func benchEstimate(b *testing.B, pick func(q1, q3, q5 *features.Query) *features.Query) {
	cat, q1, q3, q5 := benchQueries(b)
	q := pick(q1, q3, q5)
	for _, est := range benchEstimators(b, cat) {
		b.Run(est.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := est.Estimate(q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Target: <= 5 us per single-table estimate with a 10,000-row sample.
func BenchmarkEstimate1Table(b *testing.B) {
	benchEstimate(b, func(q1, _, _ *features.Query) *features.Query { return q1 })
}

// Target: <= 20 us per 3-table estimate.
func BenchmarkEstimate3Table(b *testing.B) {
	benchEstimate(b, func(_, q3, _ *features.Query) *features.Query { return q3 })
}

// Target: <= 200 us for all connected sub-plans of a 5-table query.
func BenchmarkSubPlans5Table(b *testing.B) {
	cat, _, _, q5 := benchQueries(b)
	for _, est := range benchEstimators(b, cat) {
		b.Run(est.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := EstimateSubPlans(est, q5); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Target: <= 100 us to parse and estimate a 3-table query.
func BenchmarkParseAndEstimate(b *testing.B) {
	cat, _, q3, _ := benchQueries(b)
	sql := q3.SQL()
	for _, est := range benchEstimators(b, cat) {
		b.Run(est.Name(), func(b *testing.B) {
			p := features.NewParser()
			b.ReportAllocs()
			for b.Loop() {
				q, err := p.Parse(cat.Schema, sql)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := est.Estimate(q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
