package indexadvisor

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
)

// DDL writes the recommendation as MySQL statements: one online
// ALTER TABLE ... ADD INDEX ..., ALGORITHM=INPLACE, LOCK=NONE per new index
// (most beneficial first), then the advised drops commented out (dropping
// is a decision to review: -- ALTER TABLE ... DROP INDEX ...). Identifiers
// are backtick-quoted, names at most MaxIdentLen characters.
func (r *Recommendation) DDL(w io.Writer) error {
	var b strings.Builder
	for _, rec := range r.Indexes {
		fmt.Fprintf(&b, "-- %s; saves %.4g cost units per workload run, %s\n", oneLine(rec.Reason), rec.Benefit, humanBytes(rec.Bytes))
		b.WriteString(AddIndexSQL(rec))
		b.WriteString(";\n")
	}
	for _, d := range r.Drops {
		fmt.Fprintf(&b, "-- drop? %s; saves %.4g write cost units, %s\n", oneLine(d.Reason), d.WriteCost, humanBytes(d.Bytes))
		fmt.Fprintf(&b, "-- ALTER TABLE %s DROP INDEX %s, ALGORITHM=INPLACE, LOCK=NONE;\n", catalog.QuoteIdent(d.Table), catalog.QuoteIdent(d.Name))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// AddIndexSQL is the online ALTER TABLE adding rec.
func AddIndexSQL(rec Recommended) string {
	return fmt.Sprintf("ALTER TABLE %s ADD INDEX %s (%s), ALGORITHM=INPLACE, LOCK=NONE",
		catalog.QuoteIdent(rec.Table), catalog.QuoteIdent(rec.Name), quoteList(rec.Columns))
}

// DropIndexSQL is the ALTER TABLE dropping index name of table.
func DropIndexSQL(table, name string) string {
	return fmt.Sprintf("ALTER TABLE %s DROP INDEX %s, ALGORITHM=INPLACE, LOCK=NONE", catalog.QuoteIdent(table), catalog.QuoteIdent(name))
}

func quoteList(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = catalog.QuoteIdent(c)
	}
	return strings.Join(q, ", ")
}

// oneLine keeps a comment on one line (a newline in a name would end it).
func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
}

func humanBytes(b float64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.0f KiB", b/(1<<10))
	}
	return fmt.Sprintf("%.0f B", b)
}

// Liquibase XML (dbchangelog 4.3 schema).
type lbChangeLog struct {
	XMLName    xml.Name      `xml:"databaseChangeLog"`
	XMLNS      string        `xml:"xmlns,attr"`
	XSI        string        `xml:"xmlns:xsi,attr"`
	Schema     string        `xml:"xsi:schemaLocation,attr"`
	ChangeSets []lbChangeSet `xml:"changeSet"`
}

type lbChangeSet struct {
	ID          string        `xml:"id,attr"`
	Author      string        `xml:"author,attr"`
	Quoting     string        `xml:"objectQuotingStrategy,attr"`
	Comment     string        `xml:"comment,omitempty"`
	CreateIndex lbCreateIndex `xml:"createIndex"`
	Rollback    lbRollback    `xml:"rollback"`
}

type lbCreateIndex struct {
	TableName string     `xml:"tableName,attr"`
	IndexName string     `xml:"indexName,attr"`
	Columns   []lbColumn `xml:"column"`
}

type lbColumn struct {
	Name string `xml:"name,attr"`
}

type lbRollback struct {
	DropIndex lbDropIndex `xml:"dropIndex"`
}

type lbDropIndex struct {
	TableName string `xml:"tableName,attr"`
	IndexName string `xml:"indexName,attr"`
}

// Liquibase writes a Liquibase XML changelog: one changeSet per new index
// (id "<prefix>-<n>-<index name>", author Options.Author) with a createIndex
// change and a rollback dropping it. Each changeSet asks Liquibase to quote
// every name (objectQuotingStrategy QUOTE_ALL_OBJECTS), so reserved words
// and unusual names reach the server as written.
func (r *Recommendation) Liquibase(w io.Writer, idPrefix string) error {
	if idPrefix == "" {
		idPrefix = "cardinal-index"
	}
	cl := lbChangeLog{
		XMLNS:  "http://www.liquibase.org/xml/ns/dbchangelog",
		XSI:    "http://www.w3.org/2001/XMLSchema-instance",
		Schema: "http://www.liquibase.org/xml/ns/dbchangelog http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.3.xsd",
	}
	for i, rec := range r.Indexes {
		cs := lbChangeSet{
			ID:          fmt.Sprintf("%s-%d-%s", idPrefix, i+1, rec.Name),
			Author:      r.author,
			Quoting:     "QUOTE_ALL_OBJECTS",
			Comment:     oneLine(rec.Reason),
			CreateIndex: lbCreateIndex{TableName: rec.Table, IndexName: rec.Name},
			Rollback:    lbRollback{DropIndex: lbDropIndex{TableName: rec.Table, IndexName: rec.Name}},
		}
		for _, c := range rec.Columns {
			cs.CreateIndex.Columns = append(cs.CreateIndex.Columns, lbColumn{Name: c})
		}
		cl.ChangeSets = append(cl.ChangeSets, cs)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(cl); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// jsonRecommendation is the JSON form of a Recommendation.
type jsonRecommendation struct {
	Indexes        []jsonIndex   `json:"indexes"`
	Distrusted     []Recommended `json:"distrusted"`
	Drops          []Drop        `json:"drops"`
	Queries        []QueryCost   `json:"queries"`
	CostBefore     float64       `json:"cost_before"`
	CostAfter      float64       `json:"cost_after"`
	Budget         float64       `json:"budget_bytes"`
	Bytes          float64       `json:"bytes"`
	Candidates     int           `json:"candidates"`
	CandidateBytes float64       `json:"candidate_bytes"`
	Skipped        []Skip        `json:"skipped"`
}

type jsonIndex struct {
	Recommended
	DDL string `json:"ddl"`
}

// JSON writes the recommendation as one indented JSON object.
func (r *Recommendation) JSON(w io.Writer) error {
	out := jsonRecommendation{Indexes: []jsonIndex{}, Distrusted: r.Distrusted, Drops: r.Drops, Queries: r.Queries,
		CostBefore: r.CostBefore, CostAfter: r.CostAfter, Budget: r.Budget, Bytes: r.Bytes,
		Candidates: r.Candidates, CandidateBytes: r.CandidateBytes, Skipped: r.Skipped}
	for _, rec := range r.Indexes {
		out.Indexes = append(out.Indexes, jsonIndex{Recommended: rec, DDL: AddIndexSQL(rec)})
	}
	if out.Distrusted == nil {
		out.Distrusted = []Recommended{}
	}
	if out.Drops == nil {
		out.Drops = []Drop{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
