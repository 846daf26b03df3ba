package jobdata

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/datasets/jobqueries"
	"github.com/cardinaldb/cardinal/features"
)

// ErrSchema: the schema lacks a JOB table or column, or a JOB query does
// not parse against it.
var ErrSchema = errors.New("jobdata: not a JOB schema")

// rows are the synthetic table sizes: IMDB's dimension tables at their
// real sizes (kind_type 7, company_type 4, role_type 12, link_type 18,
// comp_cast_type 4, info_type 113), the others about 1:2000 of IMDB's
// (title 2.5M, cast_info 36M, ...). Read through Rows: a package map
// callers could change would change every later data set.
var rows = map[string]int{
	"kind_type": 7, "company_type": 4, "role_type": 12, "link_type": 18, "comp_cast_type": 4, "info_type": 113,
	"title": 1500, "name": 1000, "char_name": 800, "company_name": 300, "keyword": 500,
	"aka_name": 450, "aka_title": 200, "movie_companies": 1300, "movie_info": 3000, "movie_info_idx": 700,
	"movie_keyword": 2200, "cast_info": 5000, "complete_cast": 70, "movie_link": 30, "person_info": 1500,
}

// Rows returns the synthetic size of the JOB table named table (0 for a
// table JOB does not have).
func Rows(table string) int {
	return rows[table]
}

// refs maps JOB's key columns to the table whose id they reference (JOB's
// schema declares no foreign keys).
var refs = map[string]string{
	"movie_id": "title", "linked_movie_id": "title", "episode_of_id": "title", "person_id": "name",
	"person_role_id": "char_name", "company_id": "company_name", "company_type_id": "company_type",
	"info_type_id": "info_type", "keyword_id": "keyword", "kind_id": "kind_type", "role_id": "role_type",
	"link_type_id": "link_type", "subject_id": "comp_cast_type", "status_id": "comp_cast_type",
}

// Defaults of Options.
const (
	// DefaultLiteralShare: the share of rows whose filtered columns take
	// one of JOB's constants, and of key values pointing at the rows that
	// hold them.
	DefaultLiteralShare = 0.7
	// DefaultNullShare: the share of NULLs in nullable columns.
	DefaultNullShare = 0.1
)

// Options tunes Synthetic. The zero value means the defaults.
type Options struct {
	Seed         uint64
	LiteralShare float64 // in (0, 1]; 0 means DefaultLiteralShare
	NullShare    float64 // in (0, 1); 0 means DefaultNullShare
}

// ErrOptions: an Options field is out of range.
var ErrOptions = errors.New("jobdata: bad options")

// Synthetic returns a database of schema (which must hold JOB's 21
// tables; other tables are left empty) filled as the package
// documentation says, the same for the same Options.
func Synthetic(schema *catalog.Schema, opts Options) (*datasets.DB, error) {
	switch {
	case opts.LiteralShare == 0:
		opts.LiteralShare = DefaultLiteralShare
	case !(opts.LiteralShare > 0 && opts.LiteralShare <= 1):
		return nil, fmt.Errorf("%w: LiteralShare %v not in (0, 1]", ErrOptions, opts.LiteralShare)
	}
	switch {
	case opts.NullShare == 0:
		opts.NullShare = DefaultNullShare
	case !(opts.NullShare > 0 && opts.NullShare < 1):
		return nil, fmt.Errorf("%w: NullShare %v not in (0, 1)", ErrOptions, opts.NullShare)
	}
	for name := range rows {
		if schema.TableIndex(name) < 0 {
			return nil, fmt.Errorf("%w: no table %s", ErrSchema, name)
		}
	}
	var qs []*features.Query
	for _, jq := range jobqueries.Queries() {
		q, err := features.Parse(schema, jq.SQL)
		if err != nil {
			return nil, fmt.Errorf("%w: JOB %s: %w", ErrSchema, jq.Name, err)
		}
		qs = append(qs, q)
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5bd1e995))
	g := &gen{rng: rng, opts: opts, lits: literals(schema, qs, rng), hot: map[string]int{}}
	// hot[table]: the rows 1..hot hold the constants JOB filters on.
	for key, vs := range g.lits {
		table, _, _ := strings.Cut(key, ".")
		g.hot[table] = max(g.hot[table], min(len(vs), rows[table]))
	}
	db := datasets.NewDB(schema)
	for ti, def := range schema.Tables {
		n, ok := rows[def.Name]
		if !ok {
			continue
		}
		row := make([]catalog.Datum, len(def.Columns))
		for i := range n {
			for ci, c := range def.Columns {
				row[ci] = g.value(c, i, n, g.lits[def.Name+"."+c.Name])
			}
			if err := db.Tables[ti].AppendRow(row); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrSchema, err)
			}
		}
	}
	return db, nil
}

type gen struct {
	rng  *rand.Rand
	opts Options
	lits map[string][]catalog.Datum
	hot  map[string]int
}

// value is column c of row i of n: ids 1..n; keys to the hot rows in
// LiteralShare of the rows, else uniform; NULLs in nullable columns; a
// column with constants takes constant i for the first rows (so every
// dimension value exists), then a random one in LiteralShare of the rows;
// other columns uniform.
func (g *gen) value(c catalog.Column, i, n int, lits []catalog.Datum) catalog.Datum {
	switch {
	case c.Name == "id":
		return catalog.Int(int64(i + 1))
	case refs[c.Name] != "":
		if c.Nullable && g.rng.Float64() < g.opts.NullShare {
			return catalog.Null
		}
		ref := refs[c.Name]
		if h := g.hot[ref]; h > 0 && g.rng.Float64() < g.opts.LiteralShare {
			return catalog.Int(int64(1 + g.rng.IntN(h)))
		}
		return catalog.Int(int64(1 + g.rng.IntN(rows[ref])))
	case c.Nullable && g.rng.Float64() < g.opts.NullShare:
		return catalog.Null
	case len(lits) > 0 && (i < len(lits) || g.rng.Float64() < g.opts.LiteralShare):
		v := lits[g.rng.IntN(len(lits))]
		if i < len(lits) {
			v = lits[i]
		}
		if c.Type == catalog.TypeString && v.Kind != catalog.KindString {
			return catalog.String(v.String())
		}
		if c.Type != catalog.TypeString && v.Kind == catalog.KindString {
			return catalog.Int(int64(g.rng.IntN(n)))
		}
		return v
	case c.Type == catalog.TypeString:
		return catalog.String(fmt.Sprintf("%s-%d", c.Name, g.rng.IntN(2*n)))
	case c.Name == "production_year":
		return catalog.Int(int64(1950 + g.rng.IntN(71)))
	}
	return catalog.Int(int64(g.rng.IntN(100)))
}

// literals collects the constants each column is compared with in the
// queries: "table.column" -> values in order of first use (LIKE patterns
// instantiated).
func literals(s *catalog.Schema, qs []*features.Query, rng *rand.Rand) map[string][]catalog.Datum {
	out := map[string][]catalog.Datum{}
	seen := map[string]bool{}
	var walk func(table string, e *features.Expr)
	walk = func(table string, e *features.Expr) {
		if e == nil {
			return
		}
		for _, a := range e.Args {
			walk(table, a)
		}
		if e.Kind != features.ExprPred {
			return
		}
		key := table + "." + s.Tables[s.TableIndex(table)].Columns[e.Pred.Col].Name
		for _, v := range e.Pred.Values {
			if v.Kind == catalog.KindNull {
				continue
			}
			if e.Pred.Op == features.OpLike || e.Pred.Op == features.OpNotLike {
				v = catalog.String(likeInstance(v.S, rng))
			}
			if k := key + "\x00" + v.String(); !seen[k] {
				seen[k] = true
				out[key] = append(out[key], v)
			}
		}
	}
	for _, q := range qs {
		for _, tr := range q.Tables {
			walk(s.Tables[tr.Table].Name, tr.Filter)
		}
	}
	return out
}

// likeInstance returns a string matching a LIKE pattern: % becomes a
// short random word, _ a letter, escaped characters are kept.
func likeInstance(p string, rng *rand.Rand) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\' && i+1 < len(p):
			i++
			b.WriteByte(p[i])
		case c == '%':
			for range rng.IntN(3) {
				b.WriteByte(byte('a' + rng.IntN(26)))
			}
		case c == '_':
			b.WriteByte(byte('a' + rng.IntN(26)))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// ForeignKeys returns the foreign keys JOB's schema implies but does not
// declare (each key column, e.g. cast_info.movie_id, references the id
// of its table; JOB's fkindexes.sql indexes the same columns), for the
// tables of schema that have such columns, in schema order.
func ForeignKeys(schema *catalog.Schema) []catalog.ForeignKey {
	var out []catalog.ForeignKey
	for _, t := range schema.Tables {
		if _, ok := rows[t.Name]; !ok {
			continue
		}
		for _, c := range t.Columns {
			if ref, ok := refs[c.Name]; ok && schema.TableIndex(ref) >= 0 {
				out = append(out, catalog.ForeignKey{Table: t.Name, Columns: []string{c.Name}, RefTable: ref, RefColumns: []string{"id"}})
			}
		}
	}
	return out
}
