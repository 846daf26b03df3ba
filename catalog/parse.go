package catalog

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/cardinaldb/cardinal/internal/sqllex"
	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/types"

	// The parser needs a driver for literal values (DEFAULT 0, ENUM('a')).
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"
)

// ParseSchema parses MySQL CREATE TABLE statements (several, separated by
// ';', comments allowed) into a validated Schema. Column types map as
//
//	INT BIGINT SMALLINT TINYINT MEDIUMINT YEAR BIT BOOL   -> TypeInt
//	FLOAT DOUBLE DECIMAL NUMERIC                          -> TypeFloat
//	CHAR VARCHAR TEXT... ENUM SET JSON                    -> TypeString
//	DATE                                                  -> TypeDate
//	DATETIME TIMESTAMP                                    -> TypeDateTime
//
// and any other type (BLOB, BINARY, TIME, GEOMETRY, ...) is an
// ErrUnsupportedType error. Column-level and table-level PRIMARY KEY,
// FOREIGN KEY ... REFERENCES (composite too) and column-level REFERENCES are
// recorded; NOT NULL and PRIMARY KEY columns are not Nullable. KEY, INDEX
// and UNIQUE (table- or column-level) become Table.Indexes with their
// column order, prefix lengths and direction, unnamed ones named as MySQL
// names them; FULLTEXT, SPATIAL and functional indexes, CHECKs and table
// options are accepted and ignored. A foreign key
// may reference a table declared later in the text. Names keep their
// declared spelling; foreign keys are rewritten to the spelling of the
// declarations they reference.
//
// Errors are *SchemaError values with the line:col of the offending
// element, wrapping ErrSyntax, ErrUnsupportedStatement, ErrUnsupportedType,
// ErrDuplicate, ErrUnknownTable, ErrUnknownColumn or ErrInvalidSchema.
func ParseSchema(sql string) (*Schema, error) {
	stmts, _, err := parser.New().ParseSQL(sql)
	if err != nil {
		return nil, syntaxError(sql, err)
	}
	sps := statementPositions(sql)
	if len(sps) != len(stmts) {
		sps = nil // tokenizer disagrees with the parser: no positions
	}
	pos := &positions{src: sql}
	s := &Schema{}
	var fkTable []int // owning table of each foreign key, for canonical names
	for i, stmt := range stmts {
		sp := stmtPos{start: -1, name: -1}
		if sps != nil {
			sp = sps[i]
		}
		ct, ok := stmt.(*ast.CreateTableStmt)
		if !ok || ct.ReferTable != nil || ct.Select != nil {
			return nil, pos.errorf(sp.start, ErrUnsupportedStatement,
				"only CREATE TABLE (name (columns...)) statements are allowed, got %s", statementKind(stmt))
		}
		t, fks, err := buildTable(ct, sp, pos)
		if err != nil {
			return nil, err
		}
		s.Tables = append(s.Tables, t)
		for range fks {
			fkTable = append(fkTable, len(s.Tables)-1)
		}
		s.ForeignKeys = append(s.ForeignKeys, fks...)
	}
	if len(s.Tables) == 0 {
		return nil, pos.errorf(-1, ErrInvalidSchema, "no CREATE TABLE statement")
	}
	canonicalizeForeignKeys(s, fkTable)
	if err := s.validate(pos); err != nil {
		return nil, err
	}
	return s, nil
}

// statementKind names a statement for an error message.
func statementKind(stmt ast.StmtNode) string {
	if ct, ok := stmt.(*ast.CreateTableStmt); ok {
		if ct.ReferTable != nil {
			return "CREATE TABLE ... LIKE"
		}
		return "CREATE TABLE ... AS SELECT"
	}
	words := strings.Fields(stmt.Text())
	for len(words) > 0 && (strings.HasPrefix(words[0], "--") || strings.HasPrefix(words[0], "#") || strings.HasPrefix(words[0], "/*")) {
		words = words[1:] // rough: skip a leading comment word
	}
	if len(words) == 0 {
		return "an empty statement"
	}
	if len(words) > 2 {
		words = words[:2]
	}
	return strings.ToUpper(strings.Join(words, " "))
}

// buildTable converts one CREATE TABLE and records the positions of its
// parts in pos.
func buildTable(ct *ast.CreateTableStmt, sp stmtPos, pos *positions) (*Table, []ForeignKey, error) {
	t := &Table{Name: ct.Table.Name.O}
	var colElems, conElems [][]token
	for _, e := range sp.elements {
		if isConstraintElement(e) {
			conElems = append(conElems, e)
		} else {
			colElems = append(colElems, e)
		}
	}
	if len(colElems) != len(ct.Cols) || len(conElems) != len(ct.Constraints) {
		colElems, conElems = nil, nil
	}
	elemOff := func(elems [][]token, i, tok int) int {
		if i >= len(elems) || tok >= len(elems[i]) {
			return sp.start
		}
		return elems[i][tok].off
	}
	colOffs := make([]int, len(ct.Cols))
	typeOffs := make([]int, len(ct.Cols))
	for i := range ct.Cols {
		colOffs[i] = elemOff(colElems, i, 0)
		typeOffs[i] = elemOff(colElems, i, 1)
	}
	pos.table = append(pos.table, sp.name)
	pos.column = append(pos.column, colOffs)
	pkOff := sp.name

	var fks []ForeignKey
	var uniqueCols []string // column-level UNIQUE, indexed after the table-level keys' names are known
	explicitNull := make([]bool, len(ct.Cols))
	for i, cd := range ct.Cols {
		typ, ok := mapType(cd.Tp)
		if !ok {
			return nil, nil, pos.errorf(typeOffs[i], ErrUnsupportedType,
				"type %s of column %q.%q", strings.ToUpper(cd.Tp.CompactStr()), t.Name, cd.Name.Name.O)
		}
		c := Column{Name: cd.Name.Name.O, Type: typ, Nullable: true}
		for _, opt := range cd.Options {
			switch opt.Tp {
			case ast.ColumnOptionNotNull:
				c.Nullable = false
			case ast.ColumnOptionNull:
				explicitNull[i] = true
			case ast.ColumnOptionPrimaryKey:
				if len(t.PrimaryKey) > 0 {
					return nil, nil, pos.errorf(colOffs[i], ErrInvalidSchema, "table %q has several primary keys", t.Name)
				}
				t.PrimaryKey = []string{c.Name}
				pkOff = colOffs[i]
			case ast.ColumnOptionUniqKey:
				uniqueCols = append(uniqueCols, c.Name)
			case ast.ColumnOptionReference:
				var elem []token
				if i < len(colElems) {
					elem = colElems[i]
				}
				off := findWord(elem, "REFERENCES", colOffs[i])
				fk, err := foreignKey(t.Name, []string{c.Name}, opt.Refer, off, pos)
				if err != nil {
					return nil, nil, err
				}
				fks = append(fks, fk)
				pos.fk = append(pos.fk, off)
			}
		}
		t.Columns = append(t.Columns, c)
	}
	for i, con := range ct.Constraints {
		off := elemOff(conElems, i, 0)
		switch con.Tp {
		case ast.ConstraintPrimaryKey:
			if len(t.PrimaryKey) > 0 {
				return nil, nil, pos.errorf(off, ErrInvalidSchema, "table %q has several primary keys", t.Name)
			}
			cols, err := keyColumns(con.Keys, off, pos)
			if err != nil {
				return nil, nil, err
			}
			t.PrimaryKey = cols
			pkOff = off
		case ast.ConstraintForeignKey:
			var elem []token
			if i < len(conElems) {
				elem = conElems[i]
			}
			off = findWord(elem, "REFERENCES", off)
			cols, err := keyColumns(con.Keys, off, pos)
			if err != nil {
				return nil, nil, err
			}
			fk, err := foreignKey(t.Name, cols, con.Refer, off, pos)
			if err != nil {
				return nil, nil, err
			}
			fks = append(fks, fk)
			pos.fk = append(pos.fk, off)
		case ast.ConstraintKey, ast.ConstraintIndex, ast.ConstraintUniq, ast.ConstraintUniqKey, ast.ConstraintUniqIndex:
			ix, ok := indexOf(con)
			if ok {
				t.Indexes = append(t.Indexes, ix)
				pos.index = append(pos.index, off)
			}
		}
	}
	for _, c := range uniqueCols {
		t.Indexes = append(t.Indexes, Index{Columns: []IndexColumn{{Name: c}}, Unique: true})
		pos.index = append(pos.index, sp.name)
	}
	nameIndexes(t)
	pos.pk = append(pos.pk, pkOff)
	for k, name := range t.PrimaryKey {
		ci := t.ColumnIndex(name)
		if ci < 0 {
			return nil, nil, pos.errorf(pkOff, ErrUnknownColumn, "primary key column %q not in table %q", name, t.Name)
		}
		if explicitNull[ci] {
			return nil, nil, pos.errorf(colOffs[ci], ErrInvalidSchema, "primary key column %q.%q declared NULL", t.Name, name)
		}
		t.Columns[ci].Nullable = false
		t.PrimaryKey[k] = t.Columns[ci].Name
	}
	return t, fks, nil
}

// indexOf converts a KEY / INDEX / UNIQUE constraint. Functional key parts
// (KEY ((a + b))) cannot be modelled: such an index is left out (ok false),
// as FULLTEXT and SPATIAL indexes are, since none serves the B-tree access
// paths index advice costs.
func indexOf(con *ast.Constraint) (Index, bool) {
	ix := Index{Name: con.Name}
	switch con.Tp {
	case ast.ConstraintUniq, ast.ConstraintUniqKey, ast.ConstraintUniqIndex:
		ix.Unique = true
	}
	for _, p := range con.Keys {
		if p.Column == nil {
			return Index{}, false
		}
		ic := IndexColumn{Name: p.Column.Name.O, Desc: p.Desc}
		if p.Length > 0 {
			ic.Prefix = p.Length
		}
		ix.Columns = append(ix.Columns, ic)
	}
	return ix, len(ix.Columns) > 0
}

// nameIndexes gives unnamed indexes MySQL's default name: the first
// column's name, with _2, _3 ... appended when that is taken. Column names
// are rewritten to their declared spelling (unknown ones are left for
// validate).
func nameIndexes(t *Table) {
	taken := map[string]bool{foldKey(PrimaryIndexName): true}
	for _, ix := range t.Indexes {
		if ix.Name != "" {
			taken[foldKey(ix.Name)] = true
		}
	}
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		for j := range ix.Columns {
			if ci := t.ColumnIndex(ix.Columns[j].Name); ci >= 0 {
				ix.Columns[j].Name = t.Columns[ci].Name
			}
		}
		if ix.Name != "" {
			continue
		}
		base := ix.Columns[0].Name
		name := base
		for k := 2; taken[foldKey(name)]; k++ {
			name = base + "_" + strconv.Itoa(k)
		}
		ix.Name = name
		taken[foldKey(name)] = true
	}
}

func keyColumns(parts []*ast.IndexPartSpecification, off int, pos *positions) ([]string, error) {
	cols := make([]string, 0, len(parts))
	for _, p := range parts {
		if p.Column == nil {
			return nil, pos.errorf(off, ErrInvalidSchema, "expression in a key: only column names are supported")
		}
		cols = append(cols, p.Column.Name.O)
	}
	return cols, nil
}

func foreignKey(table string, cols []string, ref *ast.ReferenceDef, off int, pos *positions) (ForeignKey, error) {
	if ref == nil || ref.Table == nil {
		return ForeignKey{}, pos.errorf(off, ErrInvalidSchema, "foreign key of %q without a referenced table", table)
	}
	refCols, err := keyColumns(ref.IndexPartSpecifications, off, pos)
	if err != nil {
		return ForeignKey{}, err
	}
	return ForeignKey{Table: table, Columns: cols, RefTable: ref.Table.Name.O, RefColumns: refCols}, nil
}

// canonicalizeForeignKeys rewrites names in foreign keys to the spelling of
// the declarations they resolve to; unresolved names are left for validate.
func canonicalizeForeignKeys(s *Schema, fkTable []int) {
	for i := range s.ForeignKeys {
		fk := &s.ForeignKeys[i]
		t := s.Tables[fkTable[i]]
		for j, c := range fk.Columns {
			if ci := t.ColumnIndex(c); ci >= 0 {
				fk.Columns[j] = t.Columns[ci].Name
			}
		}
		rt := s.Table(fk.RefTable)
		if rt == nil {
			continue
		}
		fk.RefTable = rt.Name
		for j, c := range fk.RefColumns {
			if ci := rt.ColumnIndex(c); ci >= 0 {
				fk.RefColumns[j] = rt.Columns[ci].Name
			}
		}
	}
}

// mapType maps a MySQL column type to a Cardinal Type.
func mapType(ft *types.FieldType) (Type, bool) {
	binary := ft.GetCharset() == "binary"
	switch ft.GetType() {
	case mysql.TypeTiny, mysql.TypeShort, mysql.TypeInt24, mysql.TypeLong, mysql.TypeLonglong,
		mysql.TypeYear, mysql.TypeBit:
		return TypeInt, true
	case mysql.TypeFloat, mysql.TypeDouble, mysql.TypeNewDecimal:
		return TypeFloat, true
	case mysql.TypeEnum, mysql.TypeSet, mysql.TypeJSON:
		return TypeString, true
	case mysql.TypeString, mysql.TypeVarchar, mysql.TypeVarString,
		mysql.TypeTinyBlob, mysql.TypeBlob, mysql.TypeMediumBlob, mysql.TypeLongBlob:
		// TEXT is a BLOB with a character set; BLOB, BINARY and
		// VARBINARY hold bytes.
		return TypeString, !binary
	case mysql.TypeDate, mysql.TypeNewDate:
		return TypeDate, true
	case mysql.TypeDatetime, mysql.TypeTimestamp:
		return TypeDateTime, true
	}
	return 0, false
}

// spatialTypes are MySQL types the TiDB parser does not know; a syntax error
// at one of them is reported as ErrUnsupportedType.
var spatialTypes = map[string]bool{
	"GEOMETRY": true, "POINT": true, "LINESTRING": true, "POLYGON": true, "MULTIPOINT": true,
	"MULTILINESTRING": true, "MULTIPOLYGON": true, "GEOMETRYCOLLECTION": true, "GEOMCOLLECTION": true,
}

// The TiDB lexer reports `line L column C near "REST"` where REST is the
// source from the offending token on, cut at 2048 bytes with a
// "(total length N)" suffix.
var (
	nearRE  = regexp.MustCompile(`(?s)line (\d+) column (\d+) near "(.*)"`)
	totalRE = regexp.MustCompile(`\(total length (\d+)\)\s*$`)
)

// syntaxError converts a parser error to a *SchemaError at the offending
// token.
func syntaxError(src string, err error) error {
	msg := err.Error()
	m := nearRE.FindStringSubmatch(msg)
	if m == nil {
		return &SchemaError{Err: ErrSyntax, Msg: msg}
	}
	rest := m[3]
	off := len(src) - len(rest)
	if t := totalRE.FindStringSubmatch(msg); t != nil {
		if n, err := strconv.Atoi(t[1]); err == nil {
			off = len(src) - n
		}
	}
	e := &SchemaError{Err: ErrSyntax}
	if off >= 0 && off <= len(src) && strings.HasPrefix(src[off:], rest[:min(len(rest), 64)]) {
		e.Line, e.Col = sqllex.LineCol(src, off)
	} else {
		e.Line, _ = strconv.Atoi(m[1])
		e.Col, _ = strconv.Atoi(m[2])
	}
	near := rest
	if i := strings.IndexAny(near, "\r\n"); i >= 0 {
		near = near[:i]
	}
	if len(near) > 40 {
		near = near[:40] + "..."
	}
	if strings.TrimSpace(rest) == "" {
		e.Msg = "unexpected end of input"
		return e
	}
	if w := firstWord(rest); spatialTypes[strings.ToUpper(w)] {
		e.Err = ErrUnsupportedType
		e.Msg = "type " + strings.ToUpper(w)
		return e
	}
	e.Msg = "near " + strconv.Quote(near)
	return e
}

// firstWord returns the word s starts with, or "".
func firstWord(s string) string {
	l := sqllex.New(s, sqllex.Default)
	if t, ok := l.Next(); ok && t.Kind == sqllex.Word && t.Off == 0 {
		return l.Text(t)
	}
	return ""
}
