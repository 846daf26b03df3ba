package hx
import ("testing";"strings"
 "github.com/cardinaldb/cardinal/datasets"
 "github.com/cardinaldb/cardinal/features")
func TestAnd(t *testing.T) {
 db, _ := datasets.Flights()
 sql := "SELECT COUNT(*) FROM flights WHERE "+strings.Repeat("delay > 5 AND ", 30000)+"delay > 5"
 for i := 0; i < 3; i++ { features.Parse(db.Schema, sql) }
}
