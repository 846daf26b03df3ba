package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/features"
)

// nowValue is the --now flag: the instant NOW(), CURRENT_TIMESTAMP and
// CURDATE() evaluate to when statements are parsed (features.Options.Now).
// Unset, it is features.DefaultNowUnix (2025-01-01 00:00:00 UTC) so that
// every run reads the same rows; "wall" is the clock at start.
type nowValue struct{ t time.Time }

func (v *nowValue) String() string {
	if v == nil || v.t.IsZero() {
		return ""
	}
	return v.t.UTC().Format(catalog.DateTimeLayout)
}

func (v *nowValue) Set(s string) error {
	if s == "wall" {
		v.t = time.Now().UTC().Truncate(time.Second)
		return nil
	}
	for _, layout := range []string{catalog.DateTimeLayout, catalog.DateLayout, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			v.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("want 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS' (UTC), RFC 3339 or wall, got %q", s)
}

// nowFlag registers --now on fs.
func nowFlag(fs *flag.FlagSet) *nowValue {
	v := &nowValue{}
	fs.Var(v, "now", "the instant NOW() and CURDATE() mean: 'YYYY-MM-DD[ HH:MM:SS]' UTC or wall (default 2025-01-01 00:00:00, for reproducible counts)")
	return v
}

// parser returns a statement parser with the flag's NOW().
func (v *nowValue) parser() *features.Parser {
	return features.NewParserOptions(features.Options{Now: v.t})
}
