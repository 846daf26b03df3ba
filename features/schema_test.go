package features

import (
	"strings"

	"github.com/cardinaldb/cardinal/catalog"
)

// testSchema is a JOB/IMDB-like snowflake schema (Leis et al., "How Good
// Are Query Optimizers, Really?", VLDB 2015) plus a table with every column
// type and awkward identifiers.
func testSchema() *catalog.Schema {
	// name: col:type ... ; types i f s d t (datetime); ? marks nullable.
	defs := []string{
		"title id:i title:s imdb_index:s? kind_id:i production_year:i? imdb_id:i? phonetic_code:s? episode_of_id:i? season_nr:i? episode_nr:i? series_years:s? md5sum:s?",
		"movie_info id:i movie_id:i info_type_id:i info:s note:s?",
		"movie_info_idx id:i movie_id:i info_type_id:i info:s note:s?",
		"info_type id:i info:s",
		"kind_type id:i kind:s",
		"movie_companies id:i movie_id:i company_id:i company_type_id:i note:s?",
		"company_name id:i name:s country_code:s? imdb_id:i? name_pcode_nf:s? name_pcode_sf:s? md5sum:s?",
		"company_type id:i kind:s",
		"movie_keyword id:i movie_id:i keyword_id:i",
		"keyword id:i keyword:s phonetic_code:s?",
		"cast_info id:i person_id:i movie_id:i person_role_id:i? note:s? nr_order:i? role_id:i",
		"name id:i name:s imdb_index:s? imdb_id:i? gender:s? name_pcode_cf:s? name_pcode_nf:s? surname_pcode:s? md5sum:s?",
		"char_name id:i name:s imdb_index:s? imdb_id:i? name_pcode_nf:s? surname_pcode:s? md5sum:s?",
		"role_type id:i role:s",
		"aka_name id:i person_id:i name:s imdb_index:s? name_pcode_cf:s? name_pcode_nf:s? surname_pcode:s? md5sum:s?",
		"aka_title id:i movie_id:i title:s imdb_index:s? kind_id:i production_year:i? phonetic_code:s? episode_of_id:i? season_nr:i? episode_nr:i? note:s? md5sum:s?",
		"complete_cast id:i movie_id:i? subject_id:i status_id:i",
		"comp_cast_type id:i kind:s",
		"link_type id:i link:s",
		"movie_link id:i movie_id:i linked_movie_id:i link_type_id:i",
		"person_info id:i person_id:i info_type_id:i info:s note:s?",
		"events id:i ts:t? day:d? price:f? name:s? flag:i? weird`col:s? select:i?",
	}
	types := map[string]catalog.Type{"i": catalog.TypeInt, "f": catalog.TypeFloat, "s": catalog.TypeString, "d": catalog.TypeDate, "t": catalog.TypeDateTime}
	s := &catalog.Schema{}
	for _, d := range defs {
		f := strings.Fields(d)
		t := &catalog.Table{Name: f[0], PrimaryKey: []string{"id"}}
		for _, c := range f[1:] {
			name, typ, _ := strings.Cut(c, ":")
			null := strings.HasSuffix(typ, "?")
			t.Columns = append(t.Columns, catalog.Column{Name: name, Type: types[strings.TrimSuffix(typ, "?")], Nullable: null})
		}
		s.Tables = append(s.Tables, t)
	}
	return s
}
