package live

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkParseSlowLog measures slow-log parsing throughput (MB/s) on the
// MariaDB fixture repeated to ~1 MB: a day of a busy server's log is GBs.
func BenchmarkParseSlowLog(b *testing.B) {
	one, err := os.ReadFile("testdata/slowlog/mariadb-10.11.log")
	if err != nil {
		b.Fatal(err)
	}
	log := bytes.Repeat(one, (1<<20)/len(one)+1)
	b.SetBytes(int64(len(log)))
	for b.Loop() {
		if _, err := ParseSlowLog(bytes.NewReader(log), "bench.log"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckReadOnly measures the guard on a typical COUNT(*) query.
func BenchmarkCheckReadOnly(b *testing.B) {
	const q = "SET STATEMENT max_statement_time=10 FOR SELECT COUNT(*) FROM `flights` AS `flights` JOIN `airports` AS `airports` ON `flights`.`origin` = `airports`.`iata` WHERE `flights`.`delay` > 60 AND `airports`.`state` IN ('CA', 'NV')"
	for b.Loop() {
		if err := CheckReadOnly(q); err != nil {
			b.Fatal(err)
		}
	}
}
