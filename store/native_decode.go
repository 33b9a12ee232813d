package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/spoorsec/spoor/tenant"
)

// eventReadColumns are the columns DayEvents selects, in order, with the
// kind each must have (String and LowCardinality(String) are both
// rbString). Severity is cast to Int8 so its codes decode as numbers.
var eventReadColumns = [...]struct {
	name string
	kind rbKind
}{
	{"tenant", rbString}, {"time", rbDateTime64}, {"id", rbUInt64}, {"sensor", rbString},
	{"src_ip", rbIPv6}, {"src_ip_raw", rbString}, {"src_port", rbUInt16}, {"src_port_raw", rbString},
	{"dst_ip", rbIPv6}, {"dst_ip_raw", rbString}, {"dst_port", rbUInt16}, {"dst_port_raw", rbString},
	{"proto", rbString}, {"type", rbString}, {"trail", rbString}, {"info", rbString}, {"reference", rbString},
	{"severity", rbInt8}, {"count", rbUInt32}, {"dns_qtype", rbUInt16}, {"dns_rcode", rbInt8},
	{"http_method", rbString}, {"http_host", rbString}, {"http_uri", rbString}, {"http_user_agent", rbString},
	{"tls_sni", rbString}, {"ja4", rbString}, {"cert_sha1", rbString},
	{"sensor_id", rbString}, {"batch_id", rbString}, {"ingest_time", rbDateTime64},
}

const nEventReadColumns = len(eventReadColumns)

// nStreamColumns is how many of eventReadColumns the day stream selects:
// all but the last two, the batch ID and ingest time, which only reads for
// StoredEvents want.
const nStreamColumns = nEventReadColumns - 2

// eventSelect lists eventReadColumns for a SELECT: all of them when full,
// else the stream's.
func eventSelect(full bool) string {
	if full {
		return eventSelectFull
	}
	return eventSelectStream
}

var eventSelectFull, eventSelectStream = func() (string, string) {
	if eventReadColumns[nStreamColumns].name != "batch_id" || eventReadColumns[nStreamColumns+1].name != "ingest_time" {
		panic("BUG: the batch ID and ingest time must be the last read columns")
	}
	names := make([]string, nEventReadColumns)
	for i, c := range eventReadColumns {
		names[i] = c.name
		if c.name == "severity" {
			names[i] = "CAST(severity, 'Int8') AS severity"
		}
	}
	return strings.Join(names, ", "), strings.Join(names[:nStreamColumns], ", ")
}()

// nativeColumn is where one column's data lies in a Native block.
type nativeColumn struct {
	start, end int
	lc         bool  // LowCardinality: dictionary and indexes
	scale      int64 // DateTime64: ticks per second
}

type nativeBlock struct {
	rows, ncols int
	cols        [nEventReadColumns]nativeColumn
}

// eventDecoder turns the Native output of an events SELECT (protocol
// revision 0, as the embedded engine writes it) into StoredEvents,
// column by column. Strings are shared rather than allocated per row:
// LowCardinality dictionary entries become one string per block, the
// values of a String column are substrings of one copy of the column per
// block, and rendered addresses and ports are interned per decoder. A
// StoredEvent therefore keeps its block's string data alive; pages are
// meant to be consumed and dropped, so this trades a little retention
// for an allocation count that no longer grows with the rows.
type eventDecoder struct {
	tenant  tenant.ID
	blocks  []nativeBlock
	strs    []string
	cursors [nEventReadColumns]strCursor
	addrs   map[[16]byte]string
	// full keeps each event's batch ID and ingest time, which only reads
	// for StoredEvents want.
	full bool
}

func newEventDecoder(t tenant.ID) *eventDecoder {
	return &eventDecoder{tenant: t, strs: make([]string, 0, decodeChunk), addrs: map[[16]byte]string{}}
}

// decoders keeps decoders, with the addresses they have rendered, from one
// page of a day to the next.
var decoders = sync.Pool{New: func() any { return newEventDecoder("") }}

// maxKeptAddrs bounds the rendered addresses a pooled decoder keeps.
const maxKeptAddrs = 1 << 16

func getEventDecoder(t tenant.ID, full bool) *eventDecoder {
	d := decoders.Get().(*eventDecoder)
	d.tenant, d.full = t, full
	return d
}

func putEventDecoder(d *eventDecoder) {
	d.tenant = ""
	clear(d.cursors[:]) // they point into the result they decoded
	if len(d.addrs) > maxKeptAddrs {
		clear(d.addrs)
	}
	decoders.Put(d)
}

var errNativeShort = errors.New("native: truncated data")

// nativeReader reads Native's primitives from buf.
type nativeReader struct {
	buf []byte
	off int
}

func (r *nativeReader) uvarint() (uint64, error) {
	// Most lengths fit one byte.
	if r.off < len(r.buf) && r.buf[r.off] < 0x80 {
		r.off++
		return uint64(r.buf[r.off-1]), nil
	}
	v, n := binary.Uvarint(r.buf[r.off:])
	if n <= 0 {
		return 0, errNativeShort
	}
	r.off += n
	return v, nil
}

func (r *nativeReader) u64() (uint64, error) {
	if len(r.buf)-r.off < 8 {
		return 0, errNativeShort
	}
	v := binary.LittleEndian.Uint64(r.buf[r.off:])
	r.off += 8
	return v, nil
}

func (r *nativeReader) skip(n uint64) error {
	if n > uint64(len(r.buf)-r.off) {
		return errNativeShort
	}
	r.off += int(n)
	return nil
}

// bytes returns a length-prefixed string's bytes, aliasing buf.
func (r *nativeReader) bytes() ([]byte, error) {
	n, err := r.uvarint()
	if err != nil {
		return nil, err
	}
	start := r.off
	if err := r.skip(n); err != nil {
		return nil, err
	}
	return r.buf[start:r.off], nil
}

// index checks the blocks' layout and records where each column lies.
func (d *eventDecoder) index(buf []byte) error {
	d.blocks = d.blocks[:0]
	r := nativeReader{buf: buf}
	for r.off < len(buf) {
		ncols, err := r.uvarint()
		if err != nil {
			return err
		}
		nrows, err := r.uvarint()
		if err != nil {
			return err
		}
		// A full read needs every column; the stream's decodes either.
		if ncols != uint64(nEventReadColumns) && (d.full || ncols != uint64(nStreamColumns)) {
			return fmt.Errorf("native: block of %d columns, want %d", ncols, nEventReadColumns)
		}
		// Every row takes at least a byte per column: a bound on what a
		// corrupt count can make us allocate.
		if nrows > uint64(len(buf)-r.off) {
			return fmt.Errorf("native: block of %d rows in %d bytes", nrows, len(buf)-r.off)
		}
		d.blocks = append(d.blocks, nativeBlock{rows: int(nrows), ncols: int(ncols)})
		b := &d.blocks[len(d.blocks)-1]
		for i, want := range eventReadColumns[:ncols] {
			if err := indexColumn(&r, b, i, want.name, want.kind); err != nil {
				return err
			}
		}
	}
	return nil
}

func indexColumn(r *nativeReader, b *nativeBlock, i int, name string, kind rbKind) error {
	n, err := r.bytes()
	if err != nil {
		return err
	}
	typ, err := r.bytes()
	if err != nil {
		return err
	}
	if string(n) != name {
		return fmt.Errorf("native: column %d is %q, want %s", i, n, name)
	}
	ct, err := parseRBType(string(typ))
	if err != nil || ct.kind != kind {
		return fmt.Errorf("native: column %s has type %q", name, typ)
	}
	c := &b.cols[i]
	c.lc = strings.HasPrefix(ct.typ, "LowCardinality(")
	c.scale = ct.scale
	c.start = r.off
	// A block without rows carries no column data.
	if b.rows > 0 {
		err = skipColumn(r, c, kind, b.rows)
	}
	c.end = r.off
	if err != nil {
		return fmt.Errorf("native: column %s: %w", name, err)
	}
	return nil
}

// skipColumn moves r past rows values of a column.
func skipColumn(r *nativeReader, c *nativeColumn, kind rbKind, rows int) error {
	switch {
	case c.lc:
		return walkLowCardinality(r, rows)
	case kind == rbString:
		for range rows {
			if _, err := r.bytes(); err != nil {
				return err
			}
		}
		return nil
	}
	return r.skip(uint64(rows) * uint64(rbSize[kind]))
}

// LowCardinality serialization flags (see native_encode.go).
const (
	lcNeedGlobalDict = 1 << 8
	lcHasAddKeys     = 1 << 9
	lcIndexMask      = 0xff
)

// walkLowCardinality checks a LowCardinality(String) column of rows
// values: the version, then granules of (flags, dictionary when updated,
// indexes into it).
func walkLowCardinality(r *nativeReader, rows int) error {
	if err := lcVersionPrefix(r); err != nil {
		return err
	}
	var g lcGranule
	for done := 0; done < rows; done += g.n {
		if err := g.read(r, rows-done, nil); err != nil {
			return err
		}
		for j := range g.n {
			if k := g.index(j); k >= uint64(g.keys) {
				return fmt.Errorf("LowCardinality index %d of a %d-key dictionary", k, g.keys)
			}
		}
	}
	return nil
}

func lcVersionPrefix(r *nativeReader) error {
	version, err := r.u64()
	if err != nil {
		return err
	}
	if version != lcVersion {
		return fmt.Errorf("LowCardinality version %d", version)
	}
	return nil
}

// lcGranule is one LowCardinality granule's indexes; keys is the size of
// the dictionary in force, which a granule without additional keys
// inherits from the one before.
type lcGranule struct {
	idx  []byte
	size int // index width in bytes
	n    int
	keys int
}

// read reads the next granule, of at most left rows. With dict non-nil a
// new dictionary replaces *dict.
func (g *lcGranule) read(r *nativeReader, left int, dict *[]string) error {
	flags, err := r.u64()
	if err != nil {
		return err
	}
	if flags&lcNeedGlobalDict != 0 {
		return errors.New("LowCardinality with a global dictionary")
	}
	if w := flags & lcIndexMask; w <= 3 {
		g.size = 1 << w
	} else {
		return fmt.Errorf("LowCardinality index width code %d", w)
	}
	if flags&lcHasAddKeys != 0 {
		n, err := r.u64()
		if err != nil {
			return err
		}
		if n > uint64(len(r.buf)-r.off) {
			return errNativeShort
		}
		g.keys = int(n)
		if dict != nil {
			*dict = (*dict)[:0]
		}
		for range g.keys {
			b, err := r.bytes()
			if err != nil {
				return err
			}
			if dict != nil {
				*dict = append(*dict, string(b))
			}
		}
	}
	n, err := r.u64()
	if err != nil {
		return err
	}
	if n == 0 || n > uint64(left) {
		return fmt.Errorf("LowCardinality granule of %d rows, %d left", n, left)
	}
	start := r.off
	if err := r.skip(n * uint64(g.size)); err != nil {
		return err
	}
	g.idx, g.n = r.buf[start:r.off], int(n)
	return nil
}

func (g *lcGranule) index(j int) uint64 {
	switch g.size {
	case 1:
		return uint64(g.idx[j])
	case 2:
		return uint64(binary.LittleEndian.Uint16(g.idx[j*2:]))
	case 4:
		return uint64(binary.LittleEndian.Uint32(g.idx[j*4:]))
	}
	return binary.LittleEndian.Uint64(g.idx[j*8:])
}

// strCursor reads a String or LowCardinality(String) column of a block a
// chunk at a time.
type strCursor struct {
	r     nativeReader
	lc    bool
	arena string // String: a copy of the column; values are substrings
	empty bool   // String: every value is empty
	dict  []string
	g     lcGranule
	at    int // LowCardinality: position in g
	left  int // rows not yet read
}

func (c *strCursor) start(data []byte, col *nativeColumn, rows int) error {
	c.r, c.lc, c.left, c.arena = nativeReader{buf: data}, col.lc, rows, ""
	if c.lc {
		c.g, c.at = lcGranule{}, 0
		return lcVersionPrefix(&c.r)
	}
	// One zero length byte per row: no copy needed.
	c.empty = len(data) == rows
	if !c.empty {
		c.arena = string(data)
	}
	return nil
}

// next fills out with the next len(out) values.
func (c *strCursor) next(out []string) error {
	if len(out) > c.left {
		return errNativeShort
	}
	c.left -= len(out)
	switch {
	case c.lc:
		for i := range out {
			if c.at == c.g.n {
				if err := c.g.read(&c.r, c.left+len(out)-i, &c.dict); err != nil {
					return err
				}
				c.at = 0
			}
			k := c.g.index(c.at)
			if k >= uint64(len(c.dict)) {
				return fmt.Errorf("LowCardinality index %d of a %d-key dictionary", k, len(c.dict))
			}
			out[i] = c.dict[k]
			c.at++
		}
	case c.empty:
		clear(out)
	default:
		data, off := c.r.buf, c.r.off
		for i := range out {
			var n uint64
			var w int
			if off < len(data) && data[off] < 0x80 {
				n, w = uint64(data[off]), 1
			} else {
				n, w = binary.Uvarint(data[off:])
			}
			if w <= 0 || n > uint64(len(data)-off-w) {
				return errNativeShort
			}
			off += w
			out[i] = c.arena[off : off+int(n)]
			off += int(n)
		}
		c.r.off = off
	}
	return nil
}

// decodeChunk is how many rows decodeColumnsBlock reads of each column
// before moving on: few enough that the rows' scratch values stay in cache.
const decodeChunk = 512

// addrText renders a stored address, once per distinct address.
func (d *eventDecoder) addrText(a [16]byte) string {
	if s, ok := d.addrs[a]; ok {
		return s
	}
	s := renderAddr(netip.AddrFrom16(a), "")
	d.addrs[a] = s
	return s
}

// portText renders a stored port: a substring of one text of every port.
func portText(p uint16) string {
	t := portTexts()
	return t.all[t.off[p]:t.off[int(p)+1]]
}

// portTable is renderPort's text of every port, in one string.
type portTable struct {
	all string
	off [1<<16 + 1]uint32
}

var portTexts = sync.OnceValue(func() *portTable {
	t := new(portTable)
	var b []byte
	for p := range 1 << 16 {
		t.off[p] = uint32(len(b))
		b = append(b, renderPort(uint16(p), "")...)
	}
	t.off[1<<16] = uint32(len(b))
	t.all = string(b)
	return t
})

// decodeColumns appends the events in buf to dst column by column, with
// no StoredEvent in between: the day stream's read.
func (d *eventDecoder) decodeColumns(buf []byte, dst *EventColumns) error {
	if err := d.index(buf); err != nil {
		return err
	}
	for i := range d.blocks {
		if err := d.decodeColumnsBlock(buf, &d.blocks[i], dst); err != nil {
			return err
		}
	}
	return nil
}

// The text columns rendered from a typed column unless their raw text is
// set.
var colSrcIP, colSrcPort, colDstIP, colDstPort = textColumn("src_ip"), textColumn("src_port"), textColumn("dst_ip"), textColumn("dst_port")

// textColumnOf maps the read columns that go straight into a text column.
var textColumnOf = func() map[string]int {
	m := map[string]int{}
	for k, name := range TextColumns {
		switch k {
		case colSrcIP, colDstIP, colSrcPort, colDstPort:
		default:
			m[name] = k
		}
	}
	return m
}()

func (d *eventDecoder) decodeColumnsBlock(buf []byte, b *nativeBlock, dst *EventColumns) error {
	rows := b.rows
	if rows == 0 {
		return nil
	}
	cols := eventReadColumns[:b.ncols]
	for ci, spec := range cols {
		if spec.kind == rbString && (spec.name != "batch_id" || d.full) {
			c := &b.cols[ci]
			if err := d.cursors[ci].start(buf[c.start:c.end], c, rows); err != nil {
				return fmt.Errorf("native: column %s: %w", spec.name, err)
			}
		}
	}
	var raw [4][decodeChunk]string // src_ip, src_port, dst_ip, dst_port texts
	var ips [2][decodeChunk][16]byte
	var ports [2][decodeChunk]uint16
	strs := d.strs[:0]
	for lo := 0; lo < rows; lo += decodeChunk {
		n := min(decodeChunk, rows-lo)
		for ci, spec := range cols {
			if spec.kind == rbString {
				var out []string
				switch spec.name {
				case "batch_id":
					if !d.full {
						continue
					}
					strs = strs[:n]
					out = strs
				case "src_ip_raw":
					out = raw[0][:n]
				case "src_port_raw":
					out = raw[1][:n]
				case "dst_ip_raw":
					out = raw[2][:n]
				case "dst_port_raw":
					out = raw[3][:n]
				default:
					strs = strs[:n]
					out = strs
				}
				if err := d.cursors[ci].next(out); err != nil {
					return fmt.Errorf("native: column %s: %w", spec.name, err)
				}
				if spec.name == "tenant" {
					for _, s := range out {
						if s != string(d.tenant) {
							return fmt.Errorf("BUG: store: event of tenant %q in a read for %s", s, d.tenant)
						}
					}
				} else if spec.name == "batch_id" {
					for _, s := range out {
						dst.BatchID.add(s)
					}
				} else if k, ok := textColumnOf[spec.name]; ok {
					for _, s := range out {
						dst.Text[k].add(s)
					}
				}
				continue
			}
			c := &b.cols[ci]
			size := rbSize[spec.kind]
			data := buf[c.start+lo*size : c.start+(lo+n)*size]
			switch spec.name {
			case "time":
				for i := range n {
					dst.Time = append(dst.Time, nativeMicros(int64(binary.LittleEndian.Uint64(data[i*8:])), c.scale))
				}
			case "ingest_time":
				if d.full {
					for i := range n {
						dst.IngestTime = append(dst.IngestTime, nativeMicros(int64(binary.LittleEndian.Uint64(data[i*8:])), c.scale))
					}
				}
			case "id":
				for i := range n {
					dst.ID = append(dst.ID, binary.LittleEndian.Uint64(data[i*8:]))
				}
			case "src_ip", "dst_ip":
				to := &ips[0]
				if spec.name == "dst_ip" {
					to = &ips[1]
				}
				for i := range n {
					to[i] = [16]byte(data[i*16:])
				}
			case "src_port", "dst_port":
				to := &ports[0]
				if spec.name == "dst_port" {
					to = &ports[1]
				}
				for i := range n {
					to[i] = binary.LittleEndian.Uint16(data[i*2:])
				}
			case "severity":
				for i := range n {
					dst.Severity = append(dst.Severity, int8(data[i]))
				}
			case "count":
				for i := range n {
					dst.Count = append(dst.Count, binary.LittleEndian.Uint32(data[i*4:]))
				}
			case "dns_qtype":
				for i := range n {
					dst.DNSQType = append(dst.DNSQType, binary.LittleEndian.Uint16(data[i*2:]))
				}
			case "dns_rcode":
				for i := range n {
					dst.DNSRcode = append(dst.DNSRcode, int8(data[i]))
				}
			default:
				return fmt.Errorf("BUG: no Native decoding for column %s", spec.name)
			}
		}
		// An empty raw text means the typed column's plain rendering.
		for side, k := range [2]int{colSrcIP, colDstIP} {
			for i := range n {
				if s := raw[2*side][i]; s != "" {
					dst.Text[k].add(s)
				} else {
					dst.Text[k].addAddr(ips[side][i], d.addrText)
				}
			}
		}
		for side, k := range [2]int{colSrcPort, colDstPort} {
			for i := range n {
				if s := raw[2*side+1][i]; s != "" {
					dst.Text[k].add(s)
				} else {
					dst.Text[k].addPort(ports[side][i], portText)
				}
			}
		}
	}
	d.strs = strs[:0]
	return nil
}

// nativeMicros converts DateTime64 ticks at scale ticks per second to
// microseconds (rounding down).
func nativeMicros(ticks, scale int64) int64 {
	if scale >= 1e6 {
		q, r := ticks/(scale/1e6), ticks%(scale/1e6)
		if r < 0 {
			q--
		}
		return q
	}
	return ticks * (1e6 / scale)
}
