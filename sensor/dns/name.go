package dns

import "encoding/binary"

const (
	// maxNameWire is the RFC 1035 §2.3.4 limit on a name's wire length,
	// length octets and the root label included.
	maxNameWire = 255
	// maxPresentationLen bounds the presentation form of a name within
	// maxNameWire: every label byte escaped to four characters plus the
	// dots stays below 1,016.
	maxPresentationLen = 1024
)

// presentation maps a label byte to the character written for it, or 0
// when it must be escaped: ASCII letters are lowercased, other printable
// ASCII except '.' and '\' is kept.
var presentation = func() (t [256]byte) {
	for c := 0x21; c <= 0x7e; c++ {
		t[c] = byte(c)
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = byte(c + 'a' - 'A')
	}
	t['.'], t['\\'] = 0, 0
	return t
}()

// appendName appends the presentation form of the name at b[off:] to dst,
// following compression pointers. next is the offset just after the name
// where it is stored (after its first pointer or its root label).
//
// Termination on hostile input: every pointer must point before the start
// of the run of labels it ends, so runs start strictly further back each
// time and at most off pointers are followed; labels are bounded by the
// 255-octet name limit.
func appendName(dst, b []byte, off int) (name []byte, next int, err error) {
	next = -1
	runStart := off
	wire := 1 // the root label
	for {
		if off >= len(b) {
			return dst, 0, errShortName
		}
		l := int(b[off])
		switch l & 0xc0 {
		case 0x00:
			if l == 0 {
				if next < 0 {
					next = off + 1
				}
				return dst, next, nil
			}
			if wire += l + 1; wire > maxNameWire {
				return dst, 0, errNameTooLong
			}
			if len(b)-off-1 < l {
				return dst, 0, errShortName
			}
			if len(dst) > 0 {
				dst = append(dst, '.')
			}
			dst = appendLabel(dst, b[off+1:off+1+l])
			off += 1 + l
		case 0xc0:
			if len(b)-off < 2 {
				return dst, 0, errShortName
			}
			ptr := int(binary.BigEndian.Uint16(b[off:]) & 0x3fff)
			if ptr >= runStart {
				return dst, 0, errPointer
			}
			if next < 0 {
				next = off + 2
			}
			runStart, off = ptr, ptr
		default: // 0x40 extended and 0x80 reserved label types (RFC 6891 §5)
			return dst, 0, errLabelType
		}
	}
}

// appendLabel appends one label's bytes, lowercased and escaped.
func appendLabel(dst, label []byte) []byte {
	// Fast path for the common all-plain label: index into spare capacity
	// instead of appending byte by byte (query parse 80 → 48 ns).
	n := len(dst)
	if cap(dst)-n >= len(label) {
		out := dst[n : n+len(label)]
		for i, c := range label {
			p := presentation[c]
			if p == 0 {
				return appendEscaped(dst[:n+i], label[i:])
			}
			out[i] = p
		}
		return dst[:n+len(label)]
	}
	return appendEscaped(dst, label)
}

// appendEscaped is appendLabel's general path.
func appendEscaped(dst, label []byte) []byte {
	for _, c := range label {
		if p := presentation[c]; p != 0 {
			dst = append(dst, p)
			continue
		}
		if c == '.' || c == '\\' {
			dst = append(dst, '\\', c)
			continue
		}
		dst = append(dst, '\\', '0'+c/100, '0'+c/10%10, '0'+c%10)
	}
	return dst
}

// skipName returns the offset after the name stored at b[off:] without
// decoding it; a compression pointer ends the name in place. ok is false
// when the name runs past the message or uses a reserved label type.
func skipName(b []byte, off int) (next int, ok bool) {
	for off < len(b) {
		l := int(b[off])
		switch {
		case l == 0:
			return off + 1, true
		case l&0xc0 == 0xc0:
			if len(b)-off < 2 {
				return 0, false
			}
			return off + 2, true
		case l&0xc0 != 0:
			return 0, false
		}
		off += 1 + l
	}
	return 0, false
}
