package catalog

import (
	"strconv"
	"strings"
)

// sqlTypeName is the MySQL type SQL renders for each Type. Strings render
// as VARCHAR(255), MySQL's conventional indexable string type.
func sqlTypeName(t Type) string {
	switch t {
	case TypeInt:
		return "BIGINT"
	case TypeFloat:
		return "DOUBLE"
	case TypeString:
		return "VARCHAR(255)"
	case TypeDate:
		return "DATE"
	case TypeDateTime:
		return "DATETIME"
	}
	return t.String()
}

// QuoteIdent quotes a MySQL identifier with backticks.
func QuoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// IndexDefinition renders ix as the index clause of a CREATE TABLE or
// ALTER TABLE ... ADD: [UNIQUE ]KEY `name` (`col`[(prefix)][ DESC], ...).
func IndexDefinition(ix Index) string {
	var b strings.Builder
	if ix.Unique {
		b.WriteString("UNIQUE ")
	}
	b.WriteString("KEY ")
	b.WriteString(QuoteIdent(ix.Name))
	b.WriteString(" (")
	for i, c := range ix.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(QuoteIdent(c.Name))
		if c.Prefix > 0 {
			b.WriteString("(" + strconv.Itoa(c.Prefix) + ")")
		}
		if c.Desc {
			b.WriteString(" DESC")
		}
	}
	b.WriteString(")")
	return b.String()
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = QuoteIdent(n)
	}
	return strings.Join(q, ", ")
}

// SQL renders s as MySQL CREATE TABLE statements, one per table, each
// table's secondary indexes as KEY clauses, its foreign keys as table-level constraints in Schema.ForeignKeys
// order. For a valid schema whose foreign keys are grouped by table in
// table order (as ParseSchema returns them), ParseSchema(s.SQL()) equals s.
func (s *Schema) SQL() string {
	var b strings.Builder
	for i, t := range s.Tables {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("CREATE TABLE ")
		b.WriteString(QuoteIdent(t.Name))
		b.WriteString(" (")
		sep := "\n  "
		for _, c := range t.Columns {
			b.WriteString(sep)
			sep = ",\n  "
			b.WriteString(QuoteIdent(c.Name))
			b.WriteString(" ")
			b.WriteString(sqlTypeName(c.Type))
			if !c.Nullable {
				b.WriteString(" NOT NULL")
			}
		}
		if len(t.PrimaryKey) > 0 {
			b.WriteString(sep)
			b.WriteString("PRIMARY KEY (")
			b.WriteString(quoteList(t.PrimaryKey))
			b.WriteString(")")
		}
		for _, ix := range t.Indexes {
			b.WriteString(sep)
			b.WriteString(IndexDefinition(ix))
		}
		for _, fk := range s.ForeignKeys {
			if !strings.EqualFold(fk.Table, t.Name) {
				continue
			}
			b.WriteString(sep)
			b.WriteString("FOREIGN KEY (")
			b.WriteString(quoteList(fk.Columns))
			b.WriteString(") REFERENCES ")
			b.WriteString(QuoteIdent(fk.RefTable))
			b.WriteString(" (")
			b.WriteString(quoteList(fk.RefColumns))
			b.WriteString(")")
		}
		b.WriteString("\n);\n")
	}
	return b.String()
}
