package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// rbKind is a column type the RowBinary reader understands.
type rbKind uint8

const (
	rbString rbKind = iota + 1
	rbUInt8
	rbUInt16
	rbUInt32
	rbUInt64
	rbInt8
	rbInt16
	rbInt32
	rbInt64
	rbFloat64
	rbBool
	rbDateTime
	rbDateTime64
	rbDate
	rbIPv6
	rbIPv4
	rbStrings // Array(String)
)

// rbSize is the fixed width of each non-string kind.
var rbSize = [...]int{rbUInt8: 1, rbInt8: 1, rbBool: 1, rbUInt16: 2, rbInt16: 2, rbDate: 2,
	rbUInt32: 4, rbInt32: 4, rbDateTime: 4, rbIPv4: 4, rbUInt64: 8, rbInt64: 8, rbFloat64: 8, rbDateTime64: 8, rbIPv6: 16}

type rbColumn struct {
	name  string
	typ   string
	kind  rbKind
	scale int64 // DateTime64: ticks per second
}

// parseRBType maps a ClickHouse type name to what the reader decodes.
// LowCardinality(T) is plain T in RowBinary.
func parseRBType(t string) (rbColumn, error) {
	c := rbColumn{typ: t}
	base := t
	if inner, ok := strings.CutPrefix(base, "LowCardinality("); ok {
		base = strings.TrimSuffix(inner, ")")
	}
	switch {
	case base == "String":
		c.kind = rbString
	case base == "Array(String)" || base == "Array(LowCardinality(String))":
		c.kind = rbStrings
	case base == "UInt8":
		c.kind = rbUInt8
	case base == "UInt16":
		c.kind = rbUInt16
	case base == "UInt32":
		c.kind = rbUInt32
	case base == "UInt64":
		c.kind = rbUInt64
	case base == "Int8":
		c.kind = rbInt8
	case base == "Int16":
		c.kind = rbInt16
	case base == "Int32":
		c.kind = rbInt32
	case base == "Int64":
		c.kind = rbInt64
	case base == "Float64":
		c.kind = rbFloat64
	case base == "Bool":
		c.kind = rbBool
	case base == "Date":
		c.kind = rbDate
	case base == "IPv6":
		c.kind = rbIPv6
	case base == "IPv4":
		c.kind = rbIPv4
	case base == "DateTime" || strings.HasPrefix(base, "DateTime("):
		c.kind = rbDateTime
	case strings.HasPrefix(base, "DateTime64("):
		args := strings.TrimSuffix(strings.TrimPrefix(base, "DateTime64("), ")")
		p, _, _ := strings.Cut(args, ",")
		prec, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || prec < 0 || prec > 9 {
			return c, fmt.Errorf("unsupported type %s", t)
		}
		c.kind = rbDateTime64
		c.scale = int64(math.Pow10(prec))
	default:
		return c, fmt.Errorf("unsupported type %s", t)
	}
	return c, nil
}

// rbValue is one decoded field. Strings point into the result buffer and
// are copied by Scan.
type rbValue struct {
	u   uint64
	i   int64
	f   float64
	b   []byte
	t   time.Time
	ip  netip.Addr
	str bool
	// strs are an Array(String)'s elements, pointing into the buffer.
	strs [][]byte
}

// rbRows reads RowBinaryWithNamesAndTypes output. It holds the engine's
// result buffer; Close releases it.
type rbRows struct {
	buf     []byte
	off     int
	cols    []rbColumn
	vals    []rbValue
	err     error
	release func()
}

var errShort = errors.New("rowbinary: truncated data")

func newRBRows(buf []byte, release func()) (*rbRows, error) {
	r := &rbRows{buf: buf, release: release}
	if len(buf) == 0 {
		return r, nil
	}
	n, err := r.uvarint()
	if err != nil {
		return nil, err
	}
	if n > 4096 {
		return nil, fmt.Errorf("rowbinary: %d columns", n)
	}
	r.cols = make([]rbColumn, n)
	for i := range r.cols {
		if r.cols[i].name, err = r.str(); err != nil {
			return nil, err
		}
	}
	for i := range r.cols {
		t, err := r.str()
		if err != nil {
			return nil, err
		}
		c, err := parseRBType(t)
		if err != nil {
			return nil, fmt.Errorf("rowbinary: column %s: %w", r.cols[i].name, err)
		}
		c.name = r.cols[i].name
		r.cols[i] = c
	}
	r.vals = make([]rbValue, n)
	return r, nil
}

func (r *rbRows) uvarint() (uint64, error) {
	v, n := binary.Uvarint(r.buf[r.off:])
	if n <= 0 {
		return 0, errShort
	}
	r.off += n
	return v, nil
}

func (r *rbRows) take(n int) ([]byte, error) {
	if n < 0 || len(r.buf)-r.off < n {
		return nil, errShort
	}
	b := r.buf[r.off : r.off+n]
	r.off += n
	return b, nil
}

func (r *rbRows) str() (string, error) {
	b, err := r.bytes()
	return string(b), err
}

func (r *rbRows) bytes() ([]byte, error) {
	n, err := r.uvarint()
	if err != nil {
		return nil, err
	}
	if n > uint64(len(r.buf)) {
		return nil, errShort
	}
	return r.take(int(n))
}

// Next decodes the next row.
func (r *rbRows) Next() bool {
	if r.err != nil || r.off >= len(r.buf) || len(r.cols) == 0 {
		return false
	}
	for i, c := range r.cols {
		if err := r.decode(c, &r.vals[i]); err != nil {
			r.err = fmt.Errorf("rowbinary: column %s: %w", c.name, err)
			return false
		}
	}
	return true
}

func (r *rbRows) decode(c rbColumn, v *rbValue) error {
	var b []byte
	var err error
	if c.kind == rbString {
		v.b, err = r.bytes()
		v.str = true
		return err
	}
	if c.kind == rbStrings {
		n, err := r.uvarint()
		if err != nil {
			return err
		}
		if n > uint64(len(r.buf)-r.off) { // each element takes at least a byte
			return errShort
		}
		v.strs = v.strs[:0]
		for range n {
			b, err := r.bytes()
			if err != nil {
				return err
			}
			v.strs = append(v.strs, b)
		}
		return nil
	}
	if b, err = r.take(rbSize[c.kind]); err != nil {
		return err
	}
	switch c.kind {
	case rbUInt8, rbBool:
		v.u = uint64(b[0])
	case rbInt8:
		v.i = int64(int8(b[0]))
	case rbUInt16:
		v.u = uint64(binary.LittleEndian.Uint16(b))
	case rbInt16:
		v.i = int64(int16(binary.LittleEndian.Uint16(b)))
	case rbUInt32:
		v.u = uint64(binary.LittleEndian.Uint32(b))
	case rbInt32:
		v.i = int64(int32(binary.LittleEndian.Uint32(b)))
	case rbUInt64:
		v.u = binary.LittleEndian.Uint64(b)
	case rbInt64:
		v.i = int64(binary.LittleEndian.Uint64(b))
	case rbFloat64:
		v.f = math.Float64frombits(binary.LittleEndian.Uint64(b))
	case rbDate:
		v.t = time.Unix(int64(binary.LittleEndian.Uint16(b))*86400, 0).UTC()
	case rbDateTime:
		v.t = time.Unix(int64(binary.LittleEndian.Uint32(b)), 0).UTC()
	case rbDateTime64:
		ticks := int64(binary.LittleEndian.Uint64(b))
		sec, frac := ticks/c.scale, ticks%c.scale
		if frac < 0 {
			sec, frac = sec-1, frac+c.scale
		}
		v.t = time.Unix(sec, frac*(1e9/c.scale)).UTC()
	case rbIPv6:
		v.ip = netip.AddrFrom16([16]byte(b))
	case rbIPv4:
		u := binary.LittleEndian.Uint32(b)
		v.ip = netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)})
	}
	return nil
}

// Scan copies the current row into dest, one pointer per column.
func (r *rbRows) Scan(dest ...any) error {
	if len(dest) != len(r.cols) {
		return fmt.Errorf("rowbinary: scan into %d values, row has %d columns", len(dest), len(r.cols))
	}
	for i, d := range dest {
		if err := r.scanOne(i, d); err != nil {
			return fmt.Errorf("rowbinary: column %s (%s): %w", r.cols[i].name, r.cols[i].typ, err)
		}
	}
	return nil
}

func (r *rbRows) scanOne(i int, d any) error {
	c, v := r.cols[i], &r.vals[i]
	ok := true
	switch d := d.(type) {
	case *string:
		ok = v.str
		*d = string(v.b)
	case *[]byte:
		ok = v.str
		*d = append((*d)[:0], v.b...)
	case *[]string:
		ok = c.kind == rbStrings
		*d = make([]string, len(v.strs))
		for i, b := range v.strs {
			(*d)[i] = string(b)
		}
	case *bool:
		ok = c.kind == rbBool || c.kind == rbUInt8
		*d = v.u != 0
	case *uint8:
		ok = c.kind == rbUInt8 || c.kind == rbBool
		*d = uint8(v.u)
	case *uint16:
		ok = c.kind == rbUInt16
		*d = uint16(v.u)
	case *uint32:
		ok = c.kind == rbUInt32
		*d = uint32(v.u)
	case *uint64:
		ok = c.kind == rbUInt64
		*d = v.u
	case *int8:
		ok = c.kind == rbInt8
		*d = int8(v.i)
	case *int16:
		ok = c.kind == rbInt16
		*d = int16(v.i)
	case *int32:
		ok = c.kind == rbInt32
		*d = int32(v.i)
	case *int64:
		ok = c.kind == rbInt64
		*d = v.i
	case *float64:
		ok = c.kind == rbFloat64
		*d = v.f
	case *time.Time:
		ok = c.kind == rbDateTime || c.kind == rbDateTime64 || c.kind == rbDate
		*d = v.t
	case *netip.Addr:
		ok = c.kind == rbIPv6 || c.kind == rbIPv4
		*d = v.ip
	default:
		return fmt.Errorf("unsupported destination %T", d)
	}
	if !ok {
		return fmt.Errorf("cannot scan into %T", d)
	}
	return nil
}

func (r *rbRows) Err() error { return r.err }

func (r *rbRows) Close() error {
	if r.release != nil {
		r.release()
		r.release = nil
	}
	r.buf = nil
	return nil
}
