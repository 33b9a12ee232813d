package ingest

import (
	"encoding/binary"
	"math"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/tenant"
)

// DefaultMaxEvents bounds the events of one batch unless configured.
const DefaultMaxEvents = 100_000

// DecodeBatch decodes data into b, reusing b.Events' storage. At most
// maxEvents events are accepted (DefaultMaxEvents when maxEvents ≤ 0).
//
// Zero copy: every string of b (header and events) aliases data, so data
// must not be modified or reused while b is in use. On error b's contents
// are unspecified and the error is an *Error.
func DecodeBatch(data []byte, maxEvents int, b *Batch) error {
	if maxEvents <= 0 {
		maxEvents = DefaultMaxEvents
	}
	r := reader{b: data}
	if len(data) < len(batchMagic) || [3]byte(data[:3]) != [3]byte(batchMagic[:3]) {
		return errorf(ReasonMalformed, 0, "not a Spoor batch (bad magic)")
	}
	if data[3] != Version {
		return errorf(ReasonVersion, 3, "batch format version %d, want %d", data[3], Version)
	}
	r.off = 4
	flags := r.byte()
	if r.err == nil && flags != 0 {
		return errorf(ReasonVersion, r.off-1, "unknown flags %#x", flags)
	}
	b.ID = r.str(MaxIDLen, "batch id")
	if r.err == nil {
		if err := checkID(b.ID, r.off-len(b.ID)); err != nil {
			return err
		}
	}
	b.Tenant = r.str(tenant.MaxLen, "tenant")
	if r.err == nil && b.Tenant != "" {
		if _, err := tenant.New(b.Tenant); err != nil {
			return errorf(ReasonBadValue, r.off-len(b.Tenant), "declared tenant: %v", err)
		}
	}
	b.Created = microTime(r.varint())
	b.SpoolBytes = r.uvarint()
	b.SpoolBatches = r.uvarint()
	b.Dropped = r.uvarint()
	n := r.uvarint()
	if r.err != nil {
		return r.err
	}
	if n > uint64(maxEvents) {
		return errorf(ReasonTooLarge, r.off, "%d events, at most %d allowed per batch", n, maxEvents)
	}
	if rest := uint64(len(data) - r.off); n > rest/minEventLen {
		return errorf(ReasonTruncated, len(data), "%d events announced, only %d bytes follow", n, rest)
	}
	b.Events = decodeEvents(&r, int(n), b.Events[:0])
	if r.err != nil {
		return r.err
	}
	if r.off != len(data) {
		return errorf(ReasonMalformed, r.off, "%d bytes after the last event", len(data)-r.off)
	}
	return nil
}

// decodeEvents decodes n events from r onto events.
func decodeEvents(r *reader, n int, events []event.Event) []event.Event {
	if cap(events) < n {
		events = make([]event.Event, 0, n)
	}
	events = events[:n]
	var prev int64
	for i := range events {
		e := &events[i]
		prev += r.varint()
		e.Time = microTime(prev)
		count := r.uvarint()
		qtype := r.uvarint()
		rcode := r.varint()
		if r.err != nil {
			return events[:i]
		}
		if count > math.MaxUint32 || qtype > math.MaxUint16 || rcode < math.MinInt8 || rcode > math.MaxInt8 {
			r.fail(errorf(ReasonBadValue, r.off, "event %d: count %d, DNS qtype %d or rcode %d out of range", i, count, qtype, rcode))
			return events[:i]
		}
		e.Count = int(count)
		c := &e.Context
		c.DNSQType = uint16(qtype)
		c.DNSRcode = int8(rcode)
		e.Sensor = r.text()
		e.SrcIP = r.text()
		e.SrcPort = r.text()
		e.DstIP = r.text()
		e.DstPort = r.text()
		e.Proto = r.text()
		e.Type = event.Type(r.text())
		e.Trail = r.text()
		e.Info = r.text()
		e.Reference = r.text()
		c.HTTPMethod = r.text()
		c.HTTPHost = r.text()
		c.HTTPURI = r.text()
		c.HTTPUserAgent = r.text()
		c.TLSSNI = r.text()
		c.JA4 = r.text()
		c.CertSHA1 = r.text()
		if r.err != nil {
			return events[:i]
		}
	}
	return events
}

// microTime is the inverse of unixMicro.
func microTime(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// checkID refuses batch IDs outside [A-Za-z0-9._-]{1,MaxIDLen}: they end
// up in logs, metrics and deduplication keys.
func checkID(id string, off int) error {
	if id == "" {
		return errorf(ReasonBadValue, off, "empty batch id")
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return errorf(ReasonBadValue, off+i, "batch id byte %#x not in [A-Za-z0-9._-]", c)
		}
	}
	return nil
}

// reader reads fields from untrusted bytes; the first error sticks and
// every later read returns zero values.
type reader struct {
	b   []byte
	off int
	err *Error
}

func (r *reader) fail(e *Error) {
	if r.err == nil {
		r.err = e
	}
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if r.off >= len(r.b) {
		r.fail(errorf(ReasonTruncated, r.off, "input ends inside the header"))
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.varintError(n)
		return 0
	}
	r.off += n
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.off:])
	if n <= 0 {
		r.varintError(n)
		return 0
	}
	r.off += n
	return v
}

func (r *reader) varintError(n int) {
	if n == 0 {
		r.fail(errorf(ReasonTruncated, r.off, "input ends inside a number"))
	} else {
		r.fail(errorf(ReasonMalformed, r.off, "number overflows 64 bits"))
	}
}

// bytes returns the next string field's bytes, at most max long.
func (r *reader) bytes(max int, what string) []byte {
	start := r.off
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(max) {
		r.fail(errorf(ReasonTooLarge, start, "%s of %d bytes, at most %d allowed", what, n, max))
		return nil
	}
	if n > uint64(len(r.b)-r.off) {
		r.fail(errorf(ReasonTruncated, len(r.b), "%s of %d bytes, only %d left", what, n, len(r.b)-r.off))
		return nil
	}
	b := r.b[r.off : r.off+int(n)]
	if !utf8.Valid(b) {
		r.fail(errorf(ReasonUTF8, r.off, "%s is not valid UTF-8", what))
		return nil
	}
	r.off += int(n)
	return b
}

// str returns the next string field, aliasing the input.
func (r *reader) str(max int, what string) string {
	b := r.bytes(max, what)
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// text is str for an event field.
func (r *reader) text() string { return r.str(MaxFieldLen, "event field") }
