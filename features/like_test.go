package features

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// likeRegexp is the reference: LIKE translated to an anchored regexp.
func likeRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '%':
			b.WriteString(`.*`)
		case c == '_':
			b.WriteString(`.`)
		case c == '\\' && i+1 < len(p):
			j := i + 1
			for j+1 < len(p) && p[j+1]&0xC0 == 0x80 {
				j++
			}
			b.WriteString(regexp.QuoteMeta(p[i+1 : j+1]))
			i = j
		default:
			j := i
			for j+1 < len(p) && p[j+1]&0xC0 == 0x80 {
				j++
			}
			b.WriteString(regexp.QuoteMeta(p[i : j+1]))
			i = j
		}
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

func TestLikeAgainstRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	patAlpha := []string{"a", "b", "%", "_", `\`, "é", "%", "_"}
	strAlpha := []string{"a", "b", "%", "_", `\`, "é", "\n"}
	gen := func(alpha []string, max int) string {
		var b strings.Builder
		for n := rng.IntN(max + 1); n > 0; n-- {
			b.WriteString(alpha[rng.IntN(len(alpha))])
		}
		return b.String()
	}
	for i := 0; i < 3000; i++ {
		p := gen(patAlpha, 7)
		re := likeRegexp(p)
		m := CompileLike(p)
		for j := 0; j < 30; j++ {
			s := gen(strAlpha, 9)
			want := re.MatchString(s)
			if got := m.Match(s); got != want {
				t.Fatalf("CompileLike(%q).Match(%q) = %v, want %v", p, s, got, want)
			}
			if got := matchLike(p, s); got != want {
				t.Fatalf("matchLike(%q, %q) = %v, want %v", p, s, got, want)
			}
		}
	}
}

func TestLikeCases(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"", "", true},
		{"", "a", false},
		{"%", "", true},
		{"abc", "abc", true},
		{"abc", "ABC", false}, // binary collation
		{"a%", "abc", true},
		{"%c", "abc", true},
		{"%b%", "abc", true},
		{"%x%", "abc", false},
		{"a_c", "abc", true},
		{"a_c", "aéc", true},
		{"a__c", "aéc", false},
		{`100\%`, "100%", true},
		{`100\%`, "1000", false},
		{`a\_b`, "a_b", true},
		{`a\_b`, "axb", false},
		{`a\\b`, `a\b`, true},
		{`ab\`, `ab\`, true}, // a trailing backslash matches itself
		{"%Tony%Stark%", "Tony 'Iron Man' Stark", true},
		{"%Tony%Stark%", "Stark, Tony", false},
		{"ab%ba", "aba", false},
		{"Japan:%200%", "Japan:15 May 2004", true},
	}
	for _, c := range cases {
		if got := CompileLike(c.p).Match(c.s); got != c.want {
			t.Errorf("%q LIKE %q = %v", c.s, c.p, got)
		}
		if got := matchLike(c.p, c.s); got != c.want {
			t.Errorf("matchLike %q LIKE %q = %v", c.s, c.p, got)
		}
	}
	if CompileLike("a%").Pattern() != "a%" {
		t.Error("Pattern")
	}
}

func BenchmarkLike(b *testing.B) {
	s := "The Lord of the Rings: The Return of the King (2003) [extended edition]"
	for _, p := range []string{"%Return%", "The %", "%Rings%King%", "%R_turn%"} {
		m := CompileLike(p)
		b.Run(p, func(b *testing.B) {
			for b.Loop() {
				m.Match(s)
			}
		})
	}
}
