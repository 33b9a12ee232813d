package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/tenant"
)

// Datagram layout (UDP): integers as in batches, seq and time fixed-size
// big-endian so the header can be read without decoding events.
//
//	magic   "SPU" 0x01
//	key id  string (1-64 bytes)   which sensor key signed it
//	seq     uint64 BE             strictly increasing per key (replay window)
//	time    int64 BE              send time, Unix microseconds (staleness)
//	tenant  string                declared tenant or empty
//	count   uvarint
//	events  count × event         as in a batch
//	mac     32 bytes              HMAC-SHA256(key, every byte before it)
const (
	// MaxKeyIDLen bounds a datagram's key ID.
	MaxKeyIDLen = 64
	// MacLen is the HMAC-SHA256 tag length.
	MacLen = sha256.Size
	// MaxDatagram is the largest UDP payload.
	MaxDatagram = 65507
)

var datagramMagic = [4]byte{'S', 'P', 'U', Version}

// DatagramHeader is a datagram's authenticated metadata.
type DatagramHeader struct {
	KeyID  string
	Seq    uint64
	Time   time.Time
	Tenant string
}

// Datagram is a parsed, not yet verified datagram. Its strings and slices
// alias the input.
type Datagram struct {
	DatagramHeader
	// signed is every byte the MAC covers; body the encoded event count
	// and events; mac the tag.
	signed, body, mac []byte
}

// AppendDatagram appends a datagram signed with key to dst: header h and
// the events the builder holds (b.AppendBatch's counterpart). The result
// is at most len(dst) + DatagramOverhead(h) + b.Size() bytes.
func AppendDatagram(dst []byte, h *DatagramHeader, b *Builder, key []byte) []byte {
	start := len(dst)
	dst = append(dst, datagramMagic[:]...)
	dst = appendString(dst, h.KeyID)
	dst = binary.BigEndian.AppendUint64(dst, h.Seq)
	dst = binary.BigEndian.AppendUint64(dst, uint64(unixMicro(h.Time)))
	dst = appendString(dst, h.Tenant)
	dst = binary.AppendUvarint(dst, uint64(b.n))
	dst = append(dst, b.buf...)
	m := hmac.New(sha256.New, key)
	m.Write(dst[start:])
	return m.Sum(dst)
}

// DatagramOverhead is the size of a datagram with header h and no events
// but the count varint's largest form.
func DatagramOverhead(h *DatagramHeader) int {
	return len(datagramMagic) + 1 + len(h.KeyID) + 16 + 1 + len(h.Tenant) + binary.MaxVarintLen32 + MacLen
}

// ParseDatagram reads a datagram's header without verifying it: the key ID
// says which key to verify with (Verify), and only then should the events
// be decoded (DecodeEvents). Errors are *Error.
func ParseDatagram(data []byte) (Datagram, error) {
	var d Datagram
	if len(data) < len(datagramMagic)+MacLen || [3]byte(data[:3]) != [3]byte(datagramMagic[:3]) {
		return d, errorf(ReasonMalformed, 0, "not a Spoor datagram")
	}
	if data[3] != Version {
		return d, errorf(ReasonVersion, 3, "datagram format version %d, want %d", data[3], Version)
	}
	signed := data[:len(data)-MacLen]
	r := reader{b: signed, off: 4}
	d.KeyID = r.str(MaxKeyIDLen, "key id")
	if r.err == nil && d.KeyID == "" {
		return d, errorf(ReasonBadValue, r.off, "empty key id")
	}
	if r.err == nil && len(signed)-r.off < 16 {
		return d, errorf(ReasonTruncated, len(signed), "datagram ends inside its header")
	}
	if r.err != nil {
		return d, r.err
	}
	d.Seq = binary.BigEndian.Uint64(signed[r.off:])
	d.Time = microTime(int64(binary.BigEndian.Uint64(signed[r.off+8:])))
	r.off += 16
	d.Tenant = r.str(tenant.MaxLen, "tenant")
	if r.err != nil {
		return d, r.err
	}
	d.signed, d.body, d.mac = signed, signed[r.off:], data[len(signed):]
	return d, nil
}

// Verifier checks datagram MACs with one key, reusing its HMAC state. It
// is not safe for concurrent use.
type Verifier struct {
	mac hash.Hash
	sum [MacLen]byte
}

// NewVerifier returns a Verifier for key.
func NewVerifier(key []byte) *Verifier {
	return &Verifier{mac: hmac.New(sha256.New, key)}
}

// Verify reports whether d was signed with the Verifier's key, in
// constant time.
func (v *Verifier) Verify(d *Datagram) bool {
	v.mac.Reset()
	v.mac.Write(d.signed)
	return hmac.Equal(v.mac.Sum(v.sum[:0]), d.mac)
}

// DecodeEvents decodes a verified datagram's events onto events[:0]
// (strings alias the datagram). Errors are *Error.
func (d *Datagram) DecodeEvents(maxEvents int, events []event.Event) ([]event.Event, error) {
	r := reader{b: d.body}
	n := r.uvarint()
	if r.err != nil {
		return events[:0], r.err
	}
	if n > uint64(maxEvents) {
		return events[:0], errorf(ReasonTooLarge, 0, "%d events, at most %d allowed", n, maxEvents)
	}
	if rest := uint64(len(d.body) - r.off); n > rest/minEventLen {
		return events[:0], errorf(ReasonTruncated, len(d.body), "%d events announced, only %d bytes follow", n, rest)
	}
	events = decodeEvents(&r, int(n), events[:0])
	if r.err != nil {
		return events[:0], r.err
	}
	if r.off != len(d.body) {
		return events[:0], errorf(ReasonMalformed, r.off, "%d bytes after the last event", len(d.body)-r.off)
	}
	return events, nil
}
