package api

import (
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/spoorsec/spoor/store"
)

// chunkEncoder writes a page of events as one line of columnar JSON, the
// unit of the day stream:
//
//	{"n":2,"cursor":"…","done":false,"dict":["edge-1",…],"sections":[1,…],
//	 "time":[t0,d1],"id_batch":[1,1],"id_pos":[p,p],"sensor":[1,1],…,"severity":[3,1],…}
//
// dict holds each string column's distinct strings, column after column
// in stringColumns order and then the IDs' batch parts; sections gives how
// many each has. A string column holds local indices into its own section:
// 0 is "", j is the section's j-th string. Small local indices are what
// zstd and gzip squeeze best (indices into one dict of the whole chunk
// cost a fifth more on the wire).
//
// time is microseconds since the epoch for the first event and deltas
// after it. An event ID (64 bits, too wide for a JavaScript number) is
// sent in its two parts (see store.MaxBatchEvents): id_batch indexes its
// high 44 bits, as 11 hex digits, in the last section, and id_pos is its
// low 20 bits, so the hex ID is the batch's digits and the position in 5
// hex digits.
//
// The strings are interned in one pass over the events, into a dictionary
// per column, each in order of first appearance: that order keeps related
// strings together, which compresses better than sorting them.
type chunkEncoder struct {
	buf []byte
	// idx holds each string column's local indices, column after column.
	idx  []int
	cols [nStringColumns]columnDict
	// batches interns the IDs' batch parts; batchIdx holds each event's
	// local index.
	batches    map[uint64]int
	batchOrder []uint64
	batchIdx   []int
}

// idPosBits is the width of an ID's position part.
const idPosBits = 20

// columnDict interns one column's strings of a chunk. Local index 0 is
// always "".
type columnDict struct {
	index map[string]int
	vals  []string
	// seen caches the local index of recently seen strings by the address
	// and length of their bytes. The store shares one string among the
	// rows with the same LowCardinality value or address, so most lookups
	// hit here without hashing the string. It is cleared for every chunk:
	// the strings it points at are the chunk's own events', alive while it
	// is encoded.
	seen [seenSlots]seenEntry
}

// seenSlots is the size of each column's direct-mapped cache.
const seenSlots = 256

type seenEntry struct {
	ptr *byte
	n   int
	idx int
}

func (d *columnDict) reset() {
	clear(d.index)
	d.vals = append(d.vals[:0], "")
	clear(d.seen[:])
}

// local returns s's local index.
func (d *columnDict) local(s string) int {
	p := unsafe.StringData(s)
	slot := &d.seen[(uintptr(unsafe.Pointer(p))>>3^uintptr(len(s)))%seenSlots]
	if slot.ptr == p && slot.n == len(s) {
		return slot.idx
	}
	i, ok := d.index[s]
	if !ok {
		i = len(d.vals)
		d.index[s] = i
		d.vals = append(d.vals, s)
	}
	*slot = seenEntry{ptr: p, n: len(s), idx: i}
	return i
}

// stringColumns are the events' string fields, in the chunk's column order.
var stringColumns = [nStringColumns]struct {
	name string
	get  func(*store.StoredEvent) string
}{
	{"sensor", func(e *store.StoredEvent) string { return e.Sensor }},
	{"src_ip", func(e *store.StoredEvent) string { return e.SrcIP }},
	{"src_port", func(e *store.StoredEvent) string { return e.SrcPort }},
	{"dst_ip", func(e *store.StoredEvent) string { return e.DstIP }},
	{"dst_port", func(e *store.StoredEvent) string { return e.DstPort }},
	{"proto", func(e *store.StoredEvent) string { return e.Proto }},
	{"type", func(e *store.StoredEvent) string { return string(e.Type) }},
	{"trail", func(e *store.StoredEvent) string { return e.Trail }},
	{"info", func(e *store.StoredEvent) string { return e.Info }},
	{"reference", func(e *store.StoredEvent) string { return e.Reference }},
	{"http_method", func(e *store.StoredEvent) string { return e.Context.HTTPMethod }},
	{"http_host", func(e *store.StoredEvent) string { return e.Context.HTTPHost }},
	{"http_uri", func(e *store.StoredEvent) string { return e.Context.HTTPURI }},
	{"http_user_agent", func(e *store.StoredEvent) string { return e.Context.HTTPUserAgent }},
	{"tls_sni", func(e *store.StoredEvent) string { return e.Context.TLSSNI }},
	{"ja4", func(e *store.StoredEvent) string { return e.Context.JA4 }},
	{"cert_sha1", func(e *store.StoredEvent) string { return e.Context.CertSHA1 }},
	{"sensor_id", func(e *store.StoredEvent) string { return e.SensorID }},
}

// nStringColumns is len(stringColumns).
const nStringColumns = 18

// rowStrings loads e's string fields in stringColumns order (the same
// values as the get functions, without a call per field).
func rowStrings(e *store.StoredEvent, s *[nStringColumns]string) {
	*s = [nStringColumns]string{e.Sensor, e.SrcIP, e.SrcPort, e.DstIP, e.DstPort, e.Proto, string(e.Type), e.Trail,
		e.Info, e.Reference, e.Context.HTTPMethod, e.Context.HTTPHost, e.Context.HTTPURI, e.Context.HTTPUserAgent,
		e.Context.TLSSNI, e.Context.JA4, e.Context.CertSHA1, e.SensorID}
}

// intColumns are the events' small integer fields.
var intColumns = []struct {
	name string
	get  func(*store.StoredEvent) int64
}{
	{"severity", func(e *store.StoredEvent) int64 { return int64(e.Severity) }},
	{"count", func(e *store.StoredEvent) int64 { return int64(max(e.Count, 1)) }},
	{"dns_qtype", func(e *store.StoredEvent) int64 { return int64(e.Context.DNSQType) }},
	{"dns_rcode", func(e *store.StoredEvent) int64 { return int64(e.Context.DNSRcode) }},
}

func newChunkEncoder() *chunkEncoder {
	c := &chunkEncoder{batches: map[uint64]int{}}
	for k := range c.cols {
		c.cols[k].index = map[string]int{}
	}
	return c
}

// encode returns the chunk's line (ending in '\n'); it stays valid until
// the next call.
func (c *chunkEncoder) encode(page store.EventPage) []byte {
	evs := page.Events
	n := len(evs)
	if cap(c.idx) < nStringColumns*n {
		c.idx = make([]int, nStringColumns*n)
	}
	c.idx = c.idx[:nStringColumns*n]
	for k := range c.cols {
		c.cols[k].reset()
	}
	// One pass over the events (a page is tens of megabytes: a pass per
	// column would read it from memory eighteen times).
	var prev [nStringColumns]string
	var prevIdx [nStringColumns]int
	var row [nStringColumns]string
	for i := range evs {
		rowStrings(&evs[i], &row)
		for k, s := range &row {
			v := 0
			switch {
			case len(s) == 0:
			case len(s) == len(prev[k]) && s == prev[k]:
				// Runs of one value in separate memory (plain String
				// columns) cost a compare, not a hash.
				v = prevIdx[k]
			default:
				v = c.cols[k].local(s)
				prev[k], prevIdx[k] = s, v
			}
			c.idx[k*n+i] = v
		}
	}
	clear(c.batches)
	c.batchOrder = c.batchOrder[:0]
	c.batchIdx = c.batchIdx[:0]
	prevBatch, prevBatchIdx := uint64(0), 0
	for i := range evs {
		hi := evs[i].ID >> idPosBits
		if hi != prevBatch || prevBatchIdx == 0 {
			j, ok := c.batches[hi]
			if !ok {
				c.batchOrder = append(c.batchOrder, hi)
				j = len(c.batchOrder)
				c.batches[hi] = j
			}
			prevBatch, prevBatchIdx = hi, j
		}
		c.batchIdx = append(c.batchIdx, prevBatchIdx)
	}

	b := c.buf[:0]
	b = append(b, `{"n":`...)
	b = strconv.AppendInt(b, int64(len(evs)), 10)
	b = append(b, `,"cursor":`...)
	b = appendJSONString(b, page.Next.String())
	b = append(b, `,"done":`...)
	b = strconv.AppendBool(b, page.Done)
	b = append(b, `,"dict":[`...)
	first := true
	for k := range c.cols {
		for _, s := range c.cols[k].vals[1:] {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONString(b, s)
		}
	}
	var hex [16]byte
	for _, hi := range c.batchOrder {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, string(appendHex16(hex[:0], hi)[16-(64-idPosBits)/4:]))
	}
	b = append(b, `],"sections":[`...)
	for k := range c.cols {
		b = appendSmall(b, int64(len(c.cols[k].vals)-1))
		b = append(b, ',')
	}
	b = appendSmall(b, int64(len(c.batchOrder)))
	b = append(b, `],"time":[`...)
	var prevUS int64
	for i := range evs {
		if i > 0 {
			b = append(b, ',')
		}
		us := evs[i].Time.UnixMicro()
		b = appendSmall(b, us-prevUS)
		prevUS = us
	}
	b = append(b, `],"id_batch":[`...)
	for i, j := range c.batchIdx {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSmall(b, int64(j))
	}
	b = append(b, `],"id_pos":[`...)
	for i := range evs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSmall(b, int64(evs[i].ID&(1<<idPosBits-1)))
	}
	b = append(b, ']')
	for k, col := range stringColumns {
		b = append(b, `,"`...)
		b = append(b, col.name...)
		b = append(b, `":[`...)
		for i, v := range c.idx[k*len(evs) : (k+1)*len(evs)] {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendSmall(b, int64(v))
		}
		b = append(b, ']')
	}
	for _, col := range intColumns {
		b = append(b, `,"`...)
		b = append(b, col.name...)
		b = append(b, `":[`...)
		for i := range evs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendSmall(b, col.get(&evs[i]))
		}
		b = append(b, ']')
	}
	b = append(b, "}\n"...)
	c.buf = b
	return b
}

// appendSmall appends v in decimal; numbers below 10,000 (dictionary
// indices and codes, nearly all of a chunk's numbers) without strconv's
// general path.
func appendSmall(b []byte, v int64) []byte {
	switch {
	case v >= 0 && v < 10:
		return append(b, byte('0'+v))
	case v >= 10 && v < 100:
		return append(b, digitPairs[2*v], digitPairs[2*v+1])
	case v >= 100 && v < 1000:
		lo := v % 100
		return append(b, byte('0'+v/100), digitPairs[2*lo], digitPairs[2*lo+1])
	case v >= 1000 && v < 10000:
		hi, lo := v/100, v%100
		return append(b, digitPairs[2*hi], digitPairs[2*hi+1], digitPairs[2*lo], digitPairs[2*lo+1])
	}
	return strconv.AppendInt(b, v, 10)
}

const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

func appendHex16(b []byte, v uint64) []byte {
	const digits = "0123456789abcdef"
	for shift := 60; shift >= 0; shift -= 4 {
		b = append(b, digits[(v>>uint(shift))&0xf])
	}
	return b
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes
// U+FFFD, control characters and the HTML-significant <, >, & are escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, `\u202`...)
			b = append(b, hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
