package features

// Description is a JSON-friendly summary of a Query (used by
// `cardinal parse`).
type Description struct {
	Tables  []DescribedTable  `json:"tables"`
	Joins   []string          `json:"joins"`   // "a.x = b.y"
	Filters []DescribedFilter `json:"filters"` // one per filtered occurrence
	GroupBy []string          `json:"group_by,omitempty"`
	OrderBy []string          `json:"order_by,omitempty"`
	// Outer lists the outer joins ("LEFT JOIN b ON a.x = b.y") and
	// Subqueries the semi-, anti- and scalar-subquery filters as SQL.
	Outer      []string `json:"outer_joins,omitempty"`
	Subqueries []string `json:"subqueries,omitempty"`
	// Residuals are the filters mixing several tables under OR / NOT.
	Residuals []string `json:"residuals,omitempty"`
	// Grouping says how the rows of FROM + WHERE become output groups
	// (GROUP BY, DISTINCT, HAVING); absent when the query does not group.
	Grouping *DescribedGrouping `json:"grouping,omitempty"`
}

// DescribedGrouping is the grouping of a query.
type DescribedGrouping struct {
	Keys     []string `json:"keys"`               // the grouping keys; empty: one group
	Distinct bool     `json:"distinct,omitempty"` // the keys are SELECT DISTINCT's
	Having   string   `json:"having,omitempty"`   // the HAVING condition
}

// DescribedTable is one table occurrence.
type DescribedTable struct {
	Name  string `json:"name"`
	Alias string `json:"alias"`
}

// DescribedFilter is the filter of one table occurrence rendered as SQL.
type DescribedFilter struct {
	Alias string `json:"alias"`
	Expr  string `json:"expr"`
}

// Describe summarises the query. Identifiers are quoted only when they are
// not plain words, so the text is readable but may not be valid SQL when an
// identifier is a reserved word; use SQL for executable text.
func (q *Query) Describe() Description {
	d := Description{Tables: []DescribedTable{}, Joins: []string{}, Filters: []DescribedFilter{}}
	for i, t := range q.Tables {
		d.Tables = append(d.Tables, DescribedTable{Name: q.tableName(i), Alias: t.Alias})
	}
	for _, j := range q.Joins {
		w := &renderer{q: q, mode: modeDescribe}
		w.edge(j)
		d.Joins = append(d.Joins, w.b.String())
	}
	for i, t := range q.Tables {
		if t.Filter == nil {
			continue
		}
		w := &renderer{q: q, mode: modeDescribe}
		w.expr(i, t.Filter, false)
		d.Filters = append(d.Filters, DescribedFilter{Alias: t.Alias, Expr: w.b.String()})
	}
	keys := func(cs []ColRef) []string {
		var out []string
		for _, c := range cs {
			w := &renderer{q: q, mode: modeDescribe}
			w.col(c.Table, c.Col)
			out = append(out, w.b.String())
		}
		return out
	}
	d.Outer, d.Subqueries = q.describeShapes()
	d.Residuals = q.describeResiduals()
	d.GroupBy = keys(q.GroupBy)
	d.OrderBy = keys(q.OrderBy)
	if g := q.Group; g != nil {
		dg := &DescribedGrouping{Keys: []string{}, Distinct: g.Distinct}
		for _, k := range g.Keys {
			w := &renderer{q: q, mode: modeDescribe}
			w.groupKeys([]GroupKey{k})
			dg.Keys = append(dg.Keys, w.b.String())
		}
		if g.Having != nil {
			w := &renderer{q: q, mode: modeDescribe}
			w.having(g, g.Having, false)
			dg.Having = w.b.String()
		}
		d.Grouping = dg
	}
	return d
}
