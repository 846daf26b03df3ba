package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/datasets"
	"github.com/cardinaldb/cardinal/features"
)

// errNotUnderstood is returned by runParse when some statements could not
// be parsed (each is still reported on stdout).
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

// runParse implements
//
//	cardinal parse (--schema schema.sql | --dataset flights|ecommerce) [--in FILE] ["SELECT ..." ...]
//
// printing one JSON object per statement (JSON Lines). Statements come from
// the arguments and from --in (one per line, or ';'-separated; "-" reads
// stdin). Errors carry the line:col within their statement.
func runParse(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("parse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	schemaFile := fs.String("schema", "", "schema.sql with CREATE TABLE statements")
	dataset := fs.String("dataset", "", "use a built-in schema: flights or ecommerce")
	in := fs.String("in", "", "file of statements, one per line or ';'-separated (- for stdin)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: cardinal parse (--schema schema.sql | --dataset flights|ecommerce) [--in FILE] [\"SELECT ...\" ...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	var schemaSQL, schemaName string
	switch {
	case *schemaFile != "" && *dataset != "":
		return errors.New("give --schema or --dataset, not both")
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
	case *dataset != "":
		return fmt.Errorf("unknown --dataset %q (want flights or ecommerce)", *dataset)
	default:
		fs.Usage()
		return errors.New("no schema: give --schema FILE or --dataset NAME")
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
		fs.Usage()
		return errors.New("no statements: give SQL arguments or --in FILE")
	}

	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	p := features.NewParser()
	failed := 0
	for _, s := range stmts {
		if err := ctx.Err(); err != nil {
			return err
		}
		out := parseOutput{SQL: s.sql, Source: s.source}
		q, err := p.Parse(schema, s.sql)
		if err != nil {
			failed++
			pe := &parseError{Message: err.Error()}
			var fe *features.Error
			if errors.As(err, &fe) {
				pe.Construct, pe.Line, pe.Col = fe.Construct, fe.Line, fe.Col
			}
			out.Error = pe
		} else {
			d := q.Describe()
			out.Description = &d
			out.Digest = q.Digest()
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%w: %d of %d", errNotUnderstood, failed, len(stmts))
	}
	return nil
}
