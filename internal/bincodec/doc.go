// Package bincodec is the one binary codec of Cardinal's files: the
// catalog format (catalog.Save) and the model file with its payloads
// (estimator.Save) both write their fields with Encoder, read them back
// with Decoder and checksum them with the one CRC-32C table here. It holds
// the file-format errors every format shares (ErrBadMagic, ErrVersion,
// ErrCorrupt), which catalog and estimator re-export.
//
//	Encoder ──U8 Bool U16 U32 U64 Uvarint Varint F64 Str Section──▶ []byte ──Checksum──▶ CRC-32C
//	[]byte ──Decoder (sticky first error, wraps ErrCorrupt)──▶ values
//
// The primitives: little-endian fixed-width integers, unsigned and
// zig-zag varints (encoding/binary), IEEE-754 float64 bits little-endian,
// strings as a uvarint length and the bytes, sections as a uint64 length
// and the bytes. Decoder checks every count against a limit and against
// the bytes left, so that a hostile file cannot make a reader allocate
// more than a small multiple of its size. The checksum is CRC-32C
// (Castagnoli, RFC 3720 §12.1), as in iSCSI, ext4 and LevelDB.
package bincodec
