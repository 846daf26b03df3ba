-- JOB/IMDB-like snowflake schema (Leis et al., "How Good Are Query Optimizers,
-- Really?", VLDB 2015) plus `events`, a table with every column type and
-- awkward identifiers. Used by the features tests.

CREATE TABLE `title` (
  `id` BIGINT NOT NULL,
  `title` VARCHAR(255) NOT NULL,
  `imdb_index` VARCHAR(255),
  `kind_id` BIGINT NOT NULL,
  `production_year` BIGINT,
  `imdb_id` BIGINT,
  `phonetic_code` VARCHAR(255),
  `episode_of_id` BIGINT,
  `season_nr` BIGINT,
  `episode_nr` BIGINT,
  `series_years` VARCHAR(255),
  `md5sum` VARCHAR(255),
  PRIMARY KEY (`id`)
);

CREATE TABLE `movie_info` (
  `id` BIGINT NOT NULL,
  `movie_id` BIGINT NOT NULL,
  `info_type_id` BIGINT NOT NULL,
  `info` VARCHAR(255) NOT NULL,
  `note` VARCHAR(255),
  PRIMARY KEY (`id`)
);

CREATE TABLE `movie_info_idx` (
  `id` BIGINT NOT NULL,
  `movie_id` BIGINT NOT NULL,
  `info_type_id` BIGINT NOT NULL,
  `info` VARCHAR(255) NOT NULL,
  `note` VARCHAR(255),
  PRIMARY KEY (`id`)
);

CREATE TABLE `info_type` (
  `id` BIGINT NOT NULL,
  `info` VARCHAR(255) NOT NULL,
  PRIMARY KEY (`id`)
);

CREATE TABLE `kind_type` (
  `id` BIGINT NOT NULL,
  `kind` VARCHAR(255) NOT NULL,
  PRIMARY KEY (`id`)
);

CREATE TABLE `movie_companies` (
  `id` BIGINT NOT NULL,
  `movie_id` BIGINT NOT NULL,
  `company_id` BIGINT NOT NULL,
  `company_type_id` BIGINT NOT NULL,
  `note` VARCHAR(255),
  PRIMARY KEY (`id`)
);

CREATE TABLE `company_name` (
  `id` BIGINT NOT NULL,
  `name` VARCHAR(255) NOT NULL,
  `country_code` VARCHAR(255),
  `imdb_id` BIGINT,
  `name_pcode_nf` VARCHAR(255),
  `name_pcode_sf` VARCHAR(255),
  `md5sum` VARCHAR(255),
  PRIMARY KEY (`id`)
);

CREATE TABLE `company_type` (
  `id` BIGINT NOT NULL,
  `kind` VARCHAR(255) NOT NULL,
  PRIMARY KEY (`id`)
);

CREATE TABLE `movie_keyword` (
  `id` BIGINT NOT NULL,
  `movie_id` BIGINT NOT NULL,
  `keyword_id` BIGINT NOT NULL,
  PRIMARY KEY (`id`)
);

CREATE TABLE `keyword` (
  `id` BIGINT NOT NULL,
  `keyword` VARCHAR(255) NOT NULL,
  `phonetic_code` VARCHAR(255),
  PRIMARY KEY (`id`)
);

CREATE TABLE `cast_info` (
  `id` BIGINT NOT NULL,
  `person_id` BIGINT NOT NULL,
  `movie_id` BIGINT NOT NULL,
  `person_role_id` BIGINT,
  `note` VARCHAR(255),
  `nr_order` BIGINT,
  `role_id` BIGINT NOT NULL,
  PRIMARY KEY (`id`)
);

CREATE TABLE `name` (
  `id` BIGINT NOT NULL,
  `name` VARCHAR(255) NOT NULL,
  `imdb_index` VARCHAR(255),
  `imdb_id` BIGINT,
  `gender` VARCHAR(255),
  `name_pcode_cf` VARCHAR(255),
  `name_pcode_nf` VARCHAR(255),
  `surname_pcode` VARCHAR(255),
  `md5sum` VARCHAR(255),
  PRIMARY KEY (`id`)
);

CREATE TABLE `char_name` (
  `id` BIGINT NOT NULL,
  `name` VARCHAR(255) NOT NULL,
  `imdb_index` VARCHAR(255),
  `imdb_id` BIGINT,
  `name_pcode_nf` VARCHAR(255),
  `surname_pcode` VARCHAR(255),
  `md5sum` VARCHAR(255),
  PRIMARY KEY (`id`)
);

CREATE TABLE `role_type` (
  `id` BIGINT NOT NULL,
  `role` VARCHAR(255) NOT NULL,
  PRIMARY KEY (`id`)
);

CREATE TABLE `aka_name` (
  `id` BIGINT NOT NULL,
  `person_id` BIGINT NOT NULL,
  `name` VARCHAR(255) NOT NULL,
  `imdb_index` VARCHAR(255),
  `name_pcode_cf` VARCHAR(255),
  `name_pcode_nf` VARCHAR(255),
  `surname_pcode` VARCHAR(255),
  `md5sum` VARCHAR(255),
  PRIMARY KEY (`id`)
);

CREATE TABLE `aka_title` (
  `id` BIGINT NOT NULL,
  `movie_id` BIGINT NOT NULL,
  `title` VARCHAR(255) NOT NULL,
  `imdb_index` VARCHAR(255),
  `kind_id` BIGINT NOT NULL,
  `production_year` BIGINT,
  `phonetic_code` VARCHAR(255),
  `episode_of_id` BIGINT,
  `season_nr` BIGINT,
  `episode_nr` BIGINT,
  `note` VARCHAR(255),
  `md5sum` VARCHAR(255),
  PRIMARY KEY (`id`)
);

CREATE TABLE `complete_cast` (
  `id` BIGINT NOT NULL,
  `movie_id` BIGINT,
  `subject_id` BIGINT NOT NULL,
  `status_id` BIGINT NOT NULL,
  PRIMARY KEY (`id`)
);

CREATE TABLE `comp_cast_type` (
  `id` BIGINT NOT NULL,
  `kind` VARCHAR(255) NOT NULL,
  PRIMARY KEY (`id`)
);

CREATE TABLE `link_type` (
  `id` BIGINT NOT NULL,
  `link` VARCHAR(255) NOT NULL,
  PRIMARY KEY (`id`)
);

CREATE TABLE `movie_link` (
  `id` BIGINT NOT NULL,
  `movie_id` BIGINT NOT NULL,
  `linked_movie_id` BIGINT NOT NULL,
  `link_type_id` BIGINT NOT NULL,
  PRIMARY KEY (`id`)
);

CREATE TABLE `person_info` (
  `id` BIGINT NOT NULL,
  `person_id` BIGINT NOT NULL,
  `info_type_id` BIGINT NOT NULL,
  `info` VARCHAR(255) NOT NULL,
  `note` VARCHAR(255),
  PRIMARY KEY (`id`)
);

CREATE TABLE `events` (
  `id` BIGINT NOT NULL,
  `ts` DATETIME,
  `day` DATE,
  `price` DOUBLE,
  `name` VARCHAR(255),
  `flag` BIGINT,
  `weird``col` VARCHAR(255),
  `select` BIGINT,
  PRIMARY KEY (`id`)
);
