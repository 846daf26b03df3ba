package features

import "testing"

func TestShapesDev(t *testing.T) {
	for _, sql := range []string{
		"SELECT * FROM title t LEFT JOIN movie_info mi ON t.id = mi.movie_id",
		"SELECT * FROM title t RIGHT OUTER JOIN movie_info mi ON t.id = mi.movie_id AND t.production_year > 2000",
		"SELECT * FROM movie_info mi RIGHT OUTER JOIN title t ON t.id = mi.movie_id AND mi.info_type_id = 3 WHERE t.production_year > 2000",
		"SELECT * FROM title t LEFT JOIN movie_info mi ON t.id = mi.movie_id WHERE mi.info_type_id = 3",
		"SELECT * FROM title t LEFT JOIN (movie_info mi JOIN info_type it ON it.id = mi.info_type_id) ON t.id = mi.movie_id AND it.info = 'x'",
		"SELECT * FROM title t LEFT JOIN movie_info mi ON t.id = mi.movie_id LEFT JOIN info_type it ON it.id = mi.info_type_id",
		"SELECT * FROM title t WHERE t.id IN (SELECT movie_id FROM movie_info)",
		"SELECT * FROM title t WHERE t.id NOT IN (SELECT movie_id FROM movie_info WHERE info_type_id = 2)",
		"SELECT * FROM title t WHERE EXISTS (SELECT 1 FROM movie_info mi WHERE mi.movie_id = t.id)",
		"SELECT * FROM title t WHERE NOT EXISTS (SELECT 1 FROM movie_info mi WHERE mi.movie_id = t.id and mi.info_type_id <> t.kind_id)",
		"SELECT * FROM title t WHERE t.id = (SELECT MAX(movie_id) FROM movie_info)",
		"SELECT * FROM title t, movie_info mi WHERE t.id = mi.movie_id AND mi.info_type_id < (SELECT 0.5 * avg(info_type_id) FROM movie_info WHERE movie_id = t.id)",
		"SELECT * FROM (SELECT t.id AS tid, t.production_year * 2 AS y FROM title t WHERE t.kind_id = 1) AS d GROUP BY tid, y",
		"WITH d AS (SELECT * FROM title WHERE kind_id = 1) SELECT * FROM d WHERE production_year > 1",
	} {
		q, err := Parse(testSchema(), sql)
		if err != nil {
			t.Logf("%s\n  ERR %v", sql, err)
			continue
		}
		back, err := Parse(testSchema(), q.SQL())
		ok := err == nil && sameCounted(back, q)
		t.Logf("%s\n  -> %s\n  rt=%v %v outer=%+v subs=%d", sql, q.SQL(), ok, err, q.Outer, len(q.Subqueries))
	}
}
