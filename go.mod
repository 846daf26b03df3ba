module github.com/cardinaldb/cardinal

go 1.26
