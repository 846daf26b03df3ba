package catalog

import (
	"crypto/sha256"
	"encoding/hex"
)

// fingerprintDomain separates fingerprint input from any other use of the
// encoding; bump it if the fingerprint definition changes.
const fingerprintDomain = "cardinal catalog fingerprint v1\x00"

// Fingerprint returns a stable digest of the schema and statistics of c:
// the hex of the first 16 bytes of SHA-256 over the binary encoding (as in
// Save, integers as varints, floats as IEEE-754 bits) of the schema, row
// counts and every column statistic. The sample is left out, so catalogs
// of the same data built with different seeds share a fingerprint, while any
// change to the data that moves a statistic changes it. It is the same on
// every machine and run.
func (c *Catalog) Fingerprint() string {
	var e encoder
	e.B = append(e.B, fingerprintDomain...)
	if c != nil && c.Schema != nil {
		encodeSchema(&e, c.Schema)
		encodeStats(&e, c.Stats, noSample)
	}
	sum := sha256.Sum256(e.B)
	return hex.EncodeToString(sum[:16])
}
