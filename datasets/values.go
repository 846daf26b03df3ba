package datasets

import (
	"math"
	"strconv"
)

// Text-to-value parsing shared by the CSV and JSON loaders. The parsers work
// on byte slices and do not allocate.

// secondsPerDay is the length of a civil day in Unix time (no leap seconds).
const secondsPerDay = 86400

// parseInt parses an optionally signed decimal integer.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	neg := false
	switch b[0] {
	case '-':
		neg = true
		b = b[1:]
	case '+':
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		if len(b) > 19 { // may still be valid with leading zeros
			return parseIntSlow(b, neg)
		}
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

func parseIntSlow(b []byte, neg bool) (int64, bool) {
	s := string(b)
	if neg {
		s = "-" + s
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// parseFloat parses a finite float as strconv.ParseFloat does.
// Out-of-range values ("1e400") are rejected rather than rounded to ±Inf,
// and "NaN", "Inf" and "-Inf" are rejected too: a MySQL DOUBLE cannot hold
// them, no SQL literal denotes them (so a workload over them could not be
// written as SQL and read back), and a NULL is written as an empty field
// or \N.
func parseFloat(b []byte) (float64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(b), 64)
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}

// digits parses exactly len(b) ASCII digits.
func digits(b []byte) (int, bool) {
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, len(b) > 0
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms",
// days_from_civil).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := m + 9
	if m > 2 {
		mp = m - 3
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// parseDate parses a DATE, "YYYY-MM-DD" or "YYYY/MM/DD" (one separator
// kind), and returns Unix seconds of its midnight UTC.
func parseDate(b []byte) (int64, bool) {
	if len(b) != 10 || b[4] != b[7] || (b[4] != '-' && b[4] != '/') {
		return 0, false
	}
	y, ok1 := digits(b[0:4])
	m, ok2 := digits(b[5:7])
	d, ok3 := digits(b[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return daysFromCivil(y, m, d) * secondsPerDay, true
}

// parseDateTime parses a DATETIME: a date as for parseDate, optionally
// followed by ' ' or 'T', "HH:MM" and optionally ":SS", and an optional
// trailing 'Z'. Fractional seconds are rejected (they cannot be stored).
func parseDateTime(b []byte) (int64, bool) {
	if len(b) < 10 {
		return 0, false
	}
	day, ok := parseDate(b[:10])
	if !ok {
		return 0, false
	}
	rest := b[10:]
	if len(rest) == 0 {
		return day, true
	}
	if rest[0] != ' ' && rest[0] != 'T' {
		return 0, false
	}
	rest = rest[1:]
	if n := len(rest); n > 0 && rest[n-1] == 'Z' {
		rest = rest[:n-1]
	}
	if len(rest) != 5 && len(rest) != 8 {
		return 0, false
	}
	if rest[2] != ':' {
		return 0, false
	}
	h, ok1 := digits(rest[0:2])
	mi, ok2 := digits(rest[3:5])
	s, ok3 := 0, true
	if len(rest) == 8 {
		if rest[5] != ':' {
			return 0, false
		}
		s, ok3 = digits(rest[6:8])
	}
	if !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || s > 59 {
		return 0, false
	}
	return day + int64(h*3600+mi*60+s), true
}
