package event

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// PyRepr returns what Python's repr() prints for Maltrail's event tuple
//
//	(sec, usec, src_ip, src_port, dst_ip, dst_port, proto, type, trail, info, reference)
//
// e.g. (1700000000, 123456, '10.0.0.5', 50000, '66.66.66.66', 443, 'TCP', 'IP', '66.66.66.66', 'malware (test)', '(static)').
// IGNORE_EVENTS_REGEX is matched against it, so rules written for Maltrail
// keep their meaning. Ports are ints, or '-' when missing; the trail of a
// PORT event is an int. Bytes that are not valid UTF-8 print as \xhh.
func (e *Event) PyRepr() string {
	b := make([]byte, 0, 160)
	b = append(b, '(')
	b = strconv.AppendInt(b, e.Time.Unix(), 10)
	b = append(b, ", "...)
	b = strconv.AppendInt(b, int64(e.Time.Nanosecond()/1000), 10)
	b = append(b, ", "...)
	b = appendPyStr(b, e.SrcIP)
	b = append(b, ", "...)
	b = appendPyValue(b, portValue(e.SrcPort))
	b = append(b, ", "...)
	b = appendPyStr(b, e.DstIP)
	b = append(b, ", "...)
	b = appendPyValue(b, portValue(e.DstPort))
	b = append(b, ", "...)
	b = appendPyStr(b, e.Proto)
	b = append(b, ", "...)
	b = appendPyStr(b, string(e.Type))
	b = append(b, ", "...)
	b = appendPyValue(b, e.trailValue())
	b = append(b, ", "...)
	b = appendPyStr(b, e.Info)
	b = append(b, ", "...)
	b = appendPyStr(b, e.Reference)
	b = append(b, ')')
	return string(b)
}

func appendPyValue(dst []byte, v pyValue) []byte {
	if v.isInt {
		return append(dst, v.text...)
	}
	return appendPyStr(dst, v.text)
}

// appendPyStr appends CPython 3's repr() of a str: single quotes unless the
// text has a single quote and no double quote; backslash, the quote, \t \n
// \r escaped; other non-printable characters as \xhh, \uhhhh or
// \Uhhhhhhhh. Go's unicode.IsPrint and Python's str.isprintable agree: both
// reject categories C and Z except the ASCII space.
func appendPyStr(dst []byte, s string) []byte {
	quote := byte('\'')
	hasSingle, hasDouble := false, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\'':
			hasSingle = true
		case '"':
			hasDouble = true
		}
	}
	if hasSingle && !hasDouble {
		quote = '"'
	}
	dst = append(dst, quote)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == quote || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c < 0x20 || c == 0x7f:
				dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				dst = append(dst, c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		case unicode.IsPrint(r):
			dst = append(dst, s[i:i+size]...)
		case r <= 0xff:
			dst = append(dst, '\\', 'x', hexDigits[r>>4], hexDigits[r&0xf])
		case r <= 0xffff:
			dst = appendHexEscape(dst, 'u', uint32(r), 4)
		default:
			dst = appendHexEscape(dst, 'U', uint32(r), 8)
		}
		i += size
	}
	return append(dst, quote)
}

func appendHexEscape(dst []byte, kind byte, v uint32, digits int) []byte {
	dst = append(dst, '\\', kind)
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[v>>uint(shift)&0xf])
	}
	return dst
}
