// Package ingest is the wire format between Spoor sensors and collectors:
// HTTPS batches, their compression, and signed UDP datagrams.
//
// # Batch (HTTPS body, Content-Type application/vnd.spoor.batch)
//
// A batch is length-prefixed binary, little overhead per event and no
// parsing beyond varints: decoding aliases every string into the input
// (zero copy) and validates it as UTF-8. All integers are varints
// (encoding/binary; "zigzag" for signed) unless noted; a string is a
// uvarint length followed by that many bytes.
//
//	magic    "SPB" 0x01        format version 1
//	flags    1 byte            0 (reserved; anything else is refused)
//	id       string            batch ID, 1-128 bytes of [A-Za-z0-9._-]: the
//	                           idempotency key, identical on every retry
//	tenant   string            tenant the sensor believes it belongs to, or
//	                           empty; checked against the credential's
//	created  zigzag            when the batch was cut, Unix microseconds
//	spooled  uvarint           bytes in the sensor's spool when cut
//	queued   uvarint           batches in the sensor's spool when cut
//	dropped  uvarint           events the sensor has dropped so far
//	count    uvarint           number of events
//	events   count × event
//
//	event:
//	time     zigzag            Unix microseconds, minus the previous event's
//	                           (the first event's: minus 0)
//	count    uvarint           event.Count (≤ 2^32-1)
//	qtype    uvarint           Context.DNSQType (≤ 65535)
//	rcode    zigzag            Context.DNSRcode (int8)
//	17 strings                 Sensor, SrcIP, SrcPort, DstIP, DstPort, Proto,
//	                           Type, Trail, Info, Reference, HTTPMethod,
//	                           HTTPHost, HTTPURI, HTTPUserAgent, TLSSNI, JA4,
//	                           CertSHA1 (each ≤ MaxFieldLen bytes)
//
// The input must end exactly after the last event. Bodies travel with
// Content-Encoding zstd, gzip or identity (see Decompressor).
//
// The encoder (Builder) never produces a batch the decoder refuses: it
// replaces invalid UTF-8 with U+FFFD and truncates overlong fields.
//
// # Datagram (UDP)
//
// See AppendDatagram: a header with key ID, sequence number and time, the
// same event encoding, and an HMAC-SHA256 over everything before it.
package ingest

import (
	"encoding/binary"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spoorsec/spoor/event"
)

// ContentType is the media type of an encoded batch.
const ContentType = "application/vnd.spoor.batch"

// Format limits.
const (
	// Version is the batch and datagram format version this package
	// writes and reads.
	Version = 1
	// MaxIDLen bounds batch IDs.
	MaxIDLen = 128
	// MaxFieldLen bounds every string field of an event.
	MaxFieldLen = 64 << 10
	// numStrings is the number of string fields of an event.
	numStrings = 17
	// minEventLen is the smallest encoded event: four one-byte varints and
	// 17 empty strings.
	minEventLen = 4 + numStrings
)

var batchMagic = [4]byte{'S', 'P', 'B', Version}

// Header is a batch's metadata.
type Header struct {
	// ID identifies the batch across retries.
	ID string
	// Tenant is the tenant the sensor declares, or "".
	Tenant string
	// Created is when the sensor cut the batch.
	Created time.Time
	// SpoolBytes and SpoolBatches are the sensor's spool depth when the
	// batch was cut; Dropped is the events it has dropped so far (spool
	// full). They let the collector export sensor health as metrics.
	SpoolBytes   uint64
	SpoolBatches uint64
	Dropped      uint64
}

// Batch is a decoded batch.
type Batch struct {
	Header
	Events []event.Event
}

// Builder encodes events into a batch, one at a time. The zero value is
// ready to use; Reset makes it ready for the next batch, keeping its
// buffer.
type Builder struct {
	buf  []byte
	n    int
	prev int64
}

// Reset empties the builder.
func (b *Builder) Reset() {
	b.buf = b.buf[:0]
	b.n = 0
	b.prev = 0
}

// Len is the number of events added since Reset.
func (b *Builder) Len() int { return b.n }

// Size is the encoded size of the events added since Reset.
func (b *Builder) Size() int { return len(b.buf) }

// Add encodes e. Fields that are not valid UTF-8 get U+FFFD for their bad
// bytes, fields over MaxFieldLen are cut, and a Count outside [0, 2^32-1]
// is clamped, so the batch is always decodable.
func (b *Builder) Add(e *event.Event) {
	b.buf, b.prev = appendEvent(b.buf, e, b.prev)
	b.n++
}

// AddWithin adds e if the events then take at most size bytes, or if the
// builder is empty (an oversized event travels alone); otherwise it leaves
// the builder unchanged and returns false.
func (b *Builder) AddWithin(e *event.Event, size int) bool {
	n, prev := len(b.buf), b.prev
	b.buf, b.prev = appendEvent(b.buf, e, b.prev)
	if len(b.buf) > size && b.n > 0 {
		b.buf, b.prev = b.buf[:n], prev
		return false
	}
	b.n++
	return true
}

// AppendBatch appends the batch with header h and the events added so far
// to dst.
func (b *Builder) AppendBatch(dst []byte, h *Header) []byte {
	dst = appendHeader(dst, h)
	dst = binary.AppendUvarint(dst, uint64(b.n))
	return append(dst, b.buf...)
}

// AppendBatch appends a batch of events with header h to dst.
func AppendBatch(dst []byte, h *Header, events []event.Event) []byte {
	dst = appendHeader(dst, h)
	dst = binary.AppendUvarint(dst, uint64(len(events)))
	var prev int64
	for i := range events {
		dst, prev = appendEvent(dst, &events[i], prev)
	}
	return dst
}

func appendHeader(dst []byte, h *Header) []byte {
	dst = append(dst, batchMagic[:]...)
	dst = append(dst, 0) // flags
	dst = appendString(dst, h.ID)
	dst = appendString(dst, h.Tenant)
	dst = binary.AppendVarint(dst, unixMicro(h.Created))
	dst = binary.AppendUvarint(dst, h.SpoolBytes)
	dst = binary.AppendUvarint(dst, h.SpoolBatches)
	return binary.AppendUvarint(dst, h.Dropped)
}

// unixMicro is t in Unix microseconds, 0 for the zero time.
func unixMicro(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func appendEvent(dst []byte, e *event.Event, prev int64) ([]byte, int64) {
	t := unixMicro(e.Time)
	dst = binary.AppendVarint(dst, t-prev)
	dst = binary.AppendUvarint(dst, uint64(min(max(e.Count, 0), math.MaxUint32)))
	c := &e.Context
	dst = binary.AppendUvarint(dst, uint64(c.DNSQType))
	dst = binary.AppendVarint(dst, int64(c.DNSRcode))
	for _, s := range [numStrings]string{
		e.Sensor, e.SrcIP, e.SrcPort, e.DstIP, e.DstPort, e.Proto, string(e.Type), e.Trail, e.Info, e.Reference,
		c.HTTPMethod, c.HTTPHost, c.HTTPURI, c.HTTPUserAgent, c.TLSSNI, c.JA4, c.CertSHA1,
	} {
		dst = appendField(dst, s)
	}
	return dst, t
}

// appendField appends s as a string field the decoder accepts.
func appendField(dst []byte, s string) []byte {
	if !utf8.ValidString(s) {
		// Packet-derived text (URIs, User-Agents) can be any bytes; one bad
		// field must not get a whole batch refused.
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) > MaxFieldLen {
		cut := MaxFieldLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return appendString(dst, s)
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}
