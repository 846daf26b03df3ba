package catalog

import "io"

// SaveVersion writes c as format version v, for the benchmarks of
// flights_test.go that compare format versions.
func SaveVersion(c *Catalog, w io.Writer, v uint16) error { return c.save(w, v) }
