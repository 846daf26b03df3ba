package datasets

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// benchCSVRows is the size of the BenchmarkLoadCSV input (the speed target
// is 3M rows in seconds).
const benchCSVRows = 3_000_000

// writeBenchCSV writes a generated events table of n rows (ints, a
// dictionary string, a float with NULLs, a datetime) into dir.
func writeBenchCSV(tb testing.TB, dir string, n int) {
	tb.Helper()
	schema := "CREATE TABLE events (id BIGINT NOT NULL PRIMARY KEY, user VARCHAR(32) NOT NULL, " +
		"qty INT NOT NULL, price DOUBLE, at DATETIME NOT NULL);\n"
	if err := os.WriteFile(filepath.Join(dir, SchemaFile), []byte(schema), 0o644); err != nil {
		tb.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "events.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(1, 2))
	fmt.Fprintln(w, "id,user,qty,price,at")
	for i := range n {
		price := fmt.Sprintf("%.2f", rng.Float64()*100)
		if i%10 == 0 {
			price = ""
		}
		sec := rng.IntN(86400 * 365)
		fmt.Fprintf(w, "%d,user%d,%d,%s,2024-%02d-%02d %02d:%02d:%02d\n", i+1, rng.IntN(50000), rng.IntN(20),
			price, 1+sec/86400%12, 1+sec/86400%28, sec/3600%24, sec/60%60, sec%60)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkLoadCSV loads a generated 3M-row CSV directory: "dir" through
// LoadCSVDir (parallel parsing, as used), "sequential" through the
// one-goroutine path for comparison.
func BenchmarkLoadCSV(b *testing.B) {
	dir := b.TempDir()
	writeBenchCSV(b, dir, benchCSVRows)
	path := filepath.Join(dir, "events.csv")
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("dir", func(b *testing.B) {
		b.SetBytes(st.Size())
		cpu := cpuTime(b)
		for b.Loop() {
			db, err := LoadCSVDir(context.Background(), dir)
			if err != nil {
				b.Fatal(err)
			}
			if db.Tables[0].Rows != benchCSVRows {
				b.Fatalf("%d rows", db.Tables[0].Rows)
			}
		}
		reportCPU(b, cpu)
	})
	b.Run("sequential", func(b *testing.B) {
		db, err := LoadCSVDir(context.Background(), dir)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(st.Size())
		cpu := cpuTime(b)
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			t := NewTable(db.Tables[0].Def)
			err = loadCSVTable(context.Background(), t, f, path, nil, 0)
			f.Close()
			if err != nil || t.Rows != benchCSVRows {
				b.Fatal(err, t.Rows)
			}
		}
		reportCPU(b, cpu)
	})
}

// cpuTime returns the process's user+system CPU time so far. The machine
// is shared, so wall time (ns/op) varies with load; CPU time per op
// ("cpu-s/op", this process including GC) does much less.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric((cpuTime(b)-start).Seconds()/float64(b.N), "cpu-s/op")
}

func BenchmarkEcommerceScale10(b *testing.B) {
	cpu := cpuTime(b)
	for b.Loop() {
		db, err := Ecommerce(context.Background(), EcommerceOptions{Scale: 10, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(db.Table("order_items").Rows), "items/op")
	}
	reportCPU(b, cpu)
}

func BenchmarkFlights(b *testing.B) {
	for b.Loop() {
		if _, err := Flights(); err != nil {
			b.Fatal(err)
		}
	}
}
