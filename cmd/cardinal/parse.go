package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// errNotUnderstood is returned by runParse when some statements could not
// be parsed (each is still reported on stdout; exit code 1).
var errNotUnderstood = errors.New("statements not understood")

// parseOutput is one line of `cardinal parse` output: the statement and
// either what the library understood of it or why it could not.
type parseOutput struct {
	SQL    string `json:"sql"`
	Source string `json:"source,omitempty"` // FILE:LINE for --in
	*features.Description
	Digest string      `json:"digest,omitempty"`
	Error  *parseError `json:"error,omitempty"`
}

type parseError struct {
	Message   string `json:"message"`
	Construct string `json:"construct,omitempty"`
	Line      int    `json:"line,omitempty"`
	Col       int    `json:"col,omitempty"`
}

// runParse prints what the library understood of each statement (tables,
// joins, filters, digest) or why it could not. Statements come from the
// arguments and from --in (one per line, or ';'-separated; "-" reads
// stdin). Errors carry the line:col within their statement.
func runParse(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("parse", stdout)
	schemaFile := fs.String("schema", "", "schema.sql with CREATE TABLE statements")
	dataset := fs.String("dataset", "", "use a built-in schema: flights, ecommerce or tpch")
	in := fs.String("in", "", "file of statements, one per line or ';'-separated (- for stdin)")
	format := formatFlag(fs.FlagSet)
	now := nowFlag(fs.FlagSet)
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 && *in == "" {
		return usagef("no statements: give SQL arguments or --in FILE")
	}
	var schemaSQL, schemaName string
	switch {
	case *schemaFile != "" && *dataset != "":
		return usagef("give --schema or --dataset, not both")
	case *schemaFile != "":
		b, err := os.ReadFile(*schemaFile)
		if err != nil {
			return err
		}
		schemaSQL, schemaName = string(b), *schemaFile
	case *dataset == "flights":
		schemaSQL, schemaName = datasets.FlightsSchemaSQL(), "flights"
	case *dataset == "ecommerce":
		schemaSQL, schemaName = datasets.EcommerceSchemaSQL(), "ecommerce"
	case *dataset == "tpch":
		schemaSQL, schemaName = datasets.TPCHSchemaSQL(false), "tpch"
	case *dataset != "":
		return usagef("unknown --dataset %q (want flights, ecommerce or tpch)", *dataset)
	default:
		return usagef("no schema: give --schema FILE or --dataset NAME")
	}
	schema, err := catalog.ParseSchema(schemaSQL)
	if err != nil {
		return fmt.Errorf("%s: %w", schemaName, err)
	}

	type stmt struct{ sql, source string }
	var stmts []stmt
	for _, a := range fs.Args() {
		for _, s := range features.SplitStatements(a) {
			stmts = append(stmts, stmt{sql: s.SQL})
		}
	}
	if *in != "" {
		var b []byte
		if *in == "-" {
			b, err = io.ReadAll(os.Stdin)
		} else {
			b, err = os.ReadFile(*in)
		}
		if err != nil {
			return err
		}
		for _, s := range features.SplitStatements(string(b)) {
			stmts = append(stmts, stmt{sql: s.SQL, source: fmt.Sprintf("%s:%d", *in, s.Line)})
		}
	}
	if len(stmts) == 0 {
		return fmt.Errorf("%w: no statements in the input", errNotUnderstood)
	}

	out := newStream(stdout, *format)
	p := now.parser()
	failed := 0
	for _, s := range stmts {
		if err := ctx.Err(); err != nil {
			return err
		}
		res := parseOutput{SQL: s.sql, Source: s.source}
		q, err := p.Parse(schema, s.sql)
		if err != nil {
			failed++
			pe := &parseError{Message: err.Error()}
			var fe *features.Error
			if errors.As(err, &fe) {
				pe.Construct, pe.Line, pe.Col = fe.Construct, fe.Line, fe.Col
			}
			res.Error = pe
		} else {
			d := q.Describe()
			res.Description = &d
			res.Digest = q.Digest()
		}
		if err := out.write(res, res.writeText); err != nil {
			return err
		}
	}
	if err := out.close(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%w: %d of %d", errNotUnderstood, failed, len(stmts))
	}
	return nil
}

// writeText writes what was understood of one statement, for people.
func (r *parseOutput) writeText(w io.Writer) error {
	head := oneLine(r.SQL)
	if r.Source != "" {
		head = r.Source + ": " + head
	}
	if r.Error != nil {
		_, err := fmt.Fprintf(w, "%s\n  error:   %s\n", head, r.Error.Message)
		return err
	}
	tables := make([]string, len(r.Tables))
	for i, t := range r.Tables {
		tables[i] = t.Name
		if t.Alias != t.Name {
			tables[i] += " " + t.Alias
		}
	}
	filters := make([]string, len(r.Filters))
	for i, f := range r.Filters {
		filters[i] = f.Expr
	}
	fmt.Fprintf(w, "%s\n  tables:  %s\n", head, strings.Join(tables, ", "))
	for _, l := range []struct {
		name, sep string
		v         []string
	}{{"joins", " AND ", r.Joins}, {"filters", " AND ", filters}, {"group by", ", ", r.GroupBy}, {"order by", ", ", r.OrderBy}} {
		if len(l.v) > 0 {
			fmt.Fprintf(w, "  %-8s %s\n", l.name+":", strings.Join(l.v, l.sep))
		}
	}
	_, err := fmt.Fprintf(w, "  digest:  %s\n", r.Digest)
	return err
}
