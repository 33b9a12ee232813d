package api

import (
	"strconv"
	"unicode/utf8"

	"github.com/spoorsec/spoor/store"
)

// chunkEncoder writes a page of events as one line of columnar JSON, the
// unit of the day stream:
//
//	{"n":2,"cursor":"…","done":false,"dict":["",…],
//	 "time":[t0,d1],"id":["…","…"],"sensor":[i,i],…,"severity":[3,1],…}
//
// time is microseconds since the epoch for the first event and deltas
// after it; id is the event ID in hex (64-bit, too wide for a JavaScript
// number); every string column holds indices into dict, the chunk's
// distinct strings. Columns of repeating small numbers are what zstd and
// gzip squeeze best, which is how a day fits in about a dozen bytes per
// event on the wire.
type chunkEncoder struct {
	buf   []byte
	dict  map[string]int
	order []string
	idx   []int
}

// stringColumns are the events' string fields, in the chunk's column order.
var stringColumns = []struct {
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
	return &chunkEncoder{dict: map[string]int{}}
}

// encode returns the chunk's line (ending in '\n'); it stays valid until
// the next call.
func (c *chunkEncoder) encode(page store.EventPage) []byte {
	evs := page.Events
	clear(c.dict)
	c.order = c.order[:0]
	c.intern("")
	c.idx = c.idx[:0]
	for _, col := range stringColumns {
		for i := range evs {
			c.idx = append(c.idx, c.intern(col.get(&evs[i])))
		}
	}

	b := c.buf[:0]
	b = append(b, `{"n":`...)
	b = strconv.AppendInt(b, int64(len(evs)), 10)
	b = append(b, `,"cursor":`...)
	b = appendJSONString(b, page.Next.String())
	b = append(b, `,"done":`...)
	b = strconv.AppendBool(b, page.Done)
	b = append(b, `,"dict":[`...)
	for i, s := range c.order {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	b = append(b, `],"time":[`...)
	var prev int64
	for i := range evs {
		if i > 0 {
			b = append(b, ',')
		}
		us := evs[i].Time.UnixMicro()
		b = strconv.AppendInt(b, us-prev, 10)
		prev = us
	}
	b = append(b, `],"id":[`...)
	for i := range evs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = appendHex16(b, evs[i].ID)
		b = append(b, '"')
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
			b = strconv.AppendInt(b, int64(v), 10)
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
			b = strconv.AppendInt(b, col.get(&evs[i]), 10)
		}
		b = append(b, ']')
	}
	b = append(b, "}\n"...)
	c.buf = b
	return b
}

func (c *chunkEncoder) intern(s string) int {
	if i, ok := c.dict[s]; ok {
		return i
	}
	i := len(c.order)
	c.dict[s] = i
	c.order = append(c.order, s)
	return i
}

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
