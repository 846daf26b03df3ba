package indexadvisor

import (
	"context"
	"math/rand/v2"
	"testing"
)

// BenchmarkRecommend1000 recommends for 1,000 generated statements on the
// flights catalog (target: at most 5 s per run on the project's 2-core
// machine). BenchmarkRecommend100 is the baseline of the same run for the
// scaling ratio.
func BenchmarkRecommend1000(b *testing.B) { benchRecommend(b, 1000) }

func BenchmarkRecommend100(b *testing.B) { benchRecommend(b, 100) }

func benchRecommend(b *testing.B, n int) {
	_, cat := flights(b)
	stmts := GenerateWorkload(cat, n, rand.New(rand.NewPCG(7, 8)))
	b.ResetTimer()
	for b.Loop() {
		w, err := NewWorkload(cat.Schema, stmts)
		if err != nil {
			b.Fatal(err)
		}
		r, err := RecommendIndex(context.Background(), w, Options{Catalog: cat, Budget: 4 << 20})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(r.Indexes)), "indexes")
	}
}
