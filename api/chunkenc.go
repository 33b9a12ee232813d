package api

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/spoorsec/spoor/store"
)

// chunkEncoder writes a page of events as one frame, the unit of the day
// stream: two little-endian uint32 lengths (header, body), a JSON header,
// then the body of columns as bytes.
//
// The header:
//
//	{"n":2,"cursor":"…","done":false,"time0":1772323200000000,
//	 "dict":["edge-1",…],"sections":[1,…],"ports":["src_port"],
//	 "columns":[["time",3],["id_batch",1],["id_pos",3],["sensor",1],…]}
//
// columns lists the body's columns in order with their width in bytes
// (0 to 8; 0 when every value is 0): a column of width w is n values of w
// bytes stored as w byte planes, the n lowest bytes first. Planes keep the
// bytes that vary apart from the bytes that hardly do, which is what zstd
// and gzip compress best; decimal text costs a third more on the wire
// and most of the compressor's work.
//
// dict holds each text column's distinct strings, column after column in
// store.TextColumns order and then the IDs' batch parts; sections gives
// how many each has. A text column holds local indices into its own
// section: 0 is "", j is the section's j-th string, the strings numbered
// in order of first appearance (related strings stay together). A port
// column listed in ports holds port numbers instead (0 is ""), with an
// empty section: random source ports cost twice as much as dictionary
// strings.
//
// time holds microseconds since time0 for the first event and deltas
// after it. An event ID (64 bits, too wide for a JavaScript number) is
// sent in its two parts (see store.MaxBatchEvents): id_batch indexes its
// high 44 bits, as 11 hex digits, in the last section, and id_pos is its
// low 20 bits, so the hex ID is the batch's digits and the position in 5
// hex digits. A stream asked for without IDs (the console never shows
// them) has neither column and an empty last section: IDs are random per
// batch, so with a few events a batch they are most of the bytes.
// severity, count (at least 1), dns_qtype and dns_rcode are numbers; the
// signed ones (severity, dns_rcode) as their byte in two's complement.
type chunkEncoder struct {
	ids             bool
	buf, body, cols []byte
	vals            []uint64
	// renum maps a column's dictionary index to its number in the chunk.
	renum []uint32
	order []string
	ports []uint16
	// batches numbers the IDs' batch parts.
	batches    map[uint64]uint32
	batchOrder []uint64
}

// newChunkEncoder returns an encoder of frames with or without event IDs.
func newChunkEncoder(ids bool) *chunkEncoder {
	return &chunkEncoder{ids: ids, batches: map[uint64]uint32{}}
}

// chunkHeaderLen is the size of a frame's two lengths.
const chunkHeaderLen = 8

// encode returns the page's frame; it stays valid until the next call.
func (c *chunkEncoder) encode(page *store.EventColumns) []byte {
	n := page.Len()
	b := append(c.buf[:0], make([]byte, chunkHeaderLen)...)
	b = append(b, `{"n":`...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, `,"cursor":`...)
	b = appendJSONString(b, page.Next.String())
	b = append(b, `,"done":`...)
	b = strconv.AppendBool(b, page.Done)
	var time0 int64
	if n > 0 {
		time0 = page.Time[0]
	}
	b = append(b, `,"time0":`...)
	b = strconv.AppendInt(b, time0, 10)
	c.body, c.cols = c.body[:0], c.cols[:0]
	if cap(c.vals) < n {
		c.vals = make([]uint64, n)
	}
	vals := c.vals[:n]

	// Times are sorted: the deltas are never negative.
	prev := time0
	for i, us := range page.Time {
		vals[i] = uint64(us - prev)
		prev = us
	}
	c.column("time", vals)

	clear(c.batches)
	c.batchOrder = c.batchOrder[:0]
	if c.ids {
		c.idColumns(page.ID, vals)
	}

	var sections [store.NumTextColumns + 1]int
	var ports []string
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
		for i, j := range t.Idx {
			if j != 0 && renum[j] == 0 {
				c.order = append(c.order, t.Dict[j-1])
				renum[j] = uint32(len(c.order))
			}
			vals[i] = uint64(renum[j])
		}
		name := store.TextColumns[k]
		if (name == "src_port" || name == "dst_port") && c.portNumbers(vals) {
			ports = append(ports, name)
			c.column(name, vals)
			continue
		}
		c.column(name, vals)
		for _, s := range c.order {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONString(b, s)
		}
		sections[k] = len(c.order)
	}
	var hex [16]byte
	for _, hi := range c.batchOrder {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, string(appendHex16(hex[:0], hi)[16-(64-store.IDPositionBits)/4:]))
	}
	sections[store.NumTextColumns] = len(c.batchOrder)
	b = append(b, `],"sections":[`...)
	for k, m := range sections {
		if k > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(m), 10)
	}
	b = append(b, `],"ports":[`...)
	for i, name := range ports {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, name)
	}

	for i, v := range page.Severity {
		vals[i] = uint64(uint8(v))
	}
	c.column("severity", vals)
	for i, v := range page.Count {
		vals[i] = uint64(max(v, 1))
	}
	c.column("count", vals)
	for i, v := range page.DNSQType {
		vals[i] = uint64(v)
	}
	c.column("dns_qtype", vals)
	for i, v := range page.DNSRcode {
		vals[i] = uint64(uint8(v))
	}
	c.column("dns_rcode", vals)

	b = append(b, `],"columns":[`...)
	b = append(b, c.cols[1:]...)
	b = append(b, "]}"...)
	binary.LittleEndian.PutUint32(b[0:], uint32(len(b)-chunkHeaderLen))
	binary.LittleEndian.PutUint32(b[4:], uint32(len(c.body)))
	b = append(b, c.body...)
	c.buf = b
	return b
}

// idColumns appends the IDs' two parts, numbering their batch parts in
// c.batchOrder.
func (c *chunkEncoder) idColumns(ids, vals []uint64) {
	prevHi, prevNum := uint64(0), uint32(0)
	for i, id := range ids {
		if hi := id >> store.IDPositionBits; hi != prevHi || i == 0 {
			num, ok := c.batches[hi]
			if !ok {
				c.batchOrder = append(c.batchOrder, hi)
				num = uint32(len(c.batchOrder))
				c.batches[hi] = num
			}
			prevHi, prevNum = hi, num
		}
		vals[i] = uint64(prevNum)
	}
	c.column("id_batch", vals)
	for i, id := range ids {
		vals[i] = id & (1<<store.IDPositionBits - 1)
	}
	c.column("id_pos", vals)
}

// column appends vals to the body as byte planes, narrow as they allow,
// and lists the column for the header.
func (c *chunkEncoder) column(name string, vals []uint64) {
	var all uint64
	for _, v := range vals {
		all |= v
	}
	w := (bits.Len64(all) + 7) / 8
	n, at := len(vals), len(c.body)
	c.body = slices.Grow(c.body, n*w)[:at+n*w]
	for k := range w {
		plane, shift := c.body[at+k*n:at+(k+1)*n], 8*k
		for i, v := range vals {
			plane[i] = byte(v >> shift)
		}
	}
	c.cols = append(c.cols, `,["`...)
	c.cols = append(c.cols, name...)
	c.cols = append(c.cols, `",`...)
	c.cols = strconv.AppendInt(c.cols, int64(w), 10)
	c.cols = append(c.cols, ']')
}

// portNumbers rewrites a port column's local indices (into c.order) as
// the port numbers, when every string of c.order is a port's plain decimal
// text (what the store renders for a port without raw text).
func (c *chunkEncoder) portNumbers(vals []uint64) bool {
	nums := c.ports[:0]
	for _, s := range c.order {
		p, ok := plainPort(s)
		if !ok {
			return false
		}
		nums = append(nums, p)
	}
	c.ports = nums
	for i, j := range vals {
		if j != 0 {
			vals[i] = uint64(nums[j-1])
		}
	}
	return true
}

// plainPort parses a port number in its plain decimal form (1 to 65535,
// no sign, no leading zero).
func plainPort(s string) (uint16, bool) {
	if len(s) == 0 || len(s) > 5 || s[0] == '0' {
		return 0, false
	}
	var p uint32
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		p = p*10 + uint32(d)
	}
	if p > 65535 {
		return 0, false
	}
	return uint16(p), true
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
