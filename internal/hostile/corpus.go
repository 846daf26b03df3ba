// Package hostile holds the corpus of hostile inputs of issue 9 (SQL,
// query logs, model files, DSNs, CSV files, schemas) and its reader. The public API
// (corpus_test.go) and the CLI (cmd/cardinal/hostile_test.go) run every
// case: no panic, no crash, a typed error or a right answer.
package hostile

import (
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/estimator"
	"github.com/cardinaldb/cardinal/features"
	"github.com/cardinaldb/cardinal/querylog"
)

//go:embed testdata/corpus.txt
var corpus string

// Case is one hostile input and what must happen to it.
type Case struct {
	Name, Kind string
	Input      []byte
	Want       map[string]string // check -> expectation
}

// Cases returns the corpus, macros expanded.
func Cases() ([]Case, error) {
	var out []Case
	for _, block := range strings.Split(corpus, "\n=== ")[1:] {
		head, want, ok := strings.Cut(block, "\n----\n")
		if !ok {
			return nil, fmt.Errorf("hostile: case %q has no ----", firstLine(block))
		}
		lines := strings.SplitN(head, "\n", 3)
		if len(lines) < 3 {
			lines = append(lines, "")
		}
		in, err := expand(lines[2])
		if err != nil {
			return nil, fmt.Errorf("hostile: case %q: %w", lines[0], err)
		}
		c := Case{Name: lines[0], Kind: lines[1], Input: in, Want: map[string]string{}}
		for _, l := range strings.Split(want, "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok {
				c.Want[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// expand replaces {N*TEXT} by N copies of TEXT and the escapes \n, \t,
// \xHH and \\ by their bytes.
func expand(s string) ([]byte, error) {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '{':
			end := strings.IndexByte(s[i:], '}')
			star := strings.IndexByte(s[i:], '*')
			if end < 0 || star < 0 || star > end {
				b = append(b, c)
				continue
			}
			n, err := strconv.Atoi(s[i+1 : i+star])
			if err != nil {
				b = append(b, c) // not a macro: JSON, say
				continue
			}
			unit, err := expand(s[i+star+1 : i+end])
			if err != nil {
				return nil, err
			}
			for k := 0; k < n; k++ {
				b = append(b, unit...)
			}
			i += end
		case c == '\\' && i+1 < len(s):
			switch s[i+1] {
			case 'n':
				b = append(b, '\n')
			case 't':
				b = append(b, '\t')
			case 'x':
				if i+3 >= len(s) {
					return nil, fmt.Errorf("short \\x escape")
				}
				v, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
				if err != nil {
					return nil, err
				}
				b = append(b, byte(v))
				i += 2
			default:
				b = append(b, '\\', s[i+1])
			}
			i++
		default:
			b = append(b, c)
		}
	}
	return []byte(strings.TrimRight(string(b), "\n")), nil
}

// sentinels names every typed error the corpus may expect.
var sentinels = map[string]error{
	"ErrSyntax": features.ErrSyntax, "ErrUnsupported": features.ErrUnsupported,
	"ErrUnknownTable": features.ErrUnknownTable, "ErrDuplicateAlias": features.ErrDuplicateAlias,
	"ErrUnknownColumn": features.ErrUnknownColumn, "ErrAmbiguousColumn": features.ErrAmbiguousColumn,
	"ErrType": features.ErrType, "ErrTooComplex": features.ErrTooComplex,
	"ErrTooManySubPlans": features.ErrTooManySubPlans, "ErrTooManyTables": features.ErrTooManyTables,
	"ErrMalformedLog": querylog.ErrMalformedLog, "ErrBadLabel": querylog.ErrBadLabel,
	"ErrBadMagic": estimator.ErrBadMagic, "ErrCorrupt": estimator.ErrCorrupt, "ErrVersion": estimator.ErrVersion,
	"ErrSchema": estimator.ErrSchema, "ErrQuery": estimator.ErrQuery,
	"ErrDuplicate": catalog.ErrDuplicate, "datasets.ErrType": datasets.ErrType,
}

// Expect checks err (and rows, when a count is expected) against want.
func Expect(want string, err error, rows float64) error {
	switch {
	case want == "ok":
		return err
	case strings.HasPrefix(want, "rows <= "):
		var lim float64
		fmt.Sscan(strings.TrimPrefix(want, "rows <= "), &lim)
		if err != nil || !(rows <= lim) {
			return fmt.Errorf("got %g rows (%v), want at most %g", rows, err, lim)
		}
		return nil
	case strings.HasPrefix(want, "rows ~ "):
		var v float64
		fmt.Sscan(strings.TrimPrefix(want, "rows ~ "), &v)
		if err != nil || estimator.QError(rows, v) > 2 {
			return fmt.Errorf("got %g rows (%v), want %g within a factor 2", rows, err, v)
		}
		return nil
	}
	s, ok := sentinels[want]
	if !ok {
		return fmt.Errorf("corpus: unknown expectation %q", want)
	}
	if !errors.Is(err, s) {
		return fmt.Errorf("got %v, want %s", err, want)
	}
	return nil
}

// Star40 is a 40-table star over airports (2^39 + 39 connected
// sub-plans; cardinal count --subplans grew past 2.5 GB on it).
func Star40() string {
	var b strings.Builder
	b.WriteString("SELECT COUNT(*) FROM airports a0")
	for i := 1; i < 40; i++ {
		fmt.Fprintf(&b, " JOIN airports a%d ON a0.iata = a%d.iata", i, i)
	}
	return b.String()
}
