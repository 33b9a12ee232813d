package trails

import (
	"encoding/binary"
	"hash/crc32"
	"unsafe"
)

// A compiled trail file holds a Set's lookup tables as they are in memory, so loading it
// is one read, a checksum and a validation pass instead of parsing and hashing every
// trail. Integers are little-endian; on a little-endian host the big tables (key arena,
// string slots and filter, IPv4 tables) are used in place from the read buffer.
//
//	offset  size  field
//	0       8     magic "SPOORTRL"
//	8       2     format version (compiledVersion)
//	10      2     reserved, zero
//	12      4     number of sections
//	16      8     seed of the string table's hash (strHash)
//	24      8     file length
//	32      4     CRC-32C of the whole file with this field zeroed
//	36      28    reserved, zero
//	64            section directory: per section id u32, reserved u32, offset u64, length u64
//
// Sections start at multiples of 8. Their contents are listed with the section ids.
// A reader rejects versions it does not know: the file is rebuilt, never migrated.

const (
	compiledMagic   = "SPOORTRL"
	compiledVersion = 1
	headerSize      = 64
	dirEntrySize    = 24
	// maxSections bounds the directory a reader accepts.
	maxSections = 64
)

// Section ids.
const (
	secMeta        = 1  // u64 each: string trails, IPv4 trails, IPv4:port trails
	secPairs       = 2  // u32 count, then per pair: uvarint length + info, uvarint length + reference
	secStrArena    = 3  // the string table's key arena
	secStrSlots    = 4  // u64 slots
	secStrFilter   = 5  // u64 filter words
	secIP4Keys     = 6  // u64 stored keys (key+1, 0 = empty)
	secIP4Vals     = 7  // u32 pair indexes
	secIP4PortKeys = 8  // as secIP4Keys
	secIP4PortVals = 9  // as secIP4Vals
	secIP6         = 10 // per trail: 16-byte address, u32 pair; address order
	secIP6Port     = 11 // per trail: 16-byte address, u16 port, u16 zero, u32 pair; address order
	secCIDR        = 12 // per trail: 16-byte address, u8 bits, u8 1 if IPv4, u16 zero, u32 pair; load order
	secWildcards   = 13 // u32 count, then per trail: uvarint length + trail, u32 pair; load order
)

const (
	ip6RecSize   = 20
	ip6PortRecSz = 24
	cidrRecSize  = 24
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// nativeLE reports whether the host is little-endian, so file tables can be used in place.
var nativeLE = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// u64Bytes returns the little-endian bytes of v: a view of v itself on a little-endian
// host, an encoded copy otherwise.
func u64Bytes(v []uint64) []byte {
	if len(v) == 0 {
		return nil
	}
	if nativeLE {
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*8)
	}
	b := make([]byte, len(v)*8)
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[i*8:], x)
	}
	return b
}

// u32Bytes is u64Bytes for uint32 values.
func u32Bytes(v []uint32) []byte {
	if len(v) == 0 {
		return nil
	}
	if nativeLE {
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*4)
	}
	b := make([]byte, len(v)*4)
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[i*4:], x)
	}
	return b
}

// u64View returns b's little-endian uint64 values: a view of b on a little-endian host
// (b must be 8-byte aligned and a multiple of 8 long), a decoded copy otherwise.
func u64View(b []byte) []uint64 {
	if len(b) == 0 {
		return nil
	}
	if nativeLE {
		return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/8)
	}
	v := make([]uint64, len(b)/8)
	for i := range v {
		v[i] = binary.LittleEndian.Uint64(b[i*8:])
	}
	return v
}

// u32View is u64View for uint32 values (4-byte alignment).
func u32View(b []byte) []uint32 {
	if len(b) == 0 {
		return nil
	}
	if nativeLE {
		return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
	}
	v := make([]uint32, len(b)/4)
	for i := range v {
		v[i] = binary.LittleEndian.Uint32(b[i*4:])
	}
	return v
}
