package api

import (
	"strconv"
	"unicode/utf8"

	"github.com/spoorsec/spoor/store"
)

// chunkEncoder writes a page of events as one line of columnar JSON, the
// unit of the day stream:
//
//	{"n":2,"cursor":"…","done":false,"dict":["edge-1",…],"sections":[1,…],
//	 "time":[t0,d1],"id_batch":[1,1],"id_pos":[p,p],"sensor":[1,1],…,"severity":[3,1],…}
//
// dict holds each text column's distinct strings, column after column in
// store.TextColumns order and then the IDs' batch parts; sections gives
// how many each has. A text column holds local indices into its own
// section: 0 is "", j is the section's j-th string, the strings numbered
// in order of first appearance (related strings stay together, which
// compresses better than any sort). Small local indices are what zstd and
// gzip squeeze best: indices into one dict of the whole chunk cost a fifth
// more on the wire.
//
// time is microseconds since the epoch for the first event and deltas
// after it. An event ID (64 bits, too wide for a JavaScript number) is
// sent in its two parts (see store.MaxBatchEvents): id_batch indexes its
// high 44 bits, as 11 hex digits, in the last section, and id_pos is its
// low 20 bits, so the hex ID is the batch's digits and the position in 5
// hex digits. severity, count (at least 1), dns_qtype and dns_rcode are
// numbers.
type chunkEncoder struct {
	buf, cols []byte
	// renum maps a column's dictionary index to its number in the chunk.
	renum []uint32
	order []string
	// batches numbers the IDs' batch parts.
	batches    map[uint64]uint32
	batchOrder []uint64
}

func newChunkEncoder() *chunkEncoder {
	return &chunkEncoder{batches: map[uint64]uint32{}}
}

// encode returns the page's line (ending in '\n'); it stays valid until
// the next call.
func (c *chunkEncoder) encode(page *store.EventColumns) []byte {
	n := page.Len()
	b := c.buf[:0]
	b = append(b, `{"n":`...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, `,"cursor":`...)
	b = appendJSONString(b, page.Next.String())
	b = append(b, `,"done":`...)
	b = strconv.AppendBool(b, page.Done)

	// The text columns, written after the dict: their numbers are
	// assigned on the way, so they go to a second buffer first.
	cols := c.cols[:0]
	var sections [store.NumTextColumns + 1]int
	b = append(b, `,"dict":[`...)
	first := true
	for k := range page.Text {
		t := &page.Text[k]
		if cap(c.renum) < len(t.Dict)+1 {
			c.renum = make([]uint32, len(t.Dict)+1)
		}
		renum := c.renum[:len(t.Dict)+1]
		clear(renum)
		c.order = c.order[:0]
		cols = append(cols, `,"`...)
		cols = append(cols, store.TextColumns[k]...)
		cols = append(cols, `":[`...)
		for i, j := range t.Idx {
			if i > 0 {
				cols = append(cols, ',')
			}
			if j != 0 && renum[j] == 0 {
				c.order = append(c.order, t.Dict[j-1])
				renum[j] = uint32(len(c.order))
			}
			cols = appendSmall(cols, int64(renum[j]))
		}
		cols = append(cols, ']')
		for _, s := range c.order {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONString(b, s)
		}
		sections[k] = len(c.order)
	}
	clear(c.batches)
	c.batchOrder = c.batchOrder[:0]
	var hex [16]byte
	for _, id := range page.ID {
		hi := id >> store.IDPositionBits
		if _, ok := c.batches[hi]; !ok {
			c.batchOrder = append(c.batchOrder, hi)
			c.batches[hi] = uint32(len(c.batchOrder))
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONString(b, string(appendHex16(hex[:0], hi)[16-(64-store.IDPositionBits)/4:]))
		}
	}
	sections[store.NumTextColumns] = len(c.batchOrder)
	b = append(b, `],"sections":[`...)
	for k, m := range sections {
		if k > 0 {
			b = append(b, ',')
		}
		b = appendSmall(b, int64(m))
	}

	b = append(b, `],"time":[`...)
	var prevUS int64
	for i, us := range page.Time {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSmall(b, us-prevUS)
		prevUS = us
	}
	b = append(b, `],"id_batch":[`...)
	prevHi, prevNum := uint64(0), uint32(0)
	for i, id := range page.ID {
		if i > 0 {
			b = append(b, ',')
		}
		if hi := id >> store.IDPositionBits; hi != prevHi || i == 0 {
			prevHi, prevNum = hi, c.batches[hi]
		}
		b = appendSmall(b, int64(prevNum))
	}
	b = append(b, `],"id_pos":[`...)
	for i, id := range page.ID {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSmall(b, int64(id&(1<<store.IDPositionBits-1)))
	}
	b = append(b, ']')
	b = append(b, cols...)
	c.cols = cols
	b = appendInts(b, "severity", page.Severity, func(v int8) int64 { return int64(v) })
	b = appendInts(b, "count", page.Count, func(v uint32) int64 { return int64(max(v, 1)) })
	b = appendInts(b, "dns_qtype", page.DNSQType, func(v uint16) int64 { return int64(v) })
	b = appendInts(b, "dns_rcode", page.DNSRcode, func(v int8) int64 { return int64(v) })
	b = append(b, "}\n"...)
	c.buf = b
	return b
}

// appendInts appends a number column.
func appendInts[T any](b []byte, name string, vals []T, num func(T) int64) []byte {
	b = append(b, `,"`...)
	b = append(b, name...)
	b = append(b, `":[`...)
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSmall(b, num(v))
	}
	return append(b, ']')
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
