package datasets

import (
	"context"
	"testing"
)

func TestEcommerceSizes(t *testing.T) {
	db, err := Ecommerce(context.Background(), EcommerceOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range db.Tables {
		t.Logf("%s %d", tb.Def.Name, tb.Rows)
	}
}
