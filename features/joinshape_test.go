package features

import (
	"testing"

	"github.com/cardinaldb/cardinal/catalog"
)

func TestSharedKeyJoin(t *testing.T) {
	s, err := catalog.ParseSchema(`
CREATE TABLE airports (iata VARCHAR(3) PRIMARY KEY, city VARCHAR(40), state CHAR(2));
CREATE TABLE flights (id INT PRIMARY KEY, origin VARCHAR(3), destination VARCHAR(3), delay INT);
CREATE TABLE routes (origin VARCHAR(3), destination VARCHAR(3), n INT, PRIMARY KEY (origin, destination));
CREATE TABLE nokey (a INT, b INT);`)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sql  string
		want bool
	}{
		{"SELECT COUNT(*) FROM flights WHERE delay > 5", false},
		{"SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata", false},
		// A snowflake: both airports hang from the one flight.
		{"SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata JOIN airports b ON f.destination = b.iata", false},
		// A composite key lookup.
		{"SELECT COUNT(*) FROM flights f JOIN routes r ON f.origin = r.origin AND f.destination = r.destination", false},
		// Two facts meeting at the shared dimension.
		{"SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata JOIN routes r ON r.origin = a.iata", true},
		{"SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata JOIN flights g ON g.destination = a.iata", true},
		// Many-to-many on a non-unique composite key.
		{"SELECT COUNT(*) FROM airports a JOIN airports b ON a.city = b.city AND a.state = b.state", true},
		// Part of a composite key is not the key.
		{"SELECT COUNT(*) FROM flights f JOIN routes r ON f.origin = r.origin", true},
		{"SELECT COUNT(*) FROM nokey x JOIN nokey y ON x.a = y.b", true},
		// One-to-one.
		{"SELECT COUNT(*) FROM airports a JOIN airports b ON a.iata = b.iata", false},
	} {
		q, err := Parse(s, c.sql)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		if got := q.SharedKeyJoin(q.FullMask()); got != c.want {
			t.Errorf("%s: SharedKeyJoin = %v, want %v", c.sql, got, c.want)
		}
	}
	// Sub-plans: the shared dimension with one of its facts is a lookup.
	q, err := Parse(s, "SELECT COUNT(*) FROM flights f JOIN airports a ON f.origin = a.iata JOIN routes r ON r.origin = a.iata")
	if err != nil {
		t.Fatal(err)
	}
	if q.SharedKeyJoin(0b011) || q.SharedKeyJoin(0b110) || !q.SharedKeyJoin(0b111) {
		t.Errorf("sub-plans of a shared-dimension join classified wrongly")
	}
}
